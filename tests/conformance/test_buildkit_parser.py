"""BuildKit's own parser tests, read straight from the upstream files in ``../shared/conformance``.

* ``testfiles/*/``: each Dockerfile's syntax tree, dumped as BuildKit's ``Node.Dump`` writes it,
  equals the ``result`` file;
* ``testfiles-negative/*/``: files BuildKit refuses are problems (NG001);
* ``testfile-line``: instruction line spans;
* ``parser_heredoc_test.go``, ``parser_test.go``, ``line_parsers_test.go``, ``directives_test.go``:
  their Go tables and cases, read out of the Go source.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from nodeguard.model.instructions import Instruction
from nodeguard.model.parse import (
    RefusedArguments,
    _parse_words,
    argument_values,
    heredoc_from_word,
    heredoc_words,
    parse_dockerfile,
    split_instruction,
)

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
PARSER = SHARED / "conformance" / "buildkit-parser"
ABSENT = f"{PARSER.resolve()} is not here: BuildKit's parser tests are only beside the main checkout"


def _needs_upstream():
    if not PARSER.is_dir():
        pytest.skip(ABSENT)


def _dirs(folder: str) -> list:
    root = PARSER / folder
    if not root.is_dir():
        return [pytest.param(None, id="absent", marks=pytest.mark.skip(reason=ABSENT))]
    return [pytest.param(path, id=path.name) for path in sorted(root.iterdir()) if path.is_dir()]


def _go_source(name: str) -> str:
    _needs_upstream()
    return (PARSER / name).read_text()


def parse(text: str):
    return parse_dockerfile("Dockerfile", text.encode())


# --- BuildKit's Node.Dump ----------------------------------------------------------------------

def go_quote(text: str) -> str:
    """Go's strconv.Quote (what %q writes)."""
    named = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v",
             "\\": "\\\\", '"': '\\"'}
    out = []
    for char in text:
        if char in named:
            out.append(named[char])
        elif char.isprintable() or char == " ":
            out.append(char)
        elif ord(char) < 0x80:
            out.append(f"\\x{ord(char):02x}")
        else:
            out.append(f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}")
    return '"' + "".join(out) + '"'


def dump(keyword: str, flags: tuple[str, ...], args: str, escape: str) -> str:
    text = keyword.lower()
    if flags:
        text += " [" + " ".join(go_quote(flag) for flag in flags) + "]"
    if keyword.upper() == "ONBUILD":
        if args:
            inner, inner_flags, inner_args = split_instruction(args)
            text += f" ({dump(inner, inner_flags, inner_args, escape)})"
        return text
    for value in argument_values(keyword, args, escape):
        text += " " + go_quote(value)
    return text


def dump_file(path: Path) -> str:
    parsed = parse_dockerfile(str(path), path.read_bytes())
    escape = parsed.directives.get("escape", "\\")
    return "".join(f"({dump(i.keyword, i.flags, i.args, escape)})\n" for i in parsed.instructions)


@pytest.mark.parametrize("case", _dirs("testfiles"))
def test_testfiles_parse_as_buildkit_dumps_them(case: Path):
    assert dump_file(case / "Dockerfile") == (case / "result").read_text()


@pytest.mark.parametrize("case", _dirs("testfiles-negative"))
def test_files_buildkit_refuses_are_problems(case: Path):
    parsed = parse_dockerfile("Dockerfile", (case / "Dockerfile").read_bytes())
    assert parsed.problems, f"{case.name}: BuildKit refuses this file, nodeguard reads it without a problem"


def test_instruction_line_spans():
    _needs_upstream()
    parsed = parse_dockerfile("Dockerfile", (PARSER / "testfile-line" / "Dockerfile").read_bytes())
    assert [(i.start_line, i.end_line) for i in parsed.instructions] == [(5, 5), (11, 12), (17, 31)]


# --- Go tables read out of the Go source -------------------------------------------------------

_GO_STRING = r'"(?:[^"\\]|\\.)*"|`[^`]*`'


def go_string(literal: str) -> str:
    return literal[1:-1] if literal.startswith("`") else json.loads(literal)


def go_strings(text: str) -> list[str]:
    return [go_string(literal) for literal in re.findall(_GO_STRING, text)]


def go_block(source: str, opening: str) -> str:
    """The text between ``opening`` (which ends with "{") and its matching "}"."""
    start = source.index(opening) + len(opening)
    depth, position = 1, start
    while depth:
        literal = re.compile(_GO_STRING).match(source, position)
        if literal:
            position = literal.end()
            continue
        depth += {"{": 1, "}": -1}.get(source[position], 0)
        position += 1
    return source[start:position - 1]


def go_items(block: str) -> list[str]:
    """The top-level comma-separated items of a composite literal's body (comments dropped)."""
    items, depth, current, position = [], 0, [], 0
    while position < len(block):
        literal = re.compile(_GO_STRING + r"|//[^\n]*").match(block, position)
        if literal:
            if not literal.group(0).startswith("//"):
                current.append(literal.group(0))
            position = literal.end()
            continue
        char = block[position]
        position += 1
        depth += {"{": 1, "}": -1}.get(char, 0)
        if char == "," and depth == 0:
            items.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    if "".join(current).strip():
        items.append("".join(current).strip())
    return items


def go_fields(item: str) -> dict[str, object]:
    fields: dict[str, object] = {}
    for name, value in re.findall(rf"(\w+):\s*({_GO_STRING}|true|false|\d+)", item):
        fields[name] = go_string(value) if value[0] in "\"`" else {"true": True, "false": False}.get(value, value)
    return fields


def _heredoc_cases() -> list:
    if not PARSER.is_dir():
        return [pytest.param(None, None, id="absent", marks=pytest.mark.skip(reason=ABSENT))]
    source = (PARSER / "parser_heredoc_test.go").read_text()
    test = go_block(source, "func TestParseExtractsHeredoc(t *testing.T) {")
    dockerfile = go_string(re.search(r"bytes\.NewBufferString\((`[^`]*`)\)", test).group(1))
    expected = [None if item == "nil" else [go_fields(inner) for inner in go_items(item[1:-1])]
                for item in go_items(go_block(test, "tests := [][]Heredoc{"))]
    return [pytest.param(dockerfile, (index, want), id=f"child{index + 1}") for index, want in enumerate(expected)]


@pytest.mark.parametrize(("dockerfile", "case"), _heredoc_cases())
def test_heredocs_extracted_as_buildkit_does(dockerfile: str, case):
    index, expected = case
    instruction: Instruction = parse(dockerfile).instructions[index + 1]
    ours = [{"Name": h.name, "Content": h.body, "Expand": not h.quoted, "Chomp": h.strip_tabs}
            for h in instruction.heredocs]
    theirs = [{"Name": h.get("Name", ""), "Content": _chomped(h.get("Content", ""), bool(h.get("Chomp"))),
               "Expand": bool(h.get("Expand")), "Chomp": bool(h.get("Chomp"))} for h in expected or ()]
    assert ours == theirs, instruction.original


def _chomped(content: str, chomp: bool) -> str:
    """nodeguard keeps a ``<<-`` body with its leading tabs already stripped, as the build step reads it."""
    return re.sub(r"(?m)^\t+", "", content) if chomp else content


def test_json_form_never_holds_a_heredoc():
    test = go_block(_go_source("parser_heredoc_test.go"), "func TestParseJSONHeredoc(t *testing.T) {")
    parsed = parse(go_string(re.search(r"bytes\.NewBufferString\((`[^`]*`)\)", test).group(1)))
    assert [i.heredocs for i in parsed.instructions[1:4]] == [(), (), ()]


def _helper_list(name: str) -> list[str]:
    test = go_block(_go_source("parser_heredoc_test.go"), "func TestParseHeredocHelpers(t *testing.T) {")
    return go_strings(go_block(test, f"{name} := []string{{"))


def test_heredoc_words_that_open_a_heredoc():
    for word in _helper_list("validHeredocs"):
        heredoc = heredoc_from_word(word)
        assert heredoc is not None and heredoc[0] == "EOF", word


def test_heredoc_words_with_an_unterminated_quote_are_refused():
    for word in _helper_list("invalidHeredocs"):
        with pytest.raises(RefusedArguments):
            heredoc_from_word(word)


def test_words_that_open_no_heredoc():
    for word in _helper_list("notHeredocs"):
        assert heredoc_from_word(word) is None, word


def test_heredoc_names_found_on_a_line():
    test = go_block(_go_source("parser_heredoc_test.go"), "func TestHeredocsFromLine(t *testing.T) {")
    for item in go_items(go_block(test, "}{")):
        line = go_fields(item)["line"]
        names_block = re.search(r"heredocNames:\s*(nil|\[\]string\{[^}]*\})", item).group(1)
        expected = [] if names_block == "nil" else go_strings(names_block)
        found = [name for name, _, _ in heredoc_words(line)]
        # as the Go test does: each heredoc found has the expected name (BuildKit finds none in "<<- EOF")
        assert found == expected[:len(found)], line


def test_words_split_as_buildkit_splits_them():
    test = go_block(_go_source("parser_test.go"), "func TestParseWords(t *testing.T) {")
    for item in go_items(go_block(test, "tests := []map[string][]string{")):
        given = go_strings(re.search(r'"input":\s*\{([^}]*)\}', item).group(1))[0]
        expected = go_strings(re.search(r'"expect":\s*\{([^}]*)\}', item).group(1))
        assert _parse_words(given, "\\") == expected, given


def test_name_value_line_parser():
    source = _go_source("line_parsers_test.go")
    for test in re.findall(r"func (Test\w+)\(t \*testing\.T\) \{", source):
        body = go_block(source, f"func {test}(t *testing.T) {{")
        call = re.search(rf"parseNameVal\(({_GO_STRING}), ({_GO_STRING}),", body)
        args, keyword = go_string(call.group(1)), go_string(call.group(2))
        if "require.Error" in body:
            with pytest.raises(RefusedArguments):
                argument_values(keyword, args)
            continue
        expected = re.findall(rf"Value:\s*({_GO_STRING})", go_block(body, "expected := &Node{"))
        assert argument_values(keyword, args) == [go_string(value) for value in expected], test


# --- directives_test.go ------------------------------------------------------------------------

FRONTEND_SELECTION_ONLY = re.compile(r"^(?:#![^\n]*\n)?(?://|\{)")


def _directive_cases() -> list:
    if not PARSER.is_dir():
        return [pytest.param(None, None, id="absent", marks=pytest.mark.skip(reason=ABSENT))]
    source = (PARSER / "directives_test.go").read_text()
    cases = []
    for test in re.findall(r"func (Test\w+)\(t \*testing\.T\) \{", source):
        body = go_block(source, f"func {test}(t *testing.T) {{")
        chunks = re.split(r"\n\tdt :?= ", body)[1:]
        for number, chunk in enumerate(chunks, 1):
            literal = re.search(_GO_STRING, chunk).group(0)
            text = go_string(literal)
            if "append([]byte{0xEF, 0xBB, 0xBF}" in body:
                text = "\ufeff" + text
            marks = ()
            if FRONTEND_SELECTION_ONLY.match(text):
                marks = pytest.mark.skip(reason="`//` and JSON directives only choose the frontend image, "
                                                "which nodeguard does not use")
            cases.append(pytest.param(text, chunk, id=f"{test}-{number}", marks=marks))
    return cases


@pytest.mark.parametrize(("text", "chunk"), _directive_cases())
def test_directives_found_as_buildkit_finds_them(text: str, chunk: str):
    directives = parse(text).directives
    if "ParseAll" in chunk:
        name, value = re.search(rf'require\.Equal\(t, ({_GO_STRING}), d\[0\]\.Name\).*?'
                                rf'require\.Equal\(t, ({_GO_STRING}), d\[0\]\.Value\)', chunk, re.S).groups()
        assert directives == {go_string(name): go_string(value)}
        return
    key = "check" if 'ParseDirective("check"' in chunk else "syntax"
    found = key in directives
    assert found == ("require.True(t, ok)" in chunk)
    expected_ref = re.search(rf"require\.Equal\(t, ({_GO_STRING}), ref\)", chunk)
    if expected_ref:
        assert directives.get(key, "").split(" ", 1)[0] == go_string(expected_ref.group(1))
