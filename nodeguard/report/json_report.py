"""The machine-readable format; its contract is documented in docs/json-format.md."""
from __future__ import annotations

import json
from collections.abc import Iterable

from nodeguard import __version__
from nodeguard.findings import Finding
from nodeguard.report.common import files_with_findings, ordered, severity_counts


def report(findings: Iterable[Finding]) -> dict:
    findings = ordered(findings)
    summary = {severity.label: count for severity, count in severity_counts(findings).items()}
    return {
        "version": __version__,
        "summary": {**summary, "files": files_with_findings(findings)},
        "findings": [finding.to_dict() for finding in findings],
    }


def render(findings: Iterable[Finding]) -> str:
    return json.dumps(report(findings), indent=2, ensure_ascii=False) + "\n"
