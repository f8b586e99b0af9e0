"""The standard library the calculators use, and nothing else: a small zip the worker hands Pyodide as `stdLibURL`.

Pyodide's python_stdlib.zip is 2.5 MB compressed; the calculators and Pyodide's own start use a small part of it. At
build time Node starts Pyodide from the full zip the way the worker does (the wheel unpacked with zipfile into
site-packages), answers requests built from the data, lets a Python error reach JavaScript (Pyodide formats it with
traceback), and lists every module imported from the zip, as pyodide-pack does. Those modules, Pyodide's own two
packages whole (their lazy imports differ between Node and a browser) and the sysconfig data go into the trimmed zip,
without docstrings, stored uncompressed for packing.py's xz, written deterministically (same inputs, same bytes) and
cached under build/.
tests/test_calculators_pyodide.py answers every calculator request from it, in Pyodide under Node.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

STDLIB_NAME = "calculators-stdlib.zip"  # the worker asks for this name in _pyodide/
FULL_STDLIB = "python_stdlib.zip"
TRACE_TIMEOUT_S = 180
ALWAYS = ("pyodide/", "_pyodide/", "_sysconfigdata_")  # kept whole: Pyodide's own start differs by environment

_TRACE_JS = r"""
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
const [runtime, wheel, out, python, always] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(runtime + "/pyodide.mjs").href);
const pyodide = await loadPyodide({ indexURL: runtime + "/", env: {}, stdout: () => {}, stderr: () => {} });
pyodide.FS.writeFile("/tmp/calculators.whl", readFileSync(wheel));
try { pyodide.runPython("raise ValueError('traced: an error reaching JavaScript')"); } catch (error) { /* expected */ }
pyodide.runPython(`import sys; sys.argv = ["trace", ${JSON.stringify(always)}]`);
pyodide.runPython(readFileSync(python, "utf-8"));
writeFileSync(out, pyodide.FS.readFile("/tmp/trimmed.zip"));
"""

# Run inside that Pyodide. Requests are built from the data itself (no handbook fact written here).
_TRACE_PY = r"""
import json, os, sys, zipfile, site, gc
with zipfile.ZipFile("/tmp/calculators.whl") as wheel:  # the worker's (and the snapshot's) way of installing
    wheel.extractall(site.getsitepackages()[0])
import calculators
ask = lambda **request: json.loads(calculators.handle_request(json.dumps(request)))
ask(calculator="nonsense")
calculators.handle_request("{not json")
for lang in ask(calculator="ready")["result"]["languages"]:
    ask(calculator="ready", lang=lang)
    ask(calculator="ui_words", lang=lang)
    for absent, enrolled in (("1.5", "10"), ("x", ""), ("-1", "0"), ("1e400", "nan"), ("３", "10")):
        ask(calculator="absentee", lang=lang, args={"days_absent": absent, "days_enrolled": enrolled})
    ask(calculator="consequence", lang=lang, args={"behavior": "?", "school_level": "?", "offense": "0"})
    for level in ask(calculator="school_levels", lang=lang)["result"]:
        rows = ask(calculator="behavior_options", lang=lang, args={"school_level": level["id"]})["result"]
        for row in rows:
            for offense in ("1", "2", "9", "x"):
                args = {"behavior": row["id"], "school_level": level["id"], "offense": offense}
                ask(calculator="consequence", lang=lang, args=args)
                ask(calculator="consequence", lang=lang, args={**args, "damage_usd": "100"})
                ask(calculator="consequence", lang=lang, args={**args, "damage_usd": "-x"})
gc.collect()
zips = [p for p in sys.path if p.endswith(".zip")]
used = set()
for module in list(sys.modules.values()):
    origin = getattr(getattr(module, "__spec__", None), "origin", None) or getattr(module, "__file__", None) or ""
    for z in zips:
        if origin.startswith(z + "/"):
            used.add(origin[len(z) + 1:])

# Packed here, by the Python that will read it. Each module as source (bytecode compresses worse), with its docstrings
# and comments left out the way `python -OO` leaves docstrings out: parsed with ast, docstrings dropped, unparsed.
# Stored, not deflated: the site sends the zip packed with xz (packing.py), which finds the repeats across files that
# deflating file by file cannot (0.29 instead of 0.40 MB). Fixed dates and name order: same inputs, same bytes.
import ast
ALWAYS = tuple(sys.argv[1].split("|"))

def without_docstrings(source):
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and body
                and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
    return ast.unparse(tree) + "\n"

with zipfile.ZipFile(zips[0]) as full, zipfile.ZipFile("/tmp/trimmed.zip", "w") as out:
    for name in sorted(n for n in full.namelist() if n.endswith(".py") and (n in used or n.startswith(ALWAYS))):
        info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_STORED
        out.writestr(info, without_docstrings(full.read(name).decode("utf-8")))
"""


def _key(runtime: Path, wheel: Path) -> str:
    digest = hashlib.sha256()
    for part in (_TRACE_JS.encode(), _TRACE_PY.encode(), "|".join(ALWAYS).encode(), wheel.read_bytes(),
                 (runtime / "pyodide-lock.json").read_bytes(), (runtime / FULL_STDLIB).read_bytes()):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()[:32]


def trace_and_pack(runtime: Path, wheel: Path, target: Path) -> bool:
    """Write to `target` the stdlib zip's modules imported while the calculators start and answer (traced and
    compiled by Pyodide under Node); False without Node or when it fails (the reason is printed)."""
    node = shutil.which("node")
    if node is None:
        print("Calculators: no `node` found, so the full standard library is shipped.")
        return None
    with tempfile.TemporaryDirectory(prefix="stdlib-trace-") as tmp:
        script, python, out = Path(tmp) / "trace.mjs", Path(tmp) / "trace.py", Path(tmp) / "trimmed.zip"
        script.write_text(_TRACE_JS, encoding="utf-8")
        python.write_text(_TRACE_PY, encoding="utf-8")
        try:
            done = subprocess.run([node, str(script), str(runtime.resolve()), str(wheel.resolve()), str(out),
                                   str(python), "|".join(ALWAYS)], capture_output=True, text=True, timeout=TRACE_TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired) as exc:
            print(f"Calculators: the standard library could not be traced ({exc}); the full one is shipped.")
            return None
        if done.returncode != 0 or not out.exists():
            lines = done.stderr.strip().splitlines() or ["no message"]
            print(f"Calculators: the standard library could not be traced (node: {lines[-1].strip()}); "
                  "the full one is shipped.")
            return None
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{target.name}.{os.getpid()}.part")
        shutil.copyfile(out, partial)
        os.replace(partial, target)  # builds side by side never see half a file
    return True


def trimmed_stdlib_for(runtime: Path, wheel: Path, cache: Path) -> Path | None:
    """The trimmed stdlib zip for this runtime (holding the full python_stdlib.zip) and wheel, cached; None when
    it cannot be traced (the site then keeps the full zip)."""
    target = cache / f"{_key(runtime, wheel)}.stdlib.zip"
    if target.exists():
        return target
    return target if trace_and_pack(runtime, wheel, target) else None
