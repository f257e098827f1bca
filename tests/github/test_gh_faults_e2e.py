"""The action end to end when GitHub misbehaves or the pull request is unusual: every finding still
reaches the user, the check run is never left in progress, and the token shows nowhere."""
from __future__ import annotations

from nodeguard.github.client import make_github
from tests.github.fakegithub import BASE_SHA, HEAD_SHA, Canned
from tests.github.scenarios import (
    CHECK_RUN,
    CHECK_RUNS,
    CONTENTS,
    REVIEWS,
    TOKEN,
    assert_reported_everywhere,
    base_files,
    dockerfiles_with_findings,
    expected_findings,
    head_files,
    pull_request_event,
    run_action,
    workspace_for,
)

DOCKERFILES = ["Dockerfile", "api/Dockerfile"]


def test_a_connection_that_keeps_dropping_loses_no_finding(github, tmp_path):
    fake = github(base_files(), head_files())
    fake.disconnect("POST", REVIEWS, 5)
    workspace = workspace_for(tmp_path, head_files())
    result = run_action(fake, workspace, pull_request_event(fake))
    assert result.returncode == 1 and result.outputs["conclusion"] == "failure"
    assert len(fake.calls("POST", REVIEWS)) == 5 and fake.reviews == []
    assert "The review could not be posted (connection problem (ConnectionError))" in result.step_summary
    assert "_(the review could not be posted)_" in result.step_summary
    (run,) = fake.check_runs
    assert run.conclusion == "failure"
    assert_reported_everywhere(result, expected_findings(head_files(), DOCKERFILES, workspace=workspace))


def many_findings_pull_request(github, tmp_path, count: int):
    head = dockerfiles_with_findings(count)
    fake = github({}, head)
    return fake, head, workspace_for(tmp_path, head)


def test_a_failing_annotation_update_is_retried(github, tmp_path):
    fake, head, workspace = many_findings_pull_request(github, tmp_path, 60)
    fake.server_errors("PATCH", CHECK_RUN, 502)
    result = run_action(fake, workspace, pull_request_event(fake))
    (run,) = fake.check_runs
    assert [call.status for call in fake.calls("PATCH", CHECK_RUN)] == [502, 200]
    assert run.batches == [50, int(result.outputs["findings"]) - 50] and run.status == "completed"
    assert "updating the check run: HTTP 502" in result.stdout


def test_an_update_that_fails_for_good_leaves_the_check_run_completed(github, tmp_path):
    fake, head, workspace = many_findings_pull_request(github, tmp_path, 60)
    fake.server_errors("PATCH", CHECK_RUN, *[500] * 5)
    # NG101 on a digest-pinned moving tag is a warning: fail on warnings so the conclusion is failure.
    result = run_action(fake, workspace, pull_request_event(fake), inputs={"fail-on": "warning"})
    (run,) = fake.check_runs
    assert (run.status, run.conclusion, run.batches) == ("completed", "failure", [50])
    assert result.returncode == 1
    assert "The check run lacks some annotations (HTTP 500" in result.step_summary
    assert "::warning file=Dockerfile,line=1," in result.stdout  # the workflow-command fallback
    assert_reported_everywhere(result, expected_findings(head, sorted(head), workspace=workspace))


def test_the_token_is_blanked_when_github_echoes_it(github, tmp_path):
    fake = github(base_files(), head_files())
    echo = {"message": f"Bad gateway for {fake.api_url}/repos/octo-org/shop/check-runs (Authorization: token {TOKEN})"}
    fake.inject("POST", CHECK_RUNS, *[Canned(502, echo, {"x-echo": TOKEN})] * 5)
    fake.inject("POST", REVIEWS, Canned(403, {"message": f"token {TOKEN} cannot write"}))
    workspace = workspace_for(tmp_path, head_files())
    result = run_action(fake, workspace, pull_request_event(fake))
    assert result.returncode == 1 and fake.check_runs == []
    assert "(Authorization: token ***)" in result.step_summary and "token *** cannot write" in result.step_summary
    assert "(Authorization: token ***)" in result.stdout
    assert_reported_everywhere(result, expected_findings(head_files(), DOCKERFILES, workspace=workspace))


def test_pull_request_target_reads_the_head_through_the_api_and_reports_on_it(github, tmp_path):
    fake = github(base_files(), head_files())
    # pull_request_target checks out the base branch, and GITHUB_SHA is the base commit.
    workspace = workspace_for(tmp_path, base_files(), checked_out=BASE_SHA)
    result = run_action(fake, workspace, pull_request_event(fake), event_name="pull_request_target", sha=BASE_SHA)
    assert result.returncode == 1
    (review,) = fake.reviews
    (run,) = fake.check_runs
    assert review["commit_id"] == HEAD_SHA and run.head_sha == HEAD_SHA
    reads = {(call.path.rsplit("/contents/", 1)[1], call.query.get("ref")) for call in fake.calls("GET", CONTENTS)}
    assert {("Dockerfile", HEAD_SHA), ("api/Dockerfile", HEAD_SHA), ("api/.dockerignore", HEAD_SHA)} <= reads
    assert all(ref == HEAD_SHA for _, ref in reads)  # the base's policy came from the workspace, at the base
    assert any(c["line"] == 9 for c in review["comments"])
    assert_reported_everywhere(result, expected_findings(head_files(), DOCKERFILES))


def test_removed_files_are_not_checked_and_a_file_without_patch_gets_no_comment(github, tmp_path):
    base = {**base_files(), "old/Dockerfile": b"FROM node\nCMD npm start\n"}
    head = {**head_files(), "web/Dockerfile": b"FROM node:latest\nCMD node web.js\n"}
    fake = github(base, head, no_patch={"web/Dockerfile"})  # GitHub leaves patch out of a too-large diff
    workspace = workspace_for(tmp_path, head)
    result = run_action(fake, workspace, pull_request_event(fake))
    (run,) = fake.check_runs
    annotated = {a["path"] for a in run.annotations}
    assert "old/Dockerfile" not in annotated and "web/Dockerfile" in annotated
    (review,) = fake.reviews
    assert {c["path"] for c in review["comments"]} == {"Dockerfile"}
    findings = expected_findings(head, [*DOCKERFILES, "web/Dockerfile"], workspace=workspace)
    web = [f for f in findings if f.path == "web/Dockerfile"]
    assert web and result.step_summary.count("_(not on a line of the diff)_") >= len(web)
    assert_reported_everywhere(result, findings)


def test_pygithub_is_built_without_its_own_retry():
    options = make_github(TOKEN, "https://ghe.example.com/api/v3/", 0).requester.kwargs
    assert options["retry"] is None and options["base_url"] == "https://ghe.example.com/api/v3"
    assert (options["seconds_between_requests"], options["seconds_between_writes"]) == (0, 0)
    paced = make_github(TOKEN, "https://api.github.com", 1).requester.kwargs
    assert paced["seconds_between_requests"] > 0 and paced["seconds_between_writes"] > 0


def test_request_changes_only_when_failing_and_no_review_when_comments_are_off(github, tmp_path):
    fake = github(base_files(), head_files())
    workspace = workspace_for(tmp_path, head_files())
    passing = run_action(fake, workspace, pull_request_event(fake), inputs={"review-event": "REQUEST_CHANGES", "fail-on": "never"})
    assert passing.returncode == 0 and [review["event"] for review in fake.reviews] == ["COMMENT"]
    quiet = github(base_files(), head_files())
    off = run_action(quiet, workspace, pull_request_event(quiet), inputs={"comments": "off"})
    assert off.returncode == 1 and quiet.reviews == [] and len(quiet.check_runs) == 1
    assert not any("/comments" in call.route or "/reviews" in call.route for call in quiet.requests)
    assert_reported_everywhere(off, expected_findings(head_files(), DOCKERFILES, workspace=workspace))
