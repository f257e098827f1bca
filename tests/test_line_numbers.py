"""One line splitter: the parser's numbering is the one every adapter uses."""
from nodeguard.github.action import text_lines as action_lines
from nodeguard.model.parse import parse_dockerfile, text_lines


def test_a_unicode_line_separator_does_not_shift_the_lines():
    data = "FROM node:22\n# a note\u2028with a separator\nCMD node server.js\n".encode()
    parsed = parse_dockerfile("Dockerfile", data)
    assert action_lines(data) == text_lines(data) == list(parsed.lines)
    assert [i.start_line for i in parsed.instructions] == [1, 3]
    assert len(text_lines(data)) == 3


def test_crlf_and_cr_only_files_split_as_the_parser_splits_them():
    for data in (b"FROM node:22\r\nCMD x\r\n", b"FROM node:22\rCMD x\r"):
        assert text_lines(data) == list(parse_dockerfile("Dockerfile", data).lines)
