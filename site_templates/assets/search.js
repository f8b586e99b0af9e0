// Site search (build_scripts/outputs/search.py writes this file per language with its CONFIG).
// Progressive enhancement: without JavaScript there is no search button, and the contents and the code table
// remain. The index (search/index.json) and the engine (MiniSearch) load when the reader first opens search.
// Matching forgives: case and accents folded, prefixes while typing, one typo in words of 4+ letters and two in
// 8+, the language's stop words ignored (unless the query has nothing else), a printed code (ASK, bni) finds its
// definition first, and the district's everyday words (search.yml) add the handbook's own terms.
(function () {
  "use strict";
  var CONFIG = /*@config*/{"index": "search/index.json", "engine": "assets/minisearch.js", "lang": "en", "ui": {}}/*@end*/;
  var ui = CONFIG.ui;
  var script = document.currentScript;
  if (!script || !window.fetch || !("normalize" in String.prototype)) return;
  var root = new URL("../", script.src);  // the language's site: this file is <root>/assets/search.js
  var MAX_PAGES = 12;
  var MAX_ALSO = 3;
  var SNIPPET_CHARS = 180;  // about three lines at 375 px

  function fold(text) {
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }
  function words(text) {
    return fold(text).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  // ---------------------------------------------------------------- the engine and the index

  var ready = null;  // a promise of {engine, data, stop, codes, everyday}
  function load() {
    if (ready) return ready;
    ready = Promise.all([
      fetch(new URL(CONFIG.index, root)).then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); }),
      new Promise(function (resolve, reject) {
        if (window.MiniSearch) return resolve();
        var tag = el("script", { src: new URL(CONFIG.engine, root).href });
        tag.onload = resolve;
        tag.onerror = reject;
        document.head.appendChild(tag);
      })
    ]).then(function (loaded) { return prepare(loaded[0]); });
    ready.catch(function () { ready = null; });  // a later open tries again (a slow link, back online)
    return ready;
  }

  function prepare(data) {
    var engine = new window.MiniSearch({
      fields: ["t", "x"],
      tokenize: function (text) { return words(text); },
      processTerm: function (term) { return term; }
    });
    engine.addAll(data.docs.map(function (d, i) { return { id: i, t: d.t, x: d.x }; }));
    var codes = {};
    Object.keys(data.codes).forEach(function (code) { codes[fold(code)] = { code: code, docs: data.codes[code] }; });
    var everyday = data.words.map(function (entry) {
      return { words: entry[0].map(function (w) { return " " + words(w).join(" ") + " "; }),
               terms: [].concat.apply([], entry[1].map(words)) };
    });
    return { engine: engine, data: data, stop: new Set(data.stop), codes: codes, everyday: everyday,
             wordsToo: new Set(data.words_too) };
  }

  // ---------------------------------------------------------------- matching

  function fuzziness(term) { return term.length >= 8 ? 2 : term.length >= 4 ? 1 : 0; }

  function run(index, query) {
    var raw = query.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
    var all = raw.map(fold);
    var content = all.filter(function (w) { return !index.stop.has(w); });
    if (!content.length) content = all;  // only stop words: search them as they are
    // A printed code: typed in capitals, or in small letters when it is no word of the text and no stop word
    // ("bni" is BNI; "for" and "bus" are words), from three letters (two are the start of any word being typed).
    var codeTerms = new Set();
    var codeDocs = [];
    raw.forEach(function (token) {
      var hit = index.codes[fold(token)];
      var capitals = token.length > 1 && token === token.toUpperCase() && /\p{L}/u.test(token);
      var plain = token.length >= 3 && !index.stop.has(fold(token)) && !index.wordsToo.has(hit && hit.code);
      if (hit && (capitals || plain)) {
        codeTerms.add(fold(token));
        hit.docs.forEach(function (d) { if (codeDocs.indexOf(d) < 0) codeDocs.push(d); });
      }
    });
    if (codeTerms.size && !content.some(function (w) { return codeTerms.has(w); })) {
      codeTerms.forEach(function (w) { content.push(w); });
    }
    var options = {
      boost: { t: 2 },
      weights: { prefix: 0.5, fuzzy: 0.3 },
      prefix: function (term) { return term.length >= 3 && !codeTerms.has(term); },
      fuzzy: function (term) { return codeTerms.has(term) || /^\d+$/.test(term) ? false : fuzziness(term); }
    };
    var scores = new Map();
    var matched = new Map();
    function add(results, weight) {
      results.forEach(function (r) {
        scores.set(r.id, (scores.get(r.id) || 0) + r.score * weight);
        var terms = matched.get(r.id) || [];
        matched.set(r.id, terms.concat(r.terms));
      });
    }
    add(index.engine.search(content.join(" "), options), 1);
    // other forms of a long word, without a stemmer for every language: its start, as a prefix, lighter
    // ("suspended" finds "suspension" through "suspen", "apelar" finds "apelación" through "apel")
    var stems = content.filter(function (w) { return w.length >= 6 && !codeTerms.has(w); })
      .map(function (w) { return w.slice(0, Math.max(4, w.length - 3)); });
    if (stems.length) {
      add(index.engine.search(stems.join(" "), { boost: options.boost, prefix: true, fuzzy: false }), 0.4);
    }
    // everyday words (search.yml): the handbook's own terms, as a second, slightly lighter query
    var spaced = " " + all.join(" ") + " ";
    var extra = [];
    // a one-word entry also matches its other forms ("falta" for "faltar", "vaping" for "vape")
    function near(word) {
      return all.some(function (w) {
        return w.length >= 4 && word.length >= 4 && (word.indexOf(w) === 0 || w.indexOf(word) === 0);
      });
    }
    index.everyday.forEach(function (entry) {
      if (entry.words.some(function (w) { return spaced.indexOf(w) >= 0 || (w.split(" ").length === 3 && near(w.trim())); })) {
        extra = extra.concat(entry.terms);
      }
    });
    extra = extra.filter(function (w) { return !index.stop.has(w); });
    if (extra.length) add(index.engine.search(extra.join(" "), options), 0.8);
    // the spelling as typed (accents included) ranks above the same word folded: "papá" before "papa"
    var typed = raw.map(function (w) { return w.toLowerCase(); }).filter(function (w) { return w !== fold(w); });
    if (typed.length) {
      scores.forEach(function (score, id) {
        var doc = index.data.docs[id], text = (doc.t + " " + doc.x).toLowerCase();
        if (typed.some(function (w) { return text.indexOf(w) >= 0; })) scores.set(id, score * 1.25);
      });
    }
    var ranked = Array.from(scores.keys()).sort(function (a, b) { return scores.get(b) - scores.get(a); });
    // a code's definition first, then the rest by score
    ranked = codeDocs.concat(ranked.filter(function (id) { return codeDocs.indexOf(id) < 0; }));
    return { ids: ranked, terms: matched, query: content.concat(extra) };
  }

  // ---------------------------------------------------------------- results

  function snippet(text, terms) {
    var sentences = text.match(/[^.!?;]+[.!?;]*/g) || [text];
    var wanted = new Set(terms);
    var best = sentences[0], bestScore = -1;
    sentences.forEach(function (s) {
      var found = new Set(words(s).filter(function (w) { return wanted.has(w); }));
      if (found.size > bestScore) { best = s; bestScore = found.size; }
    });
    best = best.trim();
    // a long sentence (a table's row run on) starts near its first matching word, so that it shows in three lines
    if (best.length > SNIPPET_CHARS) {
      var parts = best.split(/([\p{L}\p{N}]+)/u), at = 0, first = -1;
      for (var i = 0; i < parts.length && first < 0; i++) {
        if (wanted.has(fold(parts[i]))) first = at;
        at += parts[i].length;
      }
      var start = Math.max(0, first - 40);
      if (start > 0) start = best.indexOf(" ", start) + 1 || start;
      best = (start > 0 ? "… " : "") + best.slice(start, start + SNIPPET_CHARS) + (start + SNIPPET_CHARS < best.length ? " …" : "");
    }
    return best;
  }

  function marked(text, terms) {
    // the snippet with the matching words in <mark>, built as nodes (never as HTML)
    var wanted = new Set(terms);
    var out = document.createDocumentFragment();
    text.split(/([\p{L}\p{N}]+)/u).forEach(function (part) {
      if (part && wanted.has(fold(part))) out.appendChild(el("mark", {}, part));
      else if (part) out.appendChild(document.createTextNode(part));
    });
    return out;
  }

  function link(page, doc) {
    return new URL(page.u + (doc.a ? "#" + doc.a : ""), root).href;
  }

  function render(index, query, list, status) {
    list.textContent = "";
    if (!query.trim()) { status.textContent = ""; return; }
    var found = run(index, query);
    var data = index.data;
    var byPage = new Map();
    found.ids.forEach(function (id) {
      var doc = data.docs[id];
      var entry = byPage.get(doc.p);
      if (!entry) byPage.set(doc.p, { best: id, also: [] });
      else if (entry.also.length < MAX_ALSO && data.docs[id].a !== data.docs[entry.best].a) entry.also.push(id);
    });
    var pages = Array.from(byPage.keys()).slice(0, MAX_PAGES);
    pages.forEach(function (p) {
      var entry = byPage.get(p);
      var page = data.pages[p];
      var doc = data.docs[entry.best];
      var item = el("li", { "class": "hb-search__result" });
      var a = el("a", { href: link(page, doc) });
      a.appendChild(el("span", { "class": "hb-search__page" }, page.t));
      if (doc.t !== page.t) a.appendChild(el("span", { "class": "hb-search__section" }, doc.t));
      item.appendChild(a);
      var terms = (found.terms.get(entry.best) || []).concat(found.query);
      var p2 = el("p", { "class": "hb-search__snippet" });
      p2.appendChild(marked(snippet(doc.x, terms), terms));
      item.appendChild(p2);
      if (entry.also.length) {
        var also = el("ul", { "class": "hb-search__also", "aria-label": ui.search_also });
        entry.also.forEach(function (id) {
          var li = el("li");
          li.appendChild(el("a", { href: link(page, data.docs[id]) }, data.docs[id].t));
          also.appendChild(li);
        });
        item.appendChild(also);
      }
      list.appendChild(item);
    });
    if (pages.length) {
      status.textContent = (pages.length === 1 ? ui.search_count_one : ui.search_count_other).replace("{n}", pages.length);
    } else {
      status.textContent = ui.search_none.replace("{query}", query.trim()) + " " + ui.search_none_look + " ";
      var help = [];
      if (ui.codes_url) help.push(el("a", { href: new URL(ui.codes_url, root).href }, ui.search_none_codes));
      help.push(el("a", { href: new URL(ui.contents_url, root).href }, ui.search_none_contents));
      help.forEach(function (a, i) { if (i) status.appendChild(document.createTextNode(" · ")); status.appendChild(a); });
    }
  }

  // ---------------------------------------------------------------- the search box

  var header = document.querySelector("header");
  if (!header || typeof HTMLDialogElement !== "function") return;
  var open = el("button", { type: "button", "class": "hb-search-open", "aria-haspopup": "dialog",
                            "aria-keyshortcuts": "/", title: ui.search_button });
  open.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M9.5 3A6.5 6.5 0 0 1 16 ' +
    '9.5c0 1.61-.59 3.09-1.56 4.23l.27.27h.79l5 5-1.5 1.5-5-5v-.79l-.27-.27A6.52 6.52 0 0 1 9.5 16 6.5 6.5 0 0 1 ' +
    '3 9.5 6.5 6.5 0 0 1 9.5 3m0 2C7 5 5 7 5 9.5S7 14 9.5 14 14 12 14 9.5 12 5 9.5 5z"/></svg>';
  open.appendChild(el("span", { "class": "hb-search-open__label" }, ui.search_button));
  var dialog = el("dialog", { "class": "hb-search", "aria-label": ui.search_label });
  var form = el("form", { role: "search", "class": "hb-search__form" });
  var inputId = "hb-search-input";
  var label = el("label", { "for": inputId, "class": "hb-search__label" }, ui.search_label);
  var input = el("input", { type: "search", id: inputId, autocomplete: "off", spellcheck: "false",
                            placeholder: ui.search_placeholder, "aria-describedby": "hb-search-status",
                            enterkeyhint: "search" });
  var close = el("button", { type: "button", "class": "hb-search__close" }, ui.search_close);
  var status = el("p", { id: "hb-search-status", "class": "hb-search__status", role: "status", "aria-live": "polite" });
  var list = el("ol", { "class": "hb-search__results" });
  form.append(label, input, close);
  dialog.append(form, status, list);
  document.body.appendChild(dialog);
  var slot = header.querySelector("nav") || header;
  slot.appendChild(open);

  var pending = 0;
  var api = window.hbSearch = {
    run: function (query) { return load().then(function (index) { return run(index, query); }); },
    lastMs: null  // the last keystroke's time to results shown (the benchmark reads it)
  };
  function update() {
    var query = input.value;
    var ticket = ++pending;
    var started = performance.now();
    if (!query.trim()) { list.textContent = ""; status.textContent = ""; return; }
    load().then(function (index) {
      if (ticket !== pending) return;  // a newer keystroke answers instead
      render(index, query, list, status);
      api.lastMs = performance.now() - started;
    }, function () {
      status.textContent = ui.search_failed;
    });
  }
  function show() {
    if (dialog.open) return;
    dialog.showModal();
    input.focus();
    input.select();
    if (!ready) status.textContent = ui.search_loading;
    load().then(function () { if (!input.value.trim()) status.textContent = ""; else update(); },
                function () { status.textContent = ui.search_failed; });
  }
  open.addEventListener("click", show);
  close.addEventListener("click", function () { dialog.close(); });
  dialog.addEventListener("close", function () { open.focus(); });
  dialog.addEventListener("click", function (e) { if (e.target === dialog) dialog.close(); });  // the backdrop
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var first = list.querySelector("a");
    if (first) first.click();
  });
  input.addEventListener("input", update);
  input.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { e.preventDefault(); dialog.close(); return; }  // not only clear the box
    if (e.key === "ArrowDown") {
      var first = list.querySelector("a");
      if (first) { e.preventDefault(); first.focus(); }
    }
  });
  list.addEventListener("click", function (e) {
    if (e.target.closest("a")) dialog.close();  // a link to this page's own section: the dialog must not stay
  });
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    var typing = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
    if (dialog.open || e.altKey) return;
    if ((e.key === "k" || e.key === "K") && (e.ctrlKey || e.metaKey)) { e.preventDefault(); show(); return; }
    if (!typing && !e.ctrlKey && !e.metaKey && e.key === "/") { e.preventDefault(); show(); }
  });
})();
