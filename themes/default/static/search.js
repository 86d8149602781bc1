// glossator's search: reads search.json (written by the build) and
// filters it in the browser. Without this script, the search form falls
// back to a web search engine. No third-party code.
(function () {
  "use strict";
  var form = document.querySelector(".search-form");
  if (!form) return;
  var input = form.querySelector("input[type=search]");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var index = null;

  function load() {
    if (index) return Promise.resolve(index);
    return fetch(form.getAttribute("data-index"))
      .then(function (r) { return r.json(); })
      .then(function (data) { index = data; return data; });
  }

  function words(text) {
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  }

  function score(entry, terms) {
    var title = words(entry.title).join(" ");
    var body = words(entry.excerpt + " " + entry.tags.join(" ")).join(" ");
    var total = 0;
    for (var i = 0; i < terms.length; i++) {
      var t = terms[i];
      var inTitle = title.indexOf(t) !== -1;
      var inBody = body.indexOf(t) !== -1;
      if (!inTitle && !inBody) return 0;
      total += inTitle ? 3 : 1;
    }
    return total;
  }

  function show(query) {
    var terms = words(query);
    list.textContent = "";
    if (!terms.length) { status.textContent = ""; return; }
    load().then(function (data) {
      var hits = data
        .map(function (e) { return { e: e, s: score(e, terms) }; })
        .filter(function (h) { return h.s > 0; })
        .sort(function (a, b) { return b.s - a.s || (a.e.date < b.e.date ? 1 : -1); });
      status.textContent = hits.length + (hits.length === 1 ? " post" : " posts") + " found";
      hits.slice(0, 50).forEach(function (h) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = h.e.url;
        a.textContent = h.e.title;
        var meta = document.createElement("span");
        meta.className = "meta";
        meta.textContent = " " + h.e.date + (h.e.kind !== "entry" ? " · " + h.e.kind : "");
        var p = document.createElement("p");
        p.textContent = h.e.excerpt;
        li.appendChild(a);
        li.appendChild(meta);
        li.appendChild(p);
        list.appendChild(li);
      });
    }).catch(function () {
      status.textContent = "The search index could not be loaded.";
    });
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    history.replaceState(null, "", "?q=" + encodeURIComponent(input.value));
    show(input.value);
  });
  var initial = new URLSearchParams(location.search).get("q");
  if (initial) { input.value = initial; show(initial); }
})();
