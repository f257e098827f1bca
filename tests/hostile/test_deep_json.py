"""A package.json nested thousands of levels deep is reported once as unreadable, and every rule still runs."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from nodeguard.engine import check_paths
from nodeguard.model import jsontext
from nodeguard.policy import load_policy

DOCKERFILE = 'FROM node:24-alpine\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nCMD ["npm", "start"]\n'


@pytest.mark.parametrize("opening, closing", [('{"a":', "}"), ("[", "]")])
def test_a_deeply_nested_package_json_is_one_NG001_and_no_NG005(tmp_path: Path, opening, closing):
    (tmp_path / ".git").mkdir()
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    (tmp_path / "package.json").write_text(opening * 100_000 + "1" + closing * 100_000)
    result = check_paths([str(tmp_path)], load_policy(None, str(tmp_path)), cwd=tmp_path)
    rules = [f.rule for f in result.findings]
    assert "NG005" not in rules
    on_manifest = [f for f in result.findings if f.path == "package.json"]
    assert [(f.rule, f.line) for f in on_manifest] == [("NG001", 1)]
    assert "nested more than 100 levels" in on_manifest[0].message
    assert "NG502" in rules  # the rules ran, judging without package.json


def test_nesting_is_measured_outside_strings():
    assert jsontext.nesting_problem(json.dumps({"a": "[" * 500 + '\\"{' * 500})) is None
    assert jsontext.loads('{"a": {"b": [1, {"c": "]]]"}]}}') == {"a": {"b": [1, {"c": "]]]"}]}}
    with pytest.raises(ValueError, match="nested more than"):
        jsontext.loads("[" * (jsontext.MAX_DEPTH + 1) + "]" * (jsontext.MAX_DEPTH + 1))
    assert jsontext.loads("[" * jsontext.MAX_DEPTH + "]" * jsontext.MAX_DEPTH) is not None
