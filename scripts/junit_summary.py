"""Read pytest's JUnit XML report and print the counts CI decides on.

    python scripts/junit_summary.py REPORT.xml

Prints one line: passed failed skipped e2e_passed e2e_skipped total (failed counts errors
too; e2e means a test under tests/e2e). Each skipped browser test is named on stderr.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET  # noqa: S405 (our own pytest's report)


def outcome(case: ET.Element) -> str:
    for kind in ("failure", "error", "skipped"):
        if case.find(kind) is not None:
            return kind
    return "passed"


def main() -> int:
    root = ET.parse(sys.argv[1]).getroot()  # noqa: S314
    totals = {"passed": 0, "failure": 0, "error": 0, "skipped": 0}
    e2e = dict(totals)
    cases = root.iter("testcase")
    count = 0
    for case in cases:
        count += 1
        kind = outcome(case)
        totals[kind] += 1
        if case.get("classname", "").startswith("tests.e2e."):
            e2e[kind] += 1
            if kind == "skipped":
                print(
                    f"skipped browser test: {case.get('classname')}::{case.get('name')}",
                    file=sys.stderr,
                )
    print(
        totals["passed"],
        totals["failure"] + totals["error"],
        totals["skipped"],
        e2e["passed"],
        e2e["skipped"],
        count,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
