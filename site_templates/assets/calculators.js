// Handbook calculators on a page: forms enhanced by JavaScript, answers computed by Python in a Web Worker.
// Pyodide is requested only when the page holds a calculator, as soon as the browser is idle. Without JavaScript,
// WebAssembly or module workers, the widget keeps its message and links to the tables it computes from.
(function () {
  "use strict";
  var widgets = Array.prototype.slice.call(document.querySelectorAll("[data-calculator]"));
  if (!widgets.length) return;

  var first = widgets[0];
  var runtime = new URL(first.getAttribute("data-runtime"), location.href).href;
  var workerUrl = new URL(first.getAttribute("data-worker"), location.href).href;
  var wheel = first.getAttribute("data-wheel");
  var worker = null;
  var ready = false;
  var failed = false;
  var nextId = 1;
  var waiting = {};
  var queued = [];

  // The listbox's look lives in its own stylesheet, fetched only on pages with a calculator.
  (function addStyles() {
    var href = new URL("calculators.css", workerUrl).href;
    var present = Array.prototype.some.call(document.querySelectorAll('link[rel="stylesheet"]'), function (link) {
      return link.href === href;
    });
    if (present) return;
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    document.head.appendChild(link);
  })();

  // ---------------------------------------------------------------- loading: progress, a reader's choice, a time limit
  // The worker reports the bytes it has received ("1.2 of 3.8 MB", drawn as a bar; announced to screen readers at
  // each quarter, not at every chunk). With Save-Data on, or a connection the browser reports as slow, nothing is
  // downloaded until the reader presses "Start the calculator (3.8 MB)"; the links to the tables stay beside it.
  // Each calculation gets REQUEST_LIMIT_MS; a worker that takes longer is stopped and started again.
  var REQUEST_LIMIT_MS = 10000;
  var MANIFEST = "calculators-runtime.json";
  var lang = first.getAttribute("data-lang") || document.documentElement.lang || "en";
  var manifest = null;
  var manifestKnown = false; // under Save-Data, the worker starts only once the sizes have arrived (or failed to)
  var announced = -1;
  var restarting = false;

  function connection() {
    return navigator.connection || navigator.mozConnection || navigator.webkitConnection || null;
  }

  function metered() {
    var c = connection();
    return !!(c && (c.saveData || /(^|-)(2g|3g)$/.test(String(c.effectiveType || ""))));
  }

  // How fast this page's own files came over the network, in bytes per second (Resource Timing; 0 when unknown or
  // all from a cache, whose entries have transferSize 0). The largest of the page's files (the search index, the
  // theme's bundle) say most; a small file underestimates a link (TCP starts slowly), which errs on the side of
  // fewer bytes. The worker uses it to choose between packed and plain runtime files (calculator-worker.js).
  function linkBytesPerSecond() {
    if (!window.performance || !performance.getEntriesByType) return 0;
    var best = 0;
    performance.getEntriesByType("navigation").concat(performance.getEntriesByType("resource")).forEach(function (e) {
      var bytes = e.encodedBodySize || 0;
      var ms = e.responseEnd - e.responseStart;
      if (e.transferSize > 0 && bytes >= 16384 && ms >= 0) best = Math.max(best, ms > 0 ? bytes / ms * 1000 : Infinity);
    });
    return best === Infinity ? Number.MAX_VALUE : best;
  }

  // "1.2": the decimal point the whole site writes in both languages (rates, the PDF's size, as in New Mexico)
  function megabytes(bytes) {
    return (Math.max(0, bytes) / 1e6).toFixed(1);
  }

  function fill(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (all, key) {
      return values[key] !== undefined ? values[key] : all;
    });
  }

  // What starting downloads (the plain start: no snapshot), as a compressing host sends it: the packed copy of a
  // file where there is one, and the unpacker (calculator-worker.js); not the files this browser already holds
  // (the service worker's copies, looked up once the sizes are in: `here`).
  var here = {};

  function downloadNames() {
    var packed = manifest.packed || {};
    var names = ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", manifest.stdlib, manifest.wheel];
    if (manifest.unpacker) names.push(manifest.unpacker);
    return names.map(function (name) { return packed[name] || name; });
  }

  function downloadBytes() {
    if (!manifest) return 0;
    return downloadNames().reduce(function (sum, name) {
      var file = manifest.files[name];
      return sum + (file && !here[name] ? file.sent || file.bytes : 0);
    }, 0);
  }

  // Which of those files this browser holds; never longer than HERE_WAIT_MS (then they count as not held).
  var HERE_WAIT_MS = 500;
  function lookUpHere(then) {
    var done = false;
    function go() {
      if (!done) { done = true; then(); }
    }
    if (!manifest || !window.caches) return go();
    window.setTimeout(go, HERE_WAIT_MS);
    Promise.all(downloadNames().map(function (name) {
      return caches.match(runtime + name).then(function (found) { if (found) here[name] = true; }, function () {});
    })).then(go, go);
  }

  function loadingParts(widget) {
    var box = widget.querySelector(".hb-calc__loading");
    if (box) return box;
    box = el("div", "hb-calc__loading");
    var bar = el("progress", "hb-calc__bar");
    bar.setAttribute("aria-hidden", "true"); // the status line says the same in words
    bar.max = 1;
    bar.value = 0;
    box.appendChild(bar);
    var amount = el("p", "hb-calc__amount");
    amount.setAttribute("aria-hidden", "true"); // the status line below (read at each quarter) says it to screen readers
    box.appendChild(amount);
    var status = widget.querySelector(".hb-calc__status");
    status.parentNode.insertBefore(box, status);
    return box;
  }

  function showProgress(loaded, total) {
    if (!total) return;
    var share = Math.min(1, loaded / total);
    var text = fill(first.getAttribute("data-progress"), { loaded: megabytes(loaded), total: megabytes(total) });
    var quarter = Math.floor(share * 4);
    widgets.forEach(function (widget) {
      var box = loadingParts(widget);
      box.hidden = false;
      box.querySelector(".hb-calc__bar").value = share;
      box.querySelector(".hb-calc__amount").textContent = share >= 1
        ? widget.getAttribute("data-preparing") : text;
      var status = widget.querySelector(".hb-calc__status");
      status.classList.add("hb-calc__status--spoken"); // shown once, in the amount line; spoken from here
      if (quarter !== announced) status.textContent = share >= 1 ? widget.getAttribute("data-preparing") : text;
    });
    announced = quarter;
  }

  function hideProgress() {
    widgets.forEach(function (widget) {
      var box = widget.querySelector(".hb-calc__loading");
      if (box) box.hidden = true;
      widget.querySelector(".hb-calc__status").classList.remove("hb-calc__status--spoken");
    });
  }

  function setState(state) {
    widgets.forEach(function (widget) {
      widget.setAttribute("data-state", state);
      var status = widget.querySelector(".hb-calc__status");
      var text = widget.getAttribute("data-" + (state === "error" ? "failed" : state));
      if (status && text) status.textContent = text;
      if (state === "ready" || state === "error") hideProgress();
      if (state === "error") {
        widget.querySelector(".hb-calc__nojs").hidden = true;
        widget.querySelector(".hb-calc__failed").hidden = false;
        widget.querySelector(".hb-calc__fallback").hidden = false;
        widget.querySelector(".hb-calc__form").hidden = true;
      }
    });
  }

  // Save-Data or a slow connection: the reader decides; the tables' links stay in view meanwhile.
  function pause() {
    var label = fill(first.getAttribute("data-start-label"), { total: megabytes(downloadBytes()) });
    var note = fill(first.getAttribute("data-paused"), { total: megabytes(downloadBytes()) });
    setState("paused");
    widgets.forEach(function (widget) {
      widget.querySelector(".hb-calc__fallback").hidden = false;
      widget.querySelector(".hb-calc__nojs").hidden = true;
      var status = widget.querySelector(".hb-calc__status");
      status.textContent = note; // announced; shown beside the button, under the tables' links
      status.classList.add("hb-calc__status--spoken");
      var choice = el("div", "hb-calc__choice");
      var shown = el("p", null, note);
      shown.setAttribute("aria-hidden", "true");
      choice.appendChild(shown);
      var button = el("button", "md-button hb-calc__start", label);
      button.type = "button";
      button.addEventListener("click", function () {
        widgets.forEach(function (w) {
          var c = w.querySelector(".hb-calc__choice");
          if (c) c.parentNode.removeChild(c);
          w.querySelector(".hb-calc__fallback").hidden = true;
          w.querySelector(".hb-calc__status").classList.remove("hb-calc__status--spoken");
        });
        chosen = true;
        setState("loading");
        showProgress(0, downloadBytes());
        start();
        var input = widget.querySelector(".hb-calc__form input");
        if (input) input.focus();
      });
      choice.appendChild(button);
      var fallback = widget.querySelector(".hb-calc__fallback");
      fallback.parentNode.insertBefore(choice, fallback.nextSibling);
    });
  }

  var chosen = false; // under Save-Data or on a slow link: the reader pressed Start

  function fail() {
    if (failed) return;
    failed = true;
    ready = false;
    if (worker) worker.terminate();
    setState("error");
  }

  function start() {
    if (worker || failed || !manifestKnown) return;
    if (metered() && !chosen) return;
    try {
      worker = new Worker(workerUrl, { type: "module" });
    } catch (error) {
      fail();
      return;
    }
    worker.onerror = fail;
    worker.onmessage = function (event) {
      var message = event.data || {};
      if (message.type === "progress") {
        if (!ready) showProgress(message.loaded, message.total);
      } else if (message.type === "ready") {
        ready = true;
        widgets.forEach(function (widget) {
          widget.setAttribute("data-start", message.start || ""); // how it started: for the benchmark and tests
          widget.setAttribute("data-kept", (message.kept || []).join(" "));
          widget.setAttribute("data-compiled-ms", String(message.compiledMs || "")); // read by the benchmark
        });
        setState("ready");
        if (restarting) {
          restarting = false;
          widgets.forEach(function (widget) {
            widget.querySelector(".hb-calc__status").textContent = widget.getAttribute("data-restarted");
          });
        }
        queued.splice(0).forEach(function (job) { send(job.request, job.done); });
      } else if (message.type === "error") {
        fail();
      } else if (message.type === "result" && waiting[message.id]) {
        var job = waiting[message.id];
        delete waiting[message.id];
        clearTimeout(job.timer);
        job.done(JSON.parse(message.response));
      }
    };
    worker.postMessage({ type: "init", runtime: runtime, wheel: wheel, lang: lang, manifest: manifest,
                         manifestUrl: runtime + MANIFEST, lean: metered(), linkBytesPerSecond: linkBytesPerSecond(),
                         controlled: !!(navigator.serviceWorker && navigator.serviceWorker.controller) });
  }

  // A calculation past its time limit: the worker (stuck in Python) is stopped, every waiting answer says so in the
  // page's language, and a new worker starts (from the browser's cache: no download).
  function timedOut() {
    var jobs = Object.keys(waiting).map(function (id) { return waiting[id]; });
    waiting = {};
    ready = false;
    restarting = true;
    if (worker) {
      worker.onmessage = null;
      worker.onerror = null;
      worker.terminate();
    }
    worker = null;
    jobs.forEach(function (job) {
      clearTimeout(job.timer);
      job.done({ ok: false, error: { code: "timeout", message: first.getAttribute("data-timeout") } });
    });
    setState("restarting");
    widgets.forEach(function (widget) {
      widget.querySelector(".hb-calc__status").textContent = widget.getAttribute("data-timeout");
    });
    chosen = true; // the reader already chose to download: restarting is no new download
    start();
  }

  function send(request, done) {
    if (!ready) {
      queued.push({ request: request, done: done });
      start();
      return;
    }
    var id = nextId++;
    waiting[id] = { done: done, timer: setTimeout(timedOut, REQUEST_LIMIT_MS) };
    worker.postMessage({ type: "run", id: id, request: JSON.stringify(request) });
  }

  // Sizes first (a small file): the progress bar's total and the Start button's label need them.
  function withManifest(then) {
    var done = false;
    function go() {
      if (done) return;
      done = true;
      manifestKnown = true;
      then();
    }
    try {
      fetch(runtime + MANIFEST, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) { manifest = data; go(); }, go);
    } catch (error) {
      go();
    }
  }

  // ---------------------------------------------------------------- rendering (text only: never innerHTML)

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function link(text, href) {
    var a = el("a", null, text);
    a.href = href;
    return a;
  }

  // The result's title goes one level below the last heading before the widget, its parts one further: the page's
  // outline stays in order wherever an editor puts the calculator.
  function headingLevel(widget) {
    var level = 1;
    Array.prototype.forEach.call(document.querySelectorAll("h1, h2, h3, h4, h5, h6"), function (heading) {
      if (!widget.contains(heading) && heading.compareDocumentPosition(widget) & Node.DOCUMENT_POSITION_FOLLOWING) {
        level = Number(heading.tagName.charAt(1));
      }
    });
    return Math.min(level + 1, 5);
  }

  function section(parent, level, heading, items) {
    var list = (items || []).filter(Boolean);
    if (!list.length) return;
    parent.appendChild(el("h" + level, "hb-calc__part", heading));
    var ul = el("ul");
    list.forEach(function (item) {
      var li = el("li");
      if (item.nodeType) li.appendChild(item);
      else li.textContent = String(item);
      ul.appendChild(li);
    });
    parent.appendChild(ul);
  }

  function pageLink(widget, target, text) {
    // targets come from the data as {page, anchor}: pages sit side by side in a language's site
    var base = widget.getAttribute("data-pages") || "../";
    return link(text, base + target.page + "/" + (target.anchor ? "#" + target.anchor : ""));
  }

  // A message about one input goes next to that input, which is marked invalid and described by it.
  function clearFieldErrors(form) {
    Array.prototype.forEach.call(form.querySelectorAll(".hb-calc__field-error"), function (node) {
      node.parentNode.removeChild(node);
    });
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (input) {
      input.removeAttribute("aria-invalid");
      var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
        return id && id !== input.id + "-error";
      });
      if (described.length) input.setAttribute("aria-describedby", described.join(" "));
      else input.removeAttribute("aria-describedby");
    });
  }

  // An error message says it is one in words, not only in red (WCAG 1.4.1): "Error: Days absent: ..."
  function errorNote(className, message) {
    var note = el("p", className);
    note.appendChild(el("strong", "hb-calc__error-prefix", first.getAttribute("data-error-prefix") || ""));
    note.appendChild(document.createTextNode(" " + message));
    note.setAttribute("role", "alert");
    return note;
  }

  function showFieldError(form, field, message) {
    var inputs = form.querySelectorAll('[name="' + field + '"]');
    var input = inputs[0];
    if (!input) return false;
    var container = input.closest(".hb-field") || input.parentNode;
    if (container.hidden) container.hidden = false;
    var note = errorNote("hb-calc__error hb-calc__field-error", message);
    note.id = input.id ? input.id + "-error" : "";
    var after = inputs[inputs.length - 1].closest("label") || inputs[inputs.length - 1];
    if (after.parentNode === container) container.insertBefore(note, after.nextSibling);
    else container.appendChild(note);
    Array.prototype.forEach.call(inputs, function (each) {
      each.setAttribute("aria-invalid", "true");
      if (note.id && each === input) {
        var described = (each.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
        described.push(note.id);
        each.setAttribute("aria-describedby", described.join(" "));
      }
    });
    input.focus();
    return true;
  }

  function renderResult(widget, response) {
    var box = widget.querySelector(".hb-calc__result");
    var form = widget.querySelector(".hb-calc__form");
    box.textContent = "";
    clearFieldErrors(form);
    if (!response.ok) {
      var error = response.error || {};
      if (!error.field || !showFieldError(form, error.field, error.message)) {
        box.appendChild(errorNote("hb-calc__error", error.message));
      }
      return;
    }
    var view = response.view || {};
    var level = headingLevel(widget);
    box.appendChild(el("h" + level, "hb-calc__title", view.title));
    if (view.read_as && view.read_as.length) {  // how each typed number was read: "Read as 999.99 dollars."
      var readAs = el("div", "hb-calc__read-as");
      view.read_as.forEach(function (text) { readAs.appendChild(el("p", null, text)); });
      box.appendChild(readAs);
    }
    if (view.quote) {
      var quote = el("blockquote", "hb-calc__quote");
      if (view.quote_label) quote.appendChild(el("p", "hb-calc__quote-label", view.quote_label));
      quote.appendChild(el("p", null, view.quote));
      box.appendChild(quote);
    }
    (view.paragraphs || []).forEach(function (text) { box.appendChild(el("p", null, text)); });
    (view.sections || []).forEach(function (part) {
      section(box, level + 1, part.heading, (part.items || []).map(function (item) {
        if (item && typeof item === "object" && item.link) {  // strings have a legacy .link method
          var span = el("span");
          if (item.text) span.appendChild(document.createTextNode(item.text + " "));
          span.appendChild(pageLink(widget, item.link, item.link_text || item.link.page));
          return span;
        }
        return item && item.text !== undefined ? item.text : item;
      }));
    });
    box.focus();
  }

  // ---------------------------------------------------------------- the behavior picker (an ARIA combobox)
  // The page lists each matrix's rows in a <datalist> (data only); typing filters them into a listbox below the
  // input. Keys as in the WAI-ARIA combobox pattern: Down/Up move through the list, Enter picks, Escape closes.

  function fold(text) {
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function setUpPicker(widget, form, level, onChange) {
    var input = form.querySelector('[name="behavior"]');
    var listbox = el("ul", "hb-calc__listbox");
    listbox.id = input.id + "-listbox";
    listbox.setAttribute("role", "listbox");
    var label = form.querySelector('label[for="' + input.id + '"]');
    if (label) {
      label.id = label.id || input.id + "-label";
      listbox.setAttribute("aria-labelledby", label.id);
    }
    listbox.hidden = true;
    input.parentNode.insertBefore(listbox, input.nextSibling);
    // What the picker has to say (no match; where the chosen behavior stands under another school level), spoken
    // when it changes and shown under the list. Its buttons pick one of several matching behaviors.
    var note = el("div", "hb-calc__picker-note");
    note.id = input.id + "-note";
    note.setAttribute("aria-live", "polite");
    listbox.parentNode.insertBefore(note, listbox.nextSibling);
    input.removeAttribute("list"); // the browser's own suggestion popup would compete with the listbox
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listbox.id);
    var active = -1;

    function rows(matrix) {
      return Array.prototype.map.call(
        form.querySelectorAll('datalist[data-matrix="' + (matrix || level()) + '"] option'),
        function (option) {
          return { label: option.value, row: option.getAttribute("data-row"), value: option.hasAttribute("data-value"),
                   words: option.getAttribute("data-words") || "", // everyday words that find it: "fight", "vapeo"
                   counterparts: (option.getAttribute("data-counterparts") || "").split(" ").filter(Boolean) };
        });
    }

    function chosen(matrix) {
      var typed = fold(input.value.trim());
      return rows(matrix).filter(function (r) { return fold(r.label) === typed; })[0] || null;
    }

    function say(text, choices) {
      note.textContent = "";
      if (text) note.appendChild(el("p", null, text));
      (choices || []).forEach(function (r) {
        var button = el("button", "md-button hb-calc__choose", r.label);
        button.type = "button";
        button.addEventListener("click", function () { pick(r); });
        note.appendChild(button);
      });
    }

    // Rows whose name, or everyday words, hold every word typed: names starting with it first, then names holding
    // it, then rows found by an everyday word only.
    function matches() {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      function holds(text) { return words.every(function (w) { return text.indexOf(w) >= 0; }); }
      var all = rows().filter(function (r) { return holds(fold(r.label) + " " + fold(r.words)); });
      var start = words.join(" ");
      function rank(r) {
        var name = fold(r.label);
        return name.indexOf(start) === 0 ? 0 : holds(name) ? 1 : 2;
      }
      return [0, 1, 2].reduce(function (list, k) {
        return list.concat(all.filter(function (r) { return rank(r) === k; }));
      }, []);
    }

    function options() {
      return Array.prototype.slice.call(listbox.children);
    }

    function highlight(index) {
      var items = options();
      active = items.length ? (index + items.length) % items.length : -1;
      items.forEach(function (item, i) { item.setAttribute("aria-selected", i === active ? "true" : "false"); });
      if (active >= 0) {
        input.setAttribute("aria-activedescendant", items[active].id);
        items[active].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function open(list) {
      listbox.textContent = "";
      list.forEach(function (r, i) {
        var item = el("li", "hb-calc__option", r.label);
        item.id = listbox.id + "-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.setAttribute("data-row", r.row);
        item.addEventListener("mousedown", function (event) { event.preventDefault(); }); // keep focus in the input
        item.addEventListener("click", function () { pick(r); });
        listbox.appendChild(item);
      });
      active = -1;
      if (!list.length) {
        say(fill(widget.getAttribute("data-no-match"), { typed: input.value.trim() }));
        return close();
      }
      say("");
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function pick(r) {
      input.value = r.label;
      say("");
      close();
      onChange();
      input.focus();
    }

    input.addEventListener("input", function () {
      if (input.value.trim()) open(matches());
      else {
        say("");
        close();
      }
      onChange();
    });
    input.addEventListener("keydown", function (event) {
      var isOpen = !listbox.hidden;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!isOpen) {  // nothing typed, or nothing matching what was typed: the whole list, as the message offers
          var found = input.value.trim() ? matches() : [];
          open(found.length ? found : rows());
        }
        if (event.altKey) return;
        highlight(active < 0 ? (event.key === "ArrowDown" ? 0 : -1) : active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter" && isOpen && active >= 0) {
        event.preventDefault(); // picking is not submitting
        var item = options()[active];
        pick(rows().filter(function (r) { return r.row === item.getAttribute("data-row"); })[0]);
      } else if (event.key === "Escape" && isOpen) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", close);

    // The school level changed: the behavior chosen under the previous one follows to its row in this matrix (rows
    // matched by their codes when the page was built), or the reader is told it is listed differently there and
    // offered the matching rows, or that it is not in this matrix. Never a request that can only fail.
    var shownLevel = level();
    function follow() {
      var before = chosen(shownLevel);
      var now = level();
      shownLevel = now;
      close();
      if (before) {
        var ids = before.counterparts.filter(function (c) { return c.split(":")[0] === now; })
          .map(function (c) { return c.slice(now.length + 1); });
        var matching = rows(now).filter(function (r) { return ids.indexOf(r.row) >= 0; });
        var matrix = matrixName();
        if (matching.length === 1) {
          input.value = matching[0].label;
          say(fold(before.label) === fold(matching[0].label) ? ""
            : fill(widget.getAttribute("data-listed-as"), { matrix: matrix, name: matching[0].label }));
        } else {
          input.value = "";
          say(fill(widget.getAttribute(matching.length ? "data-listed-differently" : "data-not-listed"),
                   { matrix: matrix, name: before.label }), matching);
        }
      }
      onChange();
    }

    function matrixName() {
      var radio = form.querySelector('[name="school_level"]:checked');
      var label = radio && radio.closest("label");
      return label ? label.textContent.trim() : "";
    }

    return {
      chosen: function () { return chosen(); },
      follow: follow
    };
  }

  // ---------------------------------------------------------------- forms

  function setUpConsequence(widget, form) {
    var damage = form.querySelector(".hb-calc__damage");
    var picker = null;
    function level() {
      var checked = form.querySelector('[name="school_level"]:checked');
      return checked ? checked.getAttribute("data-matrix") : "";
    }
    function refreshDamage() {
      var row = picker && picker.chosen();
      damage.hidden = !(row && row.value);
    }
    picker = setUpPicker(widget, form, level, refreshDamage);
    Array.prototype.forEach.call(form.querySelectorAll('[name="school_level"]'), function (radio) {
      radio.addEventListener("change", picker.follow);
    });
    refreshDamage();
    return function () {
      var row = picker.chosen();
      var checked = form.querySelector('[name="school_level"]:checked');
      var args = {
        behavior: row ? row.row : form.querySelector('[name="behavior"]').value.trim(),
        school_level: checked ? checked.value : "",
        offense: form.querySelector('[name="offense"]').value.trim()
      };
      var value = form.querySelector('[name="damage_usd"]').value.trim();
      if (value !== "" && !damage.hidden) args.damage_usd = value;
      return args;
    };
  }

  function setUpAbsentee(widget, form) {
    return function () {
      return {
        days_absent: form.querySelector('[name="days_absent"]').value.trim(),
        days_enrolled: form.querySelector('[name="days_enrolled"]').value.trim()
      };
    };
  }

  // ---- part: deadlines (issue 14): the deadline form (what happened, and when); the answer is drawn as any other
  function setUpDeadline(widget, form) {
    return function () {
      return {
        event: form.querySelector('[name="event"]').value,
        date: form.querySelector('[name="date"]').value.trim()
      };
    };
  }
  // ---- end part: deadlines

  widgets.forEach(function (widget) {
    var form = widget.querySelector(".hb-calc__form");
    var kind = widget.getAttribute("data-calculator");
    var collect = kind === "consequence" ? setUpConsequence(widget, form)
      : kind === "deadline" ? setUpDeadline(widget, form)  // part: deadlines
      : setUpAbsentee(widget, form);
    widget.querySelector(".hb-calc__fallback").hidden = true;
    form.hidden = false;
    form.addEventListener("focusin", start);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (failed) return;
      if (widget.getAttribute("data-state") === "paused") {
        var startButton = widget.querySelector(".hb-calc__start");
        if (startButton) startButton.focus();
        return;
      }
      var status = widget.querySelector(".hb-calc__status");
      if (ready) status.textContent = widget.getAttribute("data-working");
      send({ calculator: kind, args: collect(), lang: widget.getAttribute("data-lang") }, function (response) {
        // after an answer the status line says so (an error is spoken where it is shown, next to its field)
        status.textContent = response.ok ? widget.getAttribute("data-answered") : "";
        renderResult(widget, response);
      });
    });
  });

  if (typeof WebAssembly !== "object" || typeof Worker !== "function") {
    fail();
    return;
  }
  setState("loading");
  if (metered()) {
    // the Start button names the size; when this browser holds every file, starting costs no data: no question
    withManifest(function () {
      lookUpHere(function () {
        if (manifest && downloadBytes() === 0) {
          chosen = true;
          start();
        } else {
          pause();
        }
      });
    });
  } else {
    manifestKnown = true; // the worker reads the sizes itself, beside its first downloads
    if ("requestIdleCallback" in window) window.requestIdleCallback(start, { timeout: 1500 });
    else window.setTimeout(start, 300);
  }
})();
