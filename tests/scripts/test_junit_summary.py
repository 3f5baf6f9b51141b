"""``scripts/junit_summary.py`` counts each test once, run serially or with pytest-xdist."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PLANTED = """
import pytest

@pytest.fixture
def breaks_on_teardown():
    yield
    raise RuntimeError("teardown")

def test_passes(): pass
def test_fails(): assert False
def test_fails_then_breaks_on_teardown(breaks_on_teardown): assert False
def test_passes_then_breaks_on_teardown(breaks_on_teardown): pass
def test_skips(): pytest.skip("not here")

@pytest.mark.parametrize("n", range(4))
def test_passes_often(n): pass
"""

BROWSER = """
import pytest

def test_walks(): pass
def test_has_no_browser(): pytest.skip("no Chromium")
"""


@pytest.mark.parametrize("workers", [[], ["-p", "xdist", "-n", "2"]], ids=["serial", "xdist"])
def test_it_counts_each_test_once_with_its_worst_outcome(tmp_path, workers):
    for folder in ("tests", "tests/e2e"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "__init__.py").write_text("")
    (tmp_path / "tests" / "test_planted.py").write_text(PLANTED)
    (tmp_path / "tests" / "e2e" / "test_browser.py").write_text(BROWSER)
    report = tmp_path / "junit.xml"
    # Only the plugins the planted tests need: the project's would set up Django.
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            *workers,
            "-q",
            f"--junitxml={report}",
            "tests",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    summary = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "junit_summary.py"), str(report)],
        capture_output=True,
        text=True,
        check=True,
    )
    # passed failed skipped e2e_passed e2e_skipped total: 11 tests, one of them reported
    # twice by pytest (a failure, then an error in its teardown).
    assert summary.stdout.split() == ["6", "3", "2", "1", "1", "11"]
    assert "skipped browser test: tests.e2e.test_browser::test_has_no_browser" in summary.stderr
