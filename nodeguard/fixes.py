"""Apply the mechanical fixes that rules attach to findings."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from nodeguard.findings import Finding, Fix

MAX_ROUNDS = 5


def apply_fixes(text: str, fixes: Iterable[Fix]) -> tuple[str, int]:
    """``text`` with every fix applied that does not overlap an earlier one; and how many were applied.

    Line endings and the final newline are kept as they were.
    """
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(newline)
    trailing = lines[-1] == ""
    if trailing:
        lines.pop()
    chosen = _non_overlapping(fixes, len(lines))
    for fix in sorted(chosen, key=lambda f: f.line, reverse=True):
        replacement = fix.replacement.split("\n") if fix.replacement else []
        lines[fix.line - 1 : fix.end_line] = replacement
    result = newline.join(lines)
    return (result + newline if trailing or not lines else result), len(chosen)


def _non_overlapping(fixes: Iterable[Fix], line_count: int) -> list[Fix]:
    chosen: list[Fix] = []
    taken_until = 0
    for fix in sorted(set(fixes), key=lambda f: (f.line, f.end_line, f.replacement)):
        if fix.line > taken_until and 1 <= fix.line <= fix.end_line <= max(line_count, 1):
            chosen.append(fix)
            taken_until = fix.end_line
    return chosen


def fixes_by_path(findings: Iterable[Finding]) -> dict[str, list[Fix]]:
    grouped: dict[str, list[Fix]] = defaultdict(list)
    for finding in findings:
        if finding.fix is not None:
            grouped[finding.path].append(finding.fix)
    return grouped


def fix_paths(paths: Sequence[str], policy) -> dict[str, int]:
    """Fix files in place, re-checking after each round until no fix applies; counts per file."""
    from nodeguard.engine import check_paths

    counts: dict[str, int] = defaultdict(int)
    for _ in range(MAX_ROUNDS):
        changed = False
        for path, fixes in fixes_by_path(check_paths(paths, policy).findings).items():
            file = Path(path)
            try:
                text = file.read_bytes().decode("utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            new_text, applied = apply_fixes(text, fixes)
            if applied and new_text != text:
                file.write_bytes(new_text.encode("utf-8"))
                counts[path] += applied
                changed = True
        if not changed:
            break
    return dict(counts)
