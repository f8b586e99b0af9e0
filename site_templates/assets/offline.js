// Offline reading, an extra: without service workers the site simply needs the network.
// On every page: register the site's service worker (sw.js at the site's root: data-site-root, from this file) and
// tell it what this page used, so that the first page opened, before the worker was in control, is kept too; once a
// calculator is ready, ask the worker to keep the calculators' runtime.
// On the offline page (which the worker shows for a page not saved on this device): list the saved pages of this
// language and offer to try again. No inline code, so it runs under the site's Content-Security-Policy.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !("serviceWorker" in navigator) || !window.caches) return;
  var root = new URL(script.getAttribute("data-site-root") || "../../", script.src);
  var home = new URL("../", script.src).href; // this language's home: the folder above assets/

  function sameSite(href) {
    return href.indexOf(root.href) === 0;
  }

  function usedFiles() {
    var urls = performance.getEntriesByType("resource").map(function (entry) { return entry.name; });
    Array.prototype.forEach.call(document.querySelectorAll("[data-calculator][data-worker]"), function (widget) {
      urls.push(new URL(widget.getAttribute("data-worker"), location.href).href);
    });
    return urls.filter(sameSite);
  }

  function tell(registration, message) {
    var worker = registration.active || navigator.serviceWorker.controller;
    if (worker) worker.postMessage(message);
  }

  function keepRuntimeWhenReady(registration) {
    var widget = document.querySelector("[data-calculator]");
    if (!widget) return;
    var observer = new MutationObserver(check);
    function check() {
      if (widget.getAttribute("data-state") !== "ready") return;
      observer.disconnect();
      // the runtime's files this page used (the start-up snapshot is not among them: the calculators' worker makes
      // its own on this device)
      tell(registration, { type: "visited", runtime: true, urls: usedFiles() });
    }
    observer.observe(widget, { attributes: true, attributeFilter: ["data-state"] });
    check();
  }

  // ---------------------------------------------------------------- the offline page

  // A saved page's <title> is "<page> - <site>" (the home page's: "<site>"); the offline page shows the site's name.
  function pageTitle(html, fallback) {
    var title = (new DOMParser().parseFromString(html, "text/html").title || fallback).replace(/\s+/g, " ").trim();
    var site = document.querySelector(".offline__site");
    var suffix = site ? " - " + site.textContent.trim() : "";
    return suffix && title.slice(-suffix.length) === suffix ? title.slice(0, -suffix.length) : title;
  }

  function listSaved(page) {
    var section = page.querySelector("[data-offline-saved]");
    var none = page.querySelector("[data-offline-none]");
    caches.keys().then(function (names) {
      // the worker keeps pages in one "handbook-pages-<build>" cache (site_templates/offline/sw.js)
      var name = names.filter(function (n) { return n.indexOf("handbook-pages-") === 0; })[0];
      if (!name) return [];
      return caches.open(name).then(function (cache) {
        return cache.keys().then(function (requests) {
          var mine = requests.filter(function (r) { return r.url.indexOf(home) === 0; });
          return Promise.all(mine.map(function (request) {
            return cache.match(request).then(function (response) { return response.text(); })
              .then(function (html) { return { url: request.url, title: pageTitle(html, request.url) }; });
          }));
        });
      });
    }).then(function (pages) {
      var list = section.querySelector("ul");
      pages.forEach(function (saved) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = saved.url;
        link.textContent = saved.title;
        item.appendChild(link);
        list.appendChild(item);
      });
      section.hidden = !pages.length;
      none.hidden = !!pages.length;
    }, function () {
      none.hidden = false;
    });
    var retry = page.querySelector("[data-offline-retry]");
    retry.hidden = false;
    retry.addEventListener("click", function () { location.reload(); });
  }

  var offlinePage = document.querySelector("[data-offline-page]");
  if (offlinePage) {
    listSaved(offlinePage);
    return;
  }

  function register() {
    navigator.serviceWorker.register(new URL("sw.js", root).href, { scope: root.href }).catch(function () {
      // not allowed here (private mode, a policy, an old browser): the site keeps working online
    });
    navigator.serviceWorker.ready.then(function (registration) {
      tell(registration, { type: "visited", page: location.href, urls: usedFiles() });
      keepRuntimeWhenReady(registration);
    });
  }

  // On a calculator page the runtime comes first: the worker's first-visit caching (its install fetches the
  // offline pages) waits until the calculator is ready, has failed, or waits for the reader (Save-Data).
  function afterCalculator(then) {
    var widget = document.querySelector("[data-calculator]");
    if (!widget) return then();
    var observer = new MutationObserver(check);
    function check() {
      if (!/^(ready|error|paused)$/.test(widget.getAttribute("data-state") || "")) return;
      observer.disconnect();
      then();
    }
    observer.observe(widget, { attributes: true, attributeFilter: ["data-state"] });
    check();
  }

  window.addEventListener("load", function () { afterCalculator(register); });
})();
