"""The JSON twins of the YAML data read on every run stay in step with their YAML sources (a run without a
policy file does not import PyYAML: tests/test_start_up.py)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("data_json", REPO / "scripts" / "data_json.py")
assert _spec is not None and _spec.loader is not None
data_json = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(data_json)


@pytest.mark.parametrize("name", data_json.SOURCES)
def test_json_twin_matches_its_yaml_source(name):
    source = REPO / name
    assert data_json.twin_path(source).read_text("utf-8") == data_json.twin_text(source), (
        f"{data_json.twin_path(source).name} is out of date: run scripts/data_json.py"
    )
