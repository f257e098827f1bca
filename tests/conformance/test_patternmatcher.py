"""moby/patternmatcher's own test tables, read straight from the upstream test files in
``../shared/conformance/patternmatcher``: ``.dockerignore`` patterns match, fail and are read as Docker's."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from nodeguard.model.ignore import IgnoreError, IgnoreFile, _compiled, _read_all_entry, clean_path, new_pattern

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "conformance" / "patternmatcher"
MATCHER_TESTS = SHARED / "patternmatcher_test.go"
IGNOREFILE_TESTS = SHARED / "ignorefile_test.go"
_GO_STRING = r'"(?:[^"\\]|\\.)*"|`[^`]*`'


def go_string(literal: str) -> str:
    if literal.startswith("`"):
        return literal[1:-1]
    escapes = {"n": "\n", "t": "\t", "r": "\r"}
    return re.sub(r"\\(.)", lambda match: escapes.get(match.group(1), match.group(1)), literal[1:-1])


def _source(path: Path) -> str:
    if not path.exists():
        pytest.skip(f"{path} is not here: the upstream test data is only beside the main checkout")
    return path.read_text(encoding="utf-8")


def _block(source: str, opening: str) -> str:
    """The text of the composite literal that starts with ``opening``, up to its closing brace."""
    start = source.index(opening) + len(opening)
    depth, index = 1, start
    while depth:
        literal = re.compile(_GO_STRING).match(source, index)
        if literal:
            index = literal.end()
            continue
        depth += {"{": 1, "}": -1}.get(source[index], 0)
        index += 1
    return source[start:index - 1]


def _entries(block: str, fields: str) -> list[tuple]:
    return [tuple(match.groups()) for match in re.finditer(fields, block)]


def _load_tables() -> dict[str, list]:
    if not MATCHER_TESTS.exists():
        return {}
    source = MATCHER_TESTS.read_text(encoding="utf-8")
    single = rf'\{{({_GO_STRING}), ({_GO_STRING}), (true|false)\}}'
    tables: dict[str, list] = {"matches": [], "multi": [], "match": [], "compile": []}
    for opening in ("tests := []matchesTestCase{", "tests = append(tests, []matchesTestCase{"):
        tables["matches"] += [(go_string(p), go_string(t), b == "true") for p, t, b in _entries(_block(source, opening), single)]
    multi = rf"\{{\[\]string\{{((?:(?:{_GO_STRING})(?:, )?)*)\}}, ({_GO_STRING}), (true|false)\}}"
    for patterns, text, passes in _entries(_block(source, "multiPatternTests := []multiPatternTestCase{"), multi):
        tables["multi"].append(([go_string(p) for p in re.findall(_GO_STRING, patterns)], go_string(text), passes == "true"))
    match = rf'\{{({_GO_STRING}), ({_GO_STRING}), (true|false), (nil|filepath\.ErrBadPattern)\}}'
    for pattern, text, passes, error in _entries(_block(source, "var matchTests = []matchTest{"), match):
        tables["match"].append((go_string(pattern), go_string(text), passes == "true", error != "nil"))
    compiled = rf'\{{({_GO_STRING}), (\w+), ({_GO_STRING}), ({_GO_STRING})\}}'
    for pattern, kind, regex, _ in _entries(_block(source, "var compileTests = []compileTestCase{"), compiled):
        kind = {"regexp": "regex"}.get(kind.removesuffix("Match"), kind.removesuffix("Match"))
        tables["compile"].append((go_string(pattern), kind, go_string(regex)))
    return tables


TABLES = _load_tables()


def _table(name: str) -> list:
    return TABLES.get(name) or [pytest.param(None, marks=pytest.mark.skip(reason=f"{MATCHER_TESTS} is not here"))]


def new(patterns: list[str]) -> IgnoreFile | IgnoreError:
    """``patternmatcher.New``: the matcher, or the first error."""
    compiled = []
    for number, entry in enumerate(patterns, 1):
        pattern = new_pattern(number, entry)
        if isinstance(pattern, IgnoreError):
            return pattern
        if pattern is not None:
            compiled.append(pattern)
    return IgnoreFile(".dockerignore", tuple(patterns), tuple(compiled))


def matches(path: str, matcher: IgnoreFile) -> bool:
    deciding = matcher.deciding_pattern(path)
    return deciding is not None and not deciding.negated


@pytest.mark.parametrize("case", _table("matches"), ids=repr)
def test_matches_or_parent_matches(case):
    pattern, text, expected = case
    matcher = new([pattern])
    assert isinstance(matcher, IgnoreFile), matcher
    assert matches(text, matcher) is expected


@pytest.mark.parametrize("case", _table("multi"), ids=repr)
def test_several_patterns(case):
    patterns, text, expected = case
    assert matches(text, new(patterns)) is expected


@pytest.mark.parametrize("case", _table("match"), ids=repr)
def test_match_and_bad_patterns(case):
    """``Matches(file, [pattern])``: New's errors, the file cleaned, then MatchesOrParentMatches."""
    pattern, text, expected, is_error = case
    matcher = new([pattern])
    assert isinstance(matcher, IgnoreError) is is_error
    if not is_error:
        path = clean_path(text)
        assert (path != "." and matches(path, matcher)) is expected


@pytest.mark.parametrize("case", _table("compile"), ids=repr)
def test_compile_kind_and_regular_expression(case):
    pattern, kind, regex = case
    compiled = _compiled(clean_path(pattern))
    assert compiled.kind == kind
    if kind == "regex":
        assert compiled.regex.expression == regex


def test_a_single_exclamation_mark_and_a_malformed_pattern_are_errors():
    """TestSingleExclamationError, TestCleanPatternsErrorSingleException, TestMatchesWithMalformedPatterns,
    TestMatchesOrParentMatchesMalformedPatternDoesNotPanicOnRepeatedCall."""
    source = _source(MATCHER_TESTS)
    assert 'Matches("fileutils.go", []string{"!"})' in source and '[]string{"[Local-Only]/"}' in source
    for pattern in ("!", "[", "[Local-Only]/"):
        assert isinstance(new([pattern]), IgnoreError), pattern


def test_read_all():
    """ignorefile.ReadAll on the upstream content: each line as patternmatcher receives it."""
    source = _source(IGNOREFILE_TESTS)
    content = go_string(re.search(r"const content = (`[^`]*`)", source).group(1))
    expected = [go_string(s) for s in re.findall(_GO_STRING, _block(source, "expected := []string{"))]
    read = [_read_all_entry(line.strip(" ")) for line in content.split("\n") if line.strip() and not line.startswith("#")]
    assert read == expected
