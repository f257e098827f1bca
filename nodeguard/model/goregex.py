"""The regular expressions moby/patternmatcher builds from ``.dockerignore`` patterns, run as Go runs them.

Go's regexp package guarantees time linear in pattern × text; Python's ``re`` backtracks, so a pattern
such as ``*a*a*a*a*a*a*ab`` against a long name takes seconds to minutes there. This module parses the
subset of Go's (RE2) syntax that a pattern can turn into (literals, ``.``, classes with ranges, POSIX
names, ``\\d``-style and ``\\p{…}`` escapes, ``*``/``?``/``+`` on an atom, groups, ``^``/``$``/``\\A``/``\\z``/
``\\b``/``\\B``) into a Thompson automaton and runs it one character at a time over a set of states, with the
sets reached cached: each match costs O(pattern × text) at worst and a dictionary look-up per character once
warm. A syntax Go refuses raises ``GoRegexError``, as ``regexp.Compile`` fails.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Callable

from nodeguard.record import Record

MAX_RUNE = 0x10FFFF


class GoRegexError(ValueError):
    pass


# --- character sets -----------------------------------------------------------------------------------

CharTest = Callable[[str], bool]


class _Class(Record):
    """A character class: code point ranges and tests, possibly negated."""

    ranges: tuple[tuple[int, int], ...]
    tests: tuple[CharTest, ...]
    negated: bool

    def __init__(
        self,
        ranges: tuple[tuple[int, int], ...],
        tests: tuple[CharTest, ...] = (),
        negated: bool = False,
    ) -> None:
        self.__dict__.update(ranges=ranges, tests=tests, negated=negated)

    def __call__(self, char: str) -> bool:
        code = ord(char)
        inside = any(low <= code <= high for low, high in self.ranges) or any(test(char) for test in self.tests)
        return inside != self.negated


_PERL = {
    "d": ((ord("0"), ord("9")),),
    "s": ((9, 10), (12, 13), (32, 32)),
    "w": ((ord("0"), ord("9")), (ord("A"), ord("Z")), (ord("_"), ord("_")), (ord("a"), ord("z"))),
}
_POSIX = {
    "alnum": ((48, 57), (65, 90), (97, 122)),
    "alpha": ((65, 90), (97, 122)),
    "ascii": ((0, 127),),
    "blank": ((9, 9), (32, 32)),
    "cntrl": ((0, 31), (127, 127)),
    "digit": ((48, 57),),
    "graph": ((33, 126),),
    "lower": ((97, 122),),
    "print": ((32, 126),),
    "punct": ((33, 47), (58, 64), (91, 96), (123, 126)),
    "space": ((9, 13), (32, 32)),
    "upper": ((65, 90),),
    "word": ((48, 57), (65, 90), (95, 95), (97, 122)),
    "xdigit": ((48, 57), (65, 70), (97, 102)),
}


def _unicode_test(name: str) -> CharTest:
    """``\\pL``, ``\\p{Lu}``, ``\\p{Greek}``: a general category by unicodedata, a script by character name."""
    if name == "Any":
        return lambda char: True
    if len(name) <= 2 and name[:1] in "CLMNPSZ" and name.isalpha():
        return lambda char: unicodedata.category(char).startswith(name)
    if name.replace("_", "").isalpha():
        words = name.upper().replace("_", " ")
        return lambda char: unicodedata.name(char, "").startswith(words)
    raise GoRegexError(f"invalid character class range: \\p{{{name}}}")


# --- parsing ------------------------------------------------------------------------------------------

# Nodes: ("char", test) | ("empty", assertion or None) | ("cat", [nodes]) | ("alt", [nodes])
#        | ("star"|"plus"|"quest", node)
Node = tuple


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.lazy_allowed = False

    def parse(self) -> Node:
        # An explicit stack of open groups: the nesting of the input never reaches Python's own stack.
        stack: list[tuple[list[Node], list[list[Node]]]] = []
        branches: list[list[Node]] = []
        items: list[Node] = []
        text = self.text
        after_repetition = False  # Go refuses a repetition of a repetition (a**), but reads a*? as lazy
        while self.i < len(text):
            char = text[self.i]
            self.i += 1
            if char in "*+?":
                if after_repetition:
                    if char == "?" and self.lazy_allowed:
                        self.lazy_allowed = False
                        continue
                    raise GoRegexError(f"invalid nested repetition operator: {char}")
                if not items:
                    raise GoRegexError(f"missing argument to repetition operator: {char}")
                items[-1] = ({"*": "star", "+": "plus", "?": "quest"}[char], items[-1])
                after_repetition, self.lazy_allowed = True, True
                continue
            after_repetition = False
            if char == "(":
                if text.startswith("?", self.i):
                    raise GoRegexError("flags and named groups are not used by patterns")
                stack.append((items, branches))
                items, branches = [], []
            elif char == ")":
                if not stack:
                    raise GoRegexError("unexpected )")
                group = _alternation([*branches, items])
                items, branches = stack.pop()
                items.append(group)
            elif char == "|":
                branches.append(items)
                items = []
            elif char == "{" and self._repeat_count():
                raise GoRegexError("counted repetition is not used by patterns")
            elif char == "[":
                items.append(("char", self._class()))
            elif char == ".":
                items.append(("char", _not_newline))
            elif char == "^":
                items.append(("empty", "begin"))
            elif char == "$":
                items.append(("empty", "end"))
            elif char == "\\":
                items.extend(self._escape_outside_class())
            else:
                items.append(("char", _literal(char)))
        if stack:
            raise GoRegexError("missing closing )")
        return _alternation([*branches, items])

    def _repeat_count(self) -> bool:
        end = self.text.find("}", self.i)
        body = self.text[self.i:end] if end >= 0 else ""
        low, _, high = body.partition(",")
        return end >= 0 and low.isdigit() and (high == "" or high.isdigit())

    def _escape_outside_class(self) -> list[Node]:
        text = self.text
        if self.i >= len(text):
            raise GoRegexError("trailing backslash at end of expression")
        char = text[self.i]
        if char in "AbBz":
            self.i += 1
            return [("empty", {"A": "begin", "z": "end", "b": "word", "B": "not-word"}[char])]
        if char == "Q":
            end = text.find("\\E", self.i + 1)
            literal = text[self.i + 1:] if end < 0 else text[self.i + 1:end]
            self.i = len(text) if end < 0 else end + 2
            return [("char", _literal(c)) for c in literal]
        test = self._class_escape()
        if test is not None:
            return [("char", test)]
        return [("char", _literal(self._single_escape()))]

    def _class_escape(self) -> CharTest | None:
        """``\\d``, ``\\S``, ``\\pL``, ``\\P{Greek}`` at ``self.i`` (just after the backslash), else None."""
        text = self.text
        char = text[self.i]
        if char.lower() in _PERL:
            self.i += 1
            return _Class(_PERL[char.lower()], negated=char.isupper())
        if char in "pP":
            if self.i + 1 >= len(text):
                raise GoRegexError("invalid character class range")
            if text[self.i + 1] == "{":
                end = text.find("}", self.i + 2)
                if end < 0:
                    raise GoRegexError("invalid character class range")
                name, self.i = text[self.i + 2:end], end + 1
            else:
                name, self.i = text[self.i + 1], self.i + 2
            negated = char == "P"
            if name.startswith("^"):
                name, negated = name[1:], not negated
            return _Class((), (_unicode_test(name),), negated)
        return None

    def _single_escape(self) -> str:
        """One escaped character (Go's parseEscape), ``self.i`` just after the backslash."""
        text = self.text
        char = text[self.i]
        self.i += 1
        if ord(char) < 128 and not char.isalnum():
            return char
        if char in "01234567":
            if char != "0" and not (self.i < len(text) and text[self.i] in "01234567"):
                raise GoRegexError(f"invalid escape sequence: \\{char}")
            value = int(char)
            for _ in range(2):
                if self.i < len(text) and text[self.i] in "01234567":
                    value = value * 8 + int(text[self.i])
                    self.i += 1
            return chr(value)
        if char == "x":
            return self._hex_escape()
        simple = {"a": "\a", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
        if char in simple:
            return simple[char]
        raise GoRegexError(f"invalid escape sequence: \\{char}")

    def _hex_escape(self) -> str:
        text = self.text
        if text.startswith("{", self.i):
            end = text.find("}", self.i + 1)
            digits = text[self.i + 1:end] if end >= 0 else ""
            if not digits or not all(c in "0123456789abcdefABCDEF" for c in digits) or int(digits, 16) > MAX_RUNE:
                raise GoRegexError("invalid escape sequence: \\x{")
            self.i = end + 1
            return chr(int(digits, 16))
        digits = text[self.i:self.i + 2]
        if len(digits) < 2 or not all(c in "0123456789abcdefABCDEF" for c in digits):
            raise GoRegexError("invalid escape sequence: \\x")
        self.i += 2
        return chr(int(digits, 16))

    def _class(self) -> _Class:
        """A bracket expression (Go's parseClass), ``self.i`` just after ``[``."""
        text = self.text
        negated = text.startswith("^", self.i)
        if negated:
            self.i += 1
        ranges: list[tuple[int, int]] = []
        tests: list[CharTest] = []
        first = True
        while first or not text.startswith("]", self.i):
            if self.i >= len(text):
                raise GoRegexError("missing closing ]")
            first = False
            if text.startswith("[:", self.i):
                end = text.find(":]", self.i + 2)
                if end >= 0:
                    name = text[self.i + 2:end]
                    posix_negated = name.startswith("^")
                    name = name.removeprefix("^")
                    if name not in _POSIX:
                        raise GoRegexError(f"invalid character class range: [:{name}:]")
                    tests.append(_Class(_POSIX[name], negated=posix_negated))
                    self.i = end + 2
                    continue
            if text.startswith("\\", self.i) and self.i + 1 < len(text):
                self.i += 1
                test = self._class_escape()
                if test is not None:
                    tests.append(test)
                    continue
                self.i -= 1
            low = self._class_char()
            high = low
            if text.startswith("-", self.i) and self.i + 1 < len(text) and text[self.i + 1] != "]":
                self.i += 1
                high = self._class_char()
                if high < low:
                    raise GoRegexError("invalid character class range")
            ranges.append((ord(low), ord(high)))
        self.i += 1
        return _Class(tuple(ranges), tuple(tests), negated)

    def _class_char(self) -> str:
        text = self.text
        if self.i >= len(text):
            raise GoRegexError("missing closing ]")
        char = text[self.i]
        self.i += 1
        if char == "\\":
            if self.i >= len(text):
                raise GoRegexError("trailing backslash at end of expression")
            return self._single_escape()
        return char


def _literal(expected: str) -> CharTest:
    return expected.__eq__


def _not_newline(char: str) -> bool:
    return char != "\n"


def _alternation(branches: list[list[Node]]) -> Node:
    sequences = [("cat", branch) for branch in branches]
    return sequences[0] if len(sequences) == 1 else ("alt", sequences)


# --- the automaton --------------------------------------------------------------------------------------

_CHAR, _SPLIT, _JUMP, _ASSERT, _MATCH = range(5)


class GoRegex:
    """A compiled expression; ``fullmatch``-style tests through ``accepts``/``accepting_prefixes``."""

    def __init__(self, expression: str) -> None:
        self.expression = expression
        self.program: list[list] = []  # [op, argument, next, alternative]
        tree = _Parser(expression).parse()
        start = self._compile(tree)
        self._patch(start[1], self._emit(_MATCH, None))
        self.start = start[0]
        self.uses_word_boundaries = any(op == _ASSERT and arg in ("word", "not-word") for op, arg, *_ in self.program)
        self._closures: dict[tuple[frozenset[int], tuple[bool, bool, bool, bool]], frozenset[int]] = {}
        self._steps: dict[tuple[frozenset[int], str], frozenset[int]] = {}

    # Thompson construction, with an explicit stack instead of recursion.
    def _emit(self, op: int, argument: Callable[[str], bool] | str | None, following: int | None = None,
              alternative: int | None = None) -> int:
        self.program.append([op, argument, following, alternative])
        return len(self.program) - 1

    def _patch(self, holes: list[tuple[int, int]], target: int) -> None:
        for state, slot in holes:
            self.program[state][slot] = target

    def _compile(self, root: Node) -> tuple[int, list[tuple[int, int]]]:
        """(entry state, dangling exits) of ``root``."""
        results: list[tuple[int, list[tuple[int, int]]]] = []
        work: list[tuple[str, Node]] = [("enter", root)]
        while work:
            action, node = work.pop()
            kind = node[0]
            if action == "enter":
                if kind == "char":
                    state = self._emit(_CHAR, node[1])
                    results.append((state, [(state, 2)]))
                elif kind == "empty":
                    state = self._emit(_ASSERT, node[1]) if node[1] else self._emit(_JUMP, None)
                    results.append((state, [(state, 2)]))
                else:
                    work.append(("exit", node))
                    children = node[1] if kind in ("cat", "alt") else [node[1]]
                    work.extend(("enter", child) for child in reversed(children))
                continue
            if kind in ("cat", "alt"):
                count = len(node[1])
                parts = results[len(results) - count:] if count else []
                del results[len(results) - count:]
                if not parts:
                    state = self._emit(_JUMP, None)
                    results.append((state, [(state, 2)]))
                elif kind == "cat":
                    for (_, exits), (entry, _) in zip(parts, parts[1:]):
                        self._patch(exits, entry)
                    results.append((parts[0][0], parts[-1][1]))
                else:
                    entry = parts[-1][0]
                    exits = list(parts[-1][1])
                    for part_entry, part_exits in reversed(parts[:-1]):
                        entry = self._emit(_SPLIT, None, part_entry, entry)
                        exits.extend(part_exits)
                    results.append((entry, exits))
            else:
                entry, exits = results.pop()
                split = self._emit(_SPLIT, None, entry, None)
                if kind == "star":
                    self._patch(exits, split)
                    results.append((split, [(split, 3)]))
                elif kind == "plus":
                    self._patch(exits, split)
                    results.append((entry, [(split, 3)]))
                else:
                    results.append((split, [*exits, (split, 3)]))
        return results[0]

    def _closure(self, states: frozenset[int], context: tuple[bool, bool, bool, bool]) -> frozenset[int]:
        key = (states, context)
        found = self._closures.get(key)
        if found is not None:
            return found
        at_begin, at_end, word_before, word_after = context
        seen: set[int] = set()
        pending = list(states)
        while pending:
            state = pending.pop()
            if state in seen:
                continue
            seen.add(state)
            op, argument, following, alternative = self.program[state]
            if op == _SPLIT:
                pending.extend((following, alternative))
            elif op == _JUMP:
                pending.append(following)
            elif op == _ASSERT:
                holds = {
                    "begin": at_begin, "end": at_end,
                    "word": word_before != word_after, "not-word": word_before == word_after,
                }[argument]
                if holds:
                    pending.append(following)
        result = frozenset(seen)
        self._closures[key] = result
        return result

    def _context(self, text: str, index: int) -> tuple[bool, bool, bool, bool]:
        if not self.uses_word_boundaries:
            return (index == 0, index == len(text), False, False)
        before = index > 0 and _is_word(text[index - 1])
        after = index < len(text) and _is_word(text[index])
        return (index == 0, index == len(text), before, after)

    def _step(self, states: frozenset[int], char: str) -> frozenset[int]:
        key = (states, char)
        found = self._steps.get(key)
        if found is None:
            found = frozenset(
                self.program[state][2] for state in states
                if self.program[state][0] == _CHAR and self.program[state][1](char)
            )
            self._steps[key] = found
        return found

    def _accepting(self, states: frozenset[int], text: str, index: int) -> bool:
        """Would the expression match if the text ended at ``index``?"""
        at_begin = index == 0
        before = index > 0 and self.uses_word_boundaries and _is_word(text[index - 1])
        return any(self.program[s][0] == _MATCH for s in self._closure(states, (at_begin, True, before, False)))

    def accepting_prefixes(self, text: str, ends: set[int]) -> bool:
        """True when the expression matches ``text[:end]`` for some ``end`` in ``ends`` (one pass)."""
        states = frozenset((self.start,))
        for index, char in enumerate(text):
            if index in ends and self._accepting(states, text, index):
                return True
            states = self._step(self._closure(states, self._context(text, index)), char)
            if not states:
                return False
        return len(text) in ends and self._accepting(states, text, len(text))

    def accepts(self, text: str) -> bool:
        return self.accepting_prefixes(text, {len(text)})


def _is_word(char: str) -> bool:
    return char == "_" or ("0" <= char <= "9") or ("a" <= char.lower() <= "z")
