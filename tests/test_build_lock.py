"""Issue 22, item 6: builds never step on each other. A build writes beside site/ and swaps the complete site in; a
second build while one runs waits for it (or, past its patience, refuses with a sentence); site/ is always whole."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from build_scripts.outputs.site import BuildBusy, build_lock, build_site

from .conftest import PROJECT

PROSE = PROJECT / "tests" / "fixtures" / "prose" / "mkdocs.yml"
# A build as `make site` runs it, without the PDF (WeasyPrint would make the test slow; the swap is the same).
BUILD = ("import sys; from build_scripts.outputs.site import build_site; "
         "build_site(sys.argv[1], site_dir=sys.argv[2], work_dir=sys.argv[3], with_pdf=False, progress=print)")


def _start(site: Path, work: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", BUILD, str(PROSE), str(site), str(work)], cwd=PROJECT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _complete(site: Path) -> bool:
    return all((site / page).is_file() for page in ("index.html", "en/index.html", "es/index.html", "en/policy/index.html",
                                                    "es/policy/index.html", "sw.js"))


def test_two_builds_at_once_leave_a_complete_site_and_no_traceback(tmp_path):
    site = tmp_path / "site"
    build_site(PROSE, site_dir=site, work_dir=tmp_path / "work0", with_pdf=False)
    assert _complete(site)
    # as `make site` runs it, twice (`make serve` rebuilding meanwhile): the same site/, the same build/ (PDF too)
    builds = [subprocess.Popen([sys.executable, "-m", "build_scripts", "--config", str(PROSE), "--site-dir", str(site),
                                "build"], cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(PROJECT)},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
              for _ in range(2)]
    seen_incomplete = 0
    while any(build.poll() is None for build in builds):
        seen_incomplete += not _complete(site)  # a reader (or a server) looking at site/ meanwhile
        time.sleep(0.01)
    outputs = [build.communicate() for build in builds]
    assert [build.returncode for build in builds] == [0, 0], outputs
    assert not any("Traceback" in err or "Errno" in err for _, err in outputs), outputs
    assert seen_incomplete == 0 and _complete(site)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.lock", "site", "work0"]  # nothing left over
    # item 9: each says its stages as they start, and ends with where the site is and how to look at it
    for out, _ in outputs:
        stages = [line.split("] ", 1)[1] for line in out.splitlines()
                  if line.startswith("[") and "Another build" not in line]  # the one that waited says so too
        assert stages[:4] == ["Checking the source", "Making the printable PDF (en, es)", "Building the pages (en)",
                              "Building the pages (es)"], out
        assert stages[-1].startswith("Built site/ (en, es); consistency report: nothing found"), out
        assert out.splitlines()[-2:] == [
            "Preview it: `make serve`, then open http://127.0.0.1:8000/ (rebuilds when the handbook changes).",
            "Publish it: copy the folder site/ to the web host (docs/deploying.md)."], out
        assert "calculator" not in out.lower()  # the prose handbook has none


def test_a_build_waits_for_the_one_running_then_swaps_its_site_in(tmp_path):
    site = tmp_path / "site"
    build_site(PROSE, site_dir=site, work_dir=tmp_path / "work", with_pdf=False)
    before = (site / "en/index.html").stat().st_ino
    with open(tmp_path / ".site.lock", "a+") as held:  # another build, as the lock file shows it
        fcntl.flock(held, fcntl.LOCK_EX)
        held.truncate(0)
        held.write("process 4242")
        held.flush()
        waiting = _start(site, tmp_path / "work")
        time.sleep(3)
        assert waiting.poll() is None and (site / "en/index.html").stat().st_ino == before  # it waits, site/ untouched
        fcntl.flock(held, fcntl.LOCK_UN)
    out, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    assert f"Another build (process 4242) is writing {site}: waiting for it to finish" in out, out
    assert _complete(site) and (site / "en/index.html").stat().st_ino != before  # the new site, swapped in


def test_past_its_patience_a_build_refuses_in_a_sentence(tmp_path):
    site = tmp_path / "site"
    heard: list[str] = []
    with build_lock(site, 0, heard.append):
        with pytest.raises(BuildBusy, match=rf"another build \(process \d+\) is still writing {site}; run this one again"):
            build_site(PROSE, site_dir=site, work_dir=tmp_path / "work", with_pdf=False, wait_seconds=0.5)
    assert heard == [] and not site.exists()


@pytest.mark.parametrize("command, says", [("build", "Build refused"), ("serve", "Build refused"),
                                            ("pdf", "PDF build refused")])  # serve's builds and `make pdf` too
def test_the_command_line_says_it_refused_without_a_traceback(tmp_path, command, says):
    site = tmp_path / "site"
    with build_lock(site, 0, print):
        result = subprocess.run([sys.executable, "-m", "build_scripts", "--config", str(PROSE), "--site-dir", str(site),
                                 command, "--wait", "0", *(["--port", "0"] if command == "serve" else []),
                                 *(["--out", str(tmp_path / "pdf")] if command == "pdf" else [])],
                                cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.strip().endswith(f"{says}: another build (process {os.getpid()}) is still writing {site}; "
                                          "run this one again when it has finished"), result.stderr
    assert not site.exists() and not (tmp_path / "pdf").exists()


def test_a_failed_build_keeps_the_last_complete_site(tmp_path):
    site = tmp_path / "site"
    build_site(PROSE, site_dir=site, work_dir=tmp_path / "work", with_pdf=False)
    with pytest.raises(KeyboardInterrupt):
        build_site(PROSE, site_dir=site, work_dir=tmp_path / "work", with_pdf=False,
                   progress=lambda stage: (_ for _ in ()).throw(KeyboardInterrupt) if "pages (es)" in stage else None)
    assert _complete(site) and sorted(p.name for p in tmp_path.iterdir()) == [".site.lock", "site", "work"]
