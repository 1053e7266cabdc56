// The lore guide's only script. Without it every page still works (the episode picker is plain
// links, spoilers are <details>); it adds: remembering the chosen horizon, and search.
(function () {
  "use strict";
  var KEY = "lore-horizon";

  function remember(value) {
    try { window.localStorage.setItem(KEY, value); } catch (e) { /* storage off: links still work */ }
  }
  function remembered() {
    try { return window.localStorage.getItem(KEY); } catch (e) { return null; }
  }

  // Any link that picks a horizon (the picker, the front page) remembers the choice.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-horizon]") : null;
    if (link) remember(link.getAttribute("data-horizon"));
  });

  // The front page sends a returning reader to the horizon they chose ("?choose" stays).
  var landing = document.querySelector("[data-landing]");
  if (landing && !/(^|[?&])choose\b/.test(window.location.search.slice(1))) {
    var chosen = remembered();
    var links = landing.querySelectorAll("a[data-horizon]");
    for (var i = 0; i < links.length; i++) {
      if (links[i].getAttribute("data-horizon") === chosen) {
        window.location.replace(links[i].href);
        return;
      }
    }
  }

  // -- search (search.html, with search-data.js loaded before this script) ----------------------
  var data = window.LORE_SEARCH;
  var results = document.getElementById("search-results");
  var input = document.getElementById("q");
  var status = document.getElementById("search-status");
  if (!data || !results || !input) return;

  var filler = Object.create(null);
  var synonyms = Object.create(null);
  Object.keys(data.synonyms).forEach(function (word) { synonyms[word] = data.synonyms[word]; });
  data.filler.forEach(function (word) { filler[word] = true; });

  function words(text, keepFiller) {
    var folded = text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
    folded = folded.replace(/['\u2019]s\b/g, "").replace(/[^a-z0-9]+/g, " ").trim();
    var out = [];
    folded.split(" ").forEach(function (word) {
      if (!word) return;
      word = synonyms[word] || word;
      if (keepFiller || !filler[word]) out.push(word);
    });
    return out;
  }

  var index = data.entries.map(function (entry) {
    var phrasings = [{ text: entry.q, words: words(entry.q, true), kind: "q" }];
    (entry.a || []).forEach(function (a) { phrasings.push({ text: a, words: words(a, true), kind: "a" }); });
    (entry.h || []).forEach(function (a) { phrasings.push({ text: a, words: words(a, true), kind: "h" }); });
    return { entry: entry, phrasings: phrasings };
  });

  // A query word matches a word of a phrasing that starts with it (so "moth" finds "mother").
  function score(query, phrasing) {
    var hits = 0;
    query.forEach(function (q) {
      if (phrasing.words.some(function (w) { return w.indexOf(q) === 0; })) hits++;
    });
    return hits / query.length + (phrasing.kind === "q" ? 0.01 : 0);
  }

  function search(text) {
    var query = words(text, false);
    if (!query.length) query = words(text, true);
    if (!query.length) return { hits: [], complete: false };
    var found = [];
    index.forEach(function (item) {
      var best = null;
      var bestScore = 0;
      item.phrasings.forEach(function (p) {
        var s = score(query, p);
        if (s > bestScore) { bestScore = s; best = p; }
      });
      if (best && bestScore >= 0.5) found.push({ item: item, phrasing: best, score: bestScore });
    });
    // Questions with every word of the query first; only when there are none, those with half.
    var complete = found.filter(function (hit) { return hit.score >= 1; });
    if (complete.length) found = complete;
    found.sort(function (a, b) { return b.score - a.score || a.item.entry.q.length - b.item.entry.q.length; });
    return { hits: found.slice(0, 25), complete: complete.length > 0 };
  }

  function show(text) {
    while (results.firstChild) results.removeChild(results.firstChild);
    if (!text.trim()) { status.textContent = ""; return; }
    var result = search(text);
    var found = result.hits;
    if (!found.length) {
      status.textContent = "No question matches. Try other words, or browse the index by topic.";
    } else if (!result.complete) {
      status.textContent = "No question has all those words; these have some of them.";
    } else {
      status.textContent = found.length + (found.length === 1 ? " question matches." : " questions match.");
    }
    found.forEach(function (hit) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = hit.item.entry.u;
      a.textContent = hit.item.entry.q;
      if (hit.item.entry.s) {  // a question from an episode, in all/: behind a spoiler, as on the pages
        var details = document.createElement("details");
        details.className = "spoiler";
        var summary = document.createElement("summary");
        summary.textContent = "Spoiler";
        [["closed", ": click to show"], ["opened", ": click to hide"]].forEach(function (part) {
          var span = document.createElement("span");
          span.className = part[0];
          span.textContent = part[1];
          summary.appendChild(span);
        });
        details.appendChild(summary);
        details.appendChild(a);
        li.appendChild(details);
      } else {
        li.appendChild(a);
      }
      if (hit.phrasing.kind === "a" && !hit.item.entry.s) {  // a phrasing from an episode ("h") is never echoed
        var also = document.createElement("span");
        also.className = "also";
        also.textContent = " also asked as \u201c" + hit.phrasing.text + "\u201d";
        li.appendChild(also);
      }
      results.appendChild(li);
    });
  }

  var initial = new URLSearchParams(window.location.search).get("q") || "";
  input.value = initial;
  show(initial);
  input.addEventListener("input", function () { show(input.value); });
  input.form.addEventListener("submit", function (event) {
    event.preventDefault();
    show(input.value);
    if (window.history.replaceState) {
      window.history.replaceState(null, "", "?q=" + encodeURIComponent(input.value));
    }
  });
})();
