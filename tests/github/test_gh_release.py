"""The release: the workflow's structure (no Docker engine here to run it) and the release script's logic."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
import release  # noqa: E402  (scripts/ is not a package)

DIGEST = "sha256:" + "ab" * 32
PINNED_USES = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$")


def workflow(name: str) -> dict:
    return yaml.safe_load((REPO / ".github/workflows" / name).read_text())


def events(parsed: dict) -> dict:
    return parsed.get(True, parsed.get("on"))  # YAML 1.1 reads a bare `on` key as true


def step_using(job: dict, action: str) -> dict:
    (step,) = [step for step in job["steps"] if str(step.get("uses", "")).startswith(action + "@")]
    return step


def scripts(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def test_a_release_tag_alone_starts_the_release():
    on = events(workflow("release.yml"))
    assert on == {"push": {"tags": ["v[0-9]+.[0-9]+.[0-9]+"]}}


def test_tests_gate_everything_and_the_jobs_run_in_order():
    jobs = workflow("release.yml")["jobs"]
    assert {name: job.get("needs") for name, job in jobs.items()} == {
        "tests": None,
        "image": "tests",
        "action-tags": "image",
        "package": "tests",
        "pypi": ["package", "action-tags"],
    }
    tests = scripts(jobs["tests"])
    assert 'scripts/release.py check-tag "$GITHUB_REF_NAME"' in tests and "make test" in tests


def test_each_job_gets_only_the_permissions_it_needs():
    release_workflow = workflow("release.yml")
    assert release_workflow["permissions"] == {"contents": "read"}
    jobs = release_workflow["jobs"]
    granted = {name: job.get("permissions") for name, job in jobs.items()}
    assert granted == {
        "tests": None,
        "image": {"contents": "read", "packages": "write"},
        "action-tags": {"contents": "write"},
        "package": None,
        "pypi": {"id-token": "write"},
    }
    assert jobs["pypi"]["environment"]["name"] == "pypi"  # PyPI's trusted publisher names this environment


def test_the_image_is_built_for_both_platforms_and_pushed_to_ghcr_with_the_version():
    image = workflow("release.yml")["jobs"]["image"]
    build = step_using(image, "docker/build-push-action")["with"]
    assert set(build["platforms"].split(",")) == {"linux/amd64", "linux/arm64"}
    assert build["push"] is True and build["context"] == "."
    assert build["tags"] == "${{ steps.name.outputs.image }}:${{ steps.name.outputs.version }}"
    assert 'image=ghcr.io/${GITHUB_REPOSITORY,,}' in scripts(image) and 'version=${GITHUB_REF_NAME#v}' in scripts(image)
    assert step_using(image, "docker/login-action")["with"]["registry"] == "ghcr.io"
    assert step_using(image, "docker/setup-qemu-action")["with"]["platforms"] == "arm64"
    assert image["outputs"]["digest"] == "${{ steps.build.outputs.digest }}"


def test_the_release_tags_point_at_a_commit_whose_action_yml_runs_the_image_by_digest():
    job = workflow("release.yml")["jobs"]["action-tags"]
    (step,) = [step for step in job["steps"] if "run" in step]
    assert step["env"] == {"IMAGE": "${{ needs.image.outputs.image }}", "DIGEST": "${{ needs.image.outputs.digest }}"}
    commands = step["run"]
    order = [
        'release.py pin-action "$GITHUB_REF_NAME" "$IMAGE" "$DIGEST" action.yml',
        'release.py major-tag "$GITHUB_REF_NAME"',
        "git commit",
        'git tag --force --annotate "$GITHUB_REF_NAME"',
        'git tag --force "$major"',
        'git push --force origin "refs/tags/$GITHUB_REF_NAME" "refs/tags/$major"',
    ]
    positions = [commands.index(command) for command in order]
    assert positions == sorted(positions)


def test_the_package_is_built_once_and_published_by_trusted_publishing():
    jobs = workflow("release.yml")["jobs"]
    assert "python -m build" in scripts(jobs["package"])
    publish = step_using(jobs["pypi"], "pypa/gh-action-pypi-publish")
    assert "with" not in publish  # no password: the OIDC token of id-token: write is the credential
    assert step_using(jobs["pypi"], "actions/download-artifact")["with"]["name"] == "dist"


def test_every_workflow_pins_its_actions_by_commit_and_keeps_expressions_out_of_scripts():
    for path in sorted((REPO / ".github/workflows").glob("*.yml")):
        text = path.read_text()
        for uses in re.findall(r"uses: (\S+(?: # \S+)?)", text):
            assert uses == "./" or PINNED_USES.match(uses), f"{path.name}: {uses}"
        for job in yaml.safe_load(text)["jobs"].values():
            for step in job["steps"]:
                # An expression in a script is pasted into the shell: values reach it through env.
                assert "${{" not in step.get("run", ""), f"{path.name}: {step.get('name')}"


def test_the_repository_itself_builds_the_action_from_its_dockerfile():
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert action["runs"] == {"using": "docker", "image": "Dockerfile"}
    ci = workflow("ci.yml")["jobs"]["nodeguard"]
    assert [step["uses"] for step in ci["steps"] if step.get("uses", "").startswith("./")] == ["./"]


def test_the_dockerfile_pulls_no_unpinned_frontend():
    dockerfile = (REPO / "Dockerfile").read_text()
    syntax = re.findall(r"^#\s*syntax\s*=\s*(\S+)", dockerfile, re.M | re.I)
    assert all(re.search(r"@sha256:[0-9a-f]{64}$", frontend) for frontend in syntax)


# -- the script's logic


def test_a_release_tag_is_vmajor_minor_patch():
    assert release.version_of_tag("v1.4.2") == "1.4.2" and release.major_tag("v12.0.3") == "v12"
    for wrong in ("1.4.2", "v1.4", "v1.4.2-rc1", "v01.4.2", "v1.4.2 ", "refs/tags/v1.4.2"):
        with pytest.raises(release.ReleaseError, match="is not a release tag"):
            release.version_of_tag(wrong)


def test_the_tag_must_name_the_declared_version(tmp_path):
    (tmp_path / "nodeguard").mkdir()
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "nodeguard"\nversion = "1.2.0"\n')
    (tmp_path / "nodeguard/__init__.py").write_text('__version__ = "1.2.0"\n')
    assert release.check_tag("v1.2.0", tmp_path) == "1.2.0"
    with pytest.raises(release.ReleaseError, match=r"tag v1\.3\.0 names version 1\.3\.0, but pyproject\.toml says 1\.2\.0"):
        release.check_tag("v1.3.0", tmp_path)
    (tmp_path / "nodeguard/__init__.py").write_text('__version__ = "1.1.9"\n')
    with pytest.raises(release.ReleaseError, match=r"nodeguard/__init__\.py says 1\.1\.9"):
        release.check_tag("v1.2.0", tmp_path)


def test_the_repositorys_own_versions_agree():
    declared = release.declared_versions(REPO)
    assert len(set(declared.values())) == 1, declared


def test_pin_action_runs_the_image_by_version_and_digest():
    text = (REPO / "action.yml").read_text()
    pinned = release.pin_action(text, "v1.4.2", "ghcr.io/nodeguard/nodeguard", DIGEST)
    action = yaml.safe_load(pinned)
    assert action["runs"] == {"using": "docker", "image": f"docker://ghcr.io/nodeguard/nodeguard:1.4.2@{DIGEST}"}
    assert yaml.safe_load(text)["inputs"] == action["inputs"]  # nothing else changes
    assert [line for line in text.splitlines() if "image:" not in line] == [
        line for line in pinned.splitlines() if "image:" not in line
    ]
    with pytest.raises(release.ReleaseError, match="already runs docker://"):
        release.pin_action(pinned, "v1.4.3", "ghcr.io/nodeguard/nodeguard", DIGEST)


@pytest.mark.parametrize(
    ("image", "digest", "message"),
    [
        ("docker.io/nodeguard/nodeguard", DIGEST, "not an image of the GitHub Container Registry"),
        ("ghcr.io/Nodeguard/nodeguard", DIGEST, "not an image of the GitHub Container Registry"),
        ("ghcr.io/nodeguard/nodeguard", "sha256:abc", "not an image digest"),
        ("ghcr.io/nodeguard/nodeguard", "", "not an image digest"),
    ],
)
def test_pin_action_refuses_what_is_not_a_pushed_image(image, digest, message):
    with pytest.raises(release.ReleaseError, match=message):
        release.pin_action((REPO / "action.yml").read_text(), "v1.0.0", image, digest)


def test_the_script_as_the_workflow_runs_it(tmp_path):
    action = tmp_path / "action.yml"
    action.write_text((REPO / "action.yml").read_text())
    script = [sys.executable, str(REPO / "scripts/release.py")]
    done = subprocess.run([*script, "pin-action", "v2.0.1", "ghcr.io/o/r", DIGEST, str(action)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert f"image: docker://ghcr.io/o/r:2.0.1@{DIGEST}" in action.read_text()
    major = subprocess.run([*script, "major-tag", "v2.0.1"], capture_output=True, text=True)
    assert major.stdout == "v2\n"
    wrong = subprocess.run([*script, "check-tag", "v0.0.0-rc"], capture_output=True, text=True)
    assert wrong.returncode == 1 and wrong.stderr.startswith("release: ") and "Traceback" not in wrong.stderr
