"""``.dockerignore`` files, matched as Docker matches them (moby/patternmatcher).

Reading follows BuildKit's ignore-file reader: a UTF-8 BOM is dropped, a line whose first character is
``#`` is a comment (a ``#`` anywhere else belongs to the pattern), lines are trimmed, blank lines
skipped, ``!`` negates, patterns are cleaned like Go's ``filepath.Clean`` and lose a leading ``/``.
Matching follows ``PatternMatcher.MatchesOrParentMatches``: a pattern that matches a parent folder
matches everything below it, and the last pattern that matches decides.
"""
from __future__ import annotations

import posixpath
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class IgnorePattern:
    line: int  # 1-based line in the file
    text: str  # the line as written (stripped of surrounding white space)
    pattern: str  # cleaned: leading "/" and "./" removed, path cleaned like Go's filepath.Clean
    negated: bool  # "!pattern": re-includes what earlier patterns excluded


@dataclass(frozen=True)
class IgnoreFile:
    path: str  # as given, e.g. "app/.dockerignore" or "app/Dockerfile.dockerignore"
    lines: tuple[str, ...]
    patterns: tuple[IgnorePattern, ...]

    def excludes(self, relpath: str) -> bool:
        """True when a file or folder at ``relpath`` (posix, relative to the context) is not sent."""
        deciding = self.matching_pattern(relpath)
        return deciding is not None and not deciding.negated

    def matching_pattern(self, relpath: str) -> IgnorePattern | None:
        """The last pattern that decides ``relpath`` (the one that wins), or None."""
        path = clean_path(relpath)
        if path == ".":  # Docker never excludes the context root itself
            return None
        parents = _parent_paths(path)
        excluded = False
        deciding: IgnorePattern | None = None
        for candidate in self.patterns:
            # As in patternmatcher: only an exclusion can exclude what is included, only a negation re-include.
            if candidate.negated != excluded:
                continue
            matches = _matcher(candidate.pattern)
            if matches(path) or any(matches(parent) for parent in parents):
                excluded = not candidate.negated
                deciding = candidate
        return deciding


def parse_ignore_file(path: str, text: str) -> IgnoreFile:
    lines = tuple(line.removesuffix("\r") for line in text.removeprefix("\ufeff").split("\n"))
    if lines[-1] == "":
        lines = lines[:-1]
    patterns = []
    for number, line in enumerate(lines, start=1):
        pattern = _read_pattern(number, line)
        if pattern is not None:
            patterns.append(pattern)
    return IgnoreFile(path=path, lines=lines, patterns=tuple(patterns))


def clean_path(path: str) -> str:
    """Go's ``filepath.Clean`` for slash-separated paths: ``./a//b/../c/`` -> ``a/c``."""
    if not path:
        return "."
    cleaned = posixpath.normpath(path)
    # normpath keeps exactly two leading slashes (POSIX allows it); Go reduces them to one.
    return cleaned[1:] if cleaned.startswith("//") else cleaned


def _read_pattern(number: int, line: str) -> IgnorePattern | None:
    if line.startswith("#"):
        return None
    text = line.strip()
    if not text:
        return None
    negated = text.startswith("!")
    pattern = text[1:].strip() if negated else text
    if not pattern:  # a lone "!": Docker refuses the file; it re-includes nothing here
        return None
    pattern = clean_path(pattern)
    if len(pattern) > 1 and pattern.startswith("/"):
        pattern = pattern[1:]
    return IgnorePattern(line=number, text=text, pattern=pattern, negated=negated)


def _parent_paths(path: str) -> list[str]:
    """``a/b/c`` -> ``["a", "a/b"]``."""
    parts = path.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


_REGEX_SPECIALS = set(".+()|{}$")  # regex metacharacters that mean nothing special in a pattern


@lru_cache(maxsize=4096)
def _matcher(pattern: str) -> Callable[[str], bool]:
    """patternmatcher's ``Pattern.compile``: an exact, prefix, suffix or regular-expression test."""
    regex: list[str] = []
    kind = "exact"
    i, size = 0, len(pattern)
    first = True
    while i < size:
        char = pattern[i]
        i += 1
        if char == "*" and pattern.startswith("*", i):
            i += 1
            if pattern.startswith("/", i):  # "**/" is read as "**"
                i += 1
            if i < size:
                regex.append("(.*/)?")
                kind = "regex"
            elif kind == "exact":
                kind = "prefix"
            else:
                regex.append(".*")
                kind = "regex"
            if first:
                kind = "suffix"
        elif char == "*":
            regex.append("[^/]*")
            kind = "regex"
        elif char == "?":
            regex.append("[^/]")
            kind = "regex"
        elif char in _REGEX_SPECIALS:
            regex.append("\\" + char)
        elif char == "\\":
            if i < size:
                # Go's regexp would read "\d" as a digit class; the pattern syntax means the character.
                regex.append(re.escape(pattern[i]))
                i += 1
                kind = "regex"
            else:
                regex.append("\\\\")
        else:  # "[" and "]" pass through as a character class, like everything else
            if char in "[]":
                kind = "regex"
            regex.append(char)
        first = False
    if kind == "exact":
        return pattern.__eq__
    if kind == "prefix":
        return _starts_with(pattern[:-2])
    if kind == "suffix":
        return _ends_with(pattern[2:])
    return _full_match("".join(regex))


def _starts_with(prefix: str) -> Callable[[str], bool]:
    return lambda path: path.startswith(prefix)


def _ends_with(suffix: str) -> Callable[[str], bool]:
    bare = suffix[1:] if suffix.startswith("/") else None  # "**/foo" also matches "foo" itself
    return lambda path: path.endswith(suffix) or path == bare


def _full_match(regex: str) -> Callable[[str], bool]:
    try:
        with warnings.catch_warnings():  # "[[" and friends: Python warns about future set syntax
            warnings.simplefilter("ignore", FutureWarning)
            compiled = re.compile(regex)
    except re.error:  # a malformed class such as "[a-": Docker rejects the file; it matches nothing here
        return lambda path: False
    return lambda path: compiled.fullmatch(path) is not None
