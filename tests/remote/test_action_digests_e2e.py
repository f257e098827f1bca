"""The action end to end with a real registry: NG102's review comment carries a one-click suggestion with
the digest the registry gives the tag, a stale pin is an info comment with the new digest, and an
unreachable registry leaves the manual instruction with a note, the run going on as before."""
from __future__ import annotations

import socket

from tests.github.conftest import github  # noqa: F401 - the fake GitHub fixture
from tests.github.fakegithub import HEAD_SHA
from tests.github.scenarios import REVIEWS, push_event, pull_request_event, run_action, workspace_for
from tests.remote.test_registry_lookup import LAYERS

OLD_DIGEST = "sha256:" + "1" * 64
BASE = b'FROM node:20-slim\nUSER node\nCMD ["node", "server.js"]\n'


def policy(mirror: str) -> bytes:
    return f"registries:\n  docker.io:\n    mirror: {mirror}\nrules:\n  NG101: off\n".encode()


def comments_on(fake, line: int) -> list[str]:
    (review,) = fake.calls("POST", REVIEWS)
    return [c["body"] for c in review.body["comments"] if c["line"] == line and "NG102" in c["body"]]


def test_the_ng102_comment_suggests_the_real_digest_and_a_stale_pin_is_info(github, tmp_path, open_registry):
    fresh = open_registry.push_index("library/node", "24.11.1-alpine3.22", LAYERS)
    moved = open_registry.push_index("library/node", "22.21.0-alpine3.22", {"linux/amd64": b"rebuilt"})
    head = (f"FROM node:22.21.0-alpine3.22@{OLD_DIGEST} AS build\nRUN echo built\n"
            "FROM node:24.11.1-alpine3.22\nUSER node\nCOPY --from=build /a /a\nCMD [\"node\", \"server.js\"]\n")
    files = {".nodeguard.yml": policy(open_registry.url)}
    fake = github({**files, "Dockerfile": BASE}, {**files, "Dockerfile": head.encode()})
    workspace = workspace_for(tmp_path, {**files, "Dockerfile": head.encode()})

    result = run_action(fake, workspace, pull_request_event(fake),
                        inputs={"resolve-digests": "true", "check-digests": "true"})

    assert result.returncode == 0, result.stdout + result.stderr
    (pin,) = comments_on(fake, 3)
    assert f"```suggestion\nFROM node:24.11.1-alpine3.22@{fresh}\n```" in pin
    (stale,) = comments_on(fake, 1)
    assert stale.startswith("**nodeguard** · info") and moved in stale
    assert f"FROM node:22.21.0-alpine3.22@{moved} AS build" in stale  # offered; how is the fixes' rendering
    assert "digests: 2 images looked up in 2 requests, 2 resolved" in result.step_summary
    (review,) = fake.calls("POST", REVIEWS)
    assert review.body["commit_id"] == HEAD_SHA


def test_an_unreachable_registry_keeps_the_manual_instruction_and_the_run_goes_on(github, tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    image = f"127.0.0.1:{closed}/acme/node:24-alpine"  # no Docker Hub fallback: the run stays on this machine
    head = f"FROM {image}\nUSER node\nCMD [\"node\", \"server.js\"]\n".encode()
    files = {".nodeguard.yml": f"registries:\n  '127.0.0.1:{closed}': {{}}\nrules:\n  NG101: off\n".encode()}
    fake = github({**files, "Dockerfile": BASE}, {**files, "Dockerfile": head})
    workspace = workspace_for(tmp_path, {**files, "Dockerfile": head})

    result = run_action(fake, workspace, pull_request_event(fake), inputs={"resolve-digests": "true"})

    assert result.returncode == 0, result.stdout + result.stderr
    (comment,) = comments_on(fake, 1)
    assert f"docker buildx imagetools inspect {image}" in comment and "```suggestion" not in comment
    assert f"127.0.0.1:{closed} could not be reached: Connection refused" in comment
    assert "NG102 keeps the manual instruction" in result.step_summary


def test_on_push_every_selected_dockerfile_of_the_workspace_is_looked_up(github, tmp_path, open_registry):
    digest = open_registry.push_index("library/node", "24.11.1-alpine3.22", LAYERS)
    policy_text = policy(open_registry.url) + b"exclude: ['legacy/**']\n"
    files = {".nodeguard.yml": policy_text, "Dockerfile": b"FROM node:24.11.1-alpine3.22\nUSER node\n",
             "legacy/Dockerfile": b"FROM node:99-not-pushed\n"}
    fake = github({}, files)
    workspace = workspace_for(tmp_path, files)
    result = run_action(fake, workspace, push_event(fake), event_name="push", sha=HEAD_SHA,
                        inputs={"resolve-digests": "true", "fail-on": "never"})
    assert result.returncode == 0, result.stdout + result.stderr
    (run,) = fake.check_runs
    (pin,) = [a for a in run.annotations if "NG102" in a.get("title", "") + a["message"]]
    assert digest in pin["message"]
    assert "digests: 1 image looked up in 1 request, 1 resolved" in result.step_summary  # legacy/ is excluded


def test_a_pull_request_cannot_steer_lookups_to_this_machine_by_naming_its_registry(github, tmp_path, open_registry):
    """The Dockerfile names a registry on 127.0.0.1 and the pull request's own policy names it too: the
    policy comes from the base branch, so the registry gets no request and the comment says why."""
    open_registry.push_index("acme/node", "24-alpine", LAYERS)
    image = f"{open_registry.host}/acme/node:24-alpine"
    head = f"FROM {image}\nUSER node\nCMD [\"node\", \"server.js\"]\n".encode()
    base_policy = b"rules:\n  NG101: off\n"
    head_policy = f"registries:\n  '{open_registry.host}': {{}}\n".encode() + base_policy
    fake = github({".nodeguard.yml": base_policy, "Dockerfile": BASE}, {".nodeguard.yml": head_policy, "Dockerfile": head})
    workspace = workspace_for(tmp_path, {".nodeguard.yml": head_policy, "Dockerfile": head})
    before = open_registry.manifest_requests()

    result = run_action(fake, workspace, pull_request_event(fake), inputs={"resolve-digests": "true"})

    assert result.returncode == 0, result.stdout + result.stderr
    assert open_registry.manifest_requests() == before
    (comment,) = comments_on(fake, 1)
    assert "```suggestion" not in comment
    assert f"not looked up: {open_registry.host} is neither a well-known public registry" in comment


def test_a_policy_the_pull_request_wrote_cannot_point_lookups_at_the_runners_network(github, tmp_path, open_registry):
    """policy-from: head reads the pull request's own policy; its registries (here a mirror on this machine,
    standing for the runner's network) are not asked, and the summary says why."""
    open_registry.push_index("library/node", "24.11.1-alpine3.22", LAYERS)
    head = b'FROM node:24.11.1-alpine3.22\nUSER node\nCMD ["node", "server.js"]\n'
    head_files = {".nodeguard.yml": policy(open_registry.url), "Dockerfile": head}
    fake = github({"Dockerfile": BASE}, head_files)
    workspace = workspace_for(tmp_path, head_files)
    before = open_registry.manifest_requests()

    result = run_action(fake, workspace, pull_request_event(fake),
                        inputs={"resolve-digests": "true", "policy-from": "head"})

    assert result.returncode == 0, result.stdout + result.stderr
    assert open_registry.manifest_requests() == before
    (comment,) = comments_on(fake, 1)
    assert "docker buildx imagetools inspect node:24.11.1-alpine3.22" in comment and "```suggestion" not in comment
    assert "the policy's registries (mirrors, private registries) are not used" in result.step_summary
