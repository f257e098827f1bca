"""Inline pragmas: ``# nodeguard [stage|global] ignore=NG101,base-image-tag -- reason``.

A plain pragma covers the instruction right below its comment block (or the instruction it is written
inside, between continuation lines); a ``stage`` pragma covers the stage whose FROM follows it (else the
stage it is written in); a ``global`` pragma covers the whole file.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from nodeguard.findings import Finding
from nodeguard.model.instructions import Instruction, ParsedDockerfile
from nodeguard.patterns import LazyPattern
from nodeguard.record import Record
from nodeguard.rules.base import Rule

MODES = ("allow", "require-reason", "off")
WITHOUT_REASON, NOT_ALLOWED, UNKNOWN_RULE = "NG002", "NG003", "NG004"
MALFORMED, UNUSED = "NG006", "NG007"
PRAGMA_RULES = frozenset({WITHOUT_REASON, NOT_ALLOWED, UNKNOWN_RULE, MALFORMED, UNUSED})

_PRAGMA = re.compile(r"nodeguard\s+(?:(?P<scope>stage|global)\s+)?ignore\s*=\s*(?P<names>.*)", re.IGNORECASE)
# A comment that means to be a pragma: "nodeguard" first, then (past punctuation) an ignore word.
_LOOKS_LIKE_PRAGMA = re.compile(r"nodeguard\b\W*(?:(?:stage|global)\W+)?(?:ignore|disable|noqa)\b", re.IGNORECASE)
_REASON = LazyPattern(r"\s*--(?:\s+|$)")
_COMMENT_SPACE = " \t\v\f\r"


class Pragma(Record):
    """An inline comment that turns rules off for an instruction, a stage or the file."""

    path: str
    line: int  # where the comment is
    scope: str  # instruction | stage | global
    text: str  # the comment, without "#"
    rules: tuple[str, ...]  # the rule IDs it names
    unknown: tuple[str, ...]  # the names that are no rule
    reason: str | None
    start_line: int  # the lines it covers; 0..0 when it is not above any instruction
    end_line: int
    malformed: bool  # looks like a pragma but cannot be read: covers nothing

    def __init__(
        self,
        path: str,
        line: int,
        scope: str,
        text: str,
        rules: tuple[str, ...],
        unknown: tuple[str, ...],
        reason: str | None,
        start_line: int,
        end_line: int,
        malformed: bool = False,
    ) -> None:
        self.__dict__.update(
            path=path,
            line=line,
            scope=scope,
            text=text,
            rules=rules,
            unknown=unknown,
            reason=reason,
            start_line=start_line,
            end_line=end_line,
            malformed=malformed,
        )

    def covers(self, finding: Finding) -> bool:
        return (
            finding.path == self.path
            and finding.rule in self.rules
            and self.start_line <= finding.line <= self.end_line
        )


def parse_pragma(text: str) -> tuple[str, list[str], str | None] | None:
    """(scope, names, reason) of a comment's text, or None when it is no pragma."""
    match = _PRAGMA.fullmatch(text.strip(_COMMENT_SPACE))
    if match is None:
        return None
    names, reason = match.group("names"), None
    split = _REASON.search(names)
    if split is not None:
        names, reason = names[: split.start()], names[split.end():].strip() or None
    scope = (match.group("scope") or "instruction").lower()
    return scope, [name for name in re.split(r"[\s,]+", names) if name], reason


def find_pragmas(parsed: ParsedDockerfile, rules: Sequence[Rule] | None = None) -> list[Pragma]:
    """Every pragma comment of the file with the lines it covers. Rule names resolve against ``rules``
    (every registered rule by default)."""
    if rules is None:
        from nodeguard.rules import all_rules

        rules = all_rules()
    ids: dict[str, str] | None = None  # made at the first pragma: most files have none
    layout: _Layout | None = None
    pragmas = []
    for line, text in _comment_lines(parsed):
        parsed_pragma = parse_pragma(text)
        if parsed_pragma is None:
            if _LOOKS_LIKE_PRAGMA.match(text.strip(_COMMENT_SPACE)):
                pragmas.append(Pragma(parsed.path, line, "instruction", text.strip(_COMMENT_SPACE), (), (), None,
                                      0, 0, malformed=True))
            continue
        if ids is None or layout is None:
            ids = {rule.id: rule.id for rule in rules} | {rule.name: rule.id for rule in rules}
            layout = _Layout(parsed)
        scope, names, reason = parsed_pragma
        resolved = [ids.get(name) or ids.get(name.upper()) for name in names]
        start, end = layout.span(scope, line)
        pragmas.append(Pragma(
            path=parsed.path,
            line=line,
            scope=scope,
            text=text.strip(_COMMENT_SPACE),
            rules=tuple(dict.fromkeys(rule_id for rule_id in resolved if rule_id)),
            unknown=tuple(name for name, rule_id in zip(names, resolved) if rule_id is None),
            reason=reason,
            start_line=start,
            end_line=end,
        ))
    return pragmas


def _comment_lines(parsed: ParsedDockerfile) -> list[tuple[int, str]]:
    """(line, text after "#") of every Dockerfile comment; lines of heredoc bodies are not comments."""
    in_heredoc = {
        number
        for instruction in parsed.instructions
        for heredoc in instruction.heredocs
        for number in range(heredoc.start_line, heredoc.end_line + 1)
    }
    comments = []
    for number, line in enumerate(parsed.lines, 1):
        stripped = line.lstrip()
        if stripped.startswith("#") and number not in in_heredoc:
            comments.append((number, stripped[1:]))
    return comments


class _Layout:
    """Where the instructions and stages are, searched by bisection: a file with thousands of pragmas is
    read in n log n, not n²."""

    def __init__(self, parsed: ParsedDockerfile) -> None:
        self.instructions = parsed.instructions
        self.end_lines = [instruction.end_line for instruction in parsed.instructions]
        self.froms = [instruction.start_line for instruction in parsed.instructions if instruction.keyword == "FROM"]
        self.last_line = max(len(parsed.lines), 1)

    def span(self, scope: str, line: int) -> tuple[int, int]:
        if scope == "global":
            return 1, self.last_line
        if scope == "stage":
            return self._stage_span(line)
        instruction = self._instruction_at_or_below(line)
        if instruction is None:
            return 0, 0
        return instruction.start_line, instruction.end_line

    def _following(self, line: int) -> Instruction | None:
        """The first instruction that ends on or after ``line``."""
        index = bisect.bisect_left(self.end_lines, line)
        return self.instructions[index] if index < len(self.instructions) else None

    def _instruction_at_or_below(self, line: int) -> Instruction | None:
        """The instruction a plain pragma on ``line`` belongs to: the one it is written inside, else the one
        its comment block sits directly above."""
        instruction = self._following(line)
        if instruction is None or instruction.start_line <= line:
            return instruction
        first_comment = instruction.start_line - len(instruction.comments_above)
        return instruction if first_comment <= line else None

    def _stage_span(self, line: int) -> tuple[int, int]:
        """The lines of the stage whose FROM is the next instruction after ``line``, else of the stage
        ``line`` is in (the first stage for lines above every FROM)."""
        froms = self.froms
        if not froms:
            return 0, 0
        following = self._following(line)
        if following is not None and following.keyword == "FROM" and following.start_line > line:
            start = following.start_line
        else:
            before = bisect.bisect_right(froms, line)
            start = froms[before - 1] if before else froms[0]
        later = bisect.bisect_right(froms, start)
        return start, froms[later] - 1 if later < len(froms) else max(self.last_line, start)


def apply_pragmas(findings: list[Finding], pragmas: Sequence[Pragma], mode: str) -> list[Finding]:
    """The findings the pragmas leave, plus the pragmas' own findings (NG002, NG003, NG004).

    ``allow``: every pragma suppresses; ``require-reason``: only pragmas with a reason do, the others
    are reported; ``off``: none does and each is reported. Pragma findings are never suppressed.
    """
    if mode not in MODES:
        raise ValueError(f"unknown pragma mode {mode!r}; expected one of {', '.join(MODES)}")
    active = [p for p in pragmas if mode == "allow" or (mode == "require-reason" and p.reason)]
    covered = _Coverage(active)
    kept = [finding for finding in findings if finding.rule in PRAGMA_RULES or not covered.covers(finding)]
    return (
        kept
        + [finding for pragma in pragmas for finding in pragma_findings(pragma, mode)]
        + unused_pragma_findings(active, findings)
    )


def unused_pragma_findings(pragmas: Sequence[Pragma], findings: Sequence[Finding]) -> list[Finding]:
    """NG007 for each rule a pragma names that has no finding on the lines it covers, and for each rule about
    pragmas it names: a pragma never silences those, so naming one silences nothing wherever it is."""
    lines: dict[tuple[str, str], list[int]] = {}
    for finding in findings:
        if finding.rule not in PRAGMA_RULES:
            lines.setdefault((finding.path, finding.rule), []).append(finding.line)
    for found in lines.values():
        found.sort()
    unused = []
    for pragma in pragmas:
        for rule_id in pragma.rules:
            if rule_id in PRAGMA_RULES:
                listed = ", ".join(sorted(PRAGMA_RULES))
                unused.append(_finding(UNUSED, pragma, f"{rule_id} in `# {pragma.text}` silences nothing: a pragma "
                                                       f"never silences the findings about pragmas ({listed}); "
                                                       f"remove it from the pragma, and set `{rule_id}: off` under "
                                                       "the policy's `rules` to turn the rule off"))
                continue
            found = lines.get((pragma.path, rule_id), [])
            index = bisect.bisect_left(found, pragma.start_line)
            if not (index < len(found) and found[index] <= pragma.end_line):
                unused.append(_finding(UNUSED, pragma, f"{rule_id} in `# {pragma.text}` silences nothing here; "
                                                       "remove it from the pragma"))
    return unused


class _Coverage:
    """The lines each rule is silenced on, as sorted disjoint ranges per (path, rule)."""

    def __init__(self, pragmas: Sequence[Pragma]) -> None:
        spans: dict[tuple[str, str], list[tuple[int, int]]] = {}
        for pragma in pragmas:
            for rule_id in pragma.rules:
                spans.setdefault((pragma.path, rule_id), []).append((pragma.start_line, pragma.end_line))
        self.ranges = {key: _merged(ranges) for key, ranges in spans.items()}

    def covers(self, finding: Finding) -> bool:
        starts, ends = self.ranges.get((finding.path, finding.rule), ((), ()))
        index = bisect.bisect_right(starts, finding.line) - 1
        return index >= 0 and finding.line <= ends[index]


def _merged(ranges: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    starts: list[int] = []
    ends: list[int] = []
    for start, end in sorted(ranges):
        if start > end:
            continue
        if ends and start <= ends[-1] + 1:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends


def pragma_findings(pragma: Pragma, mode: str) -> list[Finding]:
    if pragma.malformed:
        return [_finding(MALFORMED, pragma, f"`# {pragma.text}` is not a pragma nodeguard can read, so it "
                                            "suppresses nothing; write `# nodeguard ignore=<rules> -- <reason>`")]
    if mode == "off":
        return [_finding(NOT_ALLOWED, pragma, f"inline pragmas are turned off by the policy, so `# {pragma.text}` "
                                               "suppresses nothing; fix the finding or change the policy file")]
    found = []
    if mode == "require-reason" and not pragma.reason:
        found.append(_finding(WITHOUT_REASON, pragma, f"`# {pragma.text}` gives no reason, so it suppresses "
                                                      "nothing; add ` -- <why>` after the rule names"))
    found.extend(
        _finding(UNKNOWN_RULE, pragma, f"`{name}` in `# {pragma.text}` is no nodeguard rule; "
                                       "`nodeguard rules` lists the IDs and names")
        for name in pragma.unknown
    )
    if not pragma.rules and not pragma.unknown:
        found.append(_finding(UNKNOWN_RULE, pragma, f"`# {pragma.text}` names no rule, so it suppresses nothing"))
    return found


def _finding(rule_id: str, pragma: Pragma, message: str) -> Finding:
    from nodeguard.rules import Problem, known_rule

    return known_rule(rule_id).finding(Problem(line=pragma.line, message=message), pragma.path)
