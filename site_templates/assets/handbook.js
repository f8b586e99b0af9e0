// Progressive enhancement only: without JavaScript every table and text stays complete.
(function () {
  "use strict";

  function setUpFilter(box) {
    var table = document.getElementById(box.getAttribute("data-filter-for"));
    if (!table || box.querySelector("input")) return;
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var id = box.getAttribute("data-filter-for") + "-filter";
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = box.getAttribute("data-label");
    var hint = document.createElement("p");
    hint.className = "hb-filter__hint";
    hint.id = id + "-hint";
    hint.textContent = box.getAttribute("data-hint");
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.autocomplete = "off";
    input.setAttribute("aria-describedby", hint.id + " " + id + "-status");
    var status = document.createElement("p");
    status.className = "hb-filter__status";
    status.id = id + "-status";
    status.setAttribute("role", "status");
    box.append(label, hint, input, status);

    function normalise(text) {
      return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
    }
    var texts = rows.map(function (row) {
      return normalise(row.cells[0].textContent + " " + row.cells[1].textContent);
    });
    function apply() {
      var query = normalise(input.value.trim());
      var shown = 0;
      rows.forEach(function (row, i) {
        var match = !query || texts[i].indexOf(query) !== -1;
        row.hidden = !match;
        if (match) shown += 1;
      });
      status.textContent = shown === 0 ? box.getAttribute("data-none")
        : box.getAttribute("data-count").replace("{shown}", shown).replace("{total}", rows.length);
    }
    input.addEventListener("input", apply);
    apply();
  }

  // The language switch links to this page's twin; keep the reader at the same section too.
  function keepSection(event) {
    var link = event.target.closest && event.target.closest("a.md-select__link[hreflang]");
    if (link && location.hash && link.href.indexOf("#") === -1) link.href += location.hash;
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll(".hb-filter[data-filter-for]"), setUpFilter);
  }
  document.addEventListener("click", keepSection, true);
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);  // Material's page-change stream (instant navigation)
  } else {
    document.addEventListener("DOMContentLoaded", init);
  }
})();
