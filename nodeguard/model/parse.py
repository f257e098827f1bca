"""Reads a Dockerfile the way BuildKit does: instructions with exact line spans, heredocs, directives.

The line scanner mirrors moby/buildkit's ``frontend/dockerfile/parser``: lines end at "\\n" (a
trailing "\\r" is dropped), comment and blank lines inside a continuation are skipped, continued
lines are joined without a separator, and a RUN/COPY/ADD line with ``<<WORD`` owns the lines up to
each delimiter. dockerfile-parse is not used: it splits heredoc bodies into fake instructions, and
where the heredocs are can only be known while the lines are being split.
"""
from __future__ import annotations

import json
import re

from nodeguard.model.instructions import Heredoc, Instruction, ParsedDockerfile, ParseProblem

MAX_BYTES = 5 * 1024 * 1024
UTF8_BOM = b"\xef\xbb\xbf"
KNOWN_KEYWORDS = frozenset({
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
    "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
})
HEREDOC_KEYWORDS = frozenset({"ADD", "COPY", "RUN"})
JSON_KEYWORDS = frozenset({"ADD", "CMD", "COPY", "ENTRYPOINT", "RUN", "SHELL", "VOLUME"})
DIRECTIVE_NAMES = frozenset({"check", "escape", "syntax"})
ESCAPE_CHARACTERS = frozenset({"\\", "`"})
# Go's unicode.IsSpace, which BuildKit trims with; Python's own set also holds \x1c-\x1f.
GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
RE2_SPACE = "\t\n\f\r "  # what \s means in BuildKit's (Go RE2) directive pattern
QUOTES = "'\""

_DIRECTIVE = re.compile(r"#[\t\n\f\r ]*([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.*)")
_KEYWORD_END = re.compile(r"[\t\v\f\r ]+")
_HEREDOC_WORD = re.compile(r"(\d*)<<(-?)([^<]*)")
_DOUBLE_QUOTE_ESCAPE = re.compile(r'\\([\\"$])')


def parse_dockerfile(path: str, data: bytes) -> ParsedDockerfile:
    """The instructions of a Dockerfile; what cannot be read goes into ``problems``, never an exception."""
    if len(data) > MAX_BYTES:
        return _unreadable(path, f"the file is larger than {MAX_BYTES // (1024 * 1024)} MiB; not parsed")
    if b"\0" in data:
        return _unreadable(path, "the file holds NUL bytes: binary data or UTF-16 text, not a Dockerfile")
    problems: list[ParseProblem] = []
    lines = _split_lines(_decode(data, problems), problems)
    directives, directive_lines = _read_directives(lines, problems)
    escape = directives.get("escape", "\\")
    instructions = _scan(lines, escape, directive_lines, problems)
    if not instructions:
        problems.append(ParseProblem(max(len(lines), 1), "no instructions: the file is empty or only comments"))
    elif not any(instruction.keyword == "FROM" for instruction in instructions):
        problems.append(ParseProblem(instructions[0].start_line, "no FROM instruction: there is no stage to build"))
    return ParsedDockerfile(
        path=path,
        lines=tuple(lines),
        instructions=tuple(instructions),
        directives=directives,
        problems=tuple(sorted(problems, key=lambda problem: problem.line)),
    )


def _unreadable(path: str, message: str) -> ParsedDockerfile:
    return ParsedDockerfile(path=path, lines=(), instructions=(), problems=(ParseProblem(1, message),))


def _decode(data: bytes, problems: list[ParseProblem]) -> str:
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        newline = b"\n" if b"\n" in data else b"\r"
        line = data.count(newline, 0, error.start) + 1
        problems.append(ParseProblem(line, f"line {line} is not valid UTF-8; its bad bytes were replaced"))
        return data.decode("utf-8", errors="replace")


def _split_lines(text: str, problems: list[ParseProblem]) -> list[str]:
    if "\n" not in text and "\r" in text.rstrip("\r"):
        problems.append(ParseProblem(1, "the file ends its lines with CR only (classic Mac OS); "
                                        "Docker reads the whole file as one line"))
        lines = text.split("\r")
    else:
        lines = text.split("\n")
        if "\r" in text:
            lines = [line.rstrip("\r") for line in lines]
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _read_directives(lines: list[str], problems: list[ParseProblem]) -> tuple[dict[str, str], int]:
    """Parser directives and how many lines they take: only the unbroken run of them at the top counts."""
    directives: dict[str, str] = {}
    count = 0
    for number, line in enumerate(lines, 1):
        match = _DIRECTIVE.fullmatch(line.lstrip(GO_SPACE))
        value = match.group(2).rstrip(RE2_SPACE) if match else ""
        name = match.group(1).lower() if match else ""
        if not value or name not in DIRECTIVE_NAMES:
            break
        count = number
        if name in directives:
            problems.append(ParseProblem(number, f"only one {name} parser directive can be used"))
        elif name == "escape" and value not in ESCAPE_CHARACTERS:
            problems.append(ParseProblem(number, f"invalid escape character {value!r}: use \\ or `"))
        else:
            directives[name] = value
    return directives, count


def _scan(lines: list[str], escape: str, directive_lines: int, problems: list[ParseProblem]) -> list[Instruction]:
    instructions: list[Instruction] = []
    comments: list[str] = []
    index, total = 0, len(lines)
    while index < total:
        stripped = lines[index].lstrip(GO_SPACE)
        index += 1
        if not stripped:
            comments = []
            continue
        if stripped[0] == "#":
            if index > directive_lines:
                comments.append(stripped[1:].strip(GO_SPACE))
            continue
        start = index
        text, index, dangling = _join_continued(lines, index, stripped, escape)
        if dangling:
            problems.append(ParseProblem(dangling, "the line continuation at the end of the file continues nothing"))
        keyword, flags, args = _split_instruction(text)
        keyword = keyword.upper()
        json_args = _json_args(keyword, args, start, problems)
        heredocs: tuple[Heredoc, ...] = ()
        if "<<" in text and _can_hold_heredoc(keyword, args, json_args):
            heredocs, index = _read_heredocs(lines, index, _heredoc_words(text), start, problems)
        if keyword not in KNOWN_KEYWORDS:
            problems.append(ParseProblem(start, f"unknown instruction {keyword!r}"))
        instructions.append(Instruction(
            keyword=keyword,
            start_line=start,
            end_line=index,
            original="\n".join(lines[start - 1:index]),
            flags=flags,
            args=args,
            json_args=json_args,
            heredocs=heredocs,
            comments_above=tuple(comments),
        ))
        comments = []
    return instructions


def _join_continued(lines: list[str], index: int, first: str, escape: str) -> tuple[str, int, int]:
    """The logical line starting with ``first``, the index after it, and the line of a dangling continuation."""
    part, continues = _trim_continuation(first, escape)
    parts = [part]
    last = index
    while continues and index < len(lines):
        line = lines[index]
        index += 1
        stripped = line.lstrip(GO_SPACE)
        if not stripped or stripped[0] == "#":
            continue
        part, continues = _trim_continuation(line, escape)
        parts.append(part)
        last = index
    return "".join(parts), index, last if continues else 0


def _trim_continuation(line: str, escape: str) -> tuple[str, bool]:
    """BuildKit continues a line ending in the escape character, unless that is itself escaped."""
    trimmed = line.rstrip(" \t")
    if trimmed.endswith(escape) and not trimmed.endswith(escape * 2):
        return trimmed[:-1], True
    return line, False


def _split_instruction(text: str) -> tuple[str, tuple[str, ...], str]:
    words = _KEYWORD_END.split(text.strip(GO_SPACE), 1)
    if len(words) == 1:
        return words[0], (), ""
    rest, flags = _extract_flags(words[1])
    return words[0], flags, rest.strip(GO_SPACE)


def _extract_flags(text: str) -> tuple[str, tuple[str, ...]]:
    """Leading ``--name=value`` words (quotes and backslashes resolved) and the text after them."""
    flags: list[str] = []
    position, end = 0, len(text)
    while True:
        while position < end and text[position] in GO_SPACE:
            position += 1
        if not text.startswith("--", position):
            return text[position:], tuple(flags)
        word, position, quoted = _flag_word(text, position)
        if word == "--":
            return text[position:], tuple(flags)
        if quoted or word:
            flags.append(word)
        if position >= end:
            return "", tuple(flags)


def _flag_word(text: str, position: int) -> tuple[str, int, bool]:
    chars: list[str] = []
    quote = ""
    quoted = False
    end = len(text)
    while position < end:
        char = text[position]
        if not quote and char in GO_SPACE:
            break
        position += 1
        if not quote and char in QUOTES:
            quote, quoted = char, True
            continue
        if quote and char == quote:
            quote = ""
            continue
        if char == "\\":
            if position == end:
                break
            char = text[position]
            position += 1
        chars.append(char)
    return "".join(chars), position, quoted


def _json_args(keyword: str, args: str, line: int, problems: list[ParseProblem]) -> tuple[str, ...] | None:
    if keyword not in JSON_KEYWORDS:
        return None
    items = _json_array(args)
    if items is None:
        return None
    if all(isinstance(item, str) for item in items):
        return tuple(items)
    problems.append(ParseProblem(line, f"{keyword}: a JSON array here must hold only strings"))
    return None


def _json_array(args: str) -> list | None:
    if not args.startswith("["):
        return None
    try:
        value = json.loads(args, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, list) else None


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _can_hold_heredoc(keyword: str, args: str, json_args: tuple[str, ...] | None) -> bool:
    if keyword == "ONBUILD":
        inner, _, inner_args = _split_instruction(args)
        return inner.upper() in HEREDOC_KEYWORDS and not _is_string_array(inner_args)
    return keyword in HEREDOC_KEYWORDS and json_args is None


def _is_string_array(args: str) -> bool:
    items = _json_array(args)
    return items is not None and all(isinstance(item, str) for item in items)


def _heredoc_words(text: str) -> list[tuple[str, bool, bool]]:
    """(name, strip_tabs, quoted) for every ``<<WORD`` shell word of the line, in order."""
    found = []
    for word in _shell_words(text, keep_quotes=True) or ():
        match = _HEREDOC_WORD.fullmatch(word)
        if not match or not match.group(3):
            continue
        raw = match.group(3)
        names = _shell_words(raw, keep_quotes=False)
        if names is None or len(names) != 1 or not names[0]:
            continue
        name = names[0]
        quoted = sum(name.count(q) for q in QUOTES) != sum(raw.count(q) for q in QUOTES)
        found.append((name, match.group(2) == "-", quoted))
    return found


def _shell_words(text: str, keep_quotes: bool) -> list[str] | None:
    """BuildKit's word split (escape character always ``\\``); None for an unterminated quote."""
    words: list[str] = []
    chars: list[str] = []
    in_word = False
    position, end = 0, len(text)
    while position < end:
        char = text[position]
        position += 1
        if char in QUOTES:
            closing = text.find(char, position) if char == "'" else _closing_double_quote(text, position)
            if closing < 0:
                return None
            inside = text[position:closing]
            if char == '"' and not keep_quotes:
                inside = _DOUBLE_QUOTE_ESCAPE.sub(r"\1", inside)
            chars.append(char + inside + char if keep_quotes else inside)
            in_word, position = True, closing + 1
        elif char == "\\":
            if position < end:
                chars.append(text[position - 1:position + 1] if keep_quotes else text[position])
                position += 1
            elif keep_quotes:
                chars.append(char)
            in_word = True
        elif char in GO_SPACE:
            if in_word:
                words.append("".join(chars))
                chars, in_word = [], False
        else:
            chars.append(char)
            in_word = True
    if in_word:
        words.append("".join(chars))
    return words


def _closing_double_quote(text: str, position: int) -> int:
    end = len(text)
    while position < end:
        char = text[position]
        if char == '"':
            return position
        position += 2 if char == "\\" else 1
    return -1


def _read_heredocs(lines: list[str], index: int, words: list[tuple[str, bool, bool]], start: int,
                   problems: list[ParseProblem]) -> tuple[tuple[Heredoc, ...], int]:
    heredocs: list[Heredoc] = []
    total = len(lines)
    for name, strip_tabs, quoted in words:
        first = index + 1
        body: list[str] = []
        while index < total:
            line = lines[index]
            index += 1
            candidate = line.lstrip("\t") if strip_tabs else line
            if candidate == name:
                heredocs.append(Heredoc(name=name, body="".join(body), strip_tabs=strip_tabs, quoted=quoted,
                                        start_line=first, end_line=index))
                break
            body.append(candidate + "\n")
        else:
            problems.append(ParseProblem(start, f"unterminated heredoc: no line {name!r} closes <<{name}"))
            break
    return tuple(heredocs), index
