"""JSON from the build context (package.json, tsconfig.json), read with a bound on nesting.

Python's json module recurses once per level: a package.json nested a few thousand levels deep raises
RecursionError in every rule that reads it. Nesting is measured first, in one pass, and a file nested
deeper than any real one is refused with a ValueError like any other malformed JSON.
"""
from __future__ import annotations

import json

from nodeguard.patterns import LazyPattern

TYPE_CHECKING = False  # not typing's: a check imports no ``typing`` (see ``nodeguard.record``)
if TYPE_CHECKING:
    from typing import Any

MAX_DEPTH = 100  # real package.json and tsconfig.json files nest a handful of levels
_STRING_OR_BRACKET = LazyPattern(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]')


def nesting_problem(text: str) -> str | None:
    """Why ``text`` is refused before parsing (nested too deeply), or None."""
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return f"it is nested more than {MAX_DEPTH} levels deep"
        elif token in "]}":
            depth -= 1
    return None


def loads(text: str) -> Any:
    """``json.loads``; a ValueError also for text nested more than MAX_DEPTH levels."""
    problem = nesting_problem(text)
    if problem is not None:
        raise ValueError(problem)
    return json.loads(text)
