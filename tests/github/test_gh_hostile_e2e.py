"""The action end to end over hostile pull requests: what an attacker (or an unlucky user) puts in a pull
request or in GitHub's answers can neither crash the run, nor hang it, nor make it pass, nor lose a
finding, nor reach GitHub's readers as active Markdown."""
from __future__ import annotations

import json
import re
import time

import pytest

from nodeguard.github.comments import code_span
from nodeguard.github.retry import MAX_SINGLE_WAIT
from nodeguard.report.common import printable
from tests.github.fakegithub import HEAD_SHA, MERGE_SHA, Canned, make_patch
from tests.github.markdown import assert_inert
from tests.github.scenarios import (
    API_DOCKERFILE,
    BLOBS,
    CONTENTS,
    GOOD_FROM,
    PADDING,
    REVIEWS,
    SCAN_WORKFLOW,
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


TWO_ON_ONE_LINE = (
    f"{GOOD_FROM}\n# nodeguard ignore=NOPE1,NOPE2 -- because\n"
    'ENV NODE_ENV=production\nUSER node\nCMD ["node", "server.js"]\n'
).encode()


def fingerprints_in(bodies) -> list[str]:
    return [re.search(r"nodeguard:fp=(\w+)", body).group(1) for body in bodies]


def test_two_findings_of_one_rule_on_one_line_have_two_fingerprints(github, tmp_path):
    head = {"Dockerfile": TWO_ON_ONE_LINE}
    fake = github({}, head)
    workspace = workspace_for(tmp_path, head)
    run_action(fake, workspace, pull_request_event(fake))
    run_action(fake, workspace, pull_request_event(fake))
    (review,) = fake.reviews
    on_line_2 = [comment["body"] for comment in review["comments"] if comment["line"] == 2]
    assert len(on_line_2) == 2 and len(set(fingerprints_in(on_line_2))) == 2  # NG004 twice on line 2
    assert len(set(fingerprints_in(comment["body"] for comment in review["comments"]))) == len(review["comments"])


@pytest.mark.parametrize("token_user", [None, "octo-maintainer"])
def test_only_nodeguards_own_comments_count_as_already_posted(github, tmp_path, token_user):
    head = {"Dockerfile": TWO_ON_ONE_LINE}
    fake = github({}, head, token_user=token_user)
    workspace = workspace_for(tmp_path, head)
    first = run_action(fake, workspace, pull_request_event(fake))
    (review,) = fake.reviews
    marks = fingerprints_in(comment["body"] for comment in review["comments"])
    assert fake.counts()["GET /user"] == 0  # nothing to tell apart on a first run

    # Anyone can post a body ending in nodeguard's fingerprints; a person or another app is not nodeguard.
    spoofed = fake.add_comment
    fake.review_comments.clear()
    fake.reviews.clear()
    for login, kind in (("mallory", "User"), ("other-app[bot]", "Bot"), ("github-actions[bot]" if token_user else "octo-maintainer", "User")):
        for mark in marks:
            spoofed("Dockerfile", 2, f"quiet, please\n\n<!-- nodeguard:fp={mark} -->", login, kind)
    second = run_action(fake, workspace, pull_request_event(fake))
    (again,) = fake.reviews
    assert fingerprints_in(comment["body"] for comment in again["comments"]) == marks
    assert "already commented" not in second.step_summary

    third = run_action(fake, workspace, pull_request_event(fake))  # now nodeguard's own comments are there
    assert len(fake.reviews) == 1 and third.step_summary.count("_(already commented on this pull request)_") == len(marks)
    assert fake.counts()["GET /user"] == 2
    for result in (first, second, third):
        assert_reported_everywhere(result, expected_findings(head, ["Dockerfile"], workspace=workspace))


APP_DOCKERFILE = f'{GOOD_FROM}\nENV NODE_ENV=production\nWORKDIR /app\nCOPY --chown=node:node . .\nUSER node\nCMD ["node", "server.js"]\n'.encode()


@pytest.mark.parametrize("how", ["removed", "renamed"])
@pytest.mark.parametrize("checked_out", [HEAD_SHA, MERGE_SHA])
def test_removing_or_renaming_a_dockerignore_checks_what_it_governed(github, tmp_path, how, checked_out):
    base = {"api/Dockerfile": APP_DOCKERFILE, "api/.dockerignore": b"node_modules\n.env\n.git\n", "api/.env": b"TOKEN=1\n"}
    head = {key: value for key, value in base.items() if key != "api/.dockerignore"}
    renames = {}
    if how == "renamed":
        head["api/dockerignore.old"] = base["api/.dockerignore"]
        renames = {"api/dockerignore.old": "api/.dockerignore"}
    fake = github(base, head, renames=renames)
    workspace = workspace_for(tmp_path, head, checked_out=checked_out)
    result = run_action(fake, workspace, pull_request_event(fake), inputs={"fail-on": "warning"})
    findings = expected_findings(head, ["api/Dockerfile"])
    assert findings and {f.path for f in findings} == {"api/Dockerfile"}
    assert result.returncode == 1 and result.outputs["conclusion"] == "failure", result.stdout
    assert "in 0 files" not in result.step_summary and "in 1 file" in result.step_summary
    assert_reported_everywhere(result, findings)


def test_a_workspace_rewritten_by_an_earlier_step_is_not_believed(github, tmp_path):
    head = {"Dockerfile": b"FROM node\nCOPY . .\nCMD npm start\n", "api/Dockerfile": API_DOCKERFILE.encode()}
    fake = github({}, head)
    # An earlier step ran the pull request's code (a postinstall script): the checkout is at the head
    # commit, but the Dockerfile on disk is a clean one and a .dockerignore hides the rest of the context.
    rewritten = {"Dockerfile": APP_DOCKERFILE, "api/Dockerfile": API_DOCKERFILE.encode(), ".dockerignore": b"*\n"}
    workspace = workspace_for(tmp_path, rewritten, checked_out=HEAD_SHA)
    result = run_action(fake, workspace, pull_request_event(fake))
    findings = expected_findings(head, ["Dockerfile", "api/Dockerfile"])
    assert result.returncode == 1 and any(f.path == "Dockerfile" and f.rule == "NG101" for f in findings)
    contents = {call.path.rsplit("/contents/", 1)[1] for call in fake.calls("GET", CONTENTS) if call.query.get("ref") == HEAD_SHA}
    assert "Dockerfile" in contents and "api/Dockerfile" not in contents  # the file that matches is read from disk
    assert "2 files in the workspace differed from the pull request" in result.step_summary
    assert_reported_everywhere(result, findings)


def test_a_changed_file_github_cannot_serve_fails_the_check(github, tmp_path):
    head = {"Dockerfile": APP_DOCKERFILE, "api/Dockerfile": APP_DOCKERFILE + b"# more\n"}
    fake = github({}, head)
    fake.pull_files()  # listed as GitHub lists it, then gone: a force-push, or replication lag
    del fake.head_files["api/Dockerfile"]
    workspace = workspace_for(tmp_path, {}, checked_out=MERGE_SHA)
    result = run_action(fake, workspace, pull_request_event(fake), inputs={"comments": "off"})
    assert result.returncode == 1 and result.outputs["conclusion"] == "failure", result.stdout
    (run,) = fake.check_runs
    (missing,) = [a for a in run.annotations if a["path"] == "api/Dockerfile"]
    assert missing["annotation_level"] == "failure" and "404 Not Found" in missing["message"]
    assert "404 Not Found" in result.step_summary and "api/Dockerfile:1:" in result.stdout


ODD_NAMES = ["svc\nnew/Dockerfile", "a%0Ab%25/Dockerfile", "x::error::forged/Dockerfile", "c,d=e/Dockerfile", "ünï cödé/Dockerfile"]
WORKFLOW_COMMAND = re.compile(r"::(error|warning|notice) file=[^:\n]*::|::(group|endgroup|stop-commands)::|::nodeguard-[0-9a-f]+::")
BIG = 50 * 1024 * 1024


@pytest.mark.parametrize("checked_out", [HEAD_SHA, MERGE_SHA])
def test_odd_names_binary_and_huge_files_are_each_reported(github, tmp_path, checked_out):
    head = {name: API_DOCKERFILE.encode() for name in ODD_NAMES}
    head["bin/Dockerfile"] = bytes(range(256)) * 64
    head["big/Dockerfile"] = b"FROM node\n# " + b"x" * BIG + b"\nCMD npm start\n"
    fake = github({}, head, no_patch={"bin/Dockerfile", "big/Dockerfile"})
    workspace = workspace_for(tmp_path, head, checked_out=checked_out)
    started = time.monotonic()
    result = run_action(fake, workspace, pull_request_event(fake))
    elapsed = time.monotonic() - started
    assert result.returncode == 1 and "Traceback" not in result.everything() and elapsed < 60, result.stdout[-2000:]
    assert max(len(call.body["comments"]) for call in fake.calls("POST", REVIEWS)) > 0 and fake.reviews
    (run,) = fake.check_runs
    annotated = {annotation["path"] for annotation in run.annotations}
    assert annotated == set(head)  # every file has its findings, the binary and the huge one included
    (huge,) = [a for a in run.annotations if a["path"] == "big/Dockerfile"]
    assert "larger than" in huge["message"] and huge["annotation_level"] == "failure"
    assert fake.counts().get(f"GET {BLOBS}", 0) == 0  # the 50 MB blob is never fetched
    for line in result.stdout.splitlines():  # no name can forge a workflow command
        if line.startswith("::"):
            assert WORKFLOW_COMMAND.match(line), line
    for name in ODD_NAMES:
        assert printable(name) in result.stdout
        assert code_span(name) in result.step_summary and code_span(name) in run.output["summary"]
    assert_inert(result.step_summary)
    assert_inert(run.output["summary"])


INSTALLING_DOCKERFILE = APP_DOCKERFILE.replace(b"COPY --chown", b"COPY package.json package-lock.json ./\nRUN npm ci --omit=dev\nCOPY --chown")
CLEAN_CONTEXT = {
    "api/Dockerfile": INSTALLING_DOCKERFILE,
    "api/.dockerignore": b"node_modules\n.git\n.env\n.npmrc\nnpm-debug.log\n",
    "api/package.json": b'{"name": "api"}\n',
    "api/package-lock.json": b"{}\n",
    ".github/workflows/scan.yml": SCAN_WORKFLOW,
}


@pytest.mark.parametrize("change, rule", [("add .env", "NG904"), ("remove lockfile", "NG203")])
def test_a_change_to_a_build_context_alone_checks_its_dockerfile(github, tmp_path, change, rule):
    # Neither the Dockerfile nor its .dockerignore changes: the pull request adds a secret the
    # `COPY . .` ships, or removes the lockfile `npm ci` needs. The image is worse; the gate must see it.
    base = dict(CLEAN_CONTEXT)
    if change == "add .env":
        base["api/.dockerignore"] = b"node_modules\n.git\n.npmrc\nnpm-debug.log\n"
        head = {**base, "api/.env": b"DB_PASSWORD=hunter2\n"}
    else:
        head = {path: data for path, data in base.items() if path != "api/package-lock.json"}
    fake = github(base, head)
    workspace = workspace_for(tmp_path, head)
    result = run_action(fake, workspace, pull_request_event(fake))
    findings = expected_findings(head, ["api/Dockerfile"], workspace=workspace)
    assert rule in {f.rule for f in findings}
    assert result.returncode == 1 and result.outputs["conclusion"] == "failure", result.stdout
    (run,) = fake.check_runs
    assert run.conclusion == "failure" and rule in {a["title"].split()[0] for a in run.annotations}
    assert_reported_everywhere(result, findings)


def test_a_change_outside_every_build_context_checks_nothing(github, tmp_path):
    base = dict(CLEAN_CONTEXT)
    head = {**base, "docs/.env": b"DB_PASSWORD=hunter2\n", "web/package.json": b'{"name": "web"}\n'}
    fake = github(base, head)
    workspace = workspace_for(tmp_path, head)
    result = run_action(fake, workspace, pull_request_event(fake))
    assert result.returncode == 0 and "in 0 files" in result.step_summary, result.stdout
