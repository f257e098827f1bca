"""The markdown summary and its caps; the check run's batches, sent to the fake GitHub."""
from __future__ import annotations

from tests.github.fakegithub import HEAD_SHA, OWNER, REPO, FakeGitHub
from tests.github.markdown import assert_inert

from nodeguard.findings import Finding, Severity
from nodeguard.github.checkrun import annotation, batches, publish_check_run
from nodeguard.github.client import GitHubApi, make_github
from nodeguard.github.retry import RetryPolicy
from nodeguard.github.summary import Placement, RunReport, render_summary, title, utf8_size

TOKEN = "ghs_fakeTokenForTheSummaryTests000000000"


def finding(line, rule="NG101", severity=Severity.ERROR, path="Dockerfile", message="pin the base image tag"):
    return Finding(rule, "base-image-tag", 1, severity, path, line, line, message)


def report(findings, **extra):
    return RunReport(findings, 2, "failure", "error", "`.github/nodeguard.yml` on the base branch (6dcb09b)", **extra)


def test_summary_groups_by_file_then_rule_with_links_and_placements():
    one, two, three = finding(3), finding(1, rule="NG501", severity=Severity.WARNING), finding(2, path="api/Dockerfile")
    text = render_summary(report([one, two, three], placements={one: Placement.INLINE, two: Placement.OUTSIDE_DIFF}), 65_535)
    assert text.startswith("## nodeguard\n\n**2 errors, 1 warning in 2 files** · conclusion: **failure** (fails on: error)")
    assert text.index("### `Dockerfile`") < text.index("NG101 base-image-tag") < text.index("NG501")
    assert text.index("### `Dockerfile`") < text.index("### `api/Dockerfile`")
    assert "  - line 3: pin the base image tag _(inline comment)_" in text
    assert "  - line 1: pin the base image tag _(not on a line of the diff)_" in text
    assert "- **[NG101 base-image-tag](https://" in text


def test_summary_escapes_html_from_messages_and_lists_notes():
    text = render_summary(report([finding(1, message="<!-- hidden --> & <b> in `a <b> c`")], notes=["a note"]), 65_535)
    assert "\\<!-- hidden --\\> \\& \\<b\\> in `a <b> c`" in text
    assert_inert(text)
    assert text.endswith("### Notes\n- a note\n")


def test_summary_is_cut_with_a_count_of_what_is_left_out():
    findings = [finding(line, message="x" * 200) for line in range(1, 501)]
    text = render_summary(report(findings, notes=["kept"]), 65_535)
    assert len(text) <= 65_535
    shown = text.count("  - line ")
    assert f"_… {500 - shown} more findings not shown here" in text
    assert text.endswith("### Notes\n- kept\n")
    whole = render_summary(report(findings), 1024 * 1024)
    assert whole.count("  - line ") == 500 and "more finding" not in whole


def test_step_summary_is_cut_by_bytes_not_characters():
    findings = [finding(line, message="é" * 100) for line in range(1, 101)]
    text = render_summary(report(findings), 8_000)
    assert len(text) < utf8_size(text) <= 8_000
    shown = text.count("  - line ")
    assert 0 < shown < 100 and f"_… {100 - shown} more findings not shown here" in text


def test_title_counts_and_no_problems():
    assert title(report([finding(1), finding(2, severity=Severity.INFO)])) == "1 error, 1 info in 1 of 2 files"  # of the files checked
    assert title(report([])) == "No problems found in 2 files"
    assert title(report([], error="bad policy")) == "nodeguard could not check this commit"


def test_annotation_levels_and_batches():
    assert annotation(finding(4, severity=Severity.INFO))["annotation_level"] == "notice"
    assert annotation(finding(4, severity=Severity.WARNING))["annotation_level"] == "warning"
    assert annotation(finding(0))["start_line"] == 1
    assert [len(b) for b in batches(list(range(120)))] == [50, 50, 20]
    assert batches([]) == [[]]


def publish(count):
    findings = [finding(line) for line in range(1, count + 1)]
    with FakeGitHub({}, {}, token=TOKEN) as fake:
        api = GitHubApi(make_github(TOKEN, fake.api_url, 0), f"{OWNER}/{REPO}", RetryPolicy(), lambda _: None)
        publish_check_run(api, "nodeguard", HEAD_SHA, "title", "summary", "failure", findings, "nodeguard-1-1-abc")
        assert fake.schema_errors == []
        return fake


def test_one_request_up_to_50_annotations():
    fake = publish(50)
    (run,) = fake.check_runs
    assert fake.counts() == {"POST /repos/{owner}/{repo}/check-runs": 1}
    assert (run.name, run.head_sha, run.status, run.conclusion, run.batches) == ("nodeguard", HEAD_SHA, "completed", "failure", [50])


def test_more_annotations_go_in_patches_of_50_each_resending_title_and_summary():
    fake = publish(120)
    (run,) = fake.check_runs
    assert run.batches == [50, 50, 20] and len(run.annotations) == 120
    patches = fake.calls("PATCH", "/repos/{owner}/{repo}/check-runs/{check_run_id}")
    assert [p.body["output"]["title"] for p in patches] == ["title", "title"]
    assert [p.body["output"]["summary"] for p in patches] == ["summary", "summary"]
    # Completed from the first request: a failing update never leaves the check run in progress.
    created = fake.calls("POST", "/repos/{owner}/{repo}/check-runs")[0].body
    assert (created["status"], created["conclusion"]) == ("completed", "failure")
    assert [set(p.body) for p in patches] == [{"output"}, {"output"}]
    assert (run.status, run.conclusion) == ("completed", "failure")
