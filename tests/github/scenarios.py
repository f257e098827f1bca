"""Running the action end to end: a workspace on disk, an event payload, the fake GitHub, a subprocess.

``run_action`` starts ``entrypoint.py`` the way the action's image does (``python -P``, the workspace as
the working folder) with the runner's environment; ``base_files``/``head_files`` are the pull request
most tests use, and ``assert_reported_everywhere`` the check that no finding was lost. ``run_pr_scenario(n)`` is a pull request whose
Dockerfiles carry about ``n`` findings; it returns how many requests of each kind the run made (used by
the request-count test and by bench/api-calls: import ``tests.github.scenarios`` from the repository root).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from nodeguard.engine import FileToCheck, check_files
from nodeguard.github.comments import markdown_text
from nodeguard.model.context import DiskRepository, GivenFiles
from nodeguard.github.policy_source import builtin_policy
from tests.github.fakegithub import BASE_SHA, HEAD_SHA, MERGE_SHA, OWNER, REPO, FakeGitHub

REPO_ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = REPO_ROOT / "entrypoint.py"
TOKEN = "ghs_e2eFakeInstallationToken7Qx2PzLm9Rw4Vb"
SCAN_WORKFLOW = b"on: push\njobs:\n  scan:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: aquasecurity/trivy-action@0.28.0\n"
GOOD_FROM = "FROM node:22.11.0-bookworm-slim@sha256:" + "4" * 64

PULL = "/repos/{owner}/{repo}/pulls/{pull_number}"
PULL_REVIEWS = "/repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}"
DISMISSALS = "/repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}/dismissals"
COMMIT_CHECK_RUNS = "/repos/{owner}/{repo}/commits/{ref}/check-runs"
FILES = "/repos/{owner}/{repo}/pulls/{pull_number}/files"
COMMENTS = "/repos/{owner}/{repo}/pulls/{pull_number}/comments"
REVIEWS = "/repos/{owner}/{repo}/pulls/{pull_number}/reviews"
CHECK_RUNS = "/repos/{owner}/{repo}/check-runs"
CHECK_RUN = "/repos/{owner}/{repo}/check-runs/{check_run_id}"
CONTENTS = "/repos/{owner}/{repo}/contents/{path}"
BLOBS = "/repos/{owner}/{repo}/git/blobs/{file_sha}"
TREES = "/repos/{owner}/{repo}/git/trees/{tree_sha}"

PADDING = "".join(f"# step {n}\n" for n in range(1, 7))
BASE_DOCKERFILE = f'FROM node AS deps\nRUN npm ci\n{PADDING}FROM node:20-slim\nWORKDIR /app\nCOPY --from=deps /node_modules ./node_modules\nCMD ["node", "server.js"]\n'
# Line 1 (unchanged) is far from the changes at lines 9 and 11-13: outside the diff's hunks.
HEAD_DOCKERFILE = f"FROM node AS deps\nRUN npm ci\n{PADDING}FROM node:latest\nWORKDIR /app\nENTRYPOINT node \\\n    server.js\nCMD node server.js\n"
API_DOCKERFILE = "FROM node\nWORKDIR /srv\nCMD npm start\n"


def base_files() -> dict[str, bytes]:
    return {"Dockerfile": BASE_DOCKERFILE.encode(), "api/Dockerfile": API_DOCKERFILE.encode()}


def head_files() -> dict[str, bytes]:
    return {**base_files(), "Dockerfile": HEAD_DOCKERFILE.encode(), "api/.dockerignore": b"node_modules\n"}


def expected_findings(files: dict[str, bytes], dockerfiles: list[str], policy=None, workspace: Path | None = None):
    given = {path: files[path] for path in dockerfiles}
    if workspace is not None:  # the ignore files and build contexts read from the workspace
        repository = GivenFiles(given, rest=DiskRepository(workspace.resolve()))
    else:
        repository = GivenFiles({**given, **{path: data for path, data in files.items() if path.endswith(".dockerignore")}})
    return check_files(FileToCheck(path, repository, policy or builtin_policy()) for path in dockerfiles).findings


def workspace_for(tmp_path: Path, files: dict[str, bytes], checked_out: str | None = HEAD_SHA) -> Path:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    write_tree(workspace, files, checked_out)
    return workspace


def assert_reported_everywhere(result, findings) -> None:
    """Every finding is in the step summary and in the log; the token is nowhere."""
    for finding in findings:
        where = f"line {finding.line}" if finding.end_line == finding.line else f"lines {finding.line}–{finding.end_line}"
        assert f"{where}: {markdown_text(finding.message)}" in result.step_summary
        assert f"{finding.path}:{finding.line}:" in result.stdout
    assert TOKEN not in result.everything()
    assert "Traceback" not in result.everything()


@dataclass
class ActionResult:
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    step_summary: str

    def everything(self) -> str:
        return "\n".join([self.stdout, self.stderr, self.step_summary, json.dumps(self.outputs)])


def read_outputs(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT as the runner reads it: ``name=value`` lines and ``name<<delimiter`` blocks."""
    outputs, lines = {}, iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value = []
            for inner in lines:
                if inner == delimiter:
                    break
                value.append(inner)
            else:
                raise AssertionError(f"GITHUB_OUTPUT: {name} is not closed by {delimiter}")
            outputs[name] = "\n".join(value)
        elif "=" in line:
            name, value = line.split("=", 1)
            outputs[name] = value
        elif line:
            raise AssertionError(f"GITHUB_OUTPUT: unreadable line {line!r}")
    return outputs


def write_tree(root: Path, files: dict[str, bytes], checked_out: str | None) -> None:
    """The workspace as actions/checkout leaves it; ``.git/HEAD`` names the checked-out commit."""
    for path, data in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    if checked_out is not None:
        (root / ".git").mkdir(exist_ok=True)
        (root / ".git" / "HEAD").write_text(checked_out + "\n")


def repository_payload(fake: FakeGitHub) -> dict:
    api = f"{fake.api_url}/repos/{OWNER}/{REPO}"
    return {
        "id": 1296269,
        "node_id": "MDEwOlJlcG9zaXRvcnkxMjk2MjY5",
        "name": REPO,
        "full_name": f"{OWNER}/{REPO}",
        "private": False,
        "owner": {"login": OWNER, "id": 1, "type": "Organization"},
        "html_url": f"https://github.com/{OWNER}/{REPO}",
        "url": api,
        "default_branch": "main",
    }


def pull_request_event(fake: FakeGitHub, changed_files: int | None = None) -> dict:
    """A ``pull_request`` ``synchronize`` payload, trimmed from GitHub's webhook example."""
    repo = repository_payload(fake)
    api = repo["url"]
    number = fake.pull_number
    return {
        "action": "synchronize",
        "number": number,
        "before": BASE_SHA,
        "after": HEAD_SHA,
        "pull_request": {
            "url": f"{api}/pulls/{number}",
            "id": 1,
            "node_id": "MDExOlB1bGxSZXF1ZXN0MQ==",
            "html_url": f"https://github.com/{OWNER}/{REPO}/pull/{number}",
            "number": number,
            "state": "open",
            "title": "Containerise the API",
            "user": {"login": "octocat", "id": 1, "type": "User"},
            "head": {"label": "octocat:api-image", "ref": "api-image", "sha": HEAD_SHA, "repo": repo},
            "base": {"label": f"{OWNER}:main", "ref": "main", "sha": BASE_SHA, "repo": repo},
            "merge_commit_sha": MERGE_SHA,
            "changed_files": len(fake.pull_files()) if changed_files is None else changed_files,
            "commits": 3,
            "additions": 40,
            "deletions": 2,
        },
        "repository": repo,
        "sender": {"login": "octocat", "id": 1, "type": "User"},
    }


def push_event(fake: FakeGitHub) -> dict:
    return {
        "ref": "refs/heads/main",
        "before": BASE_SHA,
        "after": HEAD_SHA,
        "repository": repository_payload(fake),
        "pusher": {"name": "octocat"},
        "head_commit": {"id": HEAD_SHA, "message": "Build the image"},
    }


def run_action(
    fake: FakeGitHub,
    workspace: Path,
    event: dict,
    event_name: str = "pull_request",
    inputs: dict[str, str] | None = None,
    sha: str = MERGE_SHA,
    env: dict[str, str] | None = None,
) -> ActionResult:
    with tempfile.TemporaryDirectory(prefix="nodeguard-runner-") as runner:
        runner_dir = Path(runner)
        event_path, output, summary = runner_dir / "event.json", runner_dir / "output", runner_dir / "summary.md"
        event_path.write_text(json.dumps(event))
        output.touch()
        summary.touch()
        environ = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONPATH": str(REPO_ROOT),  # in the image the package is installed; here it is the checkout
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": event_name,
            "GITHUB_EVENT_PATH": str(event_path),
            "GITHUB_REPOSITORY": f"{OWNER}/{REPO}",
            "GITHUB_API_URL": fake.api_url,
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_SHA": sha,
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(summary),
            "NODEGUARD_SLEEP_SCALE": "0",
            "INPUT_GITHUB-TOKEN": TOKEN,
            "INPUT_CONFIG": "",
            "INPUT_FAIL-ON": "",
            "INPUT_COMMENTS": "changed-lines",
            "INPUT_REVIEW-EVENT": "COMMENT",
            "INPUT_POLICY-FROM": "base",
            "INPUT_SARIF-FILE": "",
            "INPUT_RESOLVE-DIGESTS": "false",  # no registry to ask here: tests/remote/test_action_digests_e2e.py has one
            "INPUT_CHECK-DIGESTS": "false",
            "INPUT_REFRESH-DATA": "false",  # no Node.js site here: tests/remote/test_node_data.py serves one
        }
        environ.update({f"INPUT_{name.upper()}": value for name, value in (inputs or {}).items()})
        environ.update(env or {})
        done = subprocess.run(
            [sys.executable, "-P", str(ENTRYPOINT)],
            cwd=workspace,
            env=environ,
            capture_output=True,
            text=True,
            timeout=120,
        )
        outputs = read_outputs(output.read_text())
        return ActionResult(done.returncode, done.stdout, done.stderr, outputs, summary.read_text())


def dockerfiles_with_findings(count: int, files: int = 3) -> dict[str, bytes]:
    """``files`` Dockerfiles with ``count`` ``FROM node:latest`` stages between them: one error each (NG101,
    the moving tag; pinned by digest it would only be a warning), plus one NG102 warning per file (the
    same unpinned image is reported once), before a final stage done right."""
    paths = ["Dockerfile", *(f"services/svc{index}/Dockerfile" for index in range(1, files))]
    contents = {}
    for index, path in enumerate(paths):
        untagged = count // files + (1 if index < count % files else 0)
        stages = [f"FROM node:latest AS build{stage}\n" for stage in range(untagged)]
        final = f'{GOOD_FROM}\nENV NODE_ENV=production\nWORKDIR /app\nCOPY --chown=node:node server.js ./\nUSER node\nCMD ["node", "server.js"]\n'
        contents[path] = ("".join(stages) + final).encode()
    return contents


def run_pr_scenario(n_findings: int) -> dict[str, int]:
    """Requests made by one run on a pull request that adds 3 Dockerfiles with about ``n_findings``
    findings, by ``"METHOD /route/{template}"``, plus ``"total"`` and ``"findings"`` (as the run counted
    them)."""
    # The repository scans its images in CI, so that the only findings are the ones asked for.
    head = {**dockerfiles_with_findings(n_findings), ".github/workflows/scan.yml": SCAN_WORKFLOW}
    with tempfile.TemporaryDirectory(prefix="nodeguard-ws-") as folder, FakeGitHub({}, head, token=TOKEN) as fake:
        workspace = Path(folder)
        write_tree(workspace, head, HEAD_SHA)
        result = run_action(fake, workspace, pull_request_event(fake))
        if fake.schema_errors or result.returncode not in (0, 1):
            raise AssertionError(f"the run failed: {fake.schema_errors} {result.stderr}")
        counts = dict(fake.counts())
        return {**counts, "total": sum(counts.values()), "findings": int(result.outputs["findings"])}
