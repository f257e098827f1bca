"""The markdown summary of a run: counts, every finding by file and rule with links, and notes.

The same text goes to the check run and to GITHUB_STEP_SUMMARY, each cut to its limit in UTF-8 bytes
(GitHub refuses a check run whose summary "exceeds a maximum bytesize of 65535", and drops a step summary
over 1 MiB whole): when it must be cut, it ends with a note saying how many findings are left out and
where they are.
"""
from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import groupby

from nodeguard.findings import Finding
from nodeguard.github.comments import code_span, markdown_text, rule_link
from nodeguard.report.common import ordered, plural, summary_line

CHECK_RUN_LIMIT = 65_535  # UTF-8 bytes of output.summary / output.text
STEP_SUMMARY_LIMIT = 1024 * 1024  # UTF-8 bytes


class Placement(enum.Enum):
    INLINE = "inline comment"
    ALREADY_COMMENTED = "already commented on this pull request"
    OUTSIDE_DIFF = "not on a line of the diff"
    REFUSED = "GitHub refused the inline comment"
    NOT_POSTED = "the review could not be posted"
    HEAD_MOVED = "not commented: the pull request's head moved during the run"
    OVER_CAP = "not commented: over the max-comments cap"
    FILTERED = "not commented: outside the lines the filter input selects"


@dataclass(frozen=True)
class RunReport:
    findings: Sequence[Finding]
    checked_files: int
    conclusion: str  # success | failure
    fail_on: str  # error | warning | info | never
    policy: str  # where the policy came from
    placements: Mapping[Finding, Placement] = field(default_factory=dict)
    notes: Sequence[str] = ()
    error: str | None = None  # why nothing could be checked (an invalid policy)


def title(report: RunReport) -> str:
    if report.error is not None:
        return "nodeguard could not check this commit"
    return summary_line(list(report.findings), report.checked_files).rstrip(".")


def _finding_entry(finding: Finding, placement: Placement | None) -> str:
    where = f"line {finding.line}" if finding.end_line <= finding.line else f"lines {finding.line}–{finding.end_line}"
    note = f" _({placement.value})_" if placement is not None else ""
    return f"  - {where}: {markdown_text(finding.message)}{note}"


def _entries(report: RunReport) -> list[tuple[str, int]]:
    """Markdown lines of the findings, each with the number of findings it shows."""
    entries: list[tuple[str, int]] = []
    for path, in_file in groupby(ordered(report.findings), key=lambda f: f.path):
        entries.append((f"\n### {code_span(path)}\n", 0))
        for _, group in groupby(sorted(in_file, key=lambda f: (f.rule, f.line)), key=lambda f: f.rule):
            in_rule = list(group)
            first = in_rule[0]
            entries.append((f"- **{rule_link(first)}** · {first.severity.label}", 0))
            entries.extend((_finding_entry(f, report.placements.get(f)), 1) for f in in_rule)
    return entries


def render_summary(report: RunReport, limit: int) -> str:
    """The summary, cut to ``limit`` UTF-8 bytes."""
    measure = utf8_size
    head = [
        "## nodeguard",
        "",
        f"**{title(report)}** · conclusion: **{report.conclusion}** (fails on: {report.fail_on})",
        "",
        f"Policy: {markdown_text(report.policy)}",
    ]
    if report.error is not None:
        head += ["", f"**Error:** {markdown_text(report.error)}"]
    tail = ["", "### Notes", *(f"- {markdown_text(note)}" for note in report.notes)] if report.notes else []
    text = "\n".join(head)
    closing = "\n" + "\n".join(tail) if tail else ""
    entries = _entries(report)
    left_out = sum(count for _, count in entries)
    size = measure(text) + measure(closing)
    lines = [text]
    for line, count in entries:
        cut_note = f"\n\n_… {plural(left_out, 'more finding')} not shown here: the annotations and the log list every one._"
        size += measure("\n" + line)
        if size + (measure(cut_note) if left_out > count else 0) > limit:
            return "".join(lines) + cut_note + closing + "\n"
        lines.append("\n" + line)
        left_out -= count
    return "".join(lines) + closing + "\n"


def utf8_size(text: str) -> int:
    return len(text.encode("utf-8"))


def cut_to_bytes(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes, never inside a character."""
    data = text.encode("utf-8")
    return text if len(data) <= limit else data[:limit].decode("utf-8", "ignore")
