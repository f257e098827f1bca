"""Split a RUN script into simple commands.

A small POSIX-shell tokenizer of our own: it understands quoting, ``$(...)``/``${...}``/backticks inside
words, comments, line continuations, redirections and here-documents, then walks the tokens, treating
operators and compound-command keywords as separators. Nothing is expanded or executed, and malformed
input (an unterminated quote, a missing ``fi``) yields whatever commands could be recognised.
"""
from __future__ import annotations

import re
import shlex
from collections import namedtuple
from collections.abc import Sequence
from functools import cached_property

from nodeguard.patterns import LazyPattern
from nodeguard.record import Record, replace

TYPE_CHECKING = False  # not typing's: a check imports no ``typing`` (see ``nodeguard.record``)
if TYPE_CHECKING:
    from typing import NamedTuple


class Command(Record):
    """One simple command of a shell script, e.g. ``NODE_ENV=production npm ci --omit=dev``."""

    argv: tuple[str, ...]  # words after assignments, quotes removed; argv[0] is the program
    assignments: dict[str, str]  # ``VAR=value`` prefixes
    text: str  # the command's source text, for messages
    line_offset: int  # lines from the start of the script to this command
    redirects: tuple[tuple[str, str], ...]  # (operator, target): ('>', '.npmrc'), ('2>&', '1')

    def __init__(
        self,
        argv: tuple[str, ...],
        assignments: dict[str, str] | None = None,
        text: str = "",
        line_offset: int = 0,
        redirects: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.__dict__.update(
            argv=argv,
            assignments={} if assignments is None else assignments,
            text=text,
            line_offset=line_offset,
            redirects=redirects,
        )

    @cached_property
    def program(self) -> str:
        """The program's base name: ``/usr/bin/npm`` -> ``npm``."""
        return self.argv[0].rsplit("/", 1)[-1] if self.argv else ""


def split_commands(script: str) -> list[Command]:
    """The simple commands of ``script`` in source order.

    A wrapper (``sudo``, ``env``, ``exec``, ``time``, ``nohup``, ``su -c``, ``sh -c``) stays a command of
    its own whose argv is the wrapper and its options; the command or script it runs follows as separate
    commands, with the wrapper's redirections and (except through sudo/su) its assignments.
    """
    return _split(script, depth=0)


# --- tokens -------------------------------------------------------------------------------------------

_WORD, _OPERATOR, _REDIRECT, _NEWLINE, _ARITHMETIC = range(5)


def argv_commands(argv: Sequence[str]) -> list[Command]:
    """The simple commands a process started with ``argv`` runs: itself, or what a ``sh -c`` in it runs."""
    return split_commands(shlex.join(argv))


def simple_command_words(script: str) -> tuple[str, ...] | None:
    """The words of a script that is one simple command of words only (quotes removed, nothing expanded):
    ``node "my app.js"`` -> ("node", "my app.js"); None when it holds an operator, a redirection, a newline
    or no word at all."""
    tokens = _tokenize(script)
    if not tokens or any(token.kind != _WORD for token in tokens):
        return None
    return tuple(token.value for token in tokens)


if TYPE_CHECKING:
    class _Token(NamedTuple):
        kind: int
        value: str  # words: quotes removed; others: the operator as written
        start: int
        end: int
        raw: str  # the source text of the token
else:
    _Token = namedtuple("_Token", "kind value start end raw")  # the class typing.NamedTuple would make


_CONTROL_OPERATORS = (";;&", ";;", ";&", "&&", "||", "|&", ";", "|", "&", "(", ")")
_CONTROL_OPERATOR_STARTS = frozenset(operator[0] for operator in _CONTROL_OPERATORS)
_REDIRECTION = re.compile(r"\d*(?:<<<|<<-|<<|>>|&>>|&>|>&|<&|>\||<>|>|<)")
_PLAIN_RUN = re.compile(r"[^\s'\"\\$`;&|()<>]+")
_DOUBLE_QUOTED_RUN = LazyPattern(r'[^"\\$`]+')
_DOUBLE_QUOTE_ESCAPABLE = '$`"\\'
_BLANKS = " \t\r"
_WORD_END = " \t\r\n;&|()<>"


def _tokenize(script: str) -> list[_Token]:
    tokens: list[_Token] = []
    pending_heredocs: list[tuple[str, bool]] = []  # (delimiter, strip_tabs) waiting for the next newline
    heredoc_operator: str | None = None
    size = len(script)
    i = 0
    while i < size:
        char = script[i]
        if char in _BLANKS:
            i += 1
        elif char == "\\" and script.startswith("\n", i + 1):
            i += 2
        elif char == "\\" and script.startswith("\r\n", i + 1):
            i += 3
        elif char == "\n":
            tokens.append(_Token(_NEWLINE, "\n", i, i + 1, "\n"))
            i = _skip_heredoc_bodies(script, i + 1, pending_heredocs)
            pending_heredocs.clear()
        elif char == "#":
            newline = script.find("\n", i)
            i = size if newline < 0 else newline
        elif char == "(" and script.startswith("((", i):
            end = _balanced_end(script, i)
            tokens.append(_Token(_ARITHMETIC, script[i:end], i, end, script[i:end]))
            i = end
        elif (char in "<>&" or char.isdecimal()) and (redirection := _redirection_at(script, i)) is not None:
            end = i + len(redirection)
            tokens.append(_Token(_REDIRECT, redirection, i, end, redirection))
            heredoc_operator = redirection if redirection.lstrip("0123456789") in ("<<", "<<-") else None
            i = end
        elif char in _CONTROL_OPERATOR_STARTS and (operator := _control_operator_at(script, i)) is not None:
            end = i + len(operator)
            tokens.append(_Token(_OPERATOR, operator, i, end, operator))
            i = end
        else:
            value, end = _read_word(script, i)
            tokens.append(_Token(_WORD, value, i, end, script[i:end]))
            if heredoc_operator is not None:
                pending_heredocs.append((value, heredoc_operator.endswith("-")))
                heredoc_operator = None
            i = end
    return tokens


def _redirection_at(script: str, i: int) -> str | None:
    if script.startswith(("<(", ">("), i):  # process substitution: a word
        return None
    match = _REDIRECTION.match(script, i)
    return match.group() if match else None


def _control_operator_at(script: str, i: int) -> str | None:
    for operator in _CONTROL_OPERATORS:
        if script.startswith(operator, i):
            return operator
    return None


def _skip_heredoc_bodies(script: str, i: int, heredocs: list[tuple[str, bool]]) -> int:
    for delimiter, strip_tabs in heredocs:
        while i < len(script):
            newline = script.find("\n", i)
            line_end = len(script) if newline < 0 else newline
            line = script[i:line_end].rstrip("\r")
            i = line_end + 1
            if (line.lstrip("\t") if strip_tabs else line) == delimiter:
                break
    return min(i, len(script))


def _read_word(script: str, i: int) -> tuple[str, int]:
    """The word starting at ``i`` with quotes removed, and the index after it."""
    size = len(script)
    plain = _PLAIN_RUN.match(script, i)
    if plain and (plain.end() == size or script[plain.end()] in _WORD_END):  # most words: nothing to unquote
        return plain.group(), plain.end()
    parts: list[str] = []
    start = i
    while i < size:
        plain = _PLAIN_RUN.match(script, i)
        if plain:
            parts.append(plain.group())
            i = plain.end()
            continue
        char = script[i]
        if char in "<>" and i == start and script.startswith("(", i + 1):
            end = _balanced_end(script, i + 1)
            parts.append(script[i:end])
            i = end
        elif char in _WORD_END:
            break
        elif char == "'":
            close = script.find("'", i + 1)
            close = size if close < 0 else close
            parts.append(script[i + 1 : close])
            i = close + 1
        elif char == '"':
            i = _read_double_quoted(script, i + 1, parts)
        elif char == "\\":
            if script.startswith("\n", i + 1):
                i += 2
            elif script.startswith("\r\n", i + 1):
                i += 3
            else:
                parts.append(script[i + 1 : i + 2] or "\\")
                i += 2
        elif char == "$":
            i = _read_dollar(script, i, parts)
        else:  # backtick
            end = _backtick_end(script, i)
            parts.append(script[i:end])
            i = end
    return "".join(parts), min(i, size)


def _read_double_quoted(script: str, i: int, parts: list[str]) -> int:
    size = len(script)
    while i < size:
        plain = _DOUBLE_QUOTED_RUN.match(script, i)
        if plain:
            parts.append(plain.group())
            i = plain.end()
            continue
        char = script[i]
        if char == '"':
            return i + 1
        if char == "\\":
            following = script[i + 1 : i + 2]
            if following and following in _DOUBLE_QUOTE_ESCAPABLE:
                parts.append(following)
            elif following != "\n":
                parts.append("\\" + following)
            i += 2
        elif char == "$":
            i = _read_dollar(script, i, parts)
        else:
            end = _backtick_end(script, i)
            parts.append(script[i:end])
            i = end
    return size


def _read_dollar(script: str, i: int, parts: list[str]) -> int:
    """``$(...)``, ``${...}`` and ``$VAR`` stay as written; ``$'...'`` loses its quotes."""
    following = script[i + 1 : i + 2]
    if following in ("(", "{"):
        end = _balanced_end(script, i + 1)
    elif following == '"':  # $"...": a translatable string, quoted like "..."
        return i + 1
    elif following == "'":
        end = _closing_quote_end(script, i + 2, "'")
        parts.append(script[i + 2 : end - 1] if script[end - 1 : end] == "'" else script[i + 2 : end])
        return end
    else:
        end = i + 1
    parts.append(script[i:end])
    return end


def _balanced_end(script: str, i: int) -> int:
    """The index after the bracket closing the ``(`` or ``{`` at ``i``, skipping quoted text."""
    opening = script[i]
    closing = ")" if opening == "(" else "}"
    depth = 0
    size = len(script)
    while i < size:
        char = script[i]
        if char == opening:
            depth += 1
        elif char == closing:
            depth -= 1
            if depth == 0:
                return i + 1
        elif char in "'\"`\\":
            i = _skip_quoted(script, i)
            continue
        i += 1
    return size


def _skip_quoted(script: str, i: int) -> int:
    """The index after the quoted span (or escaped character) starting at ``i``."""
    char = script[i]
    if char == "\\":
        return i + 2
    if char == "`":
        return _backtick_end(script, i)
    if char == "'":
        close = script.find("'", i + 1)
        return len(script) if close < 0 else close + 1
    return _read_double_quoted(script, i + 1, [])


def _backtick_end(script: str, i: int) -> int:
    return _closing_quote_end(script, i + 1, "`")


def _closing_quote_end(script: str, i: int, quote: str) -> int:
    """The index after the first ``quote`` from ``i`` that no backslash escapes."""
    while i < len(script):
        if script[i] == "\\":
            i += 2
        elif script[i] == quote:
            return i + 1
        else:
            i += 1
    return len(script)


# --- wrappers: sudo, env, sh -c ... -------------------------------------------------------------------

_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
# The POSIX-style shells whose ``-c`` script a wrapper runs.
SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh"})
_SHELL_OPTIONS_WITH_VALUE = frozenset({"--rcfile", "--init-file"})
_OPTIONS_WITH_VALUE = {  # the wrapper's options that take the next word as their value
    "sudo": frozenset(
        {"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T", "-R", "--user", "--group",
         "--chdir", "--host", "--prompt", "--role", "--type", "--other-user", "--command-timeout",
         "--close-from", "--chroot"}
    ),
    "env": frozenset({"-u", "-C", "-S", "--unset", "--chdir", "--split-string"}),
    "exec": frozenset({"-a"}),
    "time": frozenset({"-f", "-o", "--format", "--output"}),
    "nohup": frozenset(),
    "busybox": frozenset(),  # ``busybox sh -c ...``: the applet named next runs
}
_WRAPPERS_TAKING_ASSIGNMENTS = frozenset({"sudo", "env"})
_WRAPPERS_HIDING_ENVIRONMENT = frozenset({"sudo", "su"})  # sudo and su reset the caller's environment
_SU_COMMAND_OPTIONS = ("-c", "--command", "--session-command")
_MAX_SCRIPT_DEPTH = 8


class _Unwrapped(Record):
    """How a wrapper command divides into the wrapper itself and what it runs."""

    wrapper_argv: tuple[str, ...]
    inner_start: int | None  # argv index where the wrapped command starts
    inner_assignments: dict[str, str]  # ``env VAR=x cmd``
    script_index: int | None  # argv index of the ``-c`` script
    script: str

    def __init__(
        self,
        wrapper_argv: tuple[str, ...],
        inner_start: int | None = None,
        inner_assignments: dict[str, str] | None = None,
        script_index: int | None = None,
        script: str = "",
    ) -> None:
        self.__dict__.update(
            wrapper_argv=wrapper_argv,
            inner_start=inner_start,
            inner_assignments={} if inner_assignments is None else inner_assignments,
            script_index=script_index,
            script=script,
        )


def _unwrap(argv: list[str], first: int = 0) -> _Unwrapped | None:
    """How ``argv[first:]`` divides into a wrapper and what it runs (indexes into ``argv``), or None."""
    if first >= len(argv):
        return None
    program = argv[first].rsplit("/", 1)[-1]
    if program in SHELLS or program == "su":
        unwrapped = (_unwrap_shell if program in SHELLS else _unwrap_su)(argv[first:])
        if unwrapped is None or unwrapped.script_index is None:
            return unwrapped
        return replace(unwrapped, script_index=first + unwrapped.script_index)
    if program in _OPTIONS_WITH_VALUE:
        return _unwrap_prefix(argv, first, _OPTIONS_WITH_VALUE[program], program in _WRAPPERS_TAKING_ASSIGNMENTS)
    return None


def _unwrap_prefix(
    argv: list[str], first: int, options_with_value: frozenset[str], takes_assignments: bool
) -> _Unwrapped | None:
    i = first + 1
    while i < len(argv) and argv[i].startswith("-"):
        if argv[i] == "--":
            i += 1
            break
        i += 2 if argv[i] in options_with_value else 1
    wrapper_end = min(i, len(argv))
    assignments: dict[str, str] = {}
    while takes_assignments and i < len(argv) and _ASSIGNMENT.match(argv[i]):
        name, value = argv[i].split("=", 1)
        assignments[name] = value
        i += 1
    if i >= len(argv):
        return None
    return _Unwrapped(tuple(argv[first:wrapper_end]), inner_start=i, inner_assignments=assignments)


def _unwrap_shell(argv: list[str]) -> _Unwrapped | None:
    has_command_option = False
    i = 1
    while i < len(argv):
        word = argv[i]
        if word in ("-", "--"):
            i += 1
            break
        if word.startswith("--"):
            i += 2 if word in _SHELL_OPTIONS_WITH_VALUE else 1
        elif word[:1] in ("-", "+") and len(word) > 1:
            has_command_option = has_command_option or (word[0] == "-" and "c" in word)
            i += 1 + word.count("o") + word.count("O")  # -o/-O take an option name: ``-euxo pipefail``
        else:
            break
    if not has_command_option or i >= len(argv):
        return None
    return _Unwrapped(tuple(argv[:i] + argv[i + 1 :]), script_index=i, script=argv[i])


def _unwrap_su(argv: list[str]) -> _Unwrapped | None:
    for i, word in enumerate(argv[1:], start=1):
        if word in _SU_COMMAND_OPTIONS and i + 1 < len(argv):
            return _Unwrapped(tuple(argv[: i + 1] + argv[i + 2 :]), script_index=i + 1, script=argv[i + 1])
        if word.startswith(("--command=", "--session-command=")):
            option, script = word.split("=", 1)
            return _Unwrapped(tuple(argv[:i] + [option] + argv[i + 1 :]), script_index=i, script=script)
    return None


# --- commands -----------------------------------------------------------------------------------------

_SKIPPED_KEYWORDS = frozenset({"if", "then", "else", "elif", "do", "while", "until", "!", "{"})
_CLOSING_KEYWORDS = frozenset({"fi", "done", "esac", "}"})
_CASE_CLAUSE_ENDS = frozenset({";;", ";&", ";;&"})
_CONTINUATION = re.compile(r"[ \t]*\\\r?\n[ \t]*")

# parser modes
_NORMAL, _LOOP_HEADER, _CASE_HEADER, _CASE_PATTERN, _FUNCTION_HEADER, _TEST = range(6)


class _Parser:
    """Walks the tokens of one script and collects its simple commands."""

    def __init__(self, script: str, depth: int) -> None:
        self.script = script
        self.depth = depth
        self.commands: list[Command] = []
        self.mode = _NORMAL
        self.case_depth = 0
        self.closing_function_parenthesis = False
        self.counted_to = 0
        self.lines_before = 0
        self._reset()

    def _reset(self) -> None:
        self.words: list[_Token] = []
        self.assignments: dict[str, str] = {}
        self.redirects: list[tuple[str, str]] = []
        self.pending_redirect: str | None = None
        self.discard_redirects = False  # after ``done``/``fi``/``)``: they belong to the compound command
        self.start: int | None = None
        self.end = 0

    def feed(self, token: _Token) -> None:
        mode = self.mode
        if mode == _NORMAL:
            self._normal(token)
        elif mode == _LOOP_HEADER:
            if token.kind == _NEWLINE or token.value == ";":
                self.mode = _NORMAL
        elif mode == _CASE_HEADER:
            if token.kind == _WORD and token.raw == "in":
                self.mode = _CASE_PATTERN
        elif mode == _CASE_PATTERN:
            self._case_pattern(token)
        elif mode == _FUNCTION_HEADER:
            if token.kind == _WORD and token.raw == "{":
                self.mode = _NORMAL
        else:
            self._test(token)

    def _case_pattern(self, token: _Token) -> None:
        if token.kind == _WORD and token.raw == "esac":
            self.case_depth -= 1
            self.mode = _NORMAL
            self.discard_redirects = True
        elif token.kind == _OPERATOR and token.value == ")":
            self.mode = _NORMAL

    def _test(self, token: _Token) -> None:
        """Inside ``[[ ... ]]`` operators such as ``&&`` and ``<`` are words of the test."""
        if token.kind == _NEWLINE:
            return
        self.words.append(token._replace(value=token.value if token.kind == _WORD else token.raw))
        self.end = token.end
        if token.kind == _WORD and token.raw == "]]":
            self.mode = _NORMAL

    def _normal(self, token: _Token) -> None:
        kind = token.kind
        if kind == _WORD:
            self._word(token)
        elif kind == _REDIRECT:
            self._mark(token)
            self.pending_redirect = token.value
        elif kind == _ARITHMETIC:
            self.finish()
        elif token.value == "(" and len(self.words) == 1 and not self.assignments:
            self._reset()  # ``name() { ...; }``: a function definition, not a command
            self.closing_function_parenthesis = True
        elif token.value == ")" and self.closing_function_parenthesis:
            self.closing_function_parenthesis = False
        else:
            self.finish()
            if token.value in _CASE_CLAUSE_ENDS and self.case_depth > 0:
                self.mode = _CASE_PATTERN
            elif token.value == ")":
                self.discard_redirects = True

    def _word(self, token: _Token) -> None:
        if self.pending_redirect is not None:
            if not self.discard_redirects:
                self.redirects.append((self.pending_redirect, token.value))
            self.pending_redirect = None
            self.end = token.end
            return
        at_command_start = not self.words and not self.assignments
        if at_command_start and self._keyword(token.raw):
            return
        if at_command_start and token.raw == "[[":
            self.mode = _TEST
        if not self.words and _ASSIGNMENT.match(token.raw):
            name, value = token.value.split("=", 1)
            self.assignments[name] = value
        else:
            self.words.append(token)
        self._mark(token)

    def _keyword(self, word: str) -> bool:
        """Handle a reserved word at the start of a command; False when ``word`` is not one."""
        if word in _SKIPPED_KEYWORDS:
            return True
        if word in _CLOSING_KEYWORDS:
            if word == "esac":
                self.case_depth = max(0, self.case_depth - 1)
            self.discard_redirects = True
            return True
        if word in ("for", "select"):
            self.mode = _LOOP_HEADER
        elif word == "case":
            self.case_depth += 1
            self.mode = _CASE_HEADER
        elif word == "function":
            self.mode = _FUNCTION_HEADER
        else:
            return False
        return True

    def _mark(self, token: _Token) -> None:
        if self.start is None:
            self.start = token.start
        self.end = token.end

    def finish(self) -> None:
        if self.start is not None and (self.words or self.assignments or self.redirects):
            self.commands.extend(self._commands(self.words, self.assignments, tuple(self.redirects), self.start))
        self._reset()

    def _commands(
        self, words: list[_Token], assignments: dict[str, str], redirects: tuple[tuple[str, str], ...], start: int
    ) -> list[Command]:
        """The command of ``words`` and, for a wrapper, the commands it runs. A loop, not recursion, and a
        wrapper's text stops where the command it runs starts: ``sudo sudo … npm ci`` costs one step per
        wrapper whatever the length of the chain."""
        argv = [word.value for word in words]
        commands: list[Command] = []
        first = 0  # argv index of the command being unwrapped
        while True:
            line = self._line_of(start)
            unwrapped = _unwrap(argv, first)
            if unwrapped is None:
                text = _joined(self.script[start : self.end])
                return [*commands, Command(tuple(argv[first:]), assignments, text, line, redirects)]
            if unwrapped.script_index is not None:
                text = _joined(self.script[start : self.end])
                wrapper = Command(unwrapped.wrapper_argv, assignments, text, line, redirects)
                return [*commands, wrapper, *self._script_commands(wrapper, words, unwrapped, redirects)]
            inner = unwrapped.inner_start
            assert inner is not None  # a wrapper runs either a script (above) or a command
            inner_start = words[inner].start
            text = _joined(self.script[start:inner_start]).rstrip()
            wrapper = Command(unwrapped.wrapper_argv, assignments, text, line, redirects)
            commands.append(wrapper)
            inherited = {} if wrapper.program in _WRAPPERS_HIDING_ENVIRONMENT else assignments
            assignments = {**inherited, **unwrapped.inner_assignments}
            first, start = inner, inner_start

    def _line_of(self, offset: int) -> int:
        """Lines before ``offset``, counted on from the last offset asked about: commands come in source
        order, so the whole script is counted once."""
        if offset < self.counted_to:
            self.counted_to, self.lines_before = 0, 0
        self.lines_before += self.script.count("\n", self.counted_to, offset)
        self.counted_to = offset
        return self.lines_before

    def _script_commands(
        self, wrapper: Command, words: list[_Token], unwrapped: _Unwrapped, redirects: tuple[tuple[str, str], ...]
    ) -> list[Command]:
        """The commands of a ``sh -c`` / ``su -c`` script, with what the wrapper passes on."""
        if self.depth >= _MAX_SCRIPT_DEPTH:
            return []
        inherited = {} if wrapper.program in _WRAPPERS_HIDING_ENVIRONMENT else wrapper.assignments
        script_index = unwrapped.script_index
        assert script_index is not None  # called for a wrapper that runs a script
        script_line = self._line_of(words[script_index].start)
        return [
            replace(
                command,
                assignments={**inherited, **command.assignments},
                redirects=redirects + command.redirects,
                line_offset=script_line + command.line_offset,
            )
            for command in _split(unwrapped.script, self.depth + 1)
        ]


def _joined(text: str) -> str:
    """A command's text with its line continuations joined by a space."""
    return _CONTINUATION.sub(" ", text) if "\n" in text else text


def _split(script: str, depth: int) -> list[Command]:
    parser = _Parser(script, depth)
    for token in _tokenize(script):
        parser.feed(token)
    parser.finish()
    return parser.commands
