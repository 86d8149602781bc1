// glossator's live-reload client, injected by `glossator serve` only.
// Reloads the page (keeping the scroll position) when the site changes,
// swaps stylesheets in place when only CSS changed, and reconnects when
// the server restarts. Our own code: no dependencies.
(function () {
  "use strict";
  var script = document.currentScript;
  var version = script ? script.getAttribute("data-version") : "0";
  var endpoint = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/__glossator/livereload";
  var scrollKey = "glossator-scroll:" + location.pathname;

  var saved = sessionStorage.getItem(scrollKey);
  if (saved !== null) {
    sessionStorage.removeItem(scrollKey);
    var restore = function () { window.scrollTo(0, parseInt(saved, 10) || 0); };
    if (document.readyState === "complete") restore(); else window.addEventListener("load", restore);
  }

  // Esc dismisses the error overlay (it returns with the next failure).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var overlay = document.getElementById("glossator-overlay");
    if (overlay) overlay.remove();
  });

  function reload() {
    sessionStorage.setItem(scrollKey, String(window.scrollY));
    location.reload();
  }

  function swapStylesheets(paths, newVersion) {
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    var swapped = 0;
    for (var i = 0; i < links.length; i++) {
      var link = links[i];
      var url = new URL(link.href, location.href);
      if (url.origin !== location.origin || paths.indexOf(url.pathname) === -1) continue;
      var fresh = link.cloneNode();
      url.searchParams.set("glossator", newVersion);
      fresh.href = url.toString();
      fresh.addEventListener("load", function (old) { return function () { old.remove(); }; }(link));
      link.after(fresh);
      swapped++;
    }
    if (swapped === 0) reload(); else version = String(newVersion);
  }

  var delay = 100;
  function connect() {
    var socket = new WebSocket(endpoint);
    socket.onopen = function () { delay = 100; };
    socket.onmessage = function (event) {
      var message = JSON.parse(event.data);
      if (message.type === "hello") {
        if (String(message.version) !== version) reload();
      } else if (message.type === "css") {
        swapStylesheets(message.paths, message.version);
      } else if (message.type === "reload" || message.type === "error") {
        reload();
      }
    };
    socket.onclose = function () {
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 2000);
    };
  }
  connect();
})();
