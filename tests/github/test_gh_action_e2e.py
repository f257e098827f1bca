"""The action end to end: entrypoint.py in a subprocess, a real workspace, the real engine, the fake GitHub.

Each test asserts what was posted (review comments, check run, annotations), what the step summary and
outputs say, and that the token never shows. Expected findings come from the engine run in-process on
the same files, so the tests pin down where the adapter puts findings, not the rules' wording.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from nodeguard.github.checkrun import LEVELS
from nodeguard.github.comments import fingerprint, markdown_text
from nodeguard.github.diff import anchor_range, parse_hunks
from nodeguard.github.policy_source import load_policy_text
from nodeguard.policy import PolicyError
from tests.github.fakegithub import BASE_SHA, HEAD_SHA, MERGE_SHA, make_patch
from tests.github.scenarios import (
    BLOBS,
    CHECK_RUN,
    CHECK_RUNS,
    COMMENTS,
    CONTENTS,
    FILES,
    HEAD_DOCKERFILE,
    PULL,
    REVIEWS,
    TOKEN,
    TREES,
    assert_reported_everywhere,
    base_files,
    expected_findings,
    head_files,
    pull_request_event,
    push_event,
    run_action,
    run_pr_scenario,
    workspace_for,
)

def inline_expectations(findings, head: dict[str, bytes], changed: list[str]):
    """The (path, start_line, line) a comment should have for each finding the diff shows."""
    hunks = {path: parse_hunks(make_patch(base_files().get(path), head[path])) for path in changed}
    anchors = {}
    for finding in findings:
        anchor = anchor_range(hunks.get(finding.path, ()), finding.line, finding.end_line)
        if anchor is not None:
            anchors[finding] = anchor
    return anchors


def test_pull_request_review_check_run_summary_and_outputs(github, tmp_path):
    head = head_files()
    fake = github(base_files(), {**head, "Dockerfile.link": b"/etc/hostname"})
    workspace = workspace_for(tmp_path, head)
    (workspace / "Dockerfile.link").symlink_to("/etc/hostname")
    # A pull request cannot shadow the action's modules: -P keeps the workspace off sys.path.
    for shadow in ("nodeguard/__init__.py", "github/__init__.py", "requests.py", "yaml.py"):
        (workspace / shadow).parent.mkdir(parents=True, exist_ok=True)
        (workspace / shadow).write_text("raise SystemExit('imported from the pull request')\n")

    result = run_action(fake, workspace, pull_request_event(fake), inputs={"sarif-file": "reports/nodeguard.sarif"})

    findings = expected_findings(head, ["Dockerfile", "api/Dockerfile"], workspace=workspace)
    assert result.returncode == 1, result.stdout + result.stderr
    # The review: one request, commit = head SHA, one comment per finding on the diff's lines.
    (review_call,) = fake.calls("POST", REVIEWS)
    review = review_call.body
    assert review["commit_id"] == HEAD_SHA and review["event"] == "COMMENT"
    anchors = inline_expectations(findings, head, ["Dockerfile"])
    posted = {(c["path"], c.get("start_line", c["line"]), c["line"]) for c in review["comments"]}
    assert posted == {(f.path, start, end) for f, (start, end) in anchors.items()}
    lines = HEAD_DOCKERFILE.splitlines()
    for comment in review["comments"]:
        assert comment["side"] == "RIGHT" and "position" not in comment
        finding = next(f for f, (s, e) in anchors.items() if (s, e) == (comment.get("start_line", comment["line"]), comment["line"]) and markdown_text(f.message) in comment["body"])
        assert comment["body"].startswith(f"**nodeguard** · {finding.severity.label} · [{finding.rule} {finding.name}](")
        assert comment["body"].endswith(f"<!-- nodeguard:fp={fingerprint(finding, lines)} -->")
    untagged = next(c for c in review["comments"] if c["line"] == 9 and "NG101" in c["body"])
    assert "```suggestion" not in untagged["body"]  # NG101 has no mechanical fix
    entrypoint = next(c for c in review["comments"] if "NG501" in c["body"] and "ENTRYPOINT" in c["body"])
    assert (entrypoint["start_line"], entrypoint["line"], entrypoint["start_side"]) == (11, 12, "RIGHT")
    # Unsafe fixes (an exec-form ENTRYPOINT takes CMD's words; a CMD under it changes them) are shown to
    # check, never as one-click suggestions.
    assert "```suggestion" not in entrypoint["body"]
    assert 'Possible fix (check before applying):\n\n```dockerfile\nENTRYPOINT ["node", "server.js"]\n```' in entrypoint["body"]
    command = next(c for c in review["comments"] if "NG501" in c["body"] and "CMD" in c["body"])
    assert command["line"] == 13 and "start_line" not in command
    assert 'Possible fix (check before applying):\n\n```dockerfile\nCMD ["node", "server.js"]\n```' in command["body"]
    assert "```suggestion" not in command["body"]
    outside = next(f for f in findings if f.rule == "NG101" and f.line == 1)
    assert outside not in anchors

    # The check run: on the head SHA, every finding annotated, conclusion failure.
    (run,) = fake.check_runs
    assert (run.name, run.head_sha, run.status, run.conclusion) == ("nodeguard", HEAD_SHA, "completed", "failure")
    annotated = {(a["path"], a["start_line"], a["annotation_level"], a["message"]) for a in run.annotations}
    assert {(f.path, f.line, LEVELS[f.severity], f.message) for f in findings} <= annotated
    # The symbolic link out of the workspace is reported, not followed.
    assert any(a["path"] == "Dockerfile.link" and "symbolic link" in a["message"] for a in run.annotations)
    assert len(run.annotations) == len(findings) + 1
    assert any(a["path"] == "api/Dockerfile" for a in run.annotations)  # brought in by api/.dockerignore
    assert run.output["title"].startswith(f"{sum(1 for a in run.annotations if a['annotation_level'] == 'failure')} error")
    assert "_(not on a line of the diff)_" in run.output["summary"]
    assert "_(inline comment)_" in run.output["summary"]

    # Summary, outputs, SARIF, log.
    assert_reported_everywhere(result, findings)
    assert result.step_summary.startswith("## nodeguard\n")
    assert result.outputs["findings"] == str(len(run.annotations))
    assert result.outputs["errors"] == str(sum(1 for a in run.annotations if a["annotation_level"] == "failure"))
    assert result.outputs["warnings"] == str(sum(1 for a in run.annotations if a["annotation_level"] == "warning"))
    assert (result.outputs["conclusion"], result.outputs["sarif-file"]) == ("failure", "reports/nodeguard.sarif")
    sarif = json.loads((workspace / "reports/nodeguard.sarif").read_text())
    assert len(sarif["runs"][0]["results"]) == len(run.annotations)
    assert fake.counts()[f"GET {CONTENTS}"] == 2  # the policy at the base commit; files came from the workspace


def test_a_rerun_posts_no_comment_twice(github, tmp_path):
    fake = github(base_files(), head_files(), page_size=1)  # the existing comments come one per page
    workspace = workspace_for(tmp_path, head_files())
    first = run_action(fake, workspace, pull_request_event(fake))
    commented = len(fake.review_comments)
    second = run_action(fake, workspace, pull_request_event(fake))
    assert first.returncode == second.returncode == 1
    assert commented >= 3 and len(fake.calls("POST", REVIEWS)) == 1 and len(fake.review_comments) == commented
    assert len(fake.check_runs) == 2 and fake.check_runs[0].annotations == fake.check_runs[1].annotations
    assert second.step_summary.count("_(already commented on this pull request)_") == commented
    assert fake.counts()[f"GET {COMMENTS}"] == 1 + commented  # an empty list, then every page
    assert_reported_everywhere(second, expected_findings(head_files(), ["Dockerfile", "api/Dockerfile"], workspace=workspace))


def test_fork_pull_request_with_a_read_only_token_falls_back(github, tmp_path):
    fake = github(base_files(), head_files(), read_only=True)
    workspace = workspace_for(tmp_path, head_files())
    result = run_action(fake, workspace, pull_request_event(fake), inputs={"review-event": "REQUEST_CHANGES"})
    findings = expected_findings(head_files(), ["Dockerfile", "api/Dockerfile"], workspace=workspace)
    assert result.returncode == 1 and result.outputs["conclusion"] == "failure"
    assert [call.status for call in fake.requests if call.method != "GET"] == [403, 403]  # not retried
    assert fake.calls("POST", REVIEWS)[0].body["event"] == "REQUEST_CHANGES"
    assert "::error file=Dockerfile,line=9," in result.stdout
    assert "Resource not accessible by integration" in result.step_summary
    assert "_(the review could not be posted)_" in result.step_summary
    assert_reported_everywhere(result, findings)


def test_a_personal_token_gets_the_review_and_annotations_instead_of_a_check_run(github, tmp_path):
    fake = github(base_files(), head_files(), checks_need_app=True)
    result = run_action(fake, workspace_for(tmp_path, head_files()), pull_request_event(fake))
    assert result.returncode == 1
    assert len(fake.reviews) == 1 and fake.check_runs == []
    assert "You must authenticate via a GitHub App." in result.step_summary
    assert "::error file=Dockerfile,line=9," in result.stdout
    assert_reported_everywhere(result, expected_findings(head_files(), ["Dockerfile", "api/Dockerfile"]))


def test_server_errors_and_rate_limits_are_retried(github, tmp_path):
    fake = github(base_files(), head_files(), page_size=1)
    fake.server_errors("GET", FILES, 502, 500)
    fake.primary_rate_limit("GET", COMMENTS, reset_in=30)
    fake.secondary_rate_limit("POST", REVIEWS, retry_after=5)
    fake.secondary_rate_limit("POST", CHECK_RUNS, retry_after=None, status=403)
    workspace = workspace_for(tmp_path, head_files())
    result = run_action(fake, workspace, pull_request_event(fake))
    findings = expected_findings(head_files(), ["Dockerfile", "api/Dockerfile"], workspace=workspace)
    assert result.returncode == 1
    counts = fake.counts()
    assert counts[f"GET {FILES}"] == 2 + 2  # two failures, then two pages of one file
    assert (counts[f"GET {COMMENTS}"], counts[f"POST {REVIEWS}"], counts[f"POST {CHECK_RUNS}"]) == (1 + 1, 2, 2)
    assert len(fake.reviews) == 1 and fake.check_runs[0].conclusion == "failure"
    assert "retrying in 5 s" in result.stdout and "retrying in 60 s" in result.stdout  # retry-after; 403 without it
    assert re.search(r"listing the pull request's review comments: HTTP 403: .*; retrying in (2\d|3[01]) s", result.stdout)
    assert_reported_everywhere(result, findings)


def test_a_refused_comment_is_isolated_and_moved_to_the_summary(github, tmp_path):
    fake = github(base_files(), head_files(), reject_lines={("Dockerfile", 9)})
    workspace = workspace_for(tmp_path, head_files())
    result = run_action(fake, workspace, pull_request_event(fake))
    findings = expected_findings(head_files(), ["Dockerfile", "api/Dockerfile"], workspace=workspace)
    on_line_9 = [f for f in findings if f.line == 9]
    posted = [c for review in fake.reviews for c in review["comments"]]
    assert on_line_9 and all(c["line"] != 9 for c in posted)
    assert any(c["line"] == 13 for c in posted)
    assert result.step_summary.count("_(GitHub refused the inline comment)_") == len(on_line_9)
    assert "GitHub refused" in result.step_summary
    assert_reported_everywhere(result, findings)


def test_a_workspace_not_at_the_head_commit_is_not_trusted(github, tmp_path):
    big = (f"FROM node\n{'# padding line' * 3}\n" + "CMD npm start\n").encode()
    head = {**head_files(), "web/Dockerfile": big}
    fake = github(base_files(), head, large_file_bytes=40, symlinks={"Dockerfile.link": "/etc/hostname"})
    fake.head_files["Dockerfile.link"] = b"/etc/hostname"
    # The default checkout of a pull_request: the merge commit, whose files nodeguard must not use.
    workspace = workspace_for(tmp_path, base_files(), checked_out=MERGE_SHA)
    result = run_action(fake, workspace, pull_request_event(fake))
    findings = expected_findings(head, ["Dockerfile", "api/Dockerfile", "web/Dockerfile"])
    assert result.returncode == 1
    contents = {call.path.rsplit("/contents/", 1)[1] for call in fake.calls("GET", CONTENTS)}
    assert {"Dockerfile", "web/Dockerfile", "api/Dockerfile", "api/.dockerignore", "Dockerfile.link"} <= contents
    assert fake.counts()[f"GET {BLOBS}"] >= 1 and fake.counts()[f"GET {TREES}"] == 1
    (run,) = fake.check_runs
    assert {(f.path, f.line, f.message) for f in findings} <= {(a["path"], a["start_line"], a["message"]) for a in run.annotations}
    assert any(a["path"] == "Dockerfile.link" and "symbolic link" in a["message"] for a in run.annotations)
    assert "not checked out at the pull request's head commit" in result.step_summary
    assert_reported_everywhere(result, findings)


def test_the_policy_comes_from_the_base_branch_unless_told_otherwise(github, tmp_path):
    strict = b"fail-on: error\n"
    lenient = b"fail-on: never\n"
    base = {**base_files(), ".github/nodeguard.yml": strict}
    head = {**head_files(), ".github/nodeguard.yml": lenient}
    fake = github(base, head)
    workspace = workspace_for(tmp_path, head)
    from_base = run_action(fake, workspace, pull_request_event(fake))
    from_head = run_action(fake, workspace, pull_request_event(fake), inputs={"policy-from": "head"})
    assert (from_base.returncode, from_base.outputs["conclusion"]) == (1, "failure")
    assert (from_head.returncode, from_head.outputs["conclusion"]) == (0, "success")
    assert "`.github/nodeguard.yml` on the base branch (6dcb09b)" in from_base.step_summary
    assert "`.github/nodeguard.yml` at the head commit (e5bd391)" in from_head.step_summary
    refs = [call.query.get("ref") for call in fake.calls("GET", CONTENTS)]
    assert refs == [BASE_SHA]  # the head's policy came from the workspace, checked out at the head


def test_an_invalid_base_policy_fails_with_its_repository_path(github, tmp_path):
    fake = github({**base_files(), ".nodeguard.yml": b"fail-on: [nonsense\n"}, head_files())
    result = run_action(fake, workspace_for(tmp_path, head_files()), pull_request_event(fake))
    assert result.returncode == 1 and result.outputs["conclusion"] == "failure"
    assert "::error::.nodeguard.yml" in result.stdout
    assert "nodeguard-policy-" not in result.everything()
    (run,) = fake.check_runs
    assert run.conclusion == "failure" and run.output["title"] == "nodeguard could not check this commit"
    assert fake.calls("POST", REVIEWS) == []
    with pytest.raises(PolicyError, match=r"^\.nodeguard\.yml"):
        load_policy_text(".nodeguard.yml", b"fail-on: [nonsense\n")


def test_more_files_than_github_lists_checks_the_whole_workspace(github, tmp_path):
    extra = {"tools/Dockerfile": b"FROM node:latest\nCMD node tool.js\n"}
    docs = {f"docs/page{n}.md": b"x\n" for n in range(3000)}  # sorted after Dockerfile: GitHub lists the first 3000
    fake = github(base_files(), {**head_files(), **docs})
    workspace = workspace_for(tmp_path, {**head_files(), **extra, **docs})
    result = run_action(fake, workspace, pull_request_event(fake, changed_files=3002))  # the event counts them all
    assert fake.counts()[f"GET {FILES}"] == 30
    assert "GitHub lists at most 3000 files" in result.step_summary
    (run,) = fake.check_runs
    assert any(a["path"] == "tools/Dockerfile" for a in run.annotations)
    assert all(c["path"] == "Dockerfile" for review in fake.reviews for c in review["comments"])
    findings = expected_findings({**head_files(), **extra}, ["Dockerfile", "api/Dockerfile", "tools/Dockerfile"], workspace=workspace)
    assert_reported_everywhere(result, findings)


def test_a_stale_file_count_in_the_event_is_not_taken_for_githubs_limit(github, tmp_path):
    fake = github(base_files(), head_files())
    workspace = workspace_for(tmp_path, head_files())
    result = run_action(fake, workspace, pull_request_event(fake, changed_files=9))  # a later push removed files
    assert "3000" not in result.step_summary and len(fake.reviews) == 1


@pytest.mark.parametrize("event_name, prefix", [("push", ""), ("workflow_dispatch", "/api/v3")])
def test_push_and_dispatch_check_every_dockerfile_without_a_review(github, tmp_path, event_name, prefix):
    fake = github({}, head_files(), prefix=prefix)  # /api/v3: GitHub Enterprise Server's GITHUB_API_URL
    workspace = workspace_for(tmp_path, head_files())
    result = run_action(fake, workspace, push_event(fake), event_name=event_name, sha=HEAD_SHA, inputs={"fail-on": "never"})
    findings = expected_findings(head_files(), ["Dockerfile", "api/Dockerfile"], workspace=workspace)
    assert result.returncode == 0 and result.outputs["conclusion"] == "success"
    assert fake.counts() == {f"POST {CHECK_RUNS}": 1}  # the policy and the files come from the workspace
    assert fake.requests[0].path == "/repos/octo-org/shop/check-runs"  # served below the prefix
    (run,) = fake.check_runs
    assert run.head_sha == HEAD_SHA and run.conclusion == "success"
    assert {(f.path, f.line) for f in findings} == {(a["path"], a["start_line"]) for a in run.annotations}
    assert_reported_everywhere(result, findings)


def test_bad_inputs_stop_with_one_clear_message(github, tmp_path):
    fake = github({}, {})
    result = run_action(fake, workspace_for(tmp_path, {}), pull_request_event(fake), inputs={"fail-on": "sometimes"})
    assert result.returncode == 2
    assert result.stdout.strip() == "::error::input fail-on: 'sometimes' is not one of error, warning, info, never"
    assert fake.requests == [] and result.stderr == ""


def test_requests_do_not_grow_with_findings_beyond_annotation_batches():
    counts = {n: run_pr_scenario(n) for n in (1, 10, 100)}
    for n, made in counts.items():
        assert made["findings"] >= n
        assert made[f"GET {FILES}"] == made[f"GET {COMMENTS}"] == made[f"POST {REVIEWS}"] == made[f"POST {CHECK_RUNS}"] == 1
        assert made[f"GET {PULL}"] == 1  # the head, compared with the event's before commenting
        batches = -(-made["findings"] // 50)
        assert made.get(f"PATCH {CHECK_RUN}", 0) == batches - 1
        assert made["total"] == 5 + 2 + batches - 1  # + the two policy look-ups at the base commit


def test_when_github_keeps_failing_the_findings_still_reach_the_summary_and_log(github, tmp_path):
    fake = github(base_files(), head_files())
    fake.server_errors("GET", TREES, *[502] * 5)
    fake.server_errors("POST", REVIEWS, *[500] * 5)
    fake.server_errors("POST", CHECK_RUNS, *[503] * 5)
    workspace = workspace_for(tmp_path, base_files(), checked_out=MERGE_SHA)
    result = run_action(fake, workspace, pull_request_event(fake))
    findings = expected_findings(head_files(), ["Dockerfile"])
    assert result.returncode == 1 and fake.reviews == [] and fake.check_runs == []
    assert "The repository's files could not be listed (HTTP 502" in result.step_summary
    assert "The review could not be posted (HTTP 500" in result.step_summary
    assert "The check run could not be created (HTTP 503" in result.step_summary
    assert "::error file=Dockerfile,line=9," in result.stdout
    assert_reported_everywhere(result, findings)
