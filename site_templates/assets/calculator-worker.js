// Runs the handbook calculators (Python, in Pyodide) off the page's main thread, so the page never freezes.
// Messages in: {type: "init", runtime, wheel, lang} then {type: "run", id, request}. Out: {type: "ready", start},
// {type: "error", message}, {type: "result", id, response}. `request`/`response` are JSON strings handled by
// calculators.handle_request, which answers errors as data, never as a traceback.
//
// Start-up: the build leaves beside the wheel a memory snapshot of Pyodide with the calculators already imported
// (build_scripts/runtime.py). Restoring it skips Python's start and the wheel's install, the slow part. If it is
// missing or does not restore, Pyodide starts the plain way from the same files and installs the wheel.
const SNAPSHOT = "calculators.snapshot.gz";
let handle = null;

// The snapshot's bytes, inflated while they download (unless the host already sent them gzip-encoded and the browser
// inflated them), then its non-zero pages put back in place (build_scripts/runtime.py, sparse_pages, writes them).
async function snapshotBytes(response) {
  const inflated = /gzip/i.test(response.headers.get("Content-Encoding") || "");
  const body = inflated ? response.body : response.body.pipeThrough(new DecompressionStream("gzip"));
  return unpackPages(new Uint8Array(await new Response(body).arrayBuffer()));
}

const MAGIC = [0x48, 0x42, 0x53, 0x4e, 0x41, 0x50, 0x00, 0x01]; // "HBSNAP" 0 1

function unpackPages(packed) {
  if (!MAGIC.every((byte, i) => packed[i] === byte)) return packed; // a snapshot as Pyodide wrote it
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

// Pyodide's WebAssembly, fetched and compiled as soon as the worker starts, while the snapshot downloads and inflates
// (Pyodide itself would only start compiling once the snapshot is in memory). A host that sends .wasm without the
// application/wasm type gets the slower, non-streaming compile, as Pyodide would do.
async function compileWasm(url) {
  try {
    return await WebAssembly.compileStreaming(fetch(url, { credentials: "same-origin" }));
  } catch (error) {
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) throw new Error(`${response.status} ${url}`);
    return WebAssembly.compile(await response.arrayBuffer());
  }
}

// Runs loadPyodide with the module compiled above: Pyodide instantiates its WebAssembly with
// WebAssembly.instantiateStreaming, which is pointed at that module for the time of the call. Pyodide only logs a
// failed instantiation and then waits forever, so a compile failure (a missing file, WebAssembly blocked by a
// content policy) ends the wait here instead.
async function withCompiledWasm(compiled, load) {
  const original = WebAssembly.instantiateStreaming;
  WebAssembly.instantiateStreaming = async (source, imports) => {
    const module = await compiled;
    return { module, instance: await WebAssembly.instantiate(module, imports) };
  };
  try {
    return await Promise.race([load(), compiled.then(() => new Promise(() => {}))]);
  } finally {
    WebAssembly.instantiateStreaming = original;
  }
}

function calculatorsOf(pyodide) {
  const ask = pyodide.runPython("import calculators\ncalculators.handle_request");
  const answer = JSON.parse(ask(JSON.stringify({ calculator: "ready", args: {} })));
  if (!answer.ok) throw new Error(answer.error && answer.error.message);
  return ask;
}

async function fromSnapshot(loadPyodide, runtime, compiled, snapshot) {
  // given as a promise: Pyodide fetches its other files while the snapshot downloads
  const pyodide = await withCompiledWasm(compiled, () => loadPyodide({
    indexURL: runtime, checkAPIVersion: true, _loadSnapshot: snapshot }));
  return calculatorsOf(pyodide);
}

async function plain(loadPyodide, runtime, compiled, wheel) {
  const pyodide = await withCompiledWasm(compiled, () => loadPyodide({
    indexURL: runtime, checkAPIVersion: true, stdout: () => {} }));
  await pyodide.loadPackage(new URL(wheel, runtime).href, { messageCallback: () => {} });
  return calculatorsOf(pyodide);
}

async function start(runtime, wheel) {
  const compiled = compileWasm(new URL("pyodide.asm.wasm", runtime).href);
  compiled.catch(() => {}); // reported where it is awaited
  // the snapshot's answer (its headers) arrives while pyodide.mjs loads; its body downloads while Pyodide starts
  const snapshot = fetch(new URL(SNAPSHOT, runtime).href, { credentials: "same-origin" })
    .then((response) => (response.ok ? response : null), () => null);
  const [{ loadPyodide }, response] = await Promise.all([import(new URL("pyodide.mjs", runtime).href), snapshot]);
  if (response) {
    try {
      handle = await fromSnapshot(loadPyodide, runtime, compiled, snapshotBytes(response));
      return "snapshot";
    } catch (error) {
      // a snapshot from another Pyodide build, or a browser that cannot restore it: start the plain way
    }
  }
  handle = await plain(loadPyodide, runtime, compiled, wheel);
  return "plain";
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
      const how = await start(message.runtime, message.wheel);
      self.postMessage({ type: "ready", start: how });
      setTimeout(() => warmUp(message.lang), 0);
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
