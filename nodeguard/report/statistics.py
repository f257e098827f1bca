"""``--statistics``: how many findings each rule has, most first (as ruff prints them)."""
from __future__ import annotations

import json as json_module
from collections import Counter
from collections.abc import Iterable

from nodeguard.findings import Finding
from nodeguard.report.common import summary_line


def rows(findings: Iterable[Finding]) -> list[dict]:
    findings = list(findings)
    counts = Counter(finding.rule for finding in findings)
    fixable = Counter(finding.rule for finding in findings if finding.fix is not None)
    names = {finding.rule: finding.name for finding in findings}
    ordered = sorted(counts, key=lambda rule: (-counts[rule], rule))
    return [{"rule": rule, "name": names[rule], "count": counts[rule], "fixable": fixable[rule]} for rule in ordered]


def render(findings: Iterable[Finding], *, json: bool = False, checked_files: int | None = None) -> str:
    """A JSON array of ``{rule, name, count, fixable}``, or aligned text lines and the summary line."""
    findings = list(findings)
    table = rows(findings)
    if json:
        return json_module.dumps(table, indent=2) + "\n"
    width = max((len(str(row["count"])) for row in table), default=1)
    lines = [
        f"{row['count']:>{width}}  {row['rule']:<7} {row['name']}"
        + (f" ({row['fixable']} fixable)" if row["fixable"] else "")
        for row in table
    ]
    return "\n".join([*lines, summary_line(findings, checked_files)]) + "\n"
