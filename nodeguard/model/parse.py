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
from collections.abc import Callable

from nodeguard.model.instructions import Heredoc, Instruction, ParsedDockerfile, ParseProblem
from nodeguard.patterns import LazyPattern

MAX_BYTES = 256 * 1024  # real Dockerfiles are a few KiB; any file up to this is checked in about 2 s
MAX_STAGES = 500  # real Dockerfiles have a few; each stage's lineage is walked per stage, so cost grows as n²
UTF8_BOM = b"\xef\xbb\xbf"
KNOWN_KEYWORDS = frozenset({
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
    "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
})
HEREDOC_KEYWORDS = frozenset({"ADD", "COPY", "RUN"})
JSON_KEYWORDS = frozenset({"ADD", "CMD", "COPY", "ENTRYPOINT", "RUN", "SHELL", "VOLUME"})
DIRECTIVE_NAMES = frozenset({"check", "escape", "syntax"})
SHEBANG_DIRECTIVE_NAMES = frozenset({"check", "syntax"})  # BuildKit skips a "#!" line only when it looks for these
ESCAPE_CHARACTERS = frozenset({"\\", "`"})
# Go's unicode.IsSpace, which BuildKit trims with; Python's own set also holds \x1c-\x1f.
GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
RE2_SPACE = "\t\n\f\r "  # what \s means in BuildKit's (Go RE2) directive pattern
QUOTES = "'\""

_DIRECTIVE = re.compile(r"#[\t\n\f\r ]*([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.*)")
_KEYWORD_END = re.compile(r"[\t\v\f\r ]+")
_HEREDOC_WORD = LazyPattern(r"(\d*)<<(-?)[\t\n\f\r ]*([^<]*)")
_DOUBLE_QUOTE_ESCAPE = LazyPattern(r'\\([\\"$])')
_QUOTE_OR_NON_GO_SPACE = LazyPattern("['\"\x1c-\x1f]")  # \x1c-\x1f: white space to Python, not to Go


def parse_dockerfile(path: str, data: bytes) -> ParsedDockerfile:
    """The instructions of a Dockerfile; what cannot be read goes into ``problems``, never an exception."""
    if len(data) > MAX_BYTES:
        return _unreadable(path, f"the file is larger than {size_text(MAX_BYTES)}; not parsed")
    if b"\0" in data:
        return _unreadable(path, "the file holds NUL bytes: binary data or UTF-16 text, not a Dockerfile")
    problems: list[ParseProblem] = []
    lines = _split_lines(_decode(data, problems), problems)
    directives, directive_lines = _read_directives(lines, problems)
    if not directive_lines and lines and lines[0].startswith("#!"):
        directives, directive_lines = _directives_after_shebang(lines)
    escape = directives.get("escape", "\\")
    instructions = _scan(lines, escape, directive_lines, problems)
    stages = sum(1 for instruction in instructions if instruction.keyword == "FROM")
    if stages > MAX_STAGES:
        return _unreadable(path, f"the file has {stages} build stages, more than the {MAX_STAGES} nodeguard "
                                 "checks; not checked")
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


def text_lines(data: bytes) -> list[str]:
    """A file's lines numbered as the parser numbers them: split on "\n" only (a CR-only file on "\r"),
    never on U+2028, form feeds or the other breaks ``str.splitlines`` knows. Every line number that
    reaches the user (fingerprints, suggestions, SARIF) is counted this way."""
    return _split_lines(_decode(data, []), [])


def size_text(size: int) -> str:
    """``262144`` -> ``256 KiB``; ``1048576`` -> ``1 MiB``."""
    if size % (1024 * 1024) == 0:
        return f"{size // (1024 * 1024)} MiB"
    return f"{size // 1024} KiB"


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
        problems.append(ParseProblem(line, f"line {line} is not valid UTF-8; its bad bytes were replaced",
                                     whole_file="is not valid UTF-8"))
        return data.decode("utf-8", errors="replace")


def _split_lines(text: str, problems: list[ParseProblem]) -> list[str]:
    if "\n" not in text and "\r" in text.rstrip("\r"):
        problems.append(ParseProblem(1, "the file ends its lines with CR only (classic Mac OS); "
                                        "Docker reads the whole file as one line",
                                     whole_file="ends its lines with CR only"))
        lines = text.split("\r")
    else:
        lines = text.split("\n")
        if "\r" in text:
            lines = [line.rstrip("\r") for line in lines]
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _directives_after_shebang(lines: list[str]) -> tuple[dict[str, str], int]:
    """``syntax`` and ``check`` below a ``#!`` line, as BuildKit finds them; its parser then reads no ``escape``."""
    directives, count = _read_directives(lines[1:], [], first=2)
    found = {name: value for name, value in directives.items() if name in SHEBANG_DIRECTIVE_NAMES}
    return found, count


def _read_directives(lines: list[str], problems: list[ParseProblem], first: int = 1) -> tuple[dict[str, str], int]:
    """Parser directives and how many lines they take: only the unbroken run of them at the top counts."""
    directives: dict[str, str] = {}
    count = 0
    for number, line in enumerate(lines, first):
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
        text, index = _join_continued(lines, index, stripped, escape)
        keyword, flags, args = split_instruction(text)
        keyword = keyword.upper()
        json_args = _json_args(keyword, args, start, problems)
        refusal = _refusal(keyword, args, escape)
        if refusal:
            problems.append(ParseProblem(start, refusal))
        heredocs: tuple[Heredoc, ...] = ()
        if "<<" in text and _can_hold_heredoc(keyword, args, json_args):
            heredocs, index = _read_heredocs(lines, index, heredoc_words(text), start, problems)
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


def _join_continued(lines: list[str], index: int, first: str, escape: str) -> tuple[str, int]:
    """The logical line starting with ``first`` and the index after it.

    A continuation on the last line continues nothing, and BuildKit accepts that.
    """
    part, continues = _trim_continuation(first, escape)
    parts = [part]
    while continues and index < len(lines):
        line = lines[index]
        index += 1
        stripped = line.lstrip(GO_SPACE)
        if not stripped or stripped[0] == "#":
            continue
        part, continues = _trim_continuation(line, escape)
        parts.append(part)
    return "".join(parts), index


def _refusal(keyword: str, args: str, escape: str) -> str | None:
    """Why BuildKit refuses these arguments, if it does; the exec form's own errors are _json_args's."""
    if keyword == "ONBUILD":
        inner, _, args = split_instruction(args)
        keyword = inner.upper()
    elif keyword in JSON_KEYWORDS:
        return None
    try:
        argument_values(keyword, args, escape)
    except RefusedArguments as refused:
        return str(refused)
    return None


def _trim_continuation(line: str, escape: str) -> tuple[str, bool]:
    """BuildKit continues a line ending in the escape character, unless that is itself escaped."""
    trimmed = line.rstrip(" \t")
    if trimmed.endswith(escape) and not trimmed.endswith(escape * 2):
        return trimmed[:-1], True
    return line, False


def split_instruction(text: str) -> tuple[str, tuple[str, ...], str]:
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
        inner, _, inner_args = split_instruction(args)
        return inner.upper() in HEREDOC_KEYWORDS and not _is_string_array(inner_args)
    return keyword in HEREDOC_KEYWORDS and json_args is None


def _is_string_array(args: str) -> bool:
    return json_string_array(args) is not None


def json_string_array(args: str) -> tuple[str, ...] | None:
    """The strings of an exec-form argument (``["curl", "-f", "http://localhost"]``), else None."""
    items = _json_array(args)
    return tuple(items) if items is not None and all(isinstance(item, str) for item in items) else None


def heredoc_words(text: str) -> list[tuple[str, bool, bool]]:
    """(name, strip_tabs, quoted) for every ``<<WORD`` shell word of the line, in order."""
    found = []
    for word in _shell_words(text, keep_quotes=True) or ():
        try:
            heredoc = heredoc_from_word(word)
        except RefusedArguments:
            continue
        if heredoc:
            found.append(heredoc)
    return found


def heredoc_from_word(word: str) -> tuple[str, bool, bool] | None:
    """(name, strip_tabs, quoted) when one shell word opens a heredoc (BuildKit's ParseHeredoc).

    ``<< EOF`` (spaces after ``<<``) opens one too; an unterminated quote in the name is refused.
    """
    match = _HEREDOC_WORD.fullmatch(word)
    if not match or not match.group(3):
        return None
    raw = match.group(3)
    names = _shell_words(raw, keep_quotes=False)
    if names is None:
        raise RefusedArguments(f"unterminated quote in the heredoc name {raw!r}")
    if len(names) != 1 or not names[0]:
        return None
    name = names[0]
    quoted = sum(name.count(q) for q in QUOTES) != sum(raw.count(q) for q in QUOTES)
    return name, match.group(2) == "-", quoted


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
        elif char == "<" and text.startswith("<", position):
            spaces = position + 1
            while spaces < end and text[spaces] in RE2_SPACE:
                spaces += 1
            chars.append(text[position - 1:spaces] if keep_quotes else "<<")
            in_word, position = True, spaces
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


class RefusedArguments(ValueError):
    """Arguments BuildKit refuses to build, with its reason."""


def argument_values(keyword: str, args: str, escape: str = "\\") -> list[str]:
    """The values BuildKit's line parser makes of an instruction's arguments (its syntax tree), quotes kept.

    ``ENV``/``LABEL`` give (key, value, separator) triples, the separator "" for the legacy ``ENV key value``
    form; ``ARG`` gives its words; the exec form gives the array's strings. ONBUILD's own instruction is not
    read here. Raises RefusedArguments where ``docker build`` would stop.
    """
    keyword = keyword.upper()
    if keyword in ("ENV", "LABEL"):
        return _name_values(keyword, args, escape)
    if keyword == "ARG":
        words = _parse_words(args, escape)
        if not words:
            raise RefusedArguments("ARG requires at least one argument")
        if any(word.startswith("=") for word in words):
            raise RefusedArguments("ARG names can not be blank")
        return words
    if keyword == "HEALTHCHECK":
        kind = args[:next((index for index, char in enumerate(args) if char in GO_SPACE), len(args))]
        if not kind:
            return []
        return [kind, *_maybe_json(args[len(kind):].lstrip(GO_SPACE), keyword, to_list=False)]
    if keyword in ("CMD", "ENTRYPOINT", "RUN", "SHELL"):
        return _maybe_json(args, keyword, to_list=False)
    if keyword in ("ADD", "COPY", "VOLUME"):
        return _maybe_json(args, keyword, to_list=True)
    if keyword in ("EXPOSE", "FROM"):
        return _KEYWORD_END.split(args) if args else []
    if keyword == "ONBUILD":
        return []
    if keyword in ("MAINTAINER", "STOPSIGNAL", "USER", "WORKDIR"):
        return [args] if args else []
    return [""]  # BuildKit keeps an unknown instruction with one empty value


def key_values(instruction: Instruction, escape: str = "\\") -> list[tuple[str, str | None]]:
    """What ``ENV``, ``LABEL`` and ``ARG`` declare, quotes and escapes resolved; variables are left as written.

    ``ENV NODE_ENV "production"`` and ``ENV NODE_ENV<TAB>production`` set NODE_ENV to production;
    ``ARG A B=c`` declares A (no value) and B. A value is None only for an ARG without one. Arguments
    BuildKit refuses give what can be read of them.
    """
    keyword = instruction.keyword
    if keyword not in ("ENV", "LABEL", "ARG"):
        return []
    if keyword == "ARG":
        pairs: list[tuple[str, str | None]] = []
        for word in _parse_words(instruction.args, escape):
            key, sep, value = word.partition("=")
            if key:
                pairs.append((read_word(key, escape), read_word(value, escape) if sep else None))
        return pairs
    try:
        values = _name_values(keyword, instruction.args, escape)
    except RefusedArguments:
        values = _name_values(keyword, instruction.args, escape, lenient=True)
    return [(read_word(values[i], escape), read_word(values[i + 1], escape)) for i in range(0, len(values), 3)]


def _name_values(keyword: str, args: str, escape: str, lenient: bool = False) -> list[str]:
    """BuildKit's parseNameVal: ``KEY value`` (the legacy form) or ``a=1 b=2``."""
    words = _parse_words(args, escape)
    if not words:
        if lenient:
            return []
        raise RefusedArguments(f"{keyword} requires at least one argument")
    if "=" not in words[0]:
        parts = _KEYWORD_END.split(args, 1)
        if len(parts) < 2:
            if lenient:
                return []
            raise RefusedArguments(f"{keyword} {parts[0]} has no value: write {keyword} {parts[0]}=<value>")
        return [parts[0], parts[1], ""]
    values: list[str] = []
    for word in words:
        key, sep, value = word.partition("=")
        if not sep or not key:
            if lenient:
                continue
            if not sep:
                raise RefusedArguments(f"{keyword}: no = in {word!r}; it must be of the form name=value")
            raise RefusedArguments(f"{keyword} names can not be blank")
        values.extend((key, value, "="))
    return values


def _maybe_json(args: str, keyword: str, to_list: bool) -> list[str]:
    items = _json_array(args.lstrip(GO_SPACE))
    if items is not None:
        if not all(isinstance(item, str) for item in items):
            raise RefusedArguments(f"{keyword}: a JSON array here must hold only strings")
        return items
    if not args:
        return []
    return _KEYWORD_END.split(args) if to_list else [args]


def _parse_words(text: str, escape: str) -> list[str]:
    """BuildKit's parseWords: words split at unquoted white space, quotes and escapes kept as written."""
    if escape not in text and _QUOTE_OR_NON_GO_SPACE.search(text) is None:
        return text.split()  # nothing quoted or escaped: Python's white space is Go's, less \x1c-\x1f
    words: list[str] = []
    chars: list[str] = []
    quote = ""
    started = blank_ok = False
    position, end = 0, len(text)
    while position < end:
        char = text[position]
        position += 1
        if not quote:
            if char in GO_SPACE:
                if blank_ok or chars:
                    words.append("".join(chars))
                chars, started, blank_ok = [], False, False
                continue
            started = True
            if char in QUOTES:
                quote, blank_ok = char, True
            elif char == escape:
                if position == end:
                    continue
                chars.append(char)
                char = text[position]
                position += 1
            chars.append(char)
            continue
        if char == quote:
            quote = ""
        elif char == escape and quote != "'":
            if position == end:
                quote = ""
                continue
            chars.append(char)
            char = text[position]
            position += 1
        chars.append(char)
    if started and (blank_ok or chars):
        words.append("".join(chars))
    return words


def read_word(word: str, escape: str, substitute: Callable[[str], str] | None = None) -> str:
    """One word as BuildKit's shell lexer reads it: quotes removed, escapes resolved with ``escape``, and
    ``substitute`` applied to the text outside single quotes and escapes (variables; none when not given).
    An unterminated quote, which fails the build, reads to the end of the word."""
    if escape not in word and "'" not in word and '"' not in word:
        return substitute(word) if substitute else word
    done: list[str] = []
    pending: list[str] = []  # text where variables are substituted

    def literal(part: str) -> None:
        if pending:
            text = "".join(pending)
            done.append(substitute(text) if substitute else text)
            pending.clear()
        done.append(part)

    position, end = 0, len(word)
    while position < end:
        char = word[position]
        position += 1
        if char == "'":
            closing = word.find("'", position)
            closing = end if closing < 0 else closing
            literal(word[position:closing])
            position = closing + 1
        elif char == '"':
            while position < end and word[position] != '"':
                char = word[position]
                position += 1
                if char == escape and position < end and word[position] in ('"', "$", escape):
                    literal(word[position])
                    position += 1
                else:
                    pending.append(char)
            position += 1
        elif char == escape:
            if position < end:
                literal(word[position])
                position += 1
        else:
            pending.append(char)
    literal("")
    return "".join(done)
