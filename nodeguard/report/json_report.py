"""The machine-readable format; its contract is documented in docs/json-format.md."""
from __future__ import annotations

import json
from collections.abc import Iterable

from nodeguard import __version__
from nodeguard.findings import Finding
from nodeguard.report.common import files_with_findings, ordered, severity_counts


def report(findings: Iterable[Finding], checked_files: int | None = None) -> dict:
    findings = ordered(findings)
    summary = {severity.label: count for severity, count in severity_counts(findings).items()}
    with_findings = files_with_findings(findings)
    checked = with_findings if checked_files is None else max(checked_files, with_findings)
    return {
        "version": __version__,
        "summary": {**summary, "files": with_findings, "checked": checked},
        "findings": [finding.to_dict() for finding in findings],
    }


def render(findings: Iterable[Finding], *, checked_files: int | None = None) -> str:
    """``checked_files``: how many files were checked (``summary.checked``); by default the files with
    findings."""
    return json.dumps(report(findings, checked_files), indent=2, ensure_ascii=False) + "\n"
