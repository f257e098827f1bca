"""Globs over repository-relative posix paths: ``*`` and ``?`` stay inside a folder, ``**`` crosses folders."""
from __future__ import annotations

import functools
import re
from collections.abc import Iterable


def glob_to_regex(glob: str) -> str:
    """The regular expression (for ``re.fullmatch``) of a glob.

    ``**/`` matches zero or more folders, any other ``**`` matches anything including ``/``, ``*``
    anything but ``/``, ``?`` one character but ``/``, ``[abc]`` / ``[!abc]`` one character of (not of)
    a set; an unclosed ``[`` is itself.
    """
    glob = _without_dot_slash(glob)
    parts: list[str] = []
    index, end = 0, len(glob)
    while index < end:
        char = glob[index]
        if glob.startswith("**/", index) and (index == 0 or glob[index - 1] == "/"):
            parts.append("(?:.*/)?")
            index += 3
        elif glob.startswith("**", index):
            parts.append(".*")
            index += 2
        elif char == "*":
            parts.append("[^/]*")
            index += 1
        elif char == "?":
            parts.append("[^/]")
            index += 1
        elif char == "[":
            close = _class_end(glob, index)
            if close is None:
                parts.append(re.escape(char))
                index += 1
            else:
                parts.append(_character_class(glob[index + 1 : close]))
                index = close + 1
        else:
            parts.append(re.escape(char))
            index += 1
    return "".join(parts)


def _class_end(glob: str, start: int) -> int | None:
    """The index of the ``]`` closing the class opened at ``start``; a ``]`` first in the class is literal."""
    index = start + 1
    if index < len(glob) and glob[index] == "!":
        index += 1
    if index < len(glob) and glob[index] == "]":
        index += 1
    close = glob.find("]", index)
    return None if close == -1 else close


def _character_class(body: str) -> str:
    negated = body.startswith("!")
    members = body[1:] if negated else body
    escaped = "".join("\\" + char if char in "\\^[]" else char for char in members)
    return f"(?!/)[{'^' if negated else ''}{escaped}]"


def _without_dot_slash(text: str) -> str:
    while text.startswith("./"):
        text = text[2:]
    return text


@functools.lru_cache(maxsize=1024)
def compiled(glob: str) -> re.Pattern[str]:
    return re.compile(glob_to_regex(glob))


def matches(glob: str, path: str) -> bool:
    return compiled(glob).fullmatch(_without_dot_slash(path)) is not None


def matches_any(globs: Iterable[str], path: str) -> bool:
    return any(matches(glob, path) for glob in globs)
