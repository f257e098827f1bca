"""The machine-readable format; its contract is documented in docs/json-format.md.

The report is written field by field, byte for byte as ``json.dumps(report, indent=2, ensure_ascii=False)``
writes it (a test holds the two equal): with an indent, ``json.dumps`` runs its pure-Python encoder, which
took most of a large run's reporting time.
"""
from __future__ import annotations

from collections.abc import Iterable
from json.encoder import encode_basestring  # what json.dumps quotes a string with when ensure_ascii=False

from nodeguard import __version__
from nodeguard.findings import Finding, Fix
from nodeguard.report.common import files_with_findings, ordered, severity_counts

_FINDING = """\
    {
      "rule": %s,
      "name": %s,
      "section": %d,
      "severity": %s,
      "path": %s,
      "line": %d,
      "end_line": %d,
      "column": %d,
      "message": %s,
      "fix": %s
    }"""
_FIX = """\
{
        "line": %d,
        "end_line": %d,
        "replacement": %s,
        "applicability": %s
      }"""


def render(findings: Iterable[Finding], *, checked_files: int | None = None) -> str:
    """``checked_files``: how many files were checked (``summary.checked``); by default the files with
    findings."""
    findings = ordered(findings)
    counts = severity_counts(findings)
    with_findings = files_with_findings(findings)
    checked = with_findings if checked_files is None else max(checked_files, with_findings)
    summary = [*((severity.label, count) for severity, count in counts.items()), ("files", with_findings),
               ("checked", checked)]
    head = (
        f'{{\n  "version": {encode_basestring(__version__)},\n  "summary": {{\n'
        + ",\n".join(f"    {encode_basestring(key)}: {count}" for key, count in summary)
        + '\n  },\n  "findings": '
    )
    if not findings:
        return head + "[]\n}\n"
    labels = {severity: encode_basestring(severity.label) for severity in counts}
    written = [
        _FINDING % (
            encode_basestring(finding.rule),
            encode_basestring(finding.name),
            finding.section,
            labels[finding.severity],
            encode_basestring(finding.path),
            finding.line,
            finding.end_line,
            finding.column,
            encode_basestring(finding.message),
            _fix(finding.fix),
        )
        for finding in findings
    ]
    return head + "[\n" + ",\n".join(written) + "\n  ]\n}\n"


def _fix(fix: Fix | None) -> str:
    if fix is None:
        return "null"
    return _FIX % (fix.line, fix.end_line, encode_basestring(fix.replacement), encode_basestring(fix.applicability.value))
