"""The action where real GitHub differs from the simple model: limits in bytes, every event, races, 422
kinds, lost answers, stale change requests, truncated trees, and the inputs peer actions' users ask for.

Each test runs entrypoint.py against the fake GitHub, which models the behaviour in question (byte
limits, a head that moves, pending reviews, merge groups, writes whose answer is lost) and still
validates every request body against GitHub's published schema.
"""
from __future__ import annotations

import json
import os
import re

import pytest

from nodeguard.github.review import REVIEW_MARK_AT_END
from tests.github.fakegithub import (
    APPLY_THEN_DROP,
    BASE_SHA,
    BYTESIZE_LIMIT,
    HEAD_SHA,
    MERGE_SHA,
    TOO_QUICKLY,
    Canned,
)
from tests.github.scenarios import (
    CHECK_RUN,
    CHECK_RUNS,
    COMMENTS,
    COMMIT_CHECK_RUNS,
    CONTENTS,
    DISMISSALS,
    GOOD_FROM,
    PULL_REVIEWS,
    REVIEWS,
    TREES,
    assert_reported_everywhere,
    base_files,
    dockerfiles_with_findings,
    expected_findings,
    head_files,
    pull_request_event,
    push_event,
    repository_payload,
    run_action,
    workspace_for,
)

DOCKERFILES = ["Dockerfile", "api/Dockerfile"]
MOVED_SHA = "c0ffee0c0ffee0c0ffee0c0ffee0c0ffee0c0ff"
GOOD_DOCKERFILE = (
    f'{GOOD_FROM}\nENV NODE_ENV=production\nWORKDIR /app\nCOPY --chown=node:node server.js ./\nUSER node\nCMD ["node", "server.js"]\n'
).encode()


def utf8(text: str) -> int:
    return len(text.encode("utf-8"))


# -- limits are bytes


def multibyte_dockerfile(arguments: int, name_length: int, long_name: int = 0) -> bytes:
    """Build arguments whose names look like secrets (NG801 quotes each name in its message), spelled
    in three-byte characters: the messages are three times longer in bytes than in characters."""
    lines = [GOOD_FROM]
    lines += [f"ARG NPM_TOKEN_{'€' * name_length}{index:03d}" for index in range(arguments)]
    if long_name:
        lines.append(f"ARG NPM_TOKEN_{'€' * long_name}")
    lines += ["ENV NODE_ENV=production", "USER node", 'CMD ["node", "server.js"]']
    return ("\n".join(lines) + "\n").encode()


def test_check_run_limits_are_measured_in_utf8_bytes(github, tmp_path):
    head = {"Dockerfile": multibyte_dockerfile(150, 200, long_name=23_000)}
    fake = github({}, head)  # the fake refuses, as GitHub does, a field over 65,535 bytes
    workspace = workspace_for(tmp_path, head)
    result = run_action(fake, workspace, pull_request_event(fake), inputs={"comments": "off"})
    findings = expected_findings(head, ["Dockerfile"], workspace=workspace)
    assert len(findings) >= 151
    (run,) = fake.check_runs  # accepted: the summary and every annotation message fit in bytes
    summary = run.output["summary"]
    assert len(summary) < BYTESIZE_LIMIT < utf8("\n".join(f.message for f in findings))  # chars would not have cut
    assert utf8(summary) <= BYTESIZE_LIMIT and "more finding" in summary
    longest = max(run.annotations, key=lambda a: utf8(a["message"]))
    assert len(longest["message"]) <= BYTESIZE_LIMIT and BYTESIZE_LIMIT - 3 < utf8(longest["message"]) <= BYTESIZE_LIMIT
    assert len(run.annotations) == len(findings) and "The check run" not in result.step_summary
    assert_reported_everywhere(result, [f for f in findings if utf8(f.message) < 10_000])


# -- the check's name


def test_check_name_input_names_the_check_run_and_the_review_points_to_it(github, tmp_path):
    fake = github(base_files(), head_files())
    result = run_action(
        fake, workspace_for(tmp_path, head_files()), pull_request_event(fake), inputs={"check-name": "Dockerfiles / nodeguard"}
    )
    assert result.returncode == 1
    (run,) = fake.check_runs
    assert run.name == "Dockerfiles / nodeguard"
    (review,) = fake.reviews
    assert "the `Dockerfiles / nodeguard` check run" in review["body"]


def test_an_unprintable_check_name_is_a_misconfiguration(github, tmp_path):
    fake = github(base_files(), head_files())
    result = run_action(fake, workspace_for(tmp_path, head_files()), pull_request_event(fake), inputs={"check-name": "a\tb"})
    assert result.returncode == 2 and "input check-name" in result.stdout and fake.requests == []


# -- every event a gate sees


def merge_group_event(fake) -> dict:
    """A merge_group checks_requested payload (trimmed from GitHub's webhook example)."""
    return {
        "action": "checks_requested",
        "merge_group": {
            "head_sha": MERGE_SHA,
            "head_ref": "refs/heads/gh-readonly-queue/main/pr-7-6dcb09b5b57875f334f61aebed695e2e4193db5e",
            "base_sha": BASE_SHA,
            "base_ref": "refs/heads/main",
            "head_commit": {"id": MERGE_SHA, "tree_id": "1" * 40, "message": "Merge pull request #7"},
        },
        "repository": repository_payload(fake),
        "sender": {"login": "octocat", "id": 1, "type": "User"},
    }


def test_merge_group_is_checked_like_a_push_at_the_merge_groups_head(github, tmp_path):
    fake = github(base_files(), head_files())
    workspace = workspace_for(tmp_path, head_files(), checked_out=MERGE_SHA)
    result = run_action(fake, workspace, merge_group_event(fake), event_name="merge_group", sha=MERGE_SHA)
    assert result.returncode == 1, result.stdout
    (run,) = fake.check_runs
    assert run.head_sha == MERGE_SHA and run.conclusion == "failure"
    assert fake.calls("POST", REVIEWS) == []
    assert_reported_everywhere(result, expected_findings(head_files(), DOCKERFILES, workspace=workspace))


@pytest.mark.parametrize("policy_from", ["base", "head"])
def test_a_merge_group_reads_the_policy_from_its_base_unless_told_otherwise(github, tmp_path, policy_from):
    # The queued pull request turns the gate off and makes the Dockerfile worse: the merge group's head
    # holds both, but its base (the target branch) still has the policy that guards the queue.
    base = {"Dockerfile": GOOD_DOCKERFILE, ".github/nodeguard.yml": b"fail-on: error\n"}
    head = {"Dockerfile": b"FROM node\nCMD npm start\n", ".github/nodeguard.yml": b"fail-on: never\n"}
    fake = github(base, head)
    workspace = workspace_for(tmp_path, head, checked_out=MERGE_SHA)
    result = run_action(fake, workspace, merge_group_event(fake), event_name="merge_group", sha=MERGE_SHA,
                        inputs={"policy-from": policy_from})
    (run,) = fake.check_runs
    if policy_from == "head":
        assert result.returncode == 0 and run.conclusion == "success", result.stdout
        assert "in the workspace" in result.step_summary
        return
    assert result.returncode == 1 and run.conclusion == "failure", result.stdout
    assert f"`.github/nodeguard.yml` on the base branch ({BASE_SHA[:7]})" in result.step_summary
    assert [call.query.get("ref") for call in fake.calls("GET", CONTENTS)] == [BASE_SHA]
    assert_reported_everywhere(result, expected_findings(head, ["Dockerfile"], workspace=workspace))


def fork_event(fake) -> dict:
    event = pull_request_event(fake)
    fork = {**repository_payload(fake), "full_name": "octocat/shop", "owner": {"login": "octocat", "id": 1, "type": "User"}}
    event["pull_request"]["head"]["repo"] = fork
    return event


def test_a_fork_goes_straight_to_the_fallback_without_doomed_writes(github, tmp_path):
    fake = github(base_files(), head_files(), read_only=True)
    workspace = workspace_for(tmp_path, head_files())
    result = run_action(fake, workspace, fork_event(fake))
    assert result.returncode == 1
    assert [r for r in fake.requests if r.method != "GET"] == []  # not one write tried
    assert "comes from a fork" in result.step_summary and "::error file=Dockerfile,line=9," in result.stdout
    assert_reported_everywhere(result, expected_findings(head_files(), DOCKERFILES, workspace=workspace))


def test_dependabot_goes_straight_to_the_fallback(github, tmp_path):
    fake = github(base_files(), head_files(), read_only=True)
    event = pull_request_event(fake)
    event["pull_request"]["user"] = {"login": "dependabot[bot]", "id": 49699333, "type": "Bot"}
    result = run_action(fake, workspace_for(tmp_path, head_files()), event, inputs={}, sha=MERGE_SHA)
    assert result.returncode == 1 and [r for r in fake.requests if r.method != "GET"] == []
    assert "Dependabot" in result.step_summary


def test_pull_request_target_from_a_fork_still_writes(github, tmp_path):
    fake = github(base_files(), head_files())
    workspace = workspace_for(tmp_path, base_files(), checked_out=BASE_SHA)  # the safe recipe: the base only
    result = run_action(fake, workspace, fork_event(fake), event_name="pull_request_target", sha=BASE_SHA)
    assert result.returncode == 1 and len(fake.reviews) == 1 and len(fake.check_runs) == 1
    assert fake.check_runs[0].head_sha == HEAD_SHA


# -- races and retries


def test_a_head_that_moves_during_the_run_gets_no_inline_comment(github, tmp_path):
    fake = github(base_files(), head_files(), current_head=MOVED_SHA)  # a push landed after the event
    workspace = workspace_for(tmp_path, head_files())
    result = run_action(fake, workspace, pull_request_event(fake))
    assert result.returncode == 1
    assert fake.calls("POST", REVIEWS) == []
    (run,) = fake.check_runs
    assert run.head_sha == HEAD_SHA and "head moved during the run" in run.output["summary"]
    assert "_(not commented: the pull request's head moved during the run)_" in result.step_summary
    assert_reported_everywhere(result, expected_findings(head_files(), DOCKERFILES, workspace=workspace))


def test_anchor_422s_are_bisected_with_pending_reviews_into_one_change_request(github, tmp_path):
    fake = github(base_files(), head_files(), reject_lines={("Dockerfile", 9)})
    workspace = workspace_for(tmp_path, head_files())
    result = run_action(fake, workspace, pull_request_event(fake), inputs={"review-event": "REQUEST_CHANGES"})
    assert result.returncode == 1
    (review,) = fake.submitted_reviews()  # one review, one change request
    assert review["state"] == "CHANGES_REQUESTED"
    assert review["comments"] and all(c["line"] != 9 for c in review["comments"])
    assert not [r for r in fake.reviews if r["state"] == "PENDING"]  # every probe was deleted
    assert len(fake.calls("DELETE", PULL_REVIEWS)) == len(fake.deleted_reviews) >= 1
    assert "GitHub refused" in result.step_summary


def test_submitted_too_quickly_waits_and_retries_once(github, tmp_path):
    fake = github(base_files(), head_files())
    fake.inject("POST", REVIEWS, Canned(422, {"message": "Validation Failed", "errors": [TOO_QUICKLY]}))
    result = run_action(fake, workspace_for(tmp_path, head_files()), pull_request_event(fake))
    assert result.returncode == 1
    assert len(fake.calls("POST", REVIEWS)) == 2 and len(fake.submitted_reviews()) == 1
    assert fake.calls("DELETE", PULL_REVIEWS) == []  # not taken for an anchor error


def test_request_changes_on_the_tokens_own_pull_request_falls_back_to_a_comment(github, tmp_path):
    fake = github(base_files(), head_files(), own_pull_request=True)
    result = run_action(
        fake, workspace_for(tmp_path, head_files()), pull_request_event(fake), inputs={"review-event": "REQUEST_CHANGES"}
    )
    (review,) = fake.submitted_reviews()
    assert review["state"] == "COMMENTED" and review["comments"]
    assert [call.body["event"] for call in fake.calls("POST", REVIEWS)] == ["REQUEST_CHANGES", "COMMENT"]
    assert "request changes on its own pull request" in result.step_summary


def test_a_review_whose_answer_is_lost_is_not_posted_twice(github, tmp_path):
    fake = github(base_files(), head_files())
    fake.inject("POST", REVIEWS, Canned(APPLY_THEN_DROP, {}))  # GitHub posts it; the answer never arrives
    result = run_action(fake, workspace_for(tmp_path, head_files()), pull_request_event(fake))
    assert result.returncode == 1
    assert len(fake.calls("POST", REVIEWS)) == 1 and len(fake.submitted_reviews()) == 1
    assert len(fake.calls("GET", REVIEWS)) == 1  # looked for it before posting again
    assert "earlier attempt went through" in result.stdout
    assert REVIEW_MARK_AT_END.search(fake.reviews[0]["body"])


def test_a_check_run_whose_answer_is_lost_is_not_created_twice(github, tmp_path):
    fake = github(base_files(), head_files())
    fake.inject("POST", CHECK_RUNS, Canned(APPLY_THEN_DROP, {}))
    result = run_action(fake, workspace_for(tmp_path, head_files()), pull_request_event(fake), inputs={"comments": "off"})
    assert result.returncode == 1
    (run,) = fake.check_runs
    assert run.external_id.startswith("nodeguard-") and len(fake.calls("GET", COMMIT_CHECK_RUNS)) == 1
    assert "The check run" not in result.step_summary


def test_a_patch_whose_answer_is_lost_does_not_add_its_annotations_twice(github, tmp_path):
    head = {**dockerfiles_with_findings(120), ".github/workflows/scan.yml": b"on: push\njobs:\n  s:\n    steps:\n      - uses: aquasecurity/trivy-action@0.28.0\n"}
    fake = github({}, head)
    fake.inject("PATCH", CHECK_RUN, Canned(APPLY_THEN_DROP, {}))
    workspace = workspace_for(tmp_path, head)
    result = run_action(fake, workspace, pull_request_event(fake), inputs={"comments": "off"})
    findings = expected_findings(head, sorted(p for p in head if p.endswith("Dockerfile")), workspace=workspace)
    (run,) = fake.check_runs
    assert len(run.annotations) == len(findings) and len(fake.calls("PATCH", CHECK_RUN)) == len(run.batches) - 1
    assert len(fake.calls("GET", CHECK_RUN)) == 1 and "The check run" not in result.step_summary


def test_a_passing_run_dismisses_nodeguards_own_stale_change_requests(github, tmp_path):
    fake = github(base_files(), head_files())
    (tmp_path / "1").mkdir()
    (tmp_path / "2").mkdir()
    first = run_action(fake, workspace_for(tmp_path / "1", head_files()), pull_request_event(fake), inputs={"review-event": "REQUEST_CHANGES"})
    assert first.returncode == 1 and fake.reviews[0]["state"] == "CHANGES_REQUESTED"
    # A person's change request quoting nodeguard's marker is not nodeguard's.
    person = {**fake.reviews[0], "id": 500, "user": {"login": "octocat", "id": 1, "type": "User"}}
    fake.reviews.append(person)
    fixed = {**head_files(), "Dockerfile": GOOD_DOCKERFILE, "api/Dockerfile": GOOD_DOCKERFILE}
    fake.head_files = fixed
    fake._pull_files = None
    second = run_action(fake, workspace_for(tmp_path / "2", fixed), pull_request_event(fake), inputs={"review-event": "REQUEST_CHANGES"})
    assert second.returncode == 0, second.step_summary
    (dismissal,) = fake.calls("PUT", DISMISSALS)
    assert dismissal.path.endswith(f"/reviews/{fake.reviews[0]['id']}/dismissals")
    assert fake.reviews[0]["state"] == "DISMISSED" and "nodeguard passes" in fake.reviews[0]["dismissal_message"]
    assert person["state"] == "CHANGES_REQUESTED"
    assert "Dismissed 1 earlier change request" in second.step_summary


def test_a_truncated_tree_is_walked_folder_by_folder(github, tmp_path):
    deep = "services/shop/web/Dockerfile"
    filler = {f"assets/img{n}.png": b"x" for n in range(8)}
    base = {**filler, deep: b"FROM node:latest\nCOPY . .\nCMD node web.js\n", "services/shop/web/server.js": b"1\n"}
    head = {**base, "services/shop/web/.dockerignore": b"node_modules\n"}
    fake = github(base, head, tree_entries_limit=5)  # the recursive listing stops before services/
    workspace = workspace_for(tmp_path, base, checked_out=MERGE_SHA)  # files read through the API
    result = run_action(fake, workspace, pull_request_event(fake))
    trees = fake.calls("GET", TREES)
    assert trees[0].query.get("recursive") == "1" and len(trees) > 1
    (run,) = fake.check_runs
    assert any(a["path"] == deep for a in run.annotations), result.step_summary  # governed by the changed ignore file
    assert "could not be listed" not in result.step_summary


# -- what users of peer actions ask for


def test_filter_added_comments_only_on_added_lines(github, tmp_path):
    base = {"Dockerfile": b"FROM node:20\nWORKDIR /app\nCMD node server.js\n"}
    head = {"Dockerfile": b"FROM node:20\nWORKDIR /app\nRUN npm install\nCMD node server.js\n"}
    fake = github(base, head)
    workspace = workspace_for(tmp_path, head)
    result = run_action(fake, workspace, pull_request_event(fake), inputs={"filter": "added"})
    (review,) = fake.reviews
    assert {c["line"] for c in review["comments"]} == {3}
    assert "_(not commented: outside the lines the filter input selects)_" in result.step_summary


def test_filter_file_comments_on_the_file_when_the_line_is_not_in_the_diff(github, tmp_path):
    fake = github(base_files(), head_files())
    workspace = workspace_for(tmp_path, head_files())
    result = run_action(fake, workspace, pull_request_event(fake), inputs={"filter": "file"})
    file_comments = [c for c in fake.review_comments if c.get("subject_type") == "file"]
    assert file_comments and all(c["path"] == "Dockerfile" for c in file_comments)
    assert any(c["body"].count("Line 1: ") for c in file_comments)
    assert [call.body["subject_type"] for call in fake.calls("POST", COMMENTS)] == ["file"] * len(file_comments)
    assert "not on a line of the diff)_" not in result.step_summary.split("### `api/Dockerfile`")[0]


def test_max_comments_caps_the_inline_comments_and_the_review_says_so(github, tmp_path):
    fake = github(base_files(), head_files())
    result = run_action(fake, workspace_for(tmp_path, head_files()), pull_request_event(fake), inputs={"max-comments": "1"})
    (review,) = fake.reviews
    assert len(review["comments"]) == 1
    left_out = result.step_summary.count("_(not commented: over the max-comments cap)_")
    assert left_out >= 1 and f"{left_out} more not commented inline (max-comments: 1)" in review["body"]


def test_ignore_turns_rules_off_on_top_of_the_policy(github, tmp_path):
    fake = github(base_files(), head_files())
    workspace = workspace_for(tmp_path, head_files())
    result = run_action(fake, workspace, pull_request_event(fake), inputs={"ignore": "NG101, exec-form-command"})
    (run,) = fake.check_runs
    rules = {a["title"].split()[0] for a in run.annotations}
    assert rules and not rules & {"NG101", "NG501"}
    assert "ignored: NG101, NG501" in result.step_summary
    wrong = run_action(fake, workspace, pull_request_event(fake), inputs={"ignore": "NG999"})
    assert wrong.returncode == 2 and "input ignore: 'NG999'" in wrong.stdout


def test_report_files_belong_to_the_workspaces_owner(github, tmp_path):
    fake = github(base_files(), head_files())
    workspace = workspace_for(tmp_path, head_files())
    owner = (4321, 4321) if os.geteuid() == 0 else (os.getuid(), os.getgid())
    if os.geteuid() == 0:
        os.chown(workspace, *owner)
    result = run_action(
        fake, workspace, pull_request_event(fake), inputs={"json-file": "reports/nodeguard.json", "sarif-file": "nodeguard.sarif"}
    )
    assert result.outputs["json-file"] == "reports/nodeguard.json"
    report = json.loads((workspace / "reports/nodeguard.json").read_text())
    assert len(report["findings"]) == int(result.outputs["findings"])
    for written in ("reports", "reports/nodeguard.json", "nodeguard.sarif"):
        stat = (workspace / written).stat()
        assert (stat.st_uid, stat.st_gid) == owner, written


def test_stop_commands_token_is_random_for_each_run(github, tmp_path):
    fake = github(base_files(), head_files())
    workspace = workspace_for(tmp_path, head_files())
    tokens = []
    for _ in range(2):
        result = run_action(fake, workspace, push_event(fake), event_name="push", sha=HEAD_SHA)
        (token,) = re.findall(r"^::stop-commands::(.+)$", result.stdout, re.M)
        assert f"::{token}::" in result.stdout
        tokens.append(token)
    assert tokens[0] != tokens[1]


# -- the two-workflow recipe


def workflow_run_event(fake, head_sha: str = HEAD_SHA) -> dict:
    """A workflow_run completed payload (trimmed): the run of "nodeguard check" on a fork's pull request,
    whose pull_requests list GitHub leaves empty for forks."""
    return {
        "action": "completed",
        "workflow_run": {
            "id": 30433642,
            "name": "nodeguard check",
            "event": "pull_request",
            "head_sha": head_sha,
            "head_branch": "api-image",
            "status": "completed",
            "conclusion": "failure",
            "pull_requests": [],
        },
        "repository": repository_payload(fake),
        "sender": {"login": "octocat", "id": 1, "type": "User"},
    }


def test_two_workflow_recipe_posts_the_first_runs_findings_with_the_second_runs_token(github, tmp_path):
    fake = github(base_files(), head_files(), read_only=True)
    first_workspace = workspace_for(tmp_path, head_files())
    first = run_action(fake, first_workspace, fork_event(fake), inputs={"json-file": "nodeguard-findings.json"})
    assert first.returncode == 1 and [r for r in fake.requests if r.method != "GET"] == []
    written = json.loads((first_workspace / "nodeguard-findings.json").read_text())
    assert written["pull_request"] == {"number": 7, "head_sha": HEAD_SHA, "base_sha": BASE_SHA}

    fake.read_only = False  # workflow_run: the base repository's workflow, with a write token
    second_workspace = tmp_path / "second"
    second_workspace.mkdir()  # nothing checked out: only the downloaded artifact
    (second_workspace / "nodeguard-findings.json").write_text(json.dumps(written))
    second = run_action(
        fake, second_workspace, workflow_run_event(fake), event_name="workflow_run", sha=BASE_SHA,
        inputs={"findings-file": "nodeguard-findings.json"},
    )
    assert second.returncode == 1, second.stdout
    (review,) = fake.submitted_reviews()
    (run,) = fake.check_runs
    assert review["commit_id"] == HEAD_SHA and run.head_sha == HEAD_SHA and run.conclusion == "failure"
    assert any(c["line"] == 9 for c in review["comments"])
    assert len(run.annotations) == len(written["findings"])
    assert_reported_everywhere(second, expected_findings(head_files(), DOCKERFILES, workspace=first_workspace))


def test_a_findings_file_for_another_commit_or_of_another_shape_posts_nothing(github, tmp_path):
    fake = github(base_files(), head_files())
    report = {"version": "0", "summary": {"files": 1}, "findings": [],
              "pull_request": {"number": 7, "head_sha": HEAD_SHA, "base_sha": BASE_SHA}}
    (tmp_path / "good.json").write_text(json.dumps(report))
    (tmp_path / "bad.json").write_text(json.dumps({**report, "findings": [{"rule": "NG101", "line": "9"}]}))
    other = run_action(fake, tmp_path, workflow_run_event(fake, head_sha=MOVED_SHA), event_name="workflow_run",
                       inputs={"findings-file": "good.json"})
    assert other.returncode == 2 and "was written for commit" in other.stdout
    shape = run_action(fake, tmp_path, workflow_run_event(fake), event_name="workflow_run", inputs={"findings-file": "bad.json"})
    assert shape.returncode == 2 and "not a report written by nodeguard" in shape.stdout and "Traceback" not in shape.stdout
    wrong_event = run_action(fake, tmp_path, pull_request_event(fake), inputs={"findings-file": "good.json"})
    assert wrong_event.returncode == 2 and "workflow_run" in wrong_event.stdout
    assert fake.requests == []
