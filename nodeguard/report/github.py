"""GitHub Actions workflow commands: an ``::error``/``::warning``/``::notice`` annotation a finding.

GitHub shows at most ten annotations of each level per step, so only that many are issued; every
finding is also printed as a plain log line, and a last line says how many had no annotation.
"""
from __future__ import annotations

import secrets
from collections.abc import Iterable

from nodeguard.findings import Finding, Severity
from nodeguard.report.common import FIX_COMMAND, finding_line, ordered, plural, summary_line

ANNOTATIONS_PER_LEVEL = 10

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """The escaping of a command's message (@actions/core ``escapeData``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """The escaping of a command's property value (@actions/core ``escapeProperty``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    properties = {
        "file": finding.path,
        "line": str(finding.line),
        "endLine": str(max(finding.end_line, finding.line)),
        "col": str(finding.column),
        "title": f"{finding.rule} {finding.name}",
    }
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{COMMANDS[finding.severity]} {joined}::{escape_data(finding.message)}"


def within_annotation_limit(findings: list[Finding]) -> list[Finding]:
    """The first ``ANNOTATIONS_PER_LEVEL`` findings of each level, in their order."""
    issued = dict.fromkeys(Severity, 0)
    shown = []
    for finding in findings:
        if issued[finding.severity] < ANNOTATIONS_PER_LEVEL:
            issued[finding.severity] += 1
            shown.append(finding)
    return shown


def log_block(findings: list[Finding], fix_command: str | None = FIX_COMMAND) -> list[str]:
    """Every finding as a plain log line, in a folded group.

    The lines quote paths and messages from the repository, and a line that starts with ``::`` would be
    taken for a command, so they stand between ``stop-commands`` and its resume token. The token is
    random for each run, as GitHub's documentation of ``stop-commands`` asks: nothing written in advance
    can contain the token that ends its own quoting.
    """
    lines = [finding_line(finding, fix_command=fix_command) for finding in findings]
    token = "nodeguard-" + secrets.token_hex(16)
    return [
        f"::group::nodeguard: {plural(len(findings), 'finding')}",
        f"::stop-commands::{token}",
        *lines,
        f"::{token}::",
        "::endgroup::",
    ]


def render(findings: Iterable[Finding], *, checked_files: int | None = None, fix_command: str | None = FIX_COMMAND) -> str:
    findings = ordered(findings)
    shown = within_annotation_limit(findings)
    lines = [annotation(finding) for finding in shown]
    if findings:
        lines.extend(log_block(findings, fix_command))
    lines.append(summary_line(findings, checked_files))
    hidden = len(findings) - len(shown)
    if hidden:
        lines.append(
            f"{plural(hidden, 'finding')} not shown as annotations (GitHub shows "
            f"{ANNOTATIONS_PER_LEVEL} of each level per step); the log above lists them all."
        )
    return "\n".join(lines) + "\n"
