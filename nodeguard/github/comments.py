"""Inline review comments: where each finding can go in the diff, its body, suggestion and fingerprint."""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from nodeguard.findings import Finding, Fix
from nodeguard.github.diff import Hunk, anchor_range
from nodeguard.report.common import printable
from nodeguard.rules import rule_by_id
from nodeguard.rules.base import DOCS_URL

# Only the body's closing line counts: a marker quoted in a message or a suggestion is not one.
FINGERPRINT = re.compile(r"<!-- nodeguard:fp=([0-9a-f]{20}) -->\s*\Z")


BACKTICK_RUN = re.compile(r"`+")
# What can start markdown inside a line: escapes, code, emphasis, strikethrough, links and images, HTML,
# entities, math; ":" before "/" and "www." start an autolink.
INLINE_SYNTAX = re.compile(r"[\\`*_~\[\]<>&$]|:(?=/)|(?<=www)\.", re.IGNORECASE)
# After "@" a mention or an e-mail link, after "#" an issue reference: a zero-width space breaks them.
REFERENCE_STARTS = re.compile(r"(?<=@)|(?<=#)(?=\d)")
# What starts a block when it opens a line: a heading, quote, list item, rule, table or setext line.
BLOCK_START = re.compile(r"[#>+=|-]|\d+[.)]")


def inert_text(text: str) -> str:
    """Text from the repository shown as plain text in GitHub's markdown: no HTML, emphasis, link, autolink,
    mention or issue reference can come out of it, and it starts no block where it opens a line."""
    escaped = INLINE_SYNTAX.sub(lambda match: "\\" + match.group(), printable(text))
    escaped = REFERENCE_STARTS.sub("\u200b", escaped)
    start = BLOCK_START.match(escaped)
    return f"{escaped[: start.end() - 1]}\\{escaped[start.end() - 1 :]}" if start else escaped


def code_span(text: str) -> str:
    """``text`` as one code span, whatever backticks it holds: the fence is longer than any run inside,
    and a space pads a content that starts or ends with a backtick or a space (markdown strips one)."""
    text = printable(text)
    if not text:
        return ""
    fence = "`" * (1 + max((len(run) for run in BACKTICK_RUN.findall(text)), default=0))
    pad = " " if text[0] in "` " or text[-1] in "` " else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def markdown_text(text: str) -> str:
    """A message (a rule's text quoting the repository in code spans) made inert: its code spans, as
    markdown reads them (a run of backticks closes at the next run of the same length), are rebuilt
    with safe fences; everything else is plain text (``inert_text``)."""
    text = printable(text).lstrip(" ")  # four leading spaces would make a code block
    runs = list(BACKTICK_RUN.finditer(text))
    parts, done, index = [], 0, 0
    while index < len(runs):
        opening = runs[index]
        closing = next((later for later in range(index + 1, len(runs)) if len(runs[later].group()) == len(opening.group())), None)
        if closing is None:
            index += 1
            continue
        parts += [inert_text(text[done : opening.start()]), code_span(text[opening.end() : runs[closing].start()])]
        done, index = runs[closing].end(), closing + 1
    return "".join([*parts, inert_text(text[done:])])


def docs_url(rule_id: str) -> str:
    rule = rule_by_id(rule_id)
    return rule.docs_url if rule is not None else DOCS_URL.format(id=rule_id)


def rule_link(finding: Finding) -> str:
    return f"[{finding.rule} {finding.name}]({docs_url(finding.rule)})"


def instruction_text(lines: Sequence[str], finding: Finding) -> str:
    """The finding's lines with their indentation and spacing normalised: what a re-push keeps the same."""
    chosen = lines[max(finding.line, 1) - 1 : max(finding.end_line, finding.line)]
    return "\n".join(" ".join(line.split()) for line in chosen)


def fingerprint(finding: Finding, lines: Sequence[str], occurrence: int = 0) -> str:
    """What marks the finding's comment across runs; ``occurrence`` tells apart findings of one rule on
    the same instruction (the first keeps the plain fingerprint)."""
    text = f"{finding.rule}\0{finding.path}\0{instruction_text(lines, finding)}"
    if occurrence:
        text += f"\0{occurrence}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def posted_fingerprints(bodies: Iterable[str]) -> set[str]:
    return {match.group(1) for body in bodies if (match := FINGERPRINT.search(body))}


def suggestion_block(fix: Fix | None, start: int, end: int, lines: Sequence[str], kind: str = "suggestion") -> str | None:
    """A GitHub ```suggestion replacing the commented lines ``start``..``end``; None unless the fix lies
    inside them (a suggestion replaces exactly the lines the comment covers)."""
    if fix is None or not (start <= fix.line and fix.end_line <= end and fix.line <= end + 1) or end > len(lines):
        return None
    new = fix.replacement.split("\n") if fix.replacement or fix.inserts else []
    replaced = list(lines[start - 1 : fix.line - 1]) + new + list(lines[fix.end_line : end])
    content = "\n".join(replaced)
    longest_run = max((len(run) for run in re.findall(r"`+", content)), default=0)
    fence = "`" * max(3, longest_run + 1)
    return f"{fence}{kind}\n{content}{chr(10) if content else ''}{fence}"


def fix_block(fix: Fix | None, start: int, end: int, lines: Sequence[str]) -> str | None:
    """A safe fix as a one-click suggestion; an unsafe one as a plain block to read and check first."""
    if fix is None or fix.safe:
        return suggestion_block(fix, start, end, lines)
    block = suggestion_block(fix, start, end, lines, kind="dockerfile")
    return None if block is None else f"Possible fix (check before applying):\n\n{block}"


def comment_body(finding: Finding, suggestion: str | None, mark: str, where: str = "") -> str:
    parts = [f"**nodeguard** · {finding.severity.label} · {rule_link(finding)}", where + markdown_text(finding.message)]
    if suggestion is not None:
        parts.append(suggestion)
    parts.append(f"<!-- nodeguard:fp={mark} -->")
    return "\n\n".join(parts)


@dataclass(frozen=True)
class InlineComment:
    finding: Finding
    start_line: int
    line: int
    body: str
    fingerprint: str
    file_level: bool = False  # on the file, not on lines: the line is not in the diff

    def payload(self) -> dict:
        """The comment as the create-a-review endpoint takes it (line/side, never the old ``position``)."""
        payload = {"path": self.finding.path, "line": self.line, "side": "RIGHT", "body": self.body}
        if self.start_line < self.line:
            payload.update(start_line=self.start_line, start_side="RIGHT")
        return payload


@dataclass
class CommentPlan:
    comments: list[InlineComment] = field(default_factory=list)
    already_posted: list[Finding] = field(default_factory=list)
    outside_diff: list[Finding] = field(default_factory=list)


def plan_comments(
    findings: Iterable[Finding],
    hunks_by_path: Mapping[str, tuple[Hunk, ...]],
    lines_by_path: Mapping[str, Sequence[str]],
    posted: set[str],
    file_level: bool = False,
) -> CommentPlan:
    """Split findings into new inline comments, comments already on the pull request, and findings no
    comment can carry (not on a line the diff shows, or a file whose text is unknown). With
    ``file_level``, a finding of a changed file off the diff's lines gets a comment on the file."""
    plan = CommentPlan()
    seen: Counter[str] = Counter()
    for finding in findings:
        lines = lines_by_path.get(finding.path)
        anchor = anchor_range(hunks_by_path.get(finding.path, ()), finding.line, finding.end_line)
        on_file = anchor is None and file_level and finding.path in hunks_by_path
        if (anchor is None and not on_file) or lines is None:
            plan.outside_diff.append(finding)
            continue
        first = fingerprint(finding, lines)
        mark = fingerprint(finding, lines, seen[first])
        seen[first] += 1
        if mark in posted:
            plan.already_posted.append(finding)
            continue
        if on_file:
            where = f"Line {finding.line}: " if finding.end_line <= finding.line else f"Lines {finding.line}–{finding.end_line}: "
            body = comment_body(finding, None, mark, where)
            plan.comments.append(InlineComment(finding, finding.line, finding.line, body, mark, file_level=True))
            continue
        assert anchor is not None  # a finding without one was placed on the file above
        start, end = anchor
        body = comment_body(finding, fix_block(finding.fix, start, end, lines), mark)
        plan.comments.append(InlineComment(finding, start, end, body, mark))
    return plan
