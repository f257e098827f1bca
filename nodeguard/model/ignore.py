"""``.dockerignore`` files, read and matched as Docker does (BuildKit's ignorefile, moby/patternmatcher).

Reading follows ``ignorefile.ReadAll``: a UTF-8 BOM is dropped, a line whose first character is ``#`` is a
comment (a ``#`` anywhere else belongs to the pattern), lines are trimmed, blank lines skipped, ``!``
negates, patterns are cleaned like Go's ``filepath.Clean`` and lose a leading ``/``. Then, as
``patternmatcher.New``: trimmed again, cleaned again (so ``/!x`` is a negation), a lone ``!`` and a pattern
``filepath.Match`` refuses (``[]a]``, ``[-]``, ``[x-]``, ``[a-b-c]``, a trailing backslash) are errors, as is a
pattern whose regular expression Go's regexp refuses (``[Local-Only]``): ``docker build`` fails on each.
Matching follows ``PatternMatcher.MatchesOrParentMatches``: a pattern that matches a parent folder matches
everything below it, and the last pattern that matches decides. Regular expressions run on a linear-time
automaton with Go's meaning (digit escapes, POSIX classes), never on a backtracking engine.
"""
from __future__ import annotations

import posixpath
import re
from functools import cached_property, lru_cache

from nodeguard.model.goregex import GoRegex, GoRegexError
from nodeguard.model.parse import GO_SPACE, size_text
from nodeguard.record import Record


class IgnorePattern(Record):
    """One pattern line of a .dockerignore file."""

    line: int  # 1-based line in the file
    text: str  # the line as written (stripped of surrounding white space)
    pattern: str  # cleaned: leading "/" and "./" removed, path cleaned like Go's filepath.Clean
    negated: bool  # "!pattern": re-includes what earlier patterns excluded

    def __init__(self, line: int, text: str, pattern: str, negated: bool) -> None:
        self.__dict__.update(line=line, text=text, pattern=pattern, negated=negated)


class IgnoreError(Record):
    """A .dockerignore line Docker refuses, and why."""

    line: int
    text: str  # the line as written, trimmed
    message: str

    def __init__(self, line: int, text: str, message: str) -> None:
        self.__dict__.update(line=line, text=text, message=message)


class IgnoreFile(Record):
    """A .dockerignore file: its lines, patterns and the lines Docker refuses."""

    _uncompared = ("_decided", "_compiled")

    path: str  # as given, e.g. "app/.dockerignore" or "app/Dockerfile.dockerignore"
    lines: tuple[str, ...]
    patterns: tuple[IgnorePattern, ...]
    errors: tuple[IgnoreError, ...]  # patterns Docker refuses: the build fails; here they match nothing
    _decided: dict[str, IgnorePattern | None]
    _compiled: dict[str, _Compiled]

    def __init__(
        self,
        path: str,
        lines: tuple[str, ...],
        patterns: tuple[IgnorePattern, ...],
        errors: tuple[IgnoreError, ...] = (),
        _decided: dict[str, IgnorePattern | None] | None = None,
        _compiled: dict[str, _Compiled] | None = None,
    ) -> None:
        self.__dict__.update(
            path=path,
            lines=lines,
            patterns=patterns,
            errors=errors,
            _decided={} if _decided is None else _decided,
            _compiled={} if _compiled is None else _compiled,
        )

    def excludes(self, relpath: str) -> bool:
        """True when a file or folder at ``relpath`` (posix, relative to the context) is not sent."""
        deciding = self.matching_pattern(relpath)
        return deciding is not None and not deciding.negated

    def matching_pattern(self, relpath: str) -> IgnorePattern | None:
        """The last pattern that decides ``relpath`` (the one that wins), or None."""
        path = clean_path(relpath)
        if path == ".":  # Docker never excludes the context root itself
            return None
        return self.deciding_pattern(path)

    def deciding_pattern(self, path: str) -> IgnorePattern | None:
        """``MatchesOrParentMatches`` on ``path`` as given (not cleaned): the pattern that decides, or None."""
        if path in self._decided:
            return self._decided[path]
        parents = _Parents(path)
        matched: dict[str, bool] = {}  # a pattern written many times is tried once
        excluded = False
        deciding: IgnorePattern | None = None
        for candidate in self.patterns:
            # As in patternmatcher: only an exclusion can exclude what is included, only a negation re-include.
            if candidate.negated != excluded:
                continue
            match = matched.get(candidate.pattern)
            if match is None:
                match = matched[candidate.pattern] = self._matcher(candidate.pattern).matches(parents)
            if match:
                excluded = not candidate.negated
                deciding = candidate
        self._decided[path] = deciding
        return deciding

    def _matcher(self, pattern: str) -> _Compiled:
        """Each pattern compiled once per file (a shared cache of bounded size would thrash on a file of
        many distinct patterns)."""
        compiled = self._compiled.get(pattern)
        if compiled is None:
            compiled = self._compiled[pattern] = _compiled(pattern)
        return compiled


def parse_ignore_file(path: str, text: str) -> IgnoreFile:
    lines = tuple(line.removesuffix("\r") for line in text.removeprefix("\ufeff").split("\n"))
    if lines[-1] == "":
        lines = lines[:-1]
    patterns: list[IgnorePattern] = []
    errors: list[IgnoreError] = []
    for number, line in enumerate(lines, start=1):
        read = _read_pattern(number, line)
        if isinstance(read, IgnoreError):
            errors.append(read)
        elif read is not None:
            patterns.append(read)
    return IgnoreFile(path=path, lines=lines, patterns=tuple(patterns), errors=tuple(errors))


def oversized_ignore_file(path: str, max_bytes: int) -> IgnoreFile:
    """An ignore file that is there but too large to read: one error, no patterns."""
    reason = f"the file is larger than {size_text(max_bytes)}; its patterns were not read"
    return IgnoreFile(path=path, lines=(), patterns=(), errors=(IgnoreError(1, "", reason),))


def clean_path(path: str) -> str:
    """Go's ``filepath.Clean`` for slash-separated paths: ``./a//b/../c/`` -> ``a/c``."""
    if not path:
        return "."
    cleaned = posixpath.normpath(path)
    # normpath keeps exactly two leading slashes (POSIX allows it); Go reduces them to one.
    return cleaned[1:] if cleaned.startswith("//") else cleaned


def _read_pattern(number: int, line: str) -> IgnorePattern | IgnoreError | None:
    if line.startswith("#"):
        return None
    text = line.strip(GO_SPACE)
    if not text:
        return None
    return new_pattern(number, _read_all_entry(text), text)


def new_pattern(number: int, entry: str, text: str | None = None) -> IgnorePattern | IgnoreError | None:
    """What ``patternmatcher.New`` makes of one entry: a pattern, an error, or None for a blank one."""
    text = entry if text is None else text
    pattern = entry.strip(GO_SPACE)
    if not pattern:
        return None
    pattern = clean_path(pattern)
    negated = pattern.startswith("!")
    if negated:
        if pattern == "!":
            return IgnoreError(number, text, 'a lone "!" excludes nothing: docker build refuses the file')
        pattern = clean_path(pattern[1:]).removeprefix("/")
    problem = _syntax_problem(pattern)
    if problem is not None:
        return IgnoreError(number, text, f"`{text}` is not a valid pattern ({problem}): docker build refuses the file")
    return IgnorePattern(line=number, text=text, pattern=pattern, negated=negated)


def _read_all_entry(text: str) -> str:
    """What BuildKit's ignorefile.ReadAll makes of a trimmed, non-comment line."""
    negated = text.startswith("!")
    pattern = text[1:].strip(GO_SPACE) if negated else text
    if pattern:
        pattern = clean_path(pattern)
        if len(pattern) > 1 and pattern.startswith("/"):
            pattern = pattern[1:]
    return "!" + pattern if negated else pattern


@lru_cache(maxsize=4096)
def _syntax_problem(pattern: str) -> str | None:
    """Why Go refuses ``pattern``: ``filepath.Match``'s syntax check, then ``regexp.Compile``; or None."""
    if not _valid_for_filepath_match(pattern):
        return "syntax error in pattern"
    if "[" not in pattern and "\\" not in pattern:  # literals and wildcards only: Go's regexp takes it
        return None
    try:
        compiled = _compiled(pattern)
        if compiled.kind == "regex":
            compiled.regex  # noqa: B018 - compiling is what raises
    except GoRegexError as error:
        return str(error)
    return None


def _valid_for_filepath_match(pattern: str) -> bool:
    """Go's ``filepath.Match(pattern, ".")`` checks every chunk's syntax: brackets closed, ranges complete,
    no ``-`` or ``]`` where a class character belongs, no trailing backslash."""
    if "[" not in pattern and "\\" not in pattern:
        return True
    i, size = 0, len(pattern)
    while i < size:
        char = pattern[i]
        if char == "\\":
            if i + 1 >= size:
                return False
            i += 2
        elif char == "[":
            i += 1
            if i < size and pattern[i] == "^":
                i += 1
            ranges = 0
            while True:
                if i < size and pattern[i] == "]" and ranges > 0:
                    i += 1
                    break
                i = _class_character_end(pattern, i)
                if i < 0:
                    return False
                if pattern[i] == "-":
                    i = _class_character_end(pattern, i + 1)
                    if i < 0:
                        return False
                ranges += 1
        else:
            i += 1
    return True


def _class_character_end(pattern: str, i: int) -> int:
    """Go's getEsc: the index after one class character at ``i``, or -1 when the pattern is malformed
    there (nothing, ``-`` or ``]`` where a character belongs, or nothing after it)."""
    if i >= len(pattern) or pattern[i] in "-]":
        return -1
    if pattern[i] == "\\":
        i += 1
        if i >= len(pattern):
            return -1
    i += 1
    return i if i < len(pattern) else -1


class _Parents:
    """A path and the parent folders patternmatcher also tries (``filepath.Dir`` split at each ``/``)."""

    def __init__(self, path: str) -> None:
        self.path = path
        parent = _go_dir(path)
        folders = parent.split("/") if parent != "." else []
        if path == clean_path(path):  # each parent is the path up to one of its slashes
            self.ends = [index for index, char in enumerate(path) if char == "/"][: len(folders)]
            self.others: list[str] = []
        else:  # only tables feed uncleaned paths: build them as Go does
            self.ends = []
            self.others = ["/".join(folders[: count + 1]) for count in range(len(folders))]


def _go_dir(path: str) -> str:
    """Go's ``filepath.Dir``: everything up to the last slash, cleaned (``.`` when there is none)."""
    return clean_path(path[: path.rfind("/") + 1])


_REGEX_SPECIALS = set(".+()|{}$")  # regex metacharacters that mean nothing special in a pattern


class _Compiled(Record, frozen=False):
    """patternmatcher's compiled ``Pattern``: an exact, prefix, suffix or regular-expression test."""

    kind: str
    text: str  # exact: the pattern; prefix: before the trailing "**"; suffix: after the leading "**"
    expression: str  # regex: Go's regular expression, compiled on first use
    required: tuple[str, ...]  # text any match must contain: a quick refusal before the automaton

    def __init__(self, kind: str, text: str, expression: str = "", required: tuple[str, ...] = ()) -> None:
        self.__dict__.update(kind=kind, text=text, expression=expression, required=required)

    @cached_property
    def regex(self) -> GoRegex:
        return GoRegex(self.expression)

    def matches(self, parents: _Parents) -> bool:
        """The test on the path or on any of its parents."""
        path = parents.path
        if any(part not in path for part in self.required):
            return False
        if self.kind == "prefix" and not parents.others:  # a parent with the prefix means the path has it
            return path.startswith(self.text)
        if self.kind == "regex" and not parents.others:
            return self.regex.accepting_prefixes(path, {*parents.ends, len(path)})
        if self.kind == "exact" and not parents.others:
            return path == self.text or (path.startswith(self.text) and len(self.text) in parents.ends)
        candidates = [path[:end] for end in parents.ends] + parents.others + [path]
        return any(self._test(candidate) for candidate in candidates)

    def _test(self, path: str) -> bool:
        if self.kind == "exact":
            return path == self.text
        if self.kind == "prefix":
            return path.startswith(self.text)
        if self.kind == "suffix":
            return path.endswith(self.text) or (self.text.startswith("/") and path == self.text[1:])
        return self.regex.accepts(path)


@lru_cache(maxsize=4096)
def _compiled(pattern: str) -> _Compiled:
    """``Pattern.compile``, building the same regular expression; GoRegexError when Go refuses it."""
    regex: list[str] = ["^"]
    kind = "exact"
    i, size = 0, len(pattern)
    while i < size:
        plain = _PLAIN_RUN.match(pattern, i)
        if plain:
            regex.append(plain.group())
            i = plain.end()
            continue
        at_start = i == 0
        char = pattern[i]
        i += 1
        if char == "*" and pattern.startswith("*", i):
            i += 1
            if pattern.startswith("/", i):  # "**/" is read as "**"
                i += 1
            if i >= size and kind == "exact":
                kind = "prefix"
            elif i >= size:
                regex.append(".*")
                kind = "regex"
            else:
                regex.append("(.*/)?")
                kind = "regex"
            if at_start:
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
                regex.append("\\" + pattern[i])
                i += 1
                kind = "regex"
            else:
                regex.append("\\")
        else:
            if char in "[]":
                kind = "regex"
            regex.append(char)
    if kind == "exact":
        return _Compiled("exact", pattern)
    if kind == "prefix":
        return _Compiled("prefix", pattern[:-2])
    if kind == "suffix":
        return _Compiled("suffix", pattern[2:])
    return _Compiled("regex", pattern, "".join(regex) + "$", _required_text(pattern))


_WILDCARDS = frozenset("*?/^")
_WILDCARD_RUNS = re.compile(r"[*?/^]+")
_PLAIN_RUN = re.compile(r"[^*?.+()|{}$\\\[\]]+")  # characters a pattern's regular expression keeps as they are


def _required_text(pattern: str) -> tuple[str, ...]:
    """The runs of plain characters of a pattern, which every path (or parent) it matches contains. None for
    patterns with escapes or POSIX names, whose classes reach further than filepath.Match's brackets."""
    if "\\" in pattern or "[:" in pattern:
        return ()
    if "[" not in pattern:
        return tuple(run for run in _WILDCARD_RUNS.split(pattern) if run)
    runs: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "[" or char in _WILDCARDS:
            if current:
                runs.append("".join(current))
                current = []
            if char == "[":
                close = pattern.find("]", i + 2)
                i = len(pattern) if close < 0 else close
        else:
            current.append(char)
        i += 1
    if current:
        runs.append("".join(current))
    return tuple(runs)
