"""Apply the mechanical fixes that rules attach to findings: line by line as the parser numbers the lines,
every other byte kept, in rounds until nothing more applies.

The text is split exactly as ``model/parse.py`` splits it (on "\\n", a line's trailing "\\r" belonging to
its ending; on "\\r" in a CR-only file), so a fix lands on the line it names, and each line keeps its
own ending. Fixes are planned in memory: ``--diff`` prints the plan and ``--fix`` writes it, so the two
cannot disagree.
"""
from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nodeguard.findings import Finding, Fix

MAX_ROUNDS = 5
BOM = "\ufeff"


@dataclass
class SplitText:
    """A text as lines the parser would number: ``contents[i]`` is line i + 1 without its ending.

    ``prefix`` is a byte order mark; ``tail`` is what follows the last line that the parser does not
    count as a line (a final segment of only "\\r"s)."""

    prefix: str
    contents: list[str]
    endings: list[str]
    tail: str

    def join(self) -> str:
        return self.prefix + "".join(c + e for c, e in zip(self.contents, self.endings)) + self.tail


def split_lines(text: str) -> SplitText:
    prefix = BOM if text.startswith(BOM) else ""
    body = text[len(prefix):]
    separator = "\r" if cr_only(body) else "\n"
    segments = body.split(separator)
    contents: list[str] = []
    endings: list[str] = []
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        content = segment if separator == "\r" else segment.rstrip("\r")
        if last and content == "":
            return SplitText(prefix, contents, endings, segment)
        contents.append(content)
        endings.append(segment[len(content):] + ("" if last else separator))
    return SplitText(prefix, contents, endings, "")


def cr_only(text: str) -> bool:
    """Lines end with CR alone (classic Mac OS): the parser splits on "\\r"; Docker and GitHub see one line."""
    return "\n" not in text and "\r" in text.rstrip("\r")


def _usual_ending(split: SplitText) -> str:
    counts = Counter(ending for ending in split.endings if ending)
    if counts:
        return max(counts, key=lambda ending: (counts[ending], ending == "\n"))
    return "\r" if cr_only(split.join()) else "\n"


def overlaps(first: Fix, second: Fix) -> bool:
    """Two fixes touch the same lines; an insertion overlaps a replacement only strictly inside it."""
    if first.inserts and second.inserts:
        return False
    if first.inserts or second.inserts:
        point, span = (first, second) if first.inserts else (second, first)
        return span.line < point.line <= span.end_line
    return first.line <= second.end_line and second.line <= first.end_line


def applicable(fix: Fix, line_count: int, broken_from: int | None = None) -> bool:
    """The fix names lines that exist, and stays before the first line the parser could not read."""
    last = line_count + 1 if fix.inserts else line_count
    if not (1 <= fix.line <= last and fix.end_line <= line_count and fix.end_line >= fix.line - 1):
        return False
    return broken_from is None or fix.before(broken_from)


def choose(fixes: Sequence[Fix], line_count: int, broken_from: int | None = None) -> list[Fix]:
    """The fixes that can be applied together: in order, each that overlaps none chosen before it, and
    no insertion twice."""
    chosen: list[Fix] = []
    for fix in fixes:
        if fix in chosen or not applicable(fix, line_count, broken_from):
            continue
        if not any(overlaps(fix, other) for other in chosen):
            chosen.append(fix)
    return chosen


def apply_fixes(text: str, fixes: Iterable[Fix]) -> str:
    """``text`` with ``fixes`` applied (they must not overlap: see ``choose``). A new line takes the ending
    of the line it replaces, or of the line before it; every other byte stays."""
    split = split_lines(text)
    usual = _usual_ending(split)
    for _, fix in _bottom_up(list(fixes)):
        new = fix.replacement.split("\n") if fix.replacement or fix.inserts else []
        start = fix.line - 1
        if fix.inserts:
            endings = _insert_endings(split, start, len(new), usual)
            split.contents[start:start] = new
            split.endings[start:start] = endings
        else:
            old = split.endings[start:fix.end_line]
            endings = [old[i] if i < len(old) - 1 else old[-1] or usual for i in range(len(new))]
            if new:
                endings[-1] = old[-1]
            split.contents[start:fix.end_line] = new
            split.endings[start:fix.end_line] = endings
    return split.join()


def _bottom_up(fixes: list[Fix]) -> list[tuple[int, Fix]]:
    """The order that keeps the line numbers of fixes still to apply: the last lines first; at one line a
    replacement before the insertions above it, and insertions in reverse, so they end up in order."""
    return sorted(enumerate(fixes), key=lambda item: (item[1].line, not item[1].inserts, item[0]), reverse=True)


def _insert_endings(split: SplitText, start: int, count: int, usual: str) -> list[str]:
    if start == len(split.contents) and start > 0 and not split.endings[start - 1]:
        split.endings[start - 1] = usual  # the old last line had no ending; the new last line has none
        return [usual] * (count - 1) + [""]
    before = split.endings[start - 1] if start > 0 else split.endings[0] if split.endings else usual
    return [before or usual] * count


@dataclass
class FileFixes:
    """What fixing one file does: its text before and after, and the findings whose fixes were applied,
    round by round."""

    path: str
    original: str
    text: str
    applied: list[list[Finding]] = field(default_factory=list)
    inserted: set[str] = field(default_factory=set)  # lines fixes added: never added twice
    texts: set[str] = field(default_factory=set)  # every text the file had: no fix goes back to one

    def __post_init__(self) -> None:
        self.texts.add(self.original)

    @property
    def changed(self) -> bool:
        return self.text != self.original

    def count(self) -> int:
        return sum(len(round_) for round_ in self.applied)

    def diff(self) -> str:
        lines = difflib.unified_diff(
            _whole_lines(self.original),
            _whole_lines(self.text),
            fromfile=self.path if self._unprefixed() else f"a/{self.path}",
            tofile=self.path if self._unprefixed() else f"b/{self.path}",
        )
        return "".join(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n"
                       for line in lines)

    def _unprefixed(self) -> bool:
        """An absolute path, or ``-`` (standard input), is shown as it is: no a/ and b/ to strip."""
        return self.path == "-" or Path(self.path).is_absolute()


def _whole_lines(text: str) -> list[str]:
    split = split_lines(text)
    lines = [content + ending for content, ending in zip(split.contents, split.endings)]
    if lines:
        lines[0] = split.prefix + lines[0]
        lines[-1] += split.tail
    return lines


def wanted(finding: Finding, unsafe: bool) -> bool:
    return finding.fix is not None and (unsafe or finding.fix.safe)


def plan_fixes(paths: Sequence[str], policy, *, unsafe: bool = False, force_exclude: bool = False) -> list[FileFixes]:
    """The fixes of the files that ``paths`` name, planned in memory (see ``plan_rounds``)."""
    from nodeguard.engine import check_paths
    from nodeguard.model.context import DiskCache

    cwd = Path.cwd()

    def check(texts: Mapping[str, str]) -> list[Finding]:
        edits = {(cwd / path).resolve(): text for path, text in texts.items()}
        return check_paths(paths, policy, force_exclude=force_exclude, disk=DiskCache(edits=edits)).findings

    return plan_rounds(check, _read, unsafe=unsafe)


def plan_rounds(
    check: Callable[[Mapping[str, str]], list[Finding]],
    read: Callable[[str], FileFixes | None],
    *,
    unsafe: bool = False,
) -> list[FileFixes]:
    """Fix files in memory, re-checking after each round, until no fix applies (at most MAX_ROUNDS).

    ``check`` gives the findings with the texts planned so far (by the path findings name) standing in
    for the files; ``read`` gives a file's text (None: it cannot be fixed). A round applies, per file,
    every wanted fix that overlaps no other (the rest wait for the next round, re-checked against the
    new text). A Dockerfile that does not parse cleanly gets no fix at or after its first problem; a line
    a fix inserted once is not inserted again; no round returns a file to a text it had before."""
    files: dict[str, FileFixes] = {}
    for _ in range(MAX_ROUNDS):
        by_path: dict[str, list[Finding]] = {}
        for finding in check({path: file.text for path, file in files.items()}):
            if wanted(finding, unsafe):
                by_path.setdefault(finding.path, []).append(finding)
        changed = False
        for path, candidates in by_path.items():
            file = files.get(path) or read(path)
            if file is not None and _fix_round(file, candidates):
                files[path] = file
                changed = True
        if not changed:
            break
    return [file for file in files.values() if file.changed]


def _read(path: str) -> FileFixes | None:
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return FileFixes(path, text, text)


def _fix_round(file: FileFixes, candidates: list[Finding]) -> bool:
    split = split_lines(file.text)
    fresh = [f for f in candidates if f.fix is not None and not (_added_lines(f.fix, split) & file.inserted)]
    chosen = choose([f.fix for f in fresh if f.fix is not None], len(split.contents), _first_problem(file))
    chosen, new_text = _keeping_the_rest(file, chosen)
    if new_text in file.texts:
        return False
    for fix in chosen:
        file.inserted |= _added_lines(fix, split)
    file.texts.add(new_text)
    file.text = new_text
    file.applied.append([next(f for f in fresh if f.fix == fix) for fix in chosen])
    return True


def _keeping_the_rest(file: FileFixes, fixes: list[Fix]) -> tuple[list[Fix], str]:
    """The fixes that change no instruction but the ones on their own lines (an insertion after a line
    ending in a continuation would join the next instruction), and the text they make: all of them when
    together they pass, else those that pass one by one, from the bottom up."""
    text = file.text
    together = apply_fixes(text, fixes)
    if _is_ignore_file(file.path) or _changes_only_their_lines(text, together, fixes):
        return fixes, together
    kept = []
    for _, fix in _bottom_up(fixes):
        candidate = apply_fixes(text, [fix])
        if _changes_only_their_lines(text, candidate, [fix]):
            kept.append(fix)
            text = candidate
    return [fix for fix in fixes if fix in kept], text


def _changes_only_their_lines(old: str, new: str, fixes: list[Fix]) -> bool:
    from nodeguard.model.parse import parse_dockerfile

    before, after = parse_dockerfile("Dockerfile", old.encode()), parse_dockerfile("Dockerfile", new.encode())
    if len(after.problems) > len(before.problems):
        return False
    replaced = [(fix.line, fix.end_line) for fix in fixes if not fix.inserts]
    written, shift = [], 0
    for _, fix in reversed(_bottom_up(fixes)):  # top down, as the lines stand in the new text
        count = len(fix.replacement.split("\n")) if fix.replacement or fix.inserts else 0
        written.append((fix.line + shift, fix.line + shift + count - 1))
        shift += count - (fix.end_line - fix.line + 1)
    old_words = [(i.keyword, i.original) for i in before.instructions]
    new_words = [(i.keyword, i.original) for i in after.instructions]
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old_words, new_words, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if not all(_overlaps_any(i, replaced) for i in before.instructions[i1:i2]):
            return False
        if not all(_overlaps_any(i, written) for i in after.instructions[j1:j2]):
            return False
    return True


def _overlaps_any(instruction, spans: list[tuple[int, int]]) -> bool:
    return any(instruction.start_line <= end and start <= instruction.end_line for start, end in spans)


def _is_ignore_file(path: str) -> bool:
    from nodeguard.discover import is_ignore_file_name

    return is_ignore_file_name(Path(path).name)


def _added_lines(fix: Fix, split: SplitText) -> set[str]:
    old = set(split.contents[fix.line - 1:fix.end_line])
    return {line for line in fix.replacement.split("\n") if line.strip() and line not in old}


def _first_problem(file: FileFixes) -> int | None:
    """The first line of a Dockerfile that the parser could not read, or None when it reads cleanly."""
    from nodeguard.model.parse import parse_dockerfile

    if _is_ignore_file(file.path):
        return None
    problems = parse_dockerfile(file.path, file.text.encode("utf-8")).problems
    return min((problem.line for problem in problems), default=None)


def fix_paths(paths: Sequence[str], policy, *, unsafe: bool = False, force_exclude: bool = False) -> list[FileFixes]:
    """Plan the fixes and write them; the files changed."""
    planned = plan_fixes(paths, policy, unsafe=unsafe, force_exclude=force_exclude)
    for file in planned:
        Path(file.path).write_bytes(file.text.encode("utf-8"))
    return planned


def describe(file: FileFixes) -> str:
    """``fixed 3 problems in Dockerfile (NG103 1, NG301 2; in 2 rounds: a fix made another possible)``."""
    per_rule = Counter(finding.rule for round_ in file.applied for finding in round_)
    rules = ", ".join(f"{rule} {count}" for rule, count in sorted(per_rule.items()))
    count = file.count()
    text = f"fixed {count} problem{'s' if count != 1 else ''} in {file.path} ({rules}"
    if len(file.applied) > 1:
        text += f"; in {len(file.applied)} rounds: fixes made others possible"
    return text + ")"


def listed(file: FileFixes) -> list[str]:
    """One line per fix applied: ``Dockerfile:4: NG501 safe (round 1) message``."""
    return [
        f"{file.path}:{fix.line}: {finding.rule} {fix.applicability.value} (round {number}) {finding.message}"
        for number, round_ in enumerate(file.applied, 1)
        for finding, fix in sorted(_with_fixes(round_), key=lambda pair: (pair[1].line, pair[0].rule))
    ]


def _with_fixes(findings: list[Finding]) -> list[tuple[Finding, Fix]]:
    """Each applied finding with its fix (an applied finding always has one)."""
    return [(finding, finding.fix) for finding in findings if finding.fix is not None]
