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

  function setState(state) {
    widgets.forEach(function (widget) {
      widget.setAttribute("data-state", state);
      var status = widget.querySelector(".hb-calc__status");
      var text = widget.getAttribute("data-" + (state === "error" ? "failed" : state));
      if (status && text) status.textContent = text;
      if (state === "error") {
        widget.querySelector(".hb-calc__nojs").hidden = true;
        widget.querySelector(".hb-calc__failed").hidden = false;
        widget.querySelector(".hb-calc__fallback").hidden = false;
        widget.querySelector(".hb-calc__form").hidden = true;
      }
    });
  }

  function fail() {
    if (failed) return;
    failed = true;
    ready = false;
    if (worker) worker.terminate();
    setState("error");
  }

  function start() {
    if (worker || failed) return;
    try {
      worker = new Worker(workerUrl, { type: "module" });
    } catch (error) {
      fail();
      return;
    }
    worker.onerror = fail;
    worker.onmessage = function (event) {
      var message = event.data || {};
      if (message.type === "ready") {
        ready = true;
        setState("ready");
        queued.splice(0).forEach(function (job) { send(job.request, job.done); });
      } else if (message.type === "error") {
        fail();
      } else if (message.type === "result" && waiting[message.id]) {
        var done = waiting[message.id];
        delete waiting[message.id];
        done(JSON.parse(message.response));
      }
    };
    worker.postMessage({ type: "init", runtime: runtime, wheel: wheel });
  }

  function send(request, done) {
    if (!ready) {
      queued.push({ request: request, done: done });
      start();
      return;
    }
    var id = nextId++;
    waiting[id] = done;
    worker.postMessage({ type: "run", id: id, request: JSON.stringify(request) });
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

  function section(parent, heading, items) {
    var list = (items || []).filter(Boolean);
    if (!list.length) return;
    parent.appendChild(el("h3", null, heading));
    var ul = el("ul");
    list.forEach(function (item) {
      var li = el("li");
      if (item.nodeType) li.appendChild(item);
      else li.textContent = String(item);
      ul.appendChild(li);
    });
    parent.appendChild(ul);
  }

  function pageLink(target, text) {
    // targets come from the data as {page, anchor}: pages sit side by side in a language's site
    var base = document.querySelector("[data-calculator]").getAttribute("data-pages") || "../";
    return link(text, base + target.page + "/" + (target.anchor ? "#" + target.anchor : ""));
  }

  function renderResult(widget, response) {
    var box = widget.querySelector(".hb-calc__result");
    box.textContent = "";
    var form = widget.querySelector(".hb-calc__form");
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (input) {
      input.removeAttribute("aria-invalid");
    });
    if (!response.ok) {
      var error = response.error || {};
      var p = el("p", "hb-calc__error", error.message);
      p.setAttribute("role", "alert");
      box.appendChild(p);
      if (error.field) {
        var input = form.querySelector('[name="' + error.field + '"]');
        if (input) {
          input.setAttribute("aria-invalid", "true");
          input.focus();
        }
      }
      return;
    }
    var view = response.view || {};
    box.appendChild(el("h3", null, view.title));
    if (view.quote) {
      var quote = el("blockquote", "hb-calc__quote");
      if (view.quote_label) quote.appendChild(el("p", "hb-calc__quote-label", view.quote_label));
      quote.appendChild(el("p", null, view.quote));
      box.appendChild(quote);
    }
    (view.paragraphs || []).forEach(function (text) { box.appendChild(el("p", null, text)); });
    (view.sections || []).forEach(function (part) {
      section(box, part.heading, (part.items || []).map(function (item) {
        if (item && item.link) {
          var span = el("span");
          if (item.text) span.appendChild(document.createTextNode(item.text + " "));
          span.appendChild(pageLink(item.link, item.link_text || item.link.page));
          return span;
        }
        return item && item.text !== undefined ? item.text : item;
      }));
    });
    box.focus();
  }

  // ---------------------------------------------------------------- forms

  function setUpConsequence(widget, form) {
    var input = form.querySelector('[name="behavior"]');
    var list = form.querySelector("datalist#" + input.getAttribute("list"));
    var damage = form.querySelector(".hb-calc__damage");
    function level() {
      var checked = form.querySelector('[name="school_level"]:checked');
      return checked ? checked.getAttribute("data-matrix") : "";
    }
    function options() {
      return Array.prototype.slice.call(form.querySelectorAll("datalist#" + input.getAttribute("list") + "-" + level() + " option"));
    }
    function refreshList() {
      list.textContent = "";
      options().forEach(function (option) { list.appendChild(option.cloneNode(true)); });
      refreshDamage();
    }
    function chosen() {
      var typed = input.value.trim().toLowerCase();
      return options().filter(function (option) { return option.value.toLowerCase() === typed; })[0];
    }
    function refreshDamage() {
      var option = chosen();
      damage.hidden = !(option && option.hasAttribute("data-value"));
    }
    input.addEventListener("input", refreshDamage);
    Array.prototype.forEach.call(form.querySelectorAll('[name="school_level"]'), function (radio) {
      radio.addEventListener("change", refreshList);
    });
    refreshList();
    return function () {
      var option = chosen();
      var checked = form.querySelector('[name="school_level"]:checked');
      var args = {
        behavior: option ? option.getAttribute("data-row") : input.value.trim(),
        school_level: checked ? checked.value : "",
        offense: form.querySelector('[name="offense"]').value.trim()
      };
      var value = form.querySelector('[name="damage_usd"]').value.trim();
      if (value !== "") args.damage_usd = value;
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

  widgets.forEach(function (widget) {
    var form = widget.querySelector(".hb-calc__form");
    var kind = widget.getAttribute("data-calculator");
    var collect = kind === "consequence" ? setUpConsequence(widget, form) : setUpAbsentee(widget, form);
    widget.querySelector(".hb-calc__fallback").hidden = true;
    form.hidden = false;
    form.addEventListener("focusin", start);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (failed) return;
      var status = widget.querySelector(".hb-calc__status");
      if (ready) status.textContent = widget.getAttribute("data-working");
      send({ calculator: kind, args: collect(), lang: widget.getAttribute("data-lang") }, function (response) {
        status.textContent = widget.getAttribute("data-ready");
        renderResult(widget, response);
      });
    });
  });

  if (typeof WebAssembly !== "object" || typeof Worker !== "function") {
    fail();
    return;
  }
  setState("loading");
  if ("requestIdleCallback" in window) window.requestIdleCallback(start, { timeout: 1500 });
  else window.setTimeout(start, 300);
})();
