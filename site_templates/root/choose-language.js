// The site's front door: send a first-time visitor to the language their browser prefers, once.
// Coming back here (Back button, a bookmark of "/") shows the choice instead of redirecting again,
// and "?choose" always shows it. Without JavaScript the page is a plain list of languages.
(function () {
  "use strict";
  var KEY = "hb-language-chosen";
  var links = Array.prototype.slice.call(document.querySelectorAll("a[hreflang]"));
  links.forEach(function (link) {
    link.addEventListener("click", function () {
      try { sessionStorage.setItem(KEY, link.hreflang); } catch (e) { /* private mode: no memory, no harm */ }
    });
  });
  if (/[?&]choose\b/.test(location.search)) return;
  try { if (sessionStorage.getItem(KEY)) return; } catch (e) { return; }
  var preferred = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ""];
  for (var i = 0; i < preferred.length; i += 1) {
    var code = String(preferred[i]).slice(0, 2).toLowerCase();
    var match = links.filter(function (link) { return link.hreflang === code; })[0];
    if (match) {
      try { sessionStorage.setItem(KEY, code); } catch (e) { return; }
      location.replace(match.href);
      return;
    }
  }
})();
