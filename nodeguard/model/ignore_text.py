"""Edits of a ``.dockerignore``'s text: inline comments, which Docker keeps in the pattern."""
from __future__ import annotations

import re

from nodeguard.model.ignore import IgnoreFile, parse_ignore_file

# A "#" after blank space, on a pattern line: Docker keeps it in the pattern.
_INLINE_COMMENT = re.compile(r"^(?P<pattern>[^#]*?\S)\s+(?P<comment>#.*)$")


def inline_comment(line: str) -> tuple[str, str] | None:
    """``node_modules # deps`` -> ("node_modules", "# deps"); None for other lines."""
    if "#" not in line or line.lstrip().startswith("#"):
        return None
    match = _INLINE_COMMENT.match(line.strip())
    return (match.group("pattern"), match.group("comment")) if match else None


def without_inline_comments(ignore: IgnoreFile) -> IgnoreFile:
    """The ignore file as it reads once every inline comment has moved to a line of its own."""
    lines = []
    moved = False
    for line in ignore.lines:
        split = inline_comment(line)
        lines.append(split[0] if split else line)
        moved = moved or split is not None
    if not moved and not (lines and lines[0].startswith("\ufeff")):
        return ignore  # read again it would give the same patterns (only a second BOM would be dropped)
    return parse_ignore_file(ignore.path, "\n".join(lines))

