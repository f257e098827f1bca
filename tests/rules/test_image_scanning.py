"""NG702 image-scanning: information when no CI configuration scans the built image."""
import os

import pytest

from nodeguard.findings import Severity

DOCKERFILE = "FROM node:24-alpine AS build\nRUN npm ci\nFROM node:24-alpine\nCMD [\"node\", \"server.js\"]\n"
BUILD_ONLY = """
name: ci
on: [push]
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: docker/build-push-action@v6
        with: {push: true, tags: "ghcr.io/acme/api:latest"}
"""


def test_no_workflow_scanning_is_reported_once_on_the_final_from(lint):
    [finding] = lint(DOCKERFILE, files={".github/workflows/ci.yml": BUILD_ONLY}, rule="NG702").findings
    assert finding.severity == Severity.INFO and finding.line == 3
    assert "no CI configuration in this repository (.github/workflows/" in finding.message
    assert "aquasecurity/trivy-action" in finding.message


def test_a_repository_without_any_ci_is_reported(lint):
    assert [f.line for f in lint(DOCKERFILE, rule="NG702").findings] == [3]


def test_every_dockerfile_gets_the_finding(lint):
    files = {"api/Dockerfile": "FROM node:24-alpine\n", "web/Dockerfile": "FROM nginx:1.27\n"}
    found = lint(files=files, rule="NG702").findings
    assert sorted((f.path, f.line) for f in found) == [("api/Dockerfile", 1), ("web/Dockerfile", 1)]


@pytest.mark.parametrize(
    ("path", "step"),
    [
        (".github/workflows/ci.yml", "      - uses: aquasecurity/trivy-action@0.28.0\n"),
        (".github/workflows/scan.yaml", "      - run: trivy image --exit-code 1 ghcr.io/acme/api\n"),
        (".github/workflows/ci.yml", "      - uses: anchore/scan-action@v6\n"),
        (".github/workflows/ci.yml", "      - run: grype ghcr.io/acme/api:latest\n"),
        (".github/workflows/ci.yml", "      - run: snyk container test ghcr.io/acme/api\n"),
        (".github/workflows/ci.yml", "      - uses: docker/scout-action@v1\n"),
        (".github/workflows/ci.yml", "      - run: docker scout cves ghcr.io/acme/api\n"),
        (".github/workflows/ci.yml", "      - uses: sysdiglabs/scan-action@v5\n"),
        (".gitlab-ci.yml", "container_scanning:\n  script: trivy image $CI_REGISTRY_IMAGE\n"),
        (".circleci/config.yml", "      - run: grype $IMAGE\n"),
    ],
)
def test_a_scanner_in_ci_silences_it(lint, path, step):
    files = {path: BUILD_ONLY + step}
    assert lint(DOCKERFILE, files=files, rule="NG702").findings == []


def test_a_workflow_linked_from_outside_the_repository_does_not_count(lint, tmp_path):
    from nodeguard.engine import check_paths
    from nodeguard.model.context import BuildContext, DiskFiles
    from nodeguard.policy import load_policy

    outside = tmp_path / "elsewhere.yml"
    outside.write_text("steps:\n  - uses: aquasecurity/trivy-action@0.28.0\n")
    root = lint.write({"Dockerfile": DOCKERFILE, ".github/workflows/ci.yml": BUILD_ONLY})
    os.symlink(outside, root / ".github" / "workflows" / "scan.yml")
    context = BuildContext(DiskFiles(root, root), display_root="", dockerignore=None)
    assert list(context.iter_repo_files(".github/workflows")) == [".github/workflows/ci.yml"]
    assert context.read_repo_text(".github/workflows/scan.yml") is None
    assert "docker/build-push-action" in context.read_repo_text(".github/workflows/ci.yml")
    findings = check_paths([str(root)], load_policy(None, str(root)), cwd=root).findings
    assert [f.line for f in findings if f.rule == "NG702"] == [3]


def test_nothing_is_said_without_the_repository_on_disk():
    from nodeguard.engine import FileToCheck, check_files
    from nodeguard.model.context import GivenFiles
    from nodeguard.policy import load_policy

    result = check_files([FileToCheck("Dockerfile", GivenFiles({"Dockerfile": DOCKERFILE.encode()}), load_policy(None, "/"))])
    assert [f for f in result.findings if f.rule == "NG702"] == []


def test_nothing_is_said_outside_a_git_repository(tmp_path):
    from nodeguard.engine import check_paths
    from nodeguard.policy import load_policy

    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    result = check_paths([str(tmp_path)], load_policy(None, str(tmp_path)), cwd=tmp_path)
    assert "NG702" not in {f.rule for f in result.findings}
    assert "NG102" in {f.rule for f in result.findings}
