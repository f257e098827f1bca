"""NG906 dockerignore-inline-comment: a `#` after a pattern is part of the pattern."""
import pytest

DOCKERFILE = "FROM node:22-alpine\nCOPY . .\n"


def test_inline_comment_is_reported_with_the_pattern_it_spoils(lint):
    [finding] = lint(DOCKERFILE, files={".dockerignore": ".git\nnode_modules # deps\n"}, rule="NG906").findings
    assert finding.path == ".dockerignore" and finding.line == 2 and finding.severity.label == "warning"
    assert "so `node_modules` is not ignored" in finding.message


def test_fix_moves_the_comment_above(lint):
    texts, relinted = lint.fix(DOCKERFILE, files={".dockerignore": "node_modules   # deps\n.env\t# secrets\n"})
    assert texts[".dockerignore"].startswith("# deps\nnode_modules\n# secrets\n.env\n")
    assert relinted.of("NG906") == []


@pytest.mark.parametrize("ignore", ["# comment\nnode_modules\n", "  # indented comment\n", "file#1\n", "#node_modules # x\n"])
def test_fine(lint, ignore):
    assert lint(DOCKERFILE, files={".dockerignore": ignore}, rule="NG906").findings == []
