"""GitLab's Code Quality report: a JSON array of issues (the Code Climate subset GitLab reads), written
to the file a job declares as ``artifacts:reports:codequality``."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from nodeguard.findings import Finding, Severity
from nodeguard.report.common import SECURITY_SECTIONS, ordered

SEVERITIES = {Severity.ERROR: "critical", Severity.WARNING: "major", Severity.INFO: "info"}


def fingerprint(finding: Finding) -> str:
    """Stable across runs while the finding stays; unique within a report (the engine reports each rule,
    file, line and message once)."""
    key = "\0".join((finding.rule, finding.path, str(finding.line), finding.message))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def issue(finding: Finding) -> dict:
    return {
        "type": "issue",
        "check_name": f"{finding.rule} {finding.name}",
        "description": finding.message,
        "categories": ["Security" if finding.section in SECURITY_SECTIONS else "Bug Risk"],
        "severity": SEVERITIES[finding.severity],
        "fingerprint": fingerprint(finding),
        "location": {"path": finding.path, "lines": {"begin": finding.line, "end": max(finding.end_line, finding.line)}},
    }


def render(findings: Iterable[Finding]) -> str:
    return json.dumps([issue(finding) for finding in ordered(findings)], indent=2, ensure_ascii=False) + "\n"
