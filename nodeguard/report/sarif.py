"""SARIF 2.1.0 for GitHub code scanning: one run, with the rules that appear in the findings.

Only the rules with findings are described (``tool.driver.rules``), so findings from nodeguard's own
section 0 without a ``Rule`` object get a descriptor built from the finding itself.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from urllib.parse import quote

from nodeguard import __version__
from nodeguard.findings import Finding, Fix, Severity
from nodeguard.report.common import SECURITY_SECTIONS, ordered
from nodeguard.rules.base import Rule

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/nodeguard/nodeguard"
SOURCE_ROOT = "%SRCROOT%"
FINGERPRINT_KEY = "nodeguard/v1"

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# GitHub ranks security findings by ``security-severity`` (7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low)
# when the rule is tagged ``security``.
SECURITY_SEVERITY = {Severity.ERROR: "8.0", Severity.WARNING: "5.5", Severity.INFO: "3.0"}

# The text of one line of a file (1-based), or None when it is not known.
LineText = Callable[[str, int], "str | None"]
RuleLookup = Callable[[str], "Rule | None"]


def render(
    findings: Iterable[Finding],
    *,
    line_text: LineText | Mapping[str, Sequence[str]] | None = None,
    rule_lookup: RuleLookup | None = None,
) -> str:
    """``line_text`` gives the instruction text the fingerprints are made from: a function of (path,
    line) or a mapping of path to the file's lines; without it they fall back to the message.
    ``rule_lookup`` finds a rule's metadata by ID (default: the rule registry)."""
    return json.dumps(sarif_log(findings, line_text, rule_lookup), indent=2, ensure_ascii=False) + "\n"


def sarif_log(
    findings: Iterable[Finding],
    line_text: LineText | Mapping[str, Sequence[str]] | None = None,
    rule_lookup: RuleLookup | None = None,
) -> dict:
    if rule_lookup is None:
        from nodeguard.rules import rule_by_id

        rule_lookup = rule_by_id
    findings = ordered(findings)
    first_by_rule = {finding.rule: finding for finding in reversed(findings)}
    rule_ids = sorted(first_by_rule)
    rule_index = {rule_id: index for index, rule_id in enumerate(rule_ids)}
    fingerprints = occurrence_fingerprints(findings, line_reader(line_text))
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "nodeguard",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [
                            rule_descriptor(first_by_rule[rule_id], rule_lookup(rule_id)) for rule_id in rule_ids
                        ],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [
                    result(finding, rule_index[finding.rule], fingerprint)
                    for finding, fingerprint in zip(findings, fingerprints)
                ],
            }
        ],
    }


def rule_descriptor(finding: Finding, rule: Rule | None) -> dict:
    """The rule's metadata, or for a finding without a ``Rule`` (section 0) what the finding tells."""
    if rule is None:
        return {
            "id": finding.rule,
            "name": finding.name,
            "shortDescription": {"text": finding.name.replace("-", " ").capitalize()},
            "defaultConfiguration": {"level": LEVELS[finding.severity]},
            "properties": rule_properties(finding.section, finding.severity),
        }
    descriptor = {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": first_paragraph(rule.doc) or rule.summary},
        "helpUri": rule.docs_url,
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": rule_properties(rule.section, rule.severity),
    }
    if rule.doc.strip():
        descriptor["help"] = {"text": rule.doc, "markdown": rule.doc}
    return descriptor


def rule_properties(section: int, severity: Severity) -> dict:
    tags = ["nodejs", "docker", f"section-{section}"]
    properties: dict = {"precision": "high"}
    if section in SECURITY_SECTIONS:
        tags.append("security")
        properties["security-severity"] = SECURITY_SEVERITY[severity]
    return {"tags": tags, **properties}


def first_paragraph(markdown: str) -> str:
    """The first paragraph of prose (not a heading, list, quote or code fence), on one line."""
    for paragraph in markdown.split("\n\n"):
        text = paragraph.strip()
        if text and not text.startswith(("#", "```", "~~~", "-", "*", ">", "|")):
            return " ".join(text.split())
    return ""


def result(finding: Finding, rule_index: int, fingerprint: str) -> dict:
    # SARIF requires lines and columns from 1; GitHub rejects the whole upload otherwise.
    start_line = max(finding.line, 1)
    location = artifact_location(finding.path)
    sarif_result = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": location,
                    "region": {
                        "startLine": start_line,
                        "endLine": max(finding.end_line, start_line),
                        "startColumn": max(finding.column, 1),
                    },
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    }
    if finding.fix is not None:
        sarif_result["fixes"] = [sarif_fix(finding.fix, location)]
    return sarif_result


def artifact_location(path: str) -> dict:
    """A repository-relative URI under ``%SRCROOT%``."""
    return {"uri": quote(path.replace("\\", "/").removeprefix("./")), "uriBaseId": SOURCE_ROOT}


def sarif_fix(fix: Fix, location: dict) -> dict:
    """Whole lines ``line``..``end_line`` with their newline give way to the replacement lines (none, for
    an insertion before ``line``)."""
    lines = f"line {fix.line}" if fix.end_line <= fix.line else f"lines {fix.line}-{fix.end_line}"
    action = "Insert before" if fix.inserts else "Replace" if fix.replacement else "Delete"
    return {
        "description": {"text": f"{action} {lines}"},
        "artifactChanges": [
            {
                "artifactLocation": location,
                "replacements": [
                    {
                        "deletedRegion": {
                            "startLine": fix.line,
                            "startColumn": 1,
                            "endLine": fix.line if fix.inserts else fix.end_line + 1,
                            "endColumn": 1,
                        },
                        "insertedContent": {"text": f"{fix.replacement}\n" if fix.replacement else ""},
                    }
                ],
            }
        ],
    }


def line_reader(line_text: LineText | Mapping[str, Sequence[str]] | None) -> LineText:
    if line_text is None:
        return lambda path, line: None
    if callable(line_text):
        return line_text
    return lambda path, line: nth_line(line_text.get(path), line)


def nth_line(lines: Sequence[str] | None, line: int) -> str | None:
    if lines is None or not 1 <= line <= len(lines):
        return None
    return lines[line - 1]


def occurrence_fingerprints(findings: list[Finding], read_line: LineText) -> list[str]:
    """A hash of rule, path and the flagged instruction's text (whitespace-insensitive), so an alert
    keeps its identity when lines above it move; ``:n`` tells apart the n-th identical occurrence."""
    seen: Counter[str] = Counter()
    fingerprints = []
    for finding in findings:
        digest = content_digest(finding, read_line)
        seen[digest] += 1
        fingerprints.append(f"{digest}:{seen[digest]}")
    return fingerprints


def content_digest(finding: Finding, read_line: LineText) -> str:
    texts = [read_line(finding.path, line) for line in range(finding.line, max(finding.end_line, finding.line) + 1)]
    if any(text is None for text in texts):
        subject = f"message\0{finding.message}"
    else:
        subject = "text\0" + " ".join(" ".join(text for text in texts if text is not None).split())
    return hashlib.sha256(f"{finding.rule}\0{finding.path}\0{subject}".encode()).hexdigest()[:32]
