// The Sign-Off form (acknowledgement-form.md.j2). Without JavaScript the form stays hidden and the page offers paper.
// Rules kept here: whatever a person types is shown with textContent only; nothing leaves the browser unless the
// site sets an endpoint; nothing is kept on the device unless "remember" is ticked. Works under a strict CSP:
// no inline code, no style strings.
(function () {
  "use strict";

  var STORAGE_PREFIX = "handbook-acknowledgement";
  var RETRY_DELAYS_MS = [1000, 3000];  // a lost answer is sent again (same record_id) after these waits
  // A 429 (the receiver busy on sign-off night) is sent again after its Retry-After, within these bounds.
  var BUSY_RETRIES = 8, BUSY_WAIT_MAX_S = 120;

  // A random UUID (version 4): the record's record_id, made once per filled form.
  function newRecordId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x < 16 ? "0" : "") + x.toString(16); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function clean(text) {
    return String(text || "").normalize("NFC").replace(/\s+/g, " ").trim();
  }

  // A typed signature is the name typed above whatever its case, accents, repeated spaces or Unicode form:
  // "José  Martínez" and "jose martinez" are one name (the receiver compares the same way: receiver/validation.py;
  // its casefold joins a little more than toLowerCase, so what this accepts the receiver accepts).
  function nameKey(text) {
    return clean(text).normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
  }

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function isoDate(d) {
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  }

  // Local time with its UTC offset: the school sees the family's own clock time.
  function isoLocal(d) {
    var offset = -d.getTimezoneOffset();
    var sign = offset >= 0 ? "+" : "-";
    offset = Math.abs(offset);
    return isoDate(d) + "T" + pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()) +
      sign + pad(Math.floor(offset / 60)) + ":" + pad(offset % 60);
  }

  function parseDate(value) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (!m) return null;
    var d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    return isoDate(d) === value ? d : null;
  }

  function fill(text, values) {
    return String(text).replace(/\{(\w+)\}/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : all;
    });
  }

  function setUp(form) {
    if (form.getAttribute("data-ready")) return;
    form.setAttribute("data-ready", "1");
    var root = form.closest(".ack") || document;
    var strings = JSON.parse(form.getAttribute("data-strings") || "{}");
    var lang = form.getAttribute("data-lang") || document.documentElement.lang || "en";
    var endpoint = form.getAttribute("data-endpoint") || "";
    var storageKey = form.getAttribute("data-storage-key") || STORAGE_PREFIX;
    var confirmation = document.getElementById("ack-confirmation");
    var printView = document.getElementById("ack-print");
    var summary = document.getElementById("ack-summary");
    var sendError = document.getElementById("ack-send-error");
    var sendStatus = document.getElementById("ack-send-status");
    var storageStatus = document.getElementById("ack-storage-status");
    var submit = document.getElementById("ack-submit");
    var remember = document.getElementById("ack-remember");
    var attempted = false;
    var busy = false;
    // One filled form, one record_id: kept across retries (a lost answer may still have been stored), dropped
    // once the receiver has acknowledged it and the answers change (that is another filled form).
    var recordId = null;
    var acknowledged = false;

    function answersChanged(el) {
      if (acknowledged && el && el.name) {  // a field of the record ("remember on this device" has no name)
        recordId = null;
        acknowledged = false;
      }
    }

    // The print layout is the only thing printed once the form is complete: it must sit directly in <body>.
    if (printView && printView.parentNode !== document.body) document.body.appendChild(printView);

    var controls = Array.prototype.slice.call(form.querySelectorAll("input[name], select[name]"));
    var remembered = controls.filter(function (el) { return el.hasAttribute("data-remember"); });
    var pads = Array.prototype.map.call(root.querySelectorAll("[data-pad]"), setUpPad);

    function today() {
      return isoDate(new Date());
    }

    // ------------------------------------------------------------------ checking

    function isActive(el) {
      return !el.disabled && !el.closest("[hidden]");
    }

    function problemOf(el) {
      if (!isActive(el)) return "";
      if (el.type === "checkbox") return el.required && !el.checked ? el.getAttribute("data-msg-missing") : "";
      var value = clean(el.value);
      if (el.validity.badInput) return el.getAttribute("data-msg-invalid") || el.getAttribute("data-msg-missing");
      if (el.required && !value) return el.getAttribute("data-msg-missing");
      if (el.maxLength > 0 && el.value.length > el.maxLength) return fill(strings.error_too_long, { max: el.maxLength });
      if (el.tagName === "SELECT" && value && !Array.prototype.some.call(el.options, function (o) { return o.value === el.value; })) {
        return el.getAttribute("data-msg-missing");
      }
      if (el.type === "date" && value) {
        if (!parseDate(value)) return el.getAttribute("data-msg-invalid");
        if (value > today()) return el.getAttribute("data-msg-future");
      }
      var matches = el.getAttribute("data-matches");
      if (matches && value) {
        var expected = clean(document.getElementById(matches).value);
        if (expected && nameKey(value) !== nameKey(expected)) {
          return fill(el.getAttribute("data-msg-mismatch"), { name: expected });
        }
      }
      return "";
    }

    function show(el, problem) {
      el.setCustomValidity(problem || "");
      var message = document.getElementById(el.id + "-error");
      if (!attempted) return;
      if (problem) el.setAttribute("aria-invalid", "true");
      else el.removeAttribute("aria-invalid");
      var field = el.closest(".ack-field");
      if (field) field.classList.toggle("ack-field--invalid", !!problem);
      if (message) {  // "Error: ..." in words, not only in colour (and in forced colours, where colour is gone)
        message.textContent = "";
        if (problem) {
          var prefix = document.createElement("strong");
          prefix.textContent = strings.error_prefix || "";
          message.appendChild(prefix);
          message.appendChild(document.createTextNode(" " + problem));
        }
        message.hidden = !problem;
      }
    }

    function checkAll() {
      var problems = [];
      controls.forEach(function (el) {
        var problem = problemOf(el);
        show(el, problem);
        if (problem) problems.push({ el: el, text: problem });
      });
      return problems;
    }

    function showSummary(problems) {
      var title = summary.querySelector(".ack-summary__title");
      var list = summary.querySelector(".ack-summary__list");
      title.textContent = problems.length === 1 ? strings.summary_one : fill(strings.summary_many, { count: problems.length });
      list.textContent = "";
      problems.forEach(function (p) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = "#" + p.el.id;
        link.textContent = p.text;
        link.addEventListener("click", function (event) {
          event.preventDefault();
          p.el.focus();
          p.el.scrollIntoView({ block: "center" });
        });
        item.appendChild(link);
        list.appendChild(item);
      });
      summary.hidden = false;
      summary.focus();
    }

    // ------------------------------------------------------------------ live behaviour

    function updateFills(el) {
      var key = el.getAttribute("data-fills");
      if (!key) return;
      var name = clean(el.value);
      Array.prototype.forEach.call(root.querySelectorAll('[data-fill="' + key + '"]'), function (span) {
        if (!span.hasAttribute("data-label")) span.setAttribute("data-label", span.textContent);
        span.textContent = name || span.getAttribute("data-label");
        span.classList.toggle("ack-fill--empty", !name);
      });
    }

    function updateOther(select) {
      var id = select.getAttribute("data-other");
      if (!id) return;
      var box = document.getElementById(id);
      var open = select.value === "_other";
      box.hidden = !open;
      Array.prototype.forEach.call(box.querySelectorAll("input"), function (input) { input.disabled = !open; });
    }

    function refresh() {
      controls.forEach(function (el) {
        updateFills(el);
        if (el.tagName === "SELECT") updateOther(el);
      });
    }

    form.addEventListener("input", function (event) {
      var el = event.target;
      answersChanged(el);
      updateFills(el);
      if (el.tagName === "SELECT") updateOther(el);
      if (attempted && el.name) {
        show(el, problemOf(el));
        // A name change can make its signature right or wrong.
        controls.forEach(function (other) {
          if (other.getAttribute("data-matches") === el.id) show(other, problemOf(other));
        });
      }
      saveDraft();
    });
    form.addEventListener("change", function (event) {
      answersChanged(event.target);
      if (event.target.tagName === "SELECT") updateOther(event.target);
      if (attempted && event.target.name) show(event.target, problemOf(event.target));
      saveDraft();
    });

    // ------------------------------------------------------------------ remember on this device

    function storage() {
      try {
        return window.localStorage;
      } catch (e) {
        return null;
      }
    }

    function saveDraft() {
      if (!remember.checked) return;
      var store = storage();
      var draft = {};
      remembered.forEach(function (el) { draft[el.name] = el.value; });
      try {
        // A record_id not yet acknowledged is kept with the draft, so a retry after a reload is no duplicate.
        store.setItem(storageKey, JSON.stringify({ version: 1, fields: draft, record_id: acknowledged ? null : recordId }));
      } catch (e) {
        remember.checked = false;
        storageStatus.textContent = strings.storage_unavailable;
      }
    }

    function eraseStored() {
      var store = storage();
      if (!store) return;
      try {
        var keys = [];
        for (var i = 0; i < store.length; i += 1) {
          if (String(store.key(i)).indexOf(STORAGE_PREFIX) === 0) keys.push(store.key(i));
        }
        keys.forEach(function (key) { store.removeItem(key); });
      } catch (e) { /* nothing stored, nothing to erase */ }
    }

    function restoreDraft() {
      var store = storage();
      var raw = null;
      try {
        raw = store && store.getItem(storageKey);
      } catch (e) {
        raw = null;
      }
      if (!raw) return false;
      var draft;
      try {
        draft = JSON.parse(raw);
      } catch (e) {
        return false;
      }
      if (!draft || typeof draft.fields !== "object") return false;
      remembered.forEach(function (el) {
        var value = draft.fields[el.name];
        if (typeof value !== "string") return;
        if (el.tagName === "SELECT" && !Array.prototype.some.call(el.options, function (o) { return o.value === value; })) return;
        el.value = value;
      });
      if (typeof draft.record_id === "string" && draft.record_id) recordId = draft.record_id;
      remember.checked = true;
      storageStatus.textContent = strings.restored;
      return true;
    }

    remember.addEventListener("change", function () {
      if (remember.checked) {
        if (!storage()) {
          remember.checked = false;
          storageStatus.textContent = strings.storage_unavailable;
          return;
        }
        saveDraft();
      } else {
        eraseStored();
      }
    });

    document.getElementById("ack-erase").addEventListener("click", function () {
      eraseStored();
      remember.checked = false;
      recordId = null;
      acknowledged = false;
      form.reset();
      pads.forEach(function (p) { p.clear(); });
      setToday();
      attempted = false;
      controls.forEach(function (el) {
        el.setCustomValidity("");
        el.removeAttribute("aria-invalid");
        var message = document.getElementById(el.id + "-error");
        if (message) { message.textContent = ""; message.hidden = true; }
        var field = el.closest(".ack-field");
        if (field) field.classList.remove("ack-field--invalid");
      });
      summary.hidden = true;
      sendError.hidden = true;
      refresh();
      storageStatus.textContent = strings.erased;
    });

    // ------------------------------------------------------------------ the record

    function optionText(select) {
      var option = select.options[select.selectedIndex];
      return option ? clean(option.textContent) : "";
    }

    function value(name) {
      var el = form.elements.namedItem(name);
      return el ? clean(el.value) : "";
    }

    function buildRecord(now) {
      var school = form.elements.namedItem("school");
      var schoolRecord = school && school.value !== "_other"
        ? { id: school.value, name: optionText(school) }
        : { id: null, name: value("school_other") };
      return {
        schema_version: Number(form.getAttribute("data-schema-version")),
        record_id: recordId,
        handbook: {
          title: form.getAttribute("data-edition-title"),
          district: form.getAttribute("data-edition-district"),
          school_years: form.getAttribute("data-school-years"),
          language: lang,
          fingerprint: form.getAttribute("data-fingerprint")
        },
        student: {
          name: value("student_name"),
          id: value("student_id") || null,
          school: schoolRecord,
          grade: form.elements.namedItem("grade").value
        },
        parent: {
          name: value("parent_name"),
          relationship: form.elements.namedItem("relationship").value
        },
        statements: Array.prototype.map.call(form.querySelectorAll("[data-statement]"), function (box) {
          var id = box.getAttribute("data-statement");
          var drawn = pads.filter(function (p) { return p.id === id; })[0];
          return {
            id: id,
            accepted: form.elements.namedItem(id + "_accept").checked,
            typed_signature: value(id + "_signature"),
            drawn_signature: drawn && drawn.isDrawn() ? drawn.canvas.toDataURL("image/png") : null
          };
        }),
        date: form.elements.namedItem("date").value,
        signed_at: isoLocal(now)
      };
    }

    function formatDate(value) {
      var d = parseDate(value);
      if (!d) return value;
      try {
        return new Intl.DateTimeFormat(lang, { year: "numeric", month: "long", day: "numeric" }).format(d);
      } catch (e) {
        return value;
      }
    }

    function formatMoment(d) {
      try {
        return new Intl.DateTimeFormat(lang, { year: "numeric", month: "long", day: "numeric", hour: "numeric", minute: "2-digit" }).format(d);
      } catch (e) {
        return isoLocal(d);
      }
    }

    function showRecord(record, now, result) {
      var slots = {
        note: result ? strings.confirmation_sent : strings.confirmation_local,
        receipt: result ? (result.receipt || fill(strings.receipt_status, { status: result.status })) : "",
        student_name: record.student.name,
        student_id: record.student.id || strings.none,
        school: record.student.school.name,
        grade: optionText(form.elements.namedItem("grade")),
        parent_name: record.parent.name,
        relationship: optionText(form.elements.namedItem("relationship")),
        date: formatDate(record.date),
        signed_at: formatMoment(now),
        edition: record.handbook.title + ", " + form.getAttribute("data-school-years-label") + " " + record.handbook.school_years,
        language: form.getAttribute("data-language-name"),
        fingerprint: record.handbook.fingerprint,
        fingerprint_short: record.handbook.fingerprint.slice(0, 12)
      };
      record.statements.forEach(function (s) {
        slots[s.id + "_signature"] = s.typed_signature;
      });
      [confirmation, printView].forEach(function (view) {
        Array.prototype.forEach.call(view.querySelectorAll("[data-slot]"), function (el) {
          var key = el.getAttribute("data-slot");
          if (Object.prototype.hasOwnProperty.call(slots, key)) {
            el.textContent = slots[key];
            el.classList.remove("ack-fill--empty");
          }
        });
        Array.prototype.forEach.call(view.querySelectorAll('[data-show="receipt"]'), function (el) {
          el.hidden = !slots.receipt;
        });
      });
      Array.prototype.forEach.call(printView.querySelectorAll("[data-drawn]"), function (canvas) {
        var p = pads.filter(function (pad) { return pad.id === canvas.getAttribute("data-drawn"); })[0];
        var ctx = canvas.getContext("2d");
        ctx.clearRect(0, 0, canvas.width, canvas.height);
        canvas.hidden = !(p && p.isDrawn());
        if (!canvas.hidden) ctx.drawImage(p.canvas, 0, 0, canvas.width, canvas.height);
      });
      form.hidden = true;
      confirmation.hidden = false;
      document.body.classList.add("ack-done");
      confirmation.focus();
      confirmation.scrollIntoView({ block: "start" });
    }

    function send(record) {
      var controller = typeof AbortController === "function" ? new AbortController() : null;
      var timer = controller ? setTimeout(function () { controller.abort(); }, 20000) : null;
      return fetch(endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(record),
        credentials: "omit",
        cache: "no-store",
        referrerPolicy: "no-referrer",
        signal: controller ? controller.signal : undefined
      }).then(function (response) {
        if (!response.ok) {
          // A refused record: the receiver names the field in the record's language; show that.
          return response.text().then(function (text) {
            var message = "";
            try {
              var body = JSON.parse(text);
              // 422: the field that is wrong; 409: this form was stored before with other answers, and what to do.
              if ((response.status === 422 || response.status === 409) && body && typeof body.message === "string") message = body.message;
            } catch (e) { /* no JSON: the status says it */ }
            var retryAfter = parseInt(response.headers.get("Retry-After") || "", 10);
            throw { status: response.status, refusal: message, retryAfter: retryAfter > 0 ? retryAfter : 0 };
          });
        }
        return response.text().then(function (text) {
          var receipt = "";
          try {
            var body = JSON.parse(text);
            var id = body && (body.id || body.receipt || body.receipt_id);
            if (typeof id === "string" || typeof id === "number") receipt = String(id);
          } catch (e) { /* not JSON: the status is the receipt */ }
          return { status: response.status, receipt: receipt };
        });
      }).finally(function () {
        if (timer) clearTimeout(timer);
      });
    }

    // A lost answer (no answer, or the service unavailable) is sent again with the same record, so the same
    // record_id: the receiver stores it once however many copies arrive. A refused record is not retried.
    // A 429 waits as Retry-After says and sends the same record again: a busy receiver never loses a signature.
    function sendWithRetries(record) {
      var attempt = 0, busyAttempt = 0;
      function next() {
        return send(record).catch(function (err) {
          if (err && err.status === 429 && busyAttempt < BUSY_RETRIES) {
            busyAttempt += 1;
            var seconds = Math.min(err.retryAfter || 5, BUSY_WAIT_MAX_S);
            return new Promise(function (resolve) { setTimeout(resolve, seconds * 1000); }).then(next);
          }
          var lost = !err || !err.status || err.status >= 500;
          if (!lost || attempt >= RETRY_DELAYS_MS.length) throw err;
          var wait = RETRY_DELAYS_MS[attempt];
          attempt += 1;
          return new Promise(function (resolve) { setTimeout(resolve, wait); }).then(next);
        });
      }
      return next();
    }

    function showSendError(err) {
      var reason = err && err.refusal ? err.refusal
        : err && err.status ? fill(strings.send_failed_status, { status: err.status }) : strings.send_failed_network;
      // A 409's message is whole: what was kept, what was not, and what to do (not "check the connection").
      sendError.textContent = err && err.status === 409 && err.refusal ? err.refusal : fill(strings.send_failed, { reason: reason });
      sendError.hidden = false;
      sendError.focus();
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy) return;
      attempted = true;
      sendError.hidden = true;
      var problems = checkAll();
      if (problems.length) {
        showSummary(problems);
        return;
      }
      summary.hidden = true;
      var now = new Date();
      if (!recordId) recordId = newRecordId();
      saveDraft();
      var record = buildRecord(now);
      if (!endpoint) {
        showRecord(record, now, null);
        return;
      }
      busy = true;
      submit.disabled = true;
      sendStatus.textContent = strings.sending;
      sendWithRetries(record).then(function (result) {
        acknowledged = true;
        saveDraft();
        showRecord(record, now, result);
      }, function (err) {
        // 409: the first version is kept; sending again stores these answers as a new record (a new record_id).
        if (err && err.status === 409) recordId = null;
        showSendError(err);
      }).then(function () {
        busy = false;
        submit.disabled = false;
        sendStatus.textContent = "";
      });
    });

    document.getElementById("ack-print-button").addEventListener("click", function () {
      window.print();
    });
    document.getElementById("ack-edit").addEventListener("click", function () {
      confirmation.hidden = true;
      document.body.classList.remove("ack-done");
      form.hidden = false;
      var first = controls.filter(isActive)[0];
      if (first) first.focus();
    });

    // ------------------------------------------------------------------ start

    function setToday() {
      var date = form.elements.namedItem("date");
      date.max = today();
      if (!date.value) date.value = today();
    }

    restoreDraft();
    setToday();
    refresh();
    form.hidden = false;
  }

  // An optional drawn signature: behind a disclosure button, pointer only, never required, never in the tab order;
  // "clear" is a button. (A button, not <details>: the theme styles <details> with data: icons a strict CSP blocks.)
  function setUpPad(box) {
    var canvas = box.querySelector("canvas");
    var toggle = box.querySelector("[aria-expanded]");
    var panel = document.getElementById(toggle.getAttribute("aria-controls"));
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      panel.hidden = !open;
    });
    var status = box.querySelector('[role="status"]');
    var ctx = canvas.getContext("2d");
    var drawn = false;
    var last = null;
    var strings = JSON.parse(document.getElementById("ack-form").getAttribute("data-strings") || "{}");

    function point(event) {
      var rect = canvas.getBoundingClientRect();
      return {
        x: (event.clientX - rect.left) * canvas.width / rect.width,
        y: (event.clientY - rect.top) * canvas.height / rect.height
      };
    }

    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      last = point(event);
      ctx.lineWidth = 3;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.strokeStyle = "#000";
      ctx.beginPath();
      ctx.arc(last.x, last.y, 1.2, 0, 2 * Math.PI);
      ctx.fillStyle = "#000";
      ctx.fill();
      drawn = true;
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!last) return;
      var next = point(event);
      ctx.beginPath();
      ctx.moveTo(last.x, last.y);
      ctx.lineTo(next.x, next.y);
      ctx.stroke();
      last = next;
    });
    function stop() {
      last = null;
    }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);

    var pad = {
      id: box.getAttribute("data-pad"),
      canvas: canvas,
      isDrawn: function () { return drawn; },
      clear: function () {
        ctx.clearRect(0, 0, canvas.width, canvas.height);
        drawn = false;
      }
    };
    box.querySelector("[data-pad-clear]").addEventListener("click", function () {
      pad.clear();
      status.textContent = strings.draw_cleared;
    });
    return pad;
  }

  function init() {
    var form = document.getElementById("ack-form");
    if (form) setUp(form);
  }
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);  // Material's page-change stream (instant navigation)
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
