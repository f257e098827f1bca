"""The JSON twins of the YAML data read on every run stay in step with their YAML sources, and a run
without a policy file does not import PyYAML."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
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


def test_check_without_a_policy_file_does_not_import_yaml(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "Dockerfile").write_text("FROM node:22-alpine\nUSER node\nCMD [\"node\", \"server.js\"]\n")
    probe = (
        "import sys\nfrom nodeguard.cli import main\n"
        "try:\n    main(['check', 'Dockerfile', '--format', 'json'])\nexcept SystemExit:\n    pass\n"
        "print('yaml' in sys.modules, file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True,
                            timeout=60, env={"PYTHONPATH": str(REPO), "PATH": ""})
    assert result.stderr.strip().splitlines()[-1] == "False", result.stderr
