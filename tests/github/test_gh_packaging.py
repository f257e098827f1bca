"""The action's packaging: action.yml, the image's Dockerfile and hashed lock, and the workflows."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from nodeguard.engine import check_paths
from nodeguard.github.policy_source import builtin_policy
from nodeguard.github.settings import read_inputs

REPO = Path(__file__).resolve().parents[2]


def pins(text: str) -> dict[str, str]:
    return {name.lower().replace("_", "-"): version for name, version in re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", text, re.M)}


def test_the_lock_pins_exactly_the_runtime_requirements_each_with_hashes():
    lock = (REPO / "requirements/action.txt").read_text()
    assert pins(lock) == pins((REPO / "requirements/runtime.txt").read_text())
    for block in re.split(r"\n(?=[A-Za-z])", lock.split("\n", 4)[-1].strip()):
        assert re.search(r"--hash=sha256:[0-9a-f]{64}", block), block


def test_action_yml_declares_what_the_action_reads_and_writes():
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert action["runs"] == {"using": "docker", "image": "Dockerfile"}
    assert set(action["branding"]) == {"icon", "color"} and all(action["branding"].values())
    assert list(action["inputs"]) == [
        "github-token", "config", "fail-on", "comments", "review-event", "policy-from", "sarif-file", "json-file",
        "check-name", "filter", "max-comments", "ignore", "findings-file", "resolve-digests", "check-digests",
        "refresh-data",
    ]
    assert list(action["outputs"]) == ["findings", "errors", "warnings", "conclusion", "sarif-file", "json-file"]
    assert all(spec.get("description") for spec in [*action["inputs"].values(), *action["outputs"].values()])
    defaults = {name: spec.get("default") for name, spec in action["inputs"].items()}
    assert (defaults["comments"], defaults["review-event"]) == ("changed-lines", "COMMENT")
    assert action["inputs"]["github-token"]["default"] == "${{ github.token }}"
    assert action["inputs"]["policy-from"]["default"] == "base"
    # Every input, given through the runner's INPUT_<NAME> variable with its default, is accepted.
    environ = {f"INPUT_{name.upper()}": spec.get("default", "") for name, spec in action["inputs"].items()}
    environ["INPUT_GITHUB-TOKEN"] = "token"
    assert read_inputs(environ).policy_from == "base"
    assert read_inputs(environ).resolve_digests and read_inputs(environ).check_digests
    given = {**environ, "INPUT_CONFIG": "ci/policy.yml", "INPUT_SARIF-FILE": "out.sarif", "INPUT_COMMENTS": "off"}
    inputs = read_inputs(given)
    assert (inputs.config, inputs.sarif_file, inputs.comments) == ("ci/policy.yml", "out.sarif", False)
    assert (inputs.check_name, inputs.filter, inputs.max_comments, inputs.ignore) == ("nodeguard", "diff-context", 30, ())


def test_the_image_starts_python_with_P_in_exec_form_on_pinned_bases():
    dockerfile = (REPO / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["/opt/nodeguard/bin/python", "-P", "/app/entrypoint.py"]' in dockerfile
    froms = re.findall(r"^FROM (\S+)", dockerfile, re.M)
    assert froms and all(re.fullmatch(r"python:[\w.-]+@sha256:[0-9a-f]{64}", ref) for ref in froms)
    assert "--require-hashes" in dockerfile and "requirements/action.txt" in dockerfile
    # The final stage only copies: no RUN, so no compiler or package manager is ever installed in it.
    final_stage = dockerfile[dockerfile.rindex("\nFROM ") :]
    assert not re.search(r"^RUN ", final_stage, re.M)
    assert not re.search(r"apt-get|apk |gcc|build-essential", dockerfile)
    ignored = (REPO / ".dockerignore").read_text().splitlines()
    assert ignored[1:5] == ["*", "!nodeguard", "!entrypoint.py", "!requirements/action.txt"]


def test_the_image_passes_its_own_check():
    result = check_paths([str(REPO / "Dockerfile")], builtin_policy(), cwd=REPO)
    assert result.checked == ["Dockerfile"]
    failing = [f for f in result.findings if f.severity >= builtin_policy().fail_on]
    assert failing == []


def test_workflows_run_the_tests_and_the_action_on_itself():
    workflow = yaml.safe_load((REPO / ".github/workflows/ci.yml").read_text())
    assert set(workflow[True]) == {"push", "pull_request"}  # YAML 1.1 reads the key "on" as True
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    assert any(step.get("run", "").strip() == "make test" for step in steps)
    action_job = next(job for job in workflow["jobs"].values() if any(s.get("uses") == "./" for s in job["steps"]))
    assert action_job["permissions"] == {"contents": "read", "pull-requests": "write", "checks": "write"}


def workflow_examples() -> list[tuple[str, dict]]:
    """Every workflow that uses nodeguard in the documentation and the examples, parsed."""
    found = []
    for doc in ("README.md", "docs/github-action.md"):
        for block in re.findall(r"```yaml\n(.*?)```", (REPO / doc).read_text(), re.S):
            parsed = yaml.safe_load(block)
            if isinstance(parsed, dict) and "jobs" in parsed and "nodeguard/nodeguard@" in block:
                found.append((doc, parsed))
    for path in sorted((REPO / "examples/workflows").glob("*.yml")):
        found.append((path.name, yaml.safe_load(path.read_text())))
    return found


def nodeguard_steps(job: dict) -> list[dict]:
    return [step for step in job.get("steps", []) if str(step.get("uses", "")).startswith("nodeguard/nodeguard@")]


def test_no_example_job_shares_its_name_with_the_check_run():
    examples = workflow_examples()
    assert len(examples) >= 3
    for where, workflow in examples:
        for job_id, job in workflow["jobs"].items():
            for step in nodeguard_steps(job):
                check_name = (step.get("with") or {}).get("check-name", "nodeguard")
                assert job_id != check_name and job.get("name", job_id) != check_name, where


def test_the_example_workflows_never_check_out_the_pull_request_under_a_write_token():
    checked = False
    for where, workflow in workflow_examples():
        events = workflow.get(True, workflow.get("on"))  # YAML reads a bare `on` as true
        if not {"pull_request_target", "workflow_run"} & set(events or {}):  # the events with a write token
            continue
        for job in workflow["jobs"].values():
            checkouts = [step for step in job["steps"] if str(step.get("uses", "")).startswith("actions/checkout")]
            refs = [str((step.get("with") or {}).get("ref", "")) for step in checkouts]
            assert not any("head" in ref or "merge" in ref for ref in refs), where
            assert nodeguard_steps(job), where
            checked = True
    assert checked
