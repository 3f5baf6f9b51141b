"""Read pytest's JUnit XML report and print the counts CI decides on.

    python scripts/junit_summary.py REPORT.xml

Prints one line: passed failed skipped e2e_passed e2e_skipped total (failed counts errors
too; e2e means a test under tests/e2e). Each skipped browser test is named on stderr.

Each test counts once, with its worst outcome: pytest writes two ``testcase`` elements for a
test that fails and then errors in its teardown, and with pytest-xdist (``-n``) the report
is merged from the workers' reports; a worker that crashed leaves its test as a failure.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET  # noqa: S405 (our own pytest's report)

#: Outcomes from the worst: a test with several records keeps the first of these it has.
SEVERITY = ("error", "failure", "skipped", "passed")


def outcome(case: ET.Element) -> str:
    for kind in SEVERITY[:-1]:
        if case.find(kind) is not None:
            return kind
    return "passed"


def outcomes(root: ET.Element) -> dict[tuple[str, str], str]:
    """The worst outcome of each test, by (classname, name)."""
    found: dict[tuple[str, str], str] = {}
    for case in root.iter("testcase"):
        key = (case.get("classname", ""), case.get("name", ""))
        kind = outcome(case)
        if key not in found or SEVERITY.index(kind) < SEVERITY.index(found[key]):
            found[key] = kind
    return found


def main() -> int:
    root = ET.parse(sys.argv[1]).getroot()  # noqa: S314
    totals = dict.fromkeys(SEVERITY, 0)
    e2e = dict(totals)
    tests = outcomes(root)
    for (classname, name), kind in tests.items():
        totals[kind] += 1
        if classname.startswith("tests.e2e."):
            e2e[kind] += 1
            if kind == "skipped":
                print(f"skipped browser test: {classname}::{name}", file=sys.stderr)
    print(
        totals["passed"],
        totals["failure"] + totals["error"],
        totals["skipped"],
        e2e["passed"],
        e2e["skipped"],
        len(tests),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
