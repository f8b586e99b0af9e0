// Runs the handbook calculators (Python, in Pyodide) off the page's main thread, so the page never freezes.
// Messages in: {type: "init", runtime, wheel, lang, manifest, lean, linkBytesPerSecond, controlled} then {type: "run",
// id, request}. Out:
// {type: "progress", loaded, total} (bytes, as sent), {type: "ready", start, kept, compiledMs}, {type: "error", message},
// {type: "result", id, response}. `request`/`response` are JSON strings handled by
// calculators.handle_request, which answers errors as data, never as a traceback.
//
// Start-up: the build leaves beside the wheel a memory snapshot of Pyodide with the calculators already imported
// (build_scripts/parts/calculators/runtime.py). Restoring it skips Python's start and the wheel's install, the slow part. If it is
// missing or does not restore, Pyodide starts the plain way from the same files and installs the wheel.
// A plain start makes the same snapshot on this device once the calculator is ready (issue 24): the next visit
// restores it without downloading the build's 5.7 MB.
const SNAPSHOT = "calculators.snapshot.gz";
let handle = null;
let compiledMs = 0; // when the WebAssembly was compiled (ms after the start): the benchmark reads it
// The worker's own downloads, fallbacks included: never the answers withOurFiles gives Pyodide through self.fetch
// while it starts (a fallback taken then got an empty WebAssembly, or waited on its own answer, and the calculator
// never started).
const networkFetch = self.fetch.bind(self);
let startedPlain = null; // the Pyodide of a plain start made in snapshot-making mode, until its snapshot is taken

// The snapshot's bytes, inflated while they download (unless the host already sent them gzip-encoded and the browser
// inflated them), then its non-zero pages put back in place (build_scripts/parts/calculators/runtime.py, sparse_pages, writes them).
async function snapshotBytes(response, kept) {
  const inflated = kept || /gzip/i.test(response.headers.get("Content-Encoding") || "");
  const body = inflated ? response.body : response.body.pipeThrough(new DecompressionStream("gzip"));
  const bytes = new Uint8Array(await new Response(body).arrayBuffer());
  if (!kept) toKeep[SNAPSHOT] = { bytes, type: "application/octet-stream" };
  return unpackPages(bytes);
}

const MAGIC = [0x48, 0x42, 0x53, 0x4e, 0x41, 0x50, 0x00, 0x01]; // "HBSNAP" 0 1

function inPageLayout(bytes) {
  return MAGIC.every((byte, i) => bytes[i] === byte);
}

// The snapshot's memory without its all-zero pages, in the layout unpackPages reads (the build's sparse_pages in
// build_scripts/parts/calculators/runtime.py writes the same): two thirds of it are zeros.
const PAGE = 4096;
function sparsePages(memory) {
  const words = memory.byteOffset % 4 === 0 && memory.length % 4 === 0
    ? new Uint32Array(memory.buffer, memory.byteOffset, memory.length / 4) : null;
  const count = Math.ceil(memory.length / PAGE);
  const kept = [];
  for (let k = 0; k < count; k++) {
    const from = k * PAGE;
    const to = Math.min(from + PAGE, memory.length);
    let used = false;
    if (words && to - from === PAGE) {
      for (let w = from / 4, end = to / 4; w < end && !used; w++) used = words[w] !== 0;
    } else {
      for (let b = from; b < to && !used; b++) used = memory[b] !== 0;
    }
    if (used) kept.push(k);
  }
  const head = 20 + 4 * kept.length;
  let size = head;
  for (const k of kept) size += Math.min(PAGE, memory.length - k * PAGE);
  const out = new Uint8Array(size);
  out.set(MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, memory.length, true);
  view.setUint32(12, PAGE, true);
  view.setUint32(16, kept.length, true);
  let at = head;
  kept.forEach((k, i) => {
    view.setUint32(20 + 4 * i, k, true);
    const part = memory.subarray(k * PAGE, Math.min((k + 1) * PAGE, memory.length));
    out.set(part, at);
    at += part.length;
  });
  return out;
}

function unpackPages(packed) {
  if (!inPageLayout(packed)) return packed; // a snapshot as Pyodide wrote it
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  const size = view.getUint32(8, true);
  const page = view.getUint32(12, true);
  const count = view.getUint32(16, true);
  const memory = new Uint8Array(size);
  let from = 20 + 4 * count;
  for (let k = 0; k < count; k++) {
    const at = view.getUint32(20 + 4 * k, true) * page;
    const length = Math.min(page, size - at);
    memory.set(packed.subarray(from, from + length), at);
    from += length;
  }
  if (from !== packed.length) throw new Error("snapshot: unexpected length");
  return memory;
}

// ---------------------------------------------------------------- unpacked copies, for the next visit
// Unpacking is the worker's own work: on a visit from the cache it is what is left, about a third of a second each
// for the WebAssembly (xz) and the snapshot (gzip), on one thread (more on a phone). Once a calculator is ready, the
// unpacked bytes are kept in this browser's Cache Storage, so the next visit compiles and restores straight from
// them. Each entry is keyed by the file's content hash from the manifest, so another build is never mixed in; the
// entries of other builds are deleted when new ones are kept. Without Cache Storage (a private window), or over
// the quota, nothing is kept and nothing fails. The service worker's packed copies stay: they are the offline copy.
const UNPACKED_CACHE = "handbook-unpacked"; // the service worker (offline/sw.js) leaves it to this worker
const KEPT = ["pyodide.asm.wasm", SNAPSHOT];
const toKeep = {}; // name -> {bytes, type}: unpacked during this start, kept once the calculator is ready
const usedKept = new Set(); // the kept copies this start was made from (reported with "ready")
let runtimeBase = self.location.href;

// A snapshot holds the memory of one Pyodide started from one standard library with one wheel: it is keyed by all
// of them (the build's snapshot and one made on this device are the same state, so they share the key).
function keptKey(name) {
  const inputs = name === SNAPSHOT ? ["pyodide.asm.wasm", "pyodide.asm.mjs", manifest.stdlib, manifest.wheel] : [name];
  const hashes = inputs.map((input) => (manifest.files[input] || {}).sha256);
  return hashes.every(Boolean) ? new URL(`${name}?sha256=${hashes.join("-")}`, runtimeBase).href : null;
}

// The kept WebAssembly compiled from a response the browser's code cache applies to: fetched by its own URL, which
// the service worker answers from Cache Storage as it is, so Chromium keeps the machine code beside the entry and
// the next visit skips compiling (a Response built from bytes, or a match() in this worker, gets no code cache).
// Without a service worker in control, the kept copy read here.
function compileKept(keptWasm, controlled) {
  const viaServiceWorker = controlled ? networkFetch(keptKey("pyodide.asm.wasm"), { credentials: "same-origin" })
    .then((response) => {
      if (!response.ok || response.headers.get("Content-Type") !== "application/wasm") throw new Error("not kept");
      keptWasm.body.cancel().catch(() => {});
      return WebAssembly.compileStreaming(response);
    }) : Promise.reject(new Error("no service worker"));
  return viaServiceWorker.catch(() => WebAssembly.compileStreaming(keptWasm));
}

async function keptCopy(name) {
  try {
    const key = keptKey(name);
    if (!key || !self.caches) return null;
    return (await (await self.caches.open(UNPACKED_CACHE)).match(key)) || null;
  } catch (error) {
    return null;
  }
}

async function keepUnpacked() {
  try {
    if (!self.caches || !Object.keys(toKeep).length) return;
    const cache = await self.caches.open(UNPACKED_CACHE);
    const current = new Set(KEPT.map(keptKey));
    for (const request of await cache.keys()) if (!current.has(request.url)) await cache.delete(request);
    // the snapshot first: it saves the most, and the reader may leave the page before the WebAssembly is stored
    const names = Object.keys(toKeep).sort((a, b) => (b === SNAPSHOT) - (a === SNAPSHOT));
    for (const name of names) {
      const { bytes, type } = toKeep[name];
      delete toKeep[name];
      const key = keptKey(name);
      const body = await Promise.resolve(bytes).catch(() => null); // a download that failed is not kept
      if (key && body) await cache.put(key, new Response(body, { headers: { "Content-Type": type } }));
    }
  } catch (error) {
    // quota or storage refused: the next visit unpacks again
  }
}

async function forgetKept() {
  try {
    if (self.caches) await self.caches.delete(UNPACKED_CACHE);
  } catch (error) {
    // nothing kept, nothing to forget
  }
}

// ---------------------------------------------------------------- downloads, counted
// Every runtime file is fetched once, here, and its bytes counted as they arrive: the page shows "1.2 of 3.8 MB".
// The manifest (build_scripts/parts/calculators/runtime_manifest.py) gives each file's size as stored and as a compressing host
// sends it; a body arrives inflated, so what was received is reported in the units the reader pays for.
let manifest = { files: {} };
const received = {};
const expected = new Set();
let lastReport = 0;

// Files this browser already holds (the service worker's copies) cost the reader nothing: the total says what will
// really come over the network (almost nothing on a later visit). Looked up beside the first downloads.
const here = new Set();

function lookUpHere(names) {
  if (!self.caches) return;
  for (const name of names) {
    self.caches.match(new URL(name, runtimeBase).href).then((found) => { if (found) here.add(name); }, () => {});
  }
}

function sentSize(name, encoded) {
  if (here.has(name)) return 0;
  const file = manifest.files[name] || {};
  return encoded === false ? file.bytes || 0 : file.sent || file.bytes || 0;
}

function report(force) {
  const now = performance.now();
  if (!force && now - lastReport < 100) return;
  lastReport = now;
  let loaded = 0;
  let total = 0;
  for (const name of expected) {
    const size = sentSize(name, received[name] ? received[name].encoded : undefined);
    const file = manifest.files[name] || {};
    const part = received[name] && file.bytes ? Math.min(1, received[name].bytes / file.bytes) : 0;
    loaded += part * size;
    total += size;
  }
  self.postMessage({ type: "progress", loaded: Math.round(loaded), total: Math.round(total) });
}

// A Response for `url` whose body counts its bytes into received[name]; rejects when the file is not there. The
// bytes are taken from the network as they arrive, whatever reads them slower (the unpacker): so "done" says when
// the link brought the last byte, which decides whether the snapshot is worth fetching, and the progress shown is
// the download's.
const ARRIVAL_BUFFER = 32 * 1024 * 1024;
async function counted(url, name) {
  expected.add(name);
  const response = await networkFetch(url, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`${response.status} ${url}`);
  const encoded = /gzip|br|deflate/i.test(response.headers.get("Content-Encoding") || "")
    || (response.headers.get("Content-Length") !== null
        && Number(response.headers.get("Content-Length")) < ((manifest.files[name] || {}).bytes || 0));
  let finished;
  received[name] = { bytes: 0, encoded, done: new Promise((resolve) => { finished = resolve; }) };
  const count = new TransformStream({
    transform(chunk, controller) {
      received[name].bytes += chunk.byteLength;
      report(false);
      controller.enqueue(chunk);
    },
    flush() { finished(); report(true); }
  }, undefined, new ByteLengthQueuingStrategy({ highWaterMark: ARRIVAL_BUFFER }));
  return new Response(response.body.pipeThrough(count), { status: response.status, headers: response.headers });
}

// Pyodide's WebAssembly, compiled while it downloads and while the rest arrives (Pyodide itself would only start
// compiling once its other files are in). A host that sends .wasm without the application/wasm type gets the
// slower, non-streaming compile, as Pyodide would do.
async function compileWasm(response, url) {
  try {
    return await WebAssembly.compileStreaming(response);
  } catch (error) {
    const again = await networkFetch(url, { credentials: "same-origin" });
    if (!again.ok) throw new Error(`${again.status} ${url}`);
    return WebAssembly.compile(await again.arrayBuffer());
  }
}

// Runs loadPyodide with the files fetched above: Pyodide instantiates its WebAssembly with
// WebAssembly.instantiateStreaming, pointed at the module compiled here, and fetches its WebAssembly and standard
// library with fetch, answered from the downloads already under way (so nothing is downloaded twice: Pyodide's own
// wasm fetch used to run beside the worker's). Pyodide only logs a failed instantiation and then waits forever, so
// a compile failure (a missing file, WebAssembly blocked by a content policy) ends the wait here instead.
async function withOurFiles(compiled, answers, load) {
  const originalInstantiate = WebAssembly.instantiateStreaming;
  const originalFetch = self.fetch;
  WebAssembly.instantiateStreaming = async (source, imports) => {
    const module = await compiled;
    return { module, instance: await WebAssembly.instantiate(module, imports) };
  };
  self.fetch = (input, init) => {
    const href = new URL(String(input && input.url || input), self.location.href).href;
    return href in answers ? answers[href]() : originalFetch.call(self, input, init);
  };
  try {
    return await Promise.race([load(), compiled.then(() => new Promise(() => {}))]);
  } finally {
    WebAssembly.instantiateStreaming = originalInstantiate;
    self.fetch = originalFetch;
  }
}

function calculatorsOf(pyodide) {
  const ask = pyodide.runPython("import calculators\ncalculators.handle_request");
  const answer = JSON.parse(ask(JSON.stringify({ calculator: "ready", args: {} })));
  if (!answer.ok) throw new Error(answer.error && answer.error.message);
  return ask;
}

// The wheel unpacked into site-packages with Python's zipfile, as the build's trace and snapshot do (loadPackage
// would import a dozen more standard modules, which the trimmed standard library leaves out).
const UNPACK_PY = `
import site, zipfile
with zipfile.ZipFile("/tmp/calculators.whl") as wheel:
    wheel.extractall(site.getsitepackages()[0])
`;

// A snapshot is worth its 6 MB when it is already in this browser's cache, or when the link brought Pyodide's
// WebAssembly this fast (then downloading it costs less than Python's start); never over a metered or slow link.
const FAST_WASM_MS = 750;
const HTTP_CACHE_WAIT_MS = 250;

// The snapshot if this browser already holds it: in the service worker's cache, else in the HTTP cache.
async function cachedSnapshot(url) {
  try {
    const saved = self.caches ? await self.caches.match(url) : null;
    if (saved) return saved;
  } catch (error) {
    // no cache storage (a private window, an opaque origin)
  }
  // A download of the same file still under way (the service worker keeping it) holds the HTTP cache's entry
  // until it ends: past a short wait, it counts as not cached.
  const probe = networkFetch(url, { credentials: "same-origin", cache: "only-if-cached", mode: "same-origin" })
    .then((response) => (response.ok ? response : null), () => null);
  return Promise.race([probe, new Promise((resolve) => setTimeout(() => resolve(null), HTTP_CACHE_WAIT_MS))]);
}

// Whether the WebAssembly crossed the network (not a cache): only then does its download time say how fast the
// link is. Resource Timing's transferSize is 0 for a cached response.
function fromNetwork(url) {
  const entries = performance.getEntriesByName(url);
  return !entries.length || entries.some((entry) => entry.transferSize > 0);
}

async function readManifest(url) {
  try {
    const response = await networkFetch(url, { credentials: "same-origin" });
    return response.ok ? await response.json() : null;
  } catch (error) {
    return null; // a build without one: Pyodide's full standard library, no sizes
  }
}

// ---------------------------------------------------------------- packed downloads
// The WebAssembly and the standard library also come packed with xz, a quarter smaller than a host's gzip
// (build_scripts/parts/calculators/packing.py); the unpacker (npm `xz-decompress`) streams, so the WebAssembly still
// compiles while it arrives. Whatever fails here (no unpacker, a packed file missing or damaged) falls back to the
// plain file beside it: slower on a phone, never broken.
const PACKED = ".xz";
const UNPACKER = "xz-decompress.mjs";

// The unpacker's stream class, or null (the file missing or refused): never a rejection.
function loadUnpacker(url) {
  return import(url).then((library) => (typeof library.XzReadableStream === "function" ? library.XzReadableStream : null),
                          () => null);
}

// Unpacking the WebAssembly takes the worker about 0.3 s (a desktop; a phone several times more) to save 0.9 MB: on
// a link faster than 3 MB/s (as the page's own files came) the plain file, which the browser inflates from the
// host's gzip in its network process, is there sooner. Never under Save-Data or a slow connection (`lean`).
const PLAIN_IS_FASTER_ABOVE = 3e6; // bytes per second

// The plain WebAssembly's Response, with a copy of its bytes kept for the next visit (the service worker keeps only
// the packed file).
function keepingCopy(download, name, type) {
  return download.then((response) => withKeptCopy(response.body, name, type).response);
}

// A Response of `stream` whose bytes are also collected into toKeep[name]; `bytes` rejects if the stream fails, so
// a damaged file is never kept.
function withKeptCopy(stream, name, type) {
  const [body, copy] = stream.tee();
  const bytes = new Response(copy).arrayBuffer();
  bytes.catch(() => {});
  toKeep[name] = { bytes, type };
  return { response: new Response(body, { headers: { "Content-Type": type } }), bytes };
}

// Whether the WebAssembly's unpacking (if any) went through. After a failed one the unpacker is not trusted with the
// standard library: in Chromium 156 it then never answered (it unpacks one stream at a time, and the failed one kept
// its turn), so the worker takes the plain zip instead, and any unpacking has a time limit.
let wasmUnpacked = Promise.resolve(true);
const UNPACK_LIMIT_MS = 10000;

function withinTime(promise, ms) {
  let timer;
  const late = new Promise((resolve, reject) => { timer = setTimeout(() => reject(new Error("too slow")), ms); });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

// `stream`, failed with an error when it has not ended `ms` after its input was all in (`inputDone`): an unpacker
// that stalls on a damaged file (instead of failing) would otherwise leave the compile, and the calculator, waiting
// forever. Counted from the input's end, so a slow link never trips it.
function endingInTime(stream, inputDone, ms) {
  const reader = stream.getReader();
  let timer = null;
  let over = false;
  const finish = () => { over = true; clearTimeout(timer); };
  return new ReadableStream({
    start(controller) {
      inputDone.then(() => {
        if (over) return;
        timer = setTimeout(() => {
          finish();
          controller.error(new Error("unpacking stalled"));
          reader.cancel().catch(() => {});
        }, ms);
      }, () => {});
    },
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (over) return;
        if (done) {
          finish();
          controller.close();
        } else {
          controller.enqueue(value);
        }
      } catch (error) {
        if (over) return;
        finish();
        controller.error(error);
      }
    },
    cancel(reason) {
      finish();
      return reader.cancel(reason);
    },
  });
}

// The plain file's bytes as a Response from its packed download, or the plain download when that cannot be.
async function unpackedOrPlain(packedDownload, packedName, plainUrl, plainName, unpacker, type) {
  try {
    const response = await packedDownload;
    const Unpacker = await unpacker;
    if (!Unpacker) {
      response.body.cancel().catch(() => {});
      throw new Error("no unpacker");
    }
    const unpacked = withKeptCopy(endingInTime(new Unpacker(response.body), received[packedName].done, UNPACK_LIMIT_MS),
                                  plainName, type);
    wasmUnpacked = unpacked.bytes.then(() => true, () => false);
    return unpacked.response;
  } catch (error) {
    expected.delete(packedName); // the reader is shown what is really coming
    return counted(plainUrl, plainName);
  }
}

async function start(runtime, options) {
  const at = (name) => new URL(name, runtime).href;
  runtimeBase = runtime;
  const wasmUrl = at("pyodide.asm.wasm");
  const began = performance.now();
  // the WebAssembly first, packed: its name is fixed, and its download is the long one
  const sizes = options.manifest ? Promise.resolve(options.manifest) : readManifest(options.manifestUrl);
  const plainWasm = !options.lean && options.linkBytesPerSecond > PLAIN_IS_FASTER_ABOVE;
  const packedWasm = plainWasm ? null : counted(wasmUrl + PACKED, "pyodide.asm.wasm" + PACKED);
  const firstWasm = plainWasm ? counted(wasmUrl, "pyodide.asm.wasm") : packedWasm;
  firstWasm.catch(() => {}); // reported where it is awaited
  expected.add("pyodide.asm.mjs");
  const imported = import(at("pyodide.mjs"));
  // reported where it is awaited; a start that fails before that (no sizes file) must not leave it unhandled
  imported.catch(() => {});
  // Pyodide imports its 1.2 MB (260 KB compressed) JavaScript only once loadPyodide runs: asked for now, it arrives
  // beside the WebAssembly (the module map gives Pyodide's own import the same module, no second request)
  import(at("pyodide.asm.mjs")).catch(() => {});
  const unpacker = loadUnpacker(at(UNPACKER));
  manifest = (await sizes) || manifest;
  lookUpHere(Object.keys(manifest.files));
  const packed = manifest.packed || {};
  const stdlibName = manifest.stdlib || "python_stdlib.zip";
  const stdlibUrl = at(stdlibName);
  const packedWasmName = "pyodide.asm.wasm" + PACKED;
  // a later visit: the WebAssembly this browser unpacked before, if it kept it (then the download is dropped)
  // beside it, the kept snapshot: always in the build's page layout, so anything else is damaged, dropped before
  // Pyodide sees it (given a damaged snapshot, Pyodide may never answer)
  // (made by the build or on this device: a build without one still gets the device's)
  const keptSnapshotLookup = keptCopy(SNAPSHOT)
    .then(async (response) => {
      if (!response) return null;
      const bytes = new Uint8Array(await response.arrayBuffer());
      if (inPageLayout(bytes)) return new Response(bytes);
      forgetKept();
      return null;
    }).catch(() => null);
  const keptWasm = await keptCopy("pyodide.asm.wasm");
  if (keptWasm) {
    usedKept.add("pyodide.asm.wasm");
    expected.delete(packedWasmName);
    expected.delete("pyodide.asm.wasm");
    firstWasm.then((response) => response.body.cancel(), () => {}).catch(() => {});
  }
  const wasm = keptWasm ? Promise.resolve(keptWasm)
    : plainWasm ? keepingCopy(firstWasm, "pyodide.asm.wasm", "application/wasm")
      : unpackedOrPlain(packedWasm, packedWasmName, wasmUrl, "pyodide.asm.wasm", unpacker, "application/wasm");
  wasm.catch(() => {});
  // which download the WebAssembly came by (a fallback takes the packed name off the expected ones); a kept copy
  // says nothing about the link (Infinity: never "fast")
  const wasmName = () => (expected.has(packedWasmName) ? packedWasmName : "pyodide.asm.wasm");
  const wasmDone = keptWasm ? Promise.resolve(Infinity)
    : wasm.then(() => received[wasmName()].done).then(() => performance.now() - began);
  wasmDone.catch(() => {});
  const compiled = keptWasm
    ? compileKept(keptWasm, options.controlled).catch(() => {
      usedKept.delete("pyodide.asm.wasm");
      forgetKept();
      return compileWasm(networkFetch(wasmUrl), wasmUrl);
    })
    : compileWasm(wasm, wasmUrl);
  compiled.catch(() => {}); // reported where it is awaited
  compiled.then(() => { compiledMs = performance.now() - began; }, () => {});
  // The standard library in memory, unpacked (Pyodide reads it whole; a second start, after a failed snapshot,
  // reads the same bytes). Downloaded whole before unpacking: the unpacker works on one stream at a time, the
  // WebAssembly's, and must not hold this download back meanwhile.
  const plainStdlib = () => counted(stdlibUrl, stdlibName).then((response) => response.arrayBuffer());
  const stdlibBytes = !packed[stdlibName] ? plainStdlib()
    : Promise.all([unpacker, counted(at(packed[stdlibName]), packed[stdlibName]).then((r) => r.arrayBuffer()),
                   wasm.then(() => wasmUnpacked, () => false)])
      .then(([Unpacker, bytes, unpackerWorks]) => {
        if (!Unpacker || !unpackerWorks) throw new Error("no working unpacker");
        return withinTime(new Response(new Unpacker(new Blob([bytes]).stream())).arrayBuffer(), UNPACK_LIMIT_MS);
      })
      .catch(() => { expected.delete(packed[stdlibName]); return plainStdlib(); });
  stdlibBytes.catch(() => {});

  const keptSnapshot = await keptSnapshotLookup;
  let snapshot = keptSnapshot || (manifest.files[SNAPSHOT] ? await cachedSnapshot(at(SNAPSHOT)) : null);
  // the wheel is needed only once Python has started: asked for when the WebAssembly is in, it arrives while Python
  // starts instead of taking a share of the link before
  if (!snapshot) expected.add(options.wheel);
  const wheelBytes = snapshot ? null : wasmDone.catch(() => null)
    .then(() => counted(at(options.wheel), options.wheel)).then((response) => response.arrayBuffer());
  if (wheelBytes) wheelBytes.catch(() => {});
  if (!snapshot && manifest.files[SNAPSHOT] && !options.lean) {
    const ms = await Promise.race([wasmDone, new Promise((resolve) => setTimeout(() => resolve(Infinity), FAST_WASM_MS))]);
    if (ms < FAST_WASM_MS && fromNetwork(at(wasmName()))) snapshot = await counted(at(SNAPSHOT), SNAPSHOT).catch(() => null);
  }
  const { loadPyodide } = await imported;
  const answers = {
    [wasmUrl]: async () => new Response(new Uint8Array(0)), // never read: instantiateStreaming is ours
    [stdlibUrl]: () => stdlibBytes.then((bytes) => new Response(bytes)),
  };
  const settings = { indexURL: runtime, checkAPIVersion: true, stdLibURL: stdlibUrl, stdout: () => {} };
  if (manifest.lock) settings.lockFileContents = manifest.lock;
  if (snapshot) {
    try {
      const memory = snapshotBytes(snapshot, snapshot === keptSnapshot);
      memory.catch(() => {}); // a damaged copy: loadPyodide rejects with it, handled below
      const pyodide = await withOurFiles(compiled, answers, () => loadPyodide({ ...settings, _loadSnapshot: memory }));
      received["pyodide.asm.mjs"] = { bytes: Infinity }; // imported by Pyodide, not fetched: counted once it is in
      handle = calculatorsOf(pyodide);
      if (snapshot === keptSnapshot) usedKept.add(SNAPSHOT);
      return "snapshot";
    } catch (error) {
      // a snapshot from another Pyodide build, or a browser that cannot restore it: start the plain way
      delete toKeep[SNAPSHOT];
      if (keptSnapshot) forgetKept();
    }
  }
  // a plain start in snapshot-making mode, when there is somewhere to keep the snapshot it can then make
  const makeSnapshot = !!(self.caches && keptKey(SNAPSHOT));
  const pyodide = await withOurFiles(compiled, answers, () => loadPyodide({ ...settings, _makeSnapshot: makeSnapshot }));
  received["pyodide.asm.mjs"] = { bytes: Infinity };
  if (makeSnapshot) startedPlain = pyodide;
  pyodide.FS.writeFile("/tmp/calculators.whl", new Uint8Array(await (wheelBytes || networkFetch(at(options.wheel))
    .then((response) => response.arrayBuffer()))));
  pyodide.runPython(UNPACK_PY);
  handle = calculatorsOf(pyodide);
  return "plain";
}

// The memory of the Pyodide started here, calculators imported, as the build's snapshot would hold it, kept for the
// next visit: it then restores in a fraction of Python's start and no byte of the build's snapshot is downloaded
// (the service worker no longer fetches it in the background, where it held back the reader's next visit on a slow
// link). Taken once the page has been told the calculator is ready; a few hundred ms of this worker's time.
function snapshotOfThisStart() {
  if (!startedPlain) return;
  try {
    const memory = startedPlain.makeMemorySnapshot();
    toKeep[SNAPSHOT] = { bytes: sparsePages(memory), type: "application/octet-stream" };
  } catch (error) {
    // Pyodide refused (a JavaScript object held by Python): the next visit starts the plain way again
  }
  startedPlain = null;
}

// Browsers run WebAssembly through a quick baseline compile first and optimise the functions that get busy later:
// the first answers would be several times slower than the next ones. Throwaway questions, asked once the page has
// been told the calculator is ready (while the reader fills in the form), take that cost, within a small budget.
// Built from the data's own lists: nothing of the handbook is written here.
const WARM_UP_MS = 250;
const WARM_UP_ROUNDS = 12;

function warmUp(lang) {
  const ask = (calculator, args) => JSON.parse(handle(JSON.stringify({ calculator, lang, args })));
  const started = performance.now();
  try {
    const questions = [["absentee", { days_absent: "1", days_enrolled: "10" }],
                       ["absentee", { days_absent: "x", days_enrolled: "" }]];
    for (const level of ask("school_levels", {}).result || []) {
      const rows = ask("behavior_options", { school_level: level.id }).result || [];
      for (const row of [rows.find((r) => !r.needs_value), rows.find((r) => r.needs_value)]) {
        if (row) questions.push(["consequence", { behavior: row.id, school_level: level.id, offense: "1", damage_usd: "1" }]);
      }
    }
    for (let round = 0; round < WARM_UP_ROUNDS && performance.now() - started < WARM_UP_MS; round++) {
      for (const [calculator, args] of questions) ask(calculator, args);
    }
  } catch (error) {
    // only a warm-up: the reader's own question will say what is wrong, if anything
  }
}

self.onmessage = async (event) => {
  const message = event.data || {};
  if (message.type === "init") {
    try {
      const how = await start(message.runtime, { wheel: message.wheel, manifest: message.manifest,
                                                 manifestUrl: message.manifestUrl, lean: message.lean,
                                                 linkBytesPerSecond: Number(message.linkBytesPerSecond) || 0,
                                                 controlled: !!message.controlled });
      self.postMessage({ type: "ready", start: how, kept: [...usedKept], compiledMs: Math.round(compiledMs) });
      setTimeout(() => { snapshotOfThisStart(); warmUp(message.lang); keepUnpacked(); }, 0);
    } catch (error) {
      self.postMessage({ type: "error", message: String(error && error.message || error) });
    }
  } else if (message.type === "run") {
    let response;
    try {
      response = handle ? handle(message.request) : JSON.stringify({ ok: false, error: { message: "not ready" } });
    } catch (error) {
      response = JSON.stringify({ ok: false, error: { message: String(error && error.message || error) } });
    }
    self.postMessage({ type: "result", id: message.id, response });
  }
};
