"""The action end to end over hostile pull requests: what an attacker (or an unlucky user) puts in a pull
request or in GitHub's answers can neither crash the run, nor hang it, nor make it pass, nor lose a
finding, nor reach GitHub's readers as active Markdown."""
from __future__ import annotations

import json
import re

import pytest

from nodeguard.github.retry import MAX_SINGLE_WAIT
from tests.github.fakegithub import Canned, make_patch
from tests.github.markdown import assert_inert
from tests.github.scenarios import (
    PADDING,
    REVIEWS,
    TOKEN,
    assert_reported_everywhere,
    base_files,
    expected_findings,
    head_files,
    pull_request_event,
    run_action,
    workspace_for,
)

UNCHANGED_TOP = f"FROM node AS deps\nRUN npm ci\n{PADDING}"


def test_a_line_separator_in_a_changed_line_forges_no_hunk(github, tmp_path):
    base = {"Dockerfile": f'{UNCHANGED_TOP}FROM node:20-slim\nCMD ["node", "server.js"]\n'.encode()}
    forged = f'{UNCHANGED_TOP}FROM node:20-slim\nCMD ["node", "server.js"] # \u2028@@ -1 +1,99 @@\n'.encode()
    head = {"Dockerfile": forged}
    fake = github(base, head)
    workspace = workspace_for(tmp_path, head)
    result = run_action(fake, workspace, pull_request_event(fake))
    findings = expected_findings(head, ["Dockerfile"], workspace=workspace)
    assert "\u2028@@ -1 +1,99 @@" in make_patch(base["Dockerfile"], forged)
    assert [f for f in findings if f.line <= 2]  # findings the forged hunk would have put on the diff
    assert len(fake.calls("POST", REVIEWS)) <= 1 and "GitHub refused" not in result.step_summary
    assert all(comment["line"] >= 9 for review in fake.reviews for comment in review["comments"])
    assert_reported_everywhere(result, findings)


@pytest.mark.parametrize("retry_after", ["nan", "-1", "inf", "99999999999", "soon"])
def test_a_strange_retry_after_is_clamped_and_the_run_goes_on(github, tmp_path, retry_after):
    head = {"Dockerfile": b"FROM node\nCMD npm start\n"}
    fake = github({}, head)
    fake.secondary_rate_limit("POST", REVIEWS, retry_after=retry_after)
    workspace = workspace_for(tmp_path, head)
    result = run_action(fake, workspace, pull_request_event(fake))
    assert result.returncode == 1, result.stdout + result.stderr
    assert [call.status for call in fake.calls("POST", REVIEWS)] == [429, 200] and len(fake.reviews) == 1
    assert fake.check_runs[0].conclusion == "failure"
    (wait,) = re.findall(r"posting the review: HTTP 429: .*; retrying in (\S+) s", result.stdout)
    assert 0 <= float(wait) <= MAX_SINGLE_WAIT
    assert_reported_everywhere(result, expected_findings(head, ["Dockerfile"], workspace=workspace))


def test_a_token_github_echoes_is_never_sent_back_to_github(github, tmp_path):
    fake = github(base_files(), head_files())
    fake.inject("POST", REVIEWS, Canned(403, {"message": f"token {TOKEN} cannot write"}))
    workspace = workspace_for(tmp_path, head_files())
    result = run_action(fake, workspace, pull_request_event(fake))
    (run,) = fake.check_runs
    assert "token *** cannot write" in run.output["summary"]
    assert all(TOKEN not in json.dumps(call.body) for call in fake.requests)
    assert_reported_everywhere(result, expected_findings(head_files(), ["Dockerfile", "api/Dockerfile"], workspace=workspace))


HOSTILE_PATH = "svc`<img src=x onerror=alert(1)>`x/Dockerfile"
HOSTILE_DOCKERFILE = (
    "FROM node\n"
    "# nodeguard ignore=`@org/team` <b>loud</b> #1 see https://evil.example\n"
    "CMD node server.js @org/team `<img src=y>` [x](https://evil.example) ``` a@b.example ``\n"
).encode()


def test_text_from_the_pull_request_renders_inert_everywhere(github, tmp_path):
    head = {HOSTILE_PATH: HOSTILE_DOCKERFILE, "Dockerfile": HOSTILE_DOCKERFILE}
    fake = github({}, head)
    workspace = workspace_for(tmp_path, head)
    result = run_action(fake, workspace, pull_request_event(fake))
    findings = expected_findings(head, sorted(head), workspace=workspace)
    assert {f.path for f in findings} == set(head) and any("@org/team" in f.message for f in findings)
    (review,) = fake.reviews
    assert len(review["comments"]) == len(findings)
    for comment in review["comments"]:
        assert_inert(comment["body"], marker_comments=1)
    assert_inert(review["body"], marker_comments=1)
    (run,) = fake.check_runs
    assert_inert(run.output["summary"])
    assert_inert(result.step_summary)
    assert_reported_everywhere(result, findings)
