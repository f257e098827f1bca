"""What several reporters share: the order of findings, the one-line form of a finding, the summary."""
from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable

from nodeguard.findings import Finding, Severity

# Practices whose findings are security weaknesses: not root, vulnerabilities, secrets, secret mounts.
SECURITY_SECTIONS = frozenset({4, 7, 8, 10})

FIX_COMMAND = "nodeguard check --fix"  # what a reader runs to apply the fixes; the CLI adds the flags a fix needed
UNSAFE_FIX_HINT = "(fixable with --unsafe-fixes: check the change)"

# Paints ``text`` in a named style ("path", "rule", "hint", or a severity label); ``unpainted`` leaves it.
Paint = Callable[[str, str], str]

_ESCAPES = {"\n": "\\n", "\r": "\\r"}


def unpainted(style: str, text: str) -> str:
    return text


def ordered(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=Finding.sort_key)


def printable(text: str) -> str:
    """Show control characters as escapes, so a message or path from the input stays on one line and
    cannot drive the terminal (ANSI sequences) or start a CI workflow command on a line of its own."""
    return "".join(
        _ESCAPES.get(char, f"\\x{ord(char):02x}")
        if unicodedata.category(char) == "Cc" and char != "\t"
        else char
        for char in text
    )


def finding_line(finding: Finding, paint: Paint = unpainted, fix_command: str | None = FIX_COMMAND) -> str:
    """``path:line:col: ID severity message``, with the fix hint when the finding has a fix (none when
    ``fix_command`` is None: standard input, which cannot be fixed in place)."""
    parts = [
        paint("path", f"{printable(finding.path)}:{finding.line}:{finding.column}:"),
        paint("rule", finding.rule),
        paint(finding.severity.label, finding.severity.label),
        printable(finding.message),
    ]
    if finding.fix is not None and fix_command is not None:
        parts.append(paint("hint", f"(fixable: run {fix_command})" if finding.fix.safe else UNSAFE_FIX_HINT))
    return " ".join(parts)


def fixable_line(findings: Iterable[Finding], fix_command: str | None = FIX_COMMAND) -> str:
    """``2 fixable with `nodeguard check --fix` (1 more with `--unsafe-fixes`)``, or "" when none is (or
    when ``fix_command`` is None)."""
    fixes = [finding.fix for finding in findings if finding.fix is not None and fix_command is not None]
    safe = sum(1 for fix in fixes if fix.safe)
    unsafe = len(fixes) - safe
    if not fixes:
        return ""
    if not safe:
        return f"{unsafe} fixable with `{fix_command} --unsafe-fixes` (check each change: `--diff` shows them)"
    more = f" ({unsafe} more with `--unsafe-fixes`)" if unsafe else ""
    return f"{safe} fixable with `{fix_command}`{more}"


def severity_counts(findings: Iterable[Finding]) -> dict[Severity, int]:
    """Findings per severity, every severity present, most severe first."""
    counts = Counter(finding.severity for finding in findings)
    return {severity: counts[severity] for severity in sorted(Severity, reverse=True)}


def files_with_findings(findings: Iterable[Finding]) -> int:
    return len({finding.path for finding in findings})


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 or noun == "info" else f"{count} {noun}s"


def summary_line(findings: list[Finding], checked_files: int | None = None) -> str:
    """``3 errors, 2 warnings in 2 files`` (severities without findings are left out), counting files the
    way the JSON report does: the files with findings, and of how many checked when the caller knows and
    it is more (``in 1 of 3 files``); ``No problems found in N files.`` with N checked."""
    if not findings:
        if checked_files is None:
            return "No problems found."
        return f"No problems found in {plural(checked_files, 'file')}."
    counts = ", ".join(
        plural(count, severity.label) for severity, count in severity_counts(findings).items() if count
    )
    with_findings = files_with_findings(findings)
    if checked_files is not None and checked_files > with_findings:
        return f"{counts} in {with_findings} of {plural(checked_files, 'file')}"
    return f"{counts} in {plural(with_findings, 'file')}"
