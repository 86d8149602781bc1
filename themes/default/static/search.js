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

  // Dates as the rest of the site writes them ("March 3, 2026"), in the
  // page's language. The index holds the post's local date, so read it as
  // noon UTC and format it in UTC: no time zone can move it a day.
  var lang = document.documentElement.lang || "en";
  var dateFormat = new Intl.DateTimeFormat(lang, { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" });
  function siteDate(iso) {
    var d = new Date(iso + "T12:00:00Z");
    return isNaN(d) ? iso : dateFormat.format(d);
  }

  // Appends `text` to `el`, each word that holds a search term in <mark>.
  function marked(el, text, terms) {
    var token = /[\p{L}\p{N}]+/gu;
    var last = 0, m;
    while ((m = token.exec(text)) !== null) {
      var w = words(m[0]).join("");
      var hit = terms.some(function (t) { return w.indexOf(t) !== -1; });
      if (!hit) continue;
      if (m.index > last) el.appendChild(document.createTextNode(text.slice(last, m.index)));
      var mark = document.createElement("mark");
      mark.textContent = m[0];
      el.appendChild(mark);
      last = m.index + m[0].length;
    }
    if (last < text.length) el.appendChild(document.createTextNode(text.slice(last)));
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
        marked(a, h.e.title, terms);
        var meta = document.createElement("p");
        meta.className = "meta";
        var time = document.createElement("time");
        time.dateTime = h.e.date;
        time.textContent = siteDate(h.e.date);
        meta.appendChild(time);
        if (h.e.kind !== "entry") {
          var kind = document.createElement("span");
          kind.className = "kind";
          kind.textContent = h.e.kind;
          meta.appendChild(document.createTextNode(" "));
          meta.appendChild(kind);
        }
        var p = document.createElement("p");
        marked(p, h.e.excerpt, terms);
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
