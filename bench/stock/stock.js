// The reference start Pyodide's documentation shows: import, loadPyodide(), one runPython. npm's Pyodide folder as installed.
import { loadPyodide } from "../_pyodide/pyodide.mjs";

const status = document.getElementById("stock");
try {
  const pyodide = await loadPyodide();
  status.textContent = pyodide.runPython("import sys\nf'Python {sys.version.split()[0]}'");
  status.dataset.state = "ready";
} catch (error) {
  status.textContent = String(error);
  status.dataset.state = "error";
}
