// Runs the handbook calculators (Python, in Pyodide) off the page's main thread, so the page never freezes.
// Messages in: {type: "init", runtime, wheel} then {type: "run", id, request}. Out: {type: "ready"},
// {type: "error", message}, {type: "result", id, response}. `request`/`response` are JSON strings handled by
// calculators.handle_request, which answers errors as data, never as a traceback.
let handle = null;

async function start(runtime, wheel) {
  const { loadPyodide } = await import(new URL("pyodide.mjs", runtime).href);
  const pyodide = await loadPyodide({ indexURL: runtime, checkAPIVersion: true });
  await pyodide.loadPackage(new URL(wheel, runtime).href);
  handle = pyodide.runPython("import calculators\ncalculators.handle_request");
}

self.onmessage = async (event) => {
  const message = event.data || {};
  if (message.type === "init") {
    try {
      await start(message.runtime, message.wheel);
      self.postMessage({ type: "ready" });
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
