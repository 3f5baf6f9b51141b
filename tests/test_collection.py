"""pytest-xdist's workers each collect the suite, each with a hash seed of its own, and
refuse to run when their collections differ: a test parametrized over a set (say
``list(Role.agency_roles())``, a frozenset) gets its ids in another order in each. This test
collects the suite again in a process with another seed and compares."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _collect(seed: int, *args: str, cwd: Path = ROOT, env: dict | None = None) -> list[str]:
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
        cwd=cwd,
        env={**os.environ, **(env or {}), "PYTHONHASHSEED": str(seed)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return [line for line in run.stdout.splitlines() if "::" in line]


def test_it_collects_the_same_tests_in_the_same_order_whatever_the_hash_seed(request):
    here = [item.nodeid for item in request.session.items]
    seed = int(os.environ.get("PYTHONHASHSEED", "0") or 0) + 1
    there = _collect(seed, "tests")
    # This run may be a part of the suite (make test PYTEST_ARGS="tests/agencies"), its files
    # in the order they were named: compare its tests, file by file, in their order.
    missing = sorted(set(here) - set(there))
    assert not missing, f"tests another process does not collect: {missing[:10]}"
    kept = set(here)
    for name in dict.fromkeys(nodeid.partition("::")[0] for nodeid in here):
        mine = [nodeid for nodeid in here if nodeid.startswith(f"{name}::")]
        theirs = [nodeid for nodeid in there if nodeid.startswith(f"{name}::") and nodeid in kept]
        assert theirs == mine, f"{name} collects its tests in another order"


def test_it_tells_apart_two_collections_of_a_test_parametrized_over_a_set(tmp_path):
    # The comparison above can fail: a set's order changes with the seed.
    (tmp_path / "test_planted.py").write_text(
        "import pytest\n\n"
        '@pytest.mark.parametrize("role", list({"admin", "trainer", "reviewer", "liaison"}))\n'
        "def test_roles(role): pass\n"
    )
    plain = {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    runs = [_collect(seed, str(tmp_path), cwd=tmp_path, env=plain) for seed in (1, 2, 3)]
    assert len({tuple(run) for run in runs}) > 1
