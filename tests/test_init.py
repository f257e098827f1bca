"""``nodeguard init``: a starter policy with its schema comment, and a workflow; nothing overwritten."""
from __future__ import annotations

import json
from pathlib import Path

import yaml

from nodeguard.policy import load_policy
from nodeguard.policy.schema import policy_schema
from tests.test_cli import run

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_init_writes_a_policy_editors_validate_and_a_workflow_using_the_action(tmp_path: Path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "app").mkdir()
    result = run(["init"], tmp_path / "app")  # from a subfolder: the repository root gets the files
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "wrote .github/nodeguard.yml", "wrote .github/nodeguard.schema.json", "wrote .github/workflows/nodeguard.yml",
    ]
    policy_text = (tmp_path / ".github" / "nodeguard.yml").read_text()
    assert policy_text.startswith("# yaml-language-server: $schema=./nodeguard.schema.json\n")
    assert json.loads((tmp_path / ".github" / "nodeguard.schema.json").read_text()) == policy_schema()
    policy = load_policy(None, str(tmp_path))
    assert policy.source.endswith("nodeguard.yml") and policy.fail_on is not None
    workflow = yaml.safe_load((tmp_path / ".github" / "workflows" / "nodeguard.yml").read_text())
    [job] = workflow["jobs"].values()
    steps = job["steps"]
    assert steps[-1]["uses"] == "nodeguard/nodeguard@v1"
    assert workflow["permissions"] == {"contents": "read", "pull-requests": "write", "checks": "write"}


def test_init_never_overwrites_a_file(tmp_path: Path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "nodeguard.yml").write_text("extends: strict\n")
    outside = tmp_path / "outside.yml"
    outside.write_text("mine\n")
    (tmp_path / ".github" / "workflows").mkdir()
    (tmp_path / ".github" / "workflows" / "nodeguard.yml").symlink_to(outside)
    result = run(["init", str(tmp_path)], tmp_path)
    assert result.returncode == 0
    assert "kept  .github/nodeguard.yml (it exists; not overwritten)" in result.stdout
    assert "kept  .github/workflows/nodeguard.yml (it exists; not overwritten)" in result.stdout
    assert (tmp_path / ".github" / "nodeguard.yml").read_text() == "extends: strict\n"
    assert outside.read_text() == "mine\n"
    assert (tmp_path / ".github" / "nodeguard.schema.json").exists()
    assert run(["init", str(tmp_path / "nope")], tmp_path).returncode == 2


def test_the_starter_workflow_is_the_one_the_readme_shows(tmp_path: Path):
    """The README's workflow: a job whose id is not the check run's name (branch protection would see two
    checks called "nodeguard"), and concurrency that cancels the run a new push replaces."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    shown = next(block for block in readme.split("```yaml\n")[1:] if block.startswith("name: nodeguard\n"))
    (tmp_path / ".git").mkdir()
    assert run(["init"], tmp_path).returncode == 0
    written = yaml.safe_load((tmp_path / ".github" / "workflows" / "nodeguard.yml").read_text())
    documented = yaml.safe_load(shown.split("```", 1)[0])
    # without a fail-on input, so that the starter policy's fail-on decides
    del next(iter(documented["jobs"].values()))["steps"][-1]["with"]
    assert written == documented
    assert "nodeguard" not in written["jobs"] and written["concurrency"]["cancel-in-progress"] is True
