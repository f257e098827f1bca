"""Which lines of a file a pull request's diff shows on the RIGHT side: the `patch` hunks of the files list."""
from __future__ import annotations

import re
from dataclasses import dataclass

HUNK_HEADER = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


@dataclass(frozen=True)
class Hunk:
    """New-side lines ``start``..``end`` (inclusive): every one is an added or a context line."""

    start: int
    end: int


def parse_hunks(patch: str | None) -> tuple[Hunk, ...]:
    """The RIGHT-side line ranges of a unified-diff ``patch`` as the files list gives it (no ---/+++ header).

    A hunk whose new side is empty (only deletions) shows no RIGHT-side line and is left out. Lines end at
    ``\n`` only, as git ends them: a U+2028 or a lone CR inside a changed line cannot start a forged hunk.
    """
    hunks = []
    for text in (patch or "").split("\n"):
        match = HUNK_HEADER.match(text)
        if match is None:
            continue
        start = int(match.group(1))
        count = 1 if match.group(2) is None else int(match.group(2))
        if count > 0:
            hunks.append(Hunk(start, start + count - 1))
    return tuple(hunks)


def anchor_range(hunks: tuple[Hunk, ...], line: int, end_line: int) -> tuple[int, int] | None:
    """The part of lines ``line``..``end_line`` that one hunk shows (the first such part), or None.

    GitHub wants both ends of a multi-line comment in the same hunk, so the range never spans two.
    """
    for hunk in hunks:
        start, end = max(line, hunk.start), min(end_line, hunk.end)
        if start <= end:
            return start, end
    return None


def added_hunks(patch: str | None) -> tuple[Hunk, ...]:
    """The runs of RIGHT-side lines the ``patch`` adds (``+`` lines): what the ``added`` filter comments on."""
    runs: list[Hunk] = []
    line = 0
    for text in (patch or "").split("\n"):
        match = HUNK_HEADER.match(text)
        if match is not None:
            line = int(match.group(1))
        elif text.startswith("+"):
            if runs and runs[-1].end == line - 1:
                runs[-1] = Hunk(runs[-1].start, line)
            else:
                runs.append(Hunk(line, line))
            line += 1
        elif not text.startswith(("-", "\\")):
            line += 1
    return tuple(runs)
