"""``.dockerignore`` files, matched as Docker matches them (moby/patternmatcher)."""
from __future__ import annotations

from dataclasses import dataclass


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
        raise NotImplementedError  # implemented by the ignore work item

    def matching_pattern(self, relpath: str) -> IgnorePattern | None:
        """The last pattern that decides ``relpath`` (the one that wins), or None."""
        raise NotImplementedError


def parse_ignore_file(path: str, text: str) -> IgnoreFile:
    raise NotImplementedError
