// The site's service worker, at the site's root so that its scope covers every language. The build writes it to
// site/sw.js and fills CONFIG (build_scripts/outputs/offline.py): the build id names the caches, so a new build is a new
// worker, and its activation deletes the caches of every other build.
//   Installed with the worker: each language's offline page and what it uses. A language's search files (index,
//   engine, script) once a page of that language has been read, so search works offline there; a reader of one
//   language never downloads the other's.
//   Pages: network first (the newest text when online; the saved copy when the network fails or stalls), else the
//   offline page in the reader's language.  Other files of the site: cache first (within a build they never change).
//   The calculators' runtime: saved as a whole once a calculator has started (pages ask, see assets/offline.js),
//   without the start-up snapshot: the calculators' worker makes its own on the device (issue 24).
//   The copies the calculators' worker keeps unpacked (addressed with "?sha256="): answered as they are, so the
//   browser's code cache applies to the WebAssembly compiled from them.
// Only GET requests for this site's own files are handled; anything else goes to the network untouched.
"use strict";

const CONFIG = /*@config*/{"build": "dev", "languages": ["en"], "folders": false, "offlinePage": "offline.html", "precache": [], "runtime": [], "search": {}, "runtimeDir": "_pyodide/"}/*@end*/;
const PREFIX = "handbook-"; // assets/offline.js lists the saved pages from the "handbook-pages-" cache
const PAGES = `${PREFIX}pages-${CONFIG.build}`;
const FILES = `${PREFIX}files-${CONFIG.build}`;
const RUNTIME = `${PREFIX}runtime-${CONFIG.build}`;
// The calculators' worker keeps its unpacked runtime here (assets/calculator-worker.js): entries keyed by content
// hash, replaced by the worker itself when another build's arrive, so a new build of the site does not delete it.
const UNPACKED = `${PREFIX}unpacked`;
const CURRENT = [PAGES, FILES, RUNTIME, UNPACKED];
const PATIENCE_MS = 4000; // on a stalled connection, show the saved copy of a page after this long

const root = () => new URL(self.registration.scope);
const at = (path) => new URL(path, root()).href;
// each language in its own folder (en/, es/), or a one-language site at the root
const folderOf = (lang) => (CONFIG.folders ? `${lang}/` : "");

function ours(url) {
  return url.origin === self.location.origin && url.href.startsWith(root().href) && !url.pathname.endsWith("/sw.js");
}

function pageKey(href) {
  const url = new URL(href);
  url.hash = "";
  url.search = "";
  return url.href;
}

function cacheFor(url) {
  return url.pathname.startsWith(root().pathname + CONFIG.runtimeDir) ? RUNTIME : FILES;
}

function keepable(response) {
  return response && response.ok && response.type === "basic";
}

function isPage(response) {
  return (response.headers.get("Content-Type") || "").startsWith("text/html");
}

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(FILES);
    await cache.addAll(CONFIG.precache.map((path) => new Request(at(path), { cache: "no-cache" })));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.startsWith(PREFIX) && !CURRENT.includes(name))
      .map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || !ours(url) || request.headers.has("range")) return;
  event.respondWith(request.mode === "navigate" ? page(event) : file(event, url));
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "visited") event.waitUntil(remember(data));
});

// ------------------------------------------------------------------ pages: network first

function page(event) {
  const key = pageKey(event.request.url);
  const network = fetch(event.request);
  event.waitUntil(network.then((response) => {
    if (!keepable(response) || !isPage(response)) return undefined;
    const copy = response.clone(); // before the browser reads the body
    return caches.open(PAGES).then((cache) => cache.put(key, copy));
  }).catch(() => undefined));
  return (async () => {
    const saved = await caches.match(key, { cacheName: PAGES });
    if (!saved) {
      try {
        return await network;
      } catch (error) {
        return offlinePage(event.request);
      }
    }
    const fresh = network.then((response) => (response.status >= 500 ? saved : response), () => saved);
    const stalled = new Promise((resolve) => setTimeout(() => resolve(saved), PATIENCE_MS));
    return Promise.race([fresh, stalled]);
  })();
}

// The language whose folder the address is in, or null (the language chooser, or a one-language site's pages).
function languageFolderOf(url) {
  const first = url.pathname.slice(root().pathname.length).split("/")[0];
  return CONFIG.languages.includes(first) ? first : null;
}

// The language folder a page is in ("es/"; "" in a one-language site), or null outside them (the language chooser).
function folderOfPage(url) {
  if (!CONFIG.folders) return "";
  const lang = languageFolderOf(url);
  return lang === null ? null : folderOf(lang);
}

function languageOf(url) {
  const lang = languageFolderOf(url);
  if (lang !== null) return lang;
  const preferred = (self.navigator.languages || [self.navigator.language || ""])
    .map((tag) => String(tag).slice(0, 2).toLowerCase())
    .find((code) => CONFIG.languages.includes(code));
  return preferred || CONFIG.languages[0];
}

async function offlinePage(request) {
  const lang = languageOf(new URL(request.url));
  const saved = await caches.match(at(`${folderOf(lang)}${CONFIG.offlinePage}`), { cacheName: FILES });
  if (!saved) return Response.error();
  // The offline page stands in for another address: its links and files are relative to its language's folder.
  const text = (await saved.text()).replace('<base href="./">', `<base href="${at(folderOf(lang))}">`);
  const headers = new Headers({ "Content-Type": "text/html; charset=utf-8" });
  const policy = saved.headers.get("Content-Security-Policy");
  if (policy) headers.set("Content-Security-Policy", policy);
  // 200, not 503: the page is the answer to show (an error status only adds a console error)
  return new Response(text, { status: 200, headers });
}

// ------------------------------------------------------------------ other files: cache first

async function file(event, url) {
  if (url.searchParams.has("sha256")) {
    // only ever asked for a copy the worker holds: if it has gone meanwhile, say so (the worker then reads its own
    // copy or the network's packed file), never download the 3.5 MB plain file in its place
    const kept = await caches.match(event.request, { cacheName: UNPACKED });
    return kept || new Response(null, { status: 404 });
  }
  const cache = await caches.open(cacheFor(url));
  const saved = await cache.match(event.request);
  if (saved) return saved;
  const response = await fetch(event.request);
  if (keepable(response)) event.waitUntil(cache.put(event.request, response.clone()));
  return response;
}

// ------------------------------------------------------------------ what a page asks to keep

// `revalidate`: ask the host even if the browser's HTTP cache holds a copy (a 304 costs no body), because a file
// that keeps its name from build to build could be the previous build's there (a host without the snippets' no-cache,
// GitHub Pages' ten minutes). Not for the runtime: 4 MB sent twice by a host without validators.
async function save(cacheName, href, pagesOnly, revalidate) {
  const cache = await caches.open(cacheName);
  if (await cache.match(href)) return;
  try {
    const response = await fetch(href, revalidate ? { cache: "no-cache" } : {});
    if (keepable(response) && (!pagesOnly || isPage(response))) await cache.put(href, response);
  } catch (error) {
    // offline: nothing to keep now
  }
}

// A page opened before this worker was in control (the first visit) went to the network directly: keep it and the
// files it used. A calculator page that has started its runtime asks for the whole runtime, so it works offline.
function remember(data) {
  const jobs = [];
  const page = data.page ? new URL(data.page) : null;
  if (page && ours(page)) {
    jobs.push(save(PAGES, pageKey(data.page), true, true));
    const folder = folderOfPage(page);
    if (folder !== null) for (const path of CONFIG.search[folder] || []) jobs.push(save(FILES, at(path), false, true));
  }
  for (const href of data.urls || []) {
    const url = new URL(href, root());
    if (ours(url)) jobs.push(save(cacheFor(url), url.href, false));
  }
  if (data.runtime) for (const path of CONFIG.runtime) jobs.push(save(RUNTIME, at(path), false));
  return Promise.all(jobs);
}
