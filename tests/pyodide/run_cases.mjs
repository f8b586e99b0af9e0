// Run calculator requests inside real Pyodide under Node, offline.
// usage: node run_cases.mjs <pyodide dir> <wheel> <requests.json> <responses.json> [<stdlib zip>]
// Installs the wheel with loadPackage, calls calculators.handle_request for each request and writes
// {responses, timings_ms, network}. Any attempt to fetch over the network is recorded and refused.
// With a stdlib zip (the site's trimmed standard library, issue 13): Pyodide starts from it, and the wheel is
// unpacked with zipfile as the page's worker does.
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, wheel, requestsFile, outFile, stdlib] = process.argv.slice(2);
if (!outFile) {
  console.error("usage: node run_cases.mjs <pyodide dir> <wheel> <requests.json> <responses.json>");
  process.exit(64);
}

const network = [];
const refuse = (what) => async (url) => {
  network.push(`${what} ${url}`);
  throw new Error(`network access refused: ${url}`);
};
globalThis.fetch = refuse("fetch");

const { loadPyodide } = await import(pathToFileURL(resolve(pyodideDir, "pyodide.mjs")).href);
const t0 = performance.now();
const settings = { indexURL: resolve(pyodideDir) + "/", stdout: () => {}, stderr: (s) => console.error(s) };
if (stdlib) settings.stdLibURL = resolve(stdlib);
const pyodide = await loadPyodide(settings);
const t1 = performance.now();
if (stdlib) {
  pyodide.FS.writeFile("/tmp/calculators.whl", readFileSync(resolve(wheel)));
  pyodide.runPython("import site, zipfile\nwith zipfile.ZipFile('/tmp/calculators.whl') as w:\n    w.extractall(site.getsitepackages()[0])");
} else {
  await pyodide.loadPackage(resolve(wheel), { messageCallback: () => {}, errorCallback: (s) => console.error(s) });
}
const t2 = performance.now();
const calculators = pyodide.pyimport("calculators");
const handle = calculators.handle_request;
const ready = JSON.parse(handle(JSON.stringify({ calculator: "ready", args: {} })));
const t3 = performance.now();

const requests = JSON.parse(readFileSync(requestsFile, "utf-8"));
const responses = requests.map((request) => handle(typeof request === "string" ? request : JSON.stringify(request)));
const t4 = performance.now();

const version = pyodide.runPython("import sys; sys.version.split()[0]");
writeFileSync(outFile, JSON.stringify({
  responses,
  ready,
  python: version,
  pyodide: pyodide.version,
  network,
  timings_ms: {
    load_pyodide: t1 - t0,
    install_wheel: t2 - t1,
    import_and_first_request: t3 - t2,
    requests_total: t4 - t3,
    requests: requests.length,
  },
}));
handle.destroy();
calculators.destroy();
