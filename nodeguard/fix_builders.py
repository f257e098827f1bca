"""The fixes rules offer, built in one place: replace an instruction, insert lines, add a flag, and the
exec-form rewrite of a command. Every builder takes the fix's applicability from the rule, which knows
whether the edit can change what the image does (see ``findings.Applicability``).
"""
from __future__ import annotations

import json
import re
from collections.abc import Sequence

from nodeguard.findings import Applicability, Fix
from nodeguard.model.instructions import Instruction
from nodeguard.patterns import LazyPattern
from nodeguard.record import Record

SAFE, UNSAFE = Applicability.SAFE, Applicability.UNSAFE

# Outside quotes these make the shell do work: expand, glob, redirect, escape.
_EXPANDING = set("$`*?[~\\<>{}")
# Outside quotes these chain or group commands: an ``exec`` in front would change which command runs.
_CHAINING = set("&|;()\n")
_RESERVED = frozenset({"!", "{", "}", "case", "do", "done", "elif", "else", "esac", "fi", "for", "function",
                       "if", "in", "select", "then", "until", "while", "[[", "]]"})
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_KEYWORD = LazyPattern(r"\s*\S+")
_SEPARATOR = r"(?:[ \t]+|[ \t]*\\[ \t]*\r?\n[ \t]*)+"  # blanks, or a line continuation


def replace_instruction(instruction: Instruction, text: str, applicability: Applicability) -> Fix:
    """Replace every line of ``instruction`` with ``text`` (one or more lines)."""
    return Fix(instruction.start_line, instruction.end_line, text, applicability)


def insert_before(line: int, lines: Sequence[str], applicability: Applicability) -> Fix:
    """Insert ``lines`` before line ``line`` (one past the last line appends them)."""
    return Fix(line, line - 1, "\n".join(lines), applicability)


def insert_after(instruction: Instruction, lines: Sequence[str], applicability: Applicability) -> Fix:
    """Insert ``lines`` after the last line of ``instruction``, leaving the instruction as it is."""
    return insert_before(instruction.end_line + 1, lines, applicability)


def append_lines(line_count: int, lines: Sequence[str], applicability: Applicability) -> Fix:
    """Add ``lines`` at the end of a file of ``line_count`` lines (an empty file too)."""
    return insert_before(line_count + 1, lines, applicability)


def add_flag(instruction: Instruction, flag: str, applicability: Applicability) -> Fix | None:
    """Put ``flag`` (e.g. ``--chown=node:node``) right after the keyword, on the instruction's first line."""
    first = instruction.original.split("\n", 1)[0]
    keyword = _KEYWORD.match(first)
    if keyword is None:
        return None
    return Fix(instruction.start_line, instruction.start_line,
               f"{first[:keyword.end()]} {flag}{first[keyword.end():]}", applicability)


def replace_word(instruction: Instruction, word: str, replacement: str, applicability: Applicability) -> Fix | None:
    """Replace ``word`` where it stands as a whole word (between blanks) in the instruction's text; None when it
    stands there more than once or not at all, so that the edit cannot land on the wrong one."""
    pattern = re.compile(r"(?<=\s)" + re.escape(word) + r"(?=\s|$)", re.MULTILINE)
    text = instruction.original
    if len(pattern.findall(text)) != 1:
        return None
    return Fix(instruction.start_line, instruction.end_line, pattern.sub(lambda _: replacement, text), applicability)


def _word_pattern(word: str) -> str:
    escaped = re.escape(word)
    return rf"(?:{escaped}|'{escaped}'|\"{escaped}\")"


def command_word_spans(instruction: Instruction, argv: Sequence[str], occurrence: int) -> list[tuple[int, int]] | None:
    """Where each word of the ``occurrence``-th command with this ``argv`` (0 for the first) is in the
    instruction's source text, or None when it cannot be found exactly (exec form, words split by comments,
    quoting tricks)."""
    if instruction.is_exec_form:
        return None
    pattern = re.compile(
        r"(?<![^\s;&|(])" + _SEPARATOR.join(f"({_word_pattern(word)})" for word in argv) + r"(?![^\s;&|)])"
    )
    matches = list(pattern.finditer(instruction.original))
    if len(matches) <= occurrence:
        return None
    match = matches[occurrence]
    return [match.span(group) for group in range(1, len(argv) + 1)]


def edit_command_words(instruction: Instruction, argv: Sequence[str], occurrence: int,
                       edits: dict[int, str]) -> Fix | None:
    """A fix that replaces words of a command of the instruction by index (``""`` removes one, with the blank
    before it); None when the words cannot be located (see ``command_word_spans``)."""
    spans = command_word_spans(instruction, argv, occurrence)
    if spans is None:
        return None
    text = instruction.original
    for index in sorted(edits, reverse=True):
        start, end = spans[index]
        if edits[index] == "":
            start = len(text[:start].rstrip(" \t"))
        text = text[:start] + edits[index] + text[end:]
    return Fix(instruction.start_line, instruction.end_line, text)


def exec_form_line(instruction: Instruction, argv: Sequence[str]) -> str:
    """``CMD ["node", "server.js"]``: the instruction's keyword, as written, with ``argv`` in exec form."""
    keyword = _KEYWORD.match(instruction.original)
    written = keyword.group().strip() if keyword else instruction.keyword
    return f"{written} {json.dumps(list(argv))}"


class ShellCommand(Record):
    """A shell-form command as the shell would run it: ``argv`` when it is a plain command (no shell work
    but splitting words and removing quotes), else only ``text``, a single command that needs the shell
    (expansions, globs, redirections) without a trailing comment or a leading ``exec``."""

    text: str
    argv: tuple[str, ...] | None

    def __init__(self, text: str, argv: tuple[str, ...] | None) -> None:
        self.__dict__.update(text=text, argv=argv)


def read_shell_command(script: str) -> ShellCommand | None:
    """What ``/bin/sh -c script`` runs when it is one simple command; None when it chains or groups
    commands, sets variables, uses a reserved word, or cannot be read (an unterminated quote)."""
    script = script.strip(" \t")
    words, needs_shell, end = _scan(script)
    if not words:
        return None
    text = script[:end].rstrip(" \t")
    if words[0] == "exec":
        if not re.match(r"exec[ \t]", text):
            return None  # a quoted ``exec``: too odd to rewrite
        words, text = words[1:], text[5:].lstrip(" \t")
    if not words or words[0] in _RESERVED or _ASSIGNMENT.match(words[0]) or words[0].startswith("-"):
        return None
    return ShellCommand(text, None if needs_shell else tuple(words))


def exec_form_command(instruction: Instruction) -> list[str] | None:
    """The exec-form argv that runs what a shell-form CMD/ENTRYPOINT runs, with the app as the process:
    its words when the command needs no shell; ``["sh", "-c", "exec …"]`` when it needs the shell for
    expansions or redirections only (``exec`` keeps the meaning and makes the app PID 1); None when it
    chains commands, sets variables or cannot be read, where no rewrite keeps the meaning."""
    command = None if instruction.flags else read_shell_command(instruction.args)
    if command is None:
        return None
    if command.argv is not None:
        return list(command.argv)
    return ["sh", "-c", f"exec {command.text}"]


def _scan(script: str) -> tuple[list[str] | None, bool, int]:
    """Words of ``script`` (quotes removed) up to a comment; whether the shell would do more than split
    and unquote; where the scan stopped. None for words when the script chains commands or a quote is
    not closed."""
    words: list[str] = []
    word: list[str] = []
    in_word = False
    needs_shell = False
    i, end = 0, len(script)
    while i < end:
        char = script[i]
        if char in " \t":
            if in_word:
                words.append("".join(word))
                word, in_word = [], False
            i += 1
            continue
        if char == "#" and not in_word:
            return words, needs_shell, i
        if char in _CHAINING:
            return None, needs_shell, i
        in_word = True
        if char == "'":
            close = script.find("'", i + 1)
            if close < 0:
                return None, needs_shell, i
            word.append(script[i + 1:close])
            i = close + 1
        elif char == '"':
            close = i + 1
            while close < end and script[close] != '"':
                if script[close] in "$`\\":
                    needs_shell = True
                close += 2 if script[close] == "\\" else 1
            if close >= end:
                return None, needs_shell, i
            word.append(script[i + 1:close])
            i = close + 1
        else:
            if char in _EXPANDING:
                needs_shell = True
            word.append(char)
            i += 1
    if in_word:
        words.append("".join(word))
    return words, needs_shell, end

