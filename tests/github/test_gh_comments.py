"""Hunks, anchors, fingerprints, suggestion blocks and comment plans, on findings built by hand."""
from __future__ import annotations

from nodeguard.findings import Applicability, Finding, Fix, Severity
from nodeguard.github.comments import (
    InlineComment,
    comment_body,
    fingerprint,
    fix_block,
    plan_comments,
    posted_fingerprints,
    suggestion_block,
)
from nodeguard.github.diff import Hunk, anchor_range, parse_hunks

PATCH = "@@ -1,3 +1,4 @@\n-FROM node\n+FROM node:22\n RUN a\n+RUN b\n RUN c\n@@ -10,2 +11,0 @@\n-gone\n-gone\n@@ -20 +20 @@\n-x\n+y"
LINES = ["FROM node:latest", "WORKDIR /app", "RUN npm install \\", "    --omit=dev", "CMD npm start"]


def finding(line=1, end_line=None, rule="NG101", path="Dockerfile", fix=None, message="pin the tag"):
    return Finding(rule, "base-image-tag", 1, Severity.ERROR, path, line, end_line or line, message, fix)


def test_hunks_are_the_right_side_ranges_without_deletion_only_hunks():
    assert parse_hunks(PATCH) == (Hunk(1, 4), Hunk(20, 20))
    assert parse_hunks(None) == ()
    assert parse_hunks("Binary files differ") == ()


def test_anchor_is_the_part_one_hunk_shows():
    hunks = (Hunk(3, 6), Hunk(10, 12))
    assert anchor_range(hunks, 4, 5) == (4, 5)
    assert anchor_range(hunks, 1, 4) == (3, 4)
    assert anchor_range(hunks, 5, 11) == (5, 6)  # never across two hunks
    assert anchor_range(hunks, 7, 9) is None
    assert anchor_range((), 1, 1) is None


def test_fingerprint_ignores_spacing_and_line_moves_but_not_rule_path_or_text():
    base = fingerprint(finding(1), LINES)
    moved = fingerprint(finding(3), ["", "", "FROM   node:latest"])
    assert base == moved
    assert fingerprint(finding(1, rule="NG102"), LINES) != base
    assert fingerprint(finding(1, path="api/Dockerfile"), LINES) != base
    assert fingerprint(finding(1), ["FROM node:20"]) != base


def test_posted_fingerprints_reads_only_the_closing_marker():
    mark = "0123456789abcdef0123"
    bodies = [f"text\n\n<!-- nodeguard:fp={mark} -->", "no marker", f"<!-- nodeguard:fp={'f' * 20} --> then text"]
    assert posted_fingerprints(bodies) == {mark}


def test_suggestion_replaces_exactly_the_commented_lines():
    fix = Fix(3, 4, "RUN npm ci --omit=dev")
    assert suggestion_block(fix, 3, 4, LINES) == "```suggestion\nRUN npm ci --omit=dev\n```"
    # The comment covers more lines than the fix: the untouched ones are repeated around the replacement.
    assert suggestion_block(Fix(1, 1, "FROM node:22"), 1, 2, LINES) == "```suggestion\nFROM node:22\nWORKDIR /app\n```"
    assert suggestion_block(Fix(5, 5, ""), 5, 5, LINES) == "```suggestion\n```"


def test_no_suggestion_when_the_fix_leaves_the_commented_lines():
    assert suggestion_block(Fix(1, 2, "x"), 2, 3, LINES) is None
    assert suggestion_block(None, 1, 1, LINES) is None
    assert suggestion_block(Fix(6, 6, "x"), 6, 6, LINES) is None


def test_an_insertion_is_suggested_with_the_commented_lines_around_it():
    assert suggestion_block(Fix(2, 1, "ENV NODE_ENV=production"), 1, 1, LINES) == (
        "```suggestion\nFROM node:latest\nENV NODE_ENV=production\n```"
    )


def test_safe_fixes_are_one_click_suggestions_and_unsafe_ones_plain_blocks_to_check():
    safe = Fix(1, 1, "FROM node:22", Applicability.SAFE)
    assert fix_block(safe, 1, 1, LINES) == "```suggestion\nFROM node:22\n```"
    unsafe = Fix(2, 1, "USER node")
    block = fix_block(unsafe, 1, 1, LINES)
    assert block == "Possible fix (check before applying):\n\n```dockerfile\nFROM node:latest\nUSER node\n```"
    assert "suggestion" not in block


def test_suggestion_fence_outgrows_backticks_in_the_content():
    assert suggestion_block(Fix(1, 1, "RUN echo ```"), 1, 1, LINES).startswith("````suggestion\n")


def test_comment_body_has_rule_link_severity_message_and_marker():
    body = comment_body(finding(), "```suggestion\nFROM node:22\n```", "a" * 20)
    assert body.startswith("**nodeguard** · error · [NG101 base-image-tag](https://")
    assert "/docs/rules/NG101.md)" in body
    assert "\n\npin the tag\n\n```suggestion\nFROM node:22\n```\n\n<!-- nodeguard:fp=" + "a" * 20 + " -->" in body


def test_plan_splits_new_already_posted_and_outside_the_diff():
    hunks = {"Dockerfile": (Hunk(1, 4),)}
    lines = {"Dockerfile": LINES}
    on_diff = finding(1, fix=Fix(1, 1, "FROM node:22", Applicability.SAFE))
    multi = finding(3, 4, rule="NG302")
    outside = finding(5, rule="NG501")
    other_file = finding(1, path="other/Dockerfile")
    posted = {fingerprint(multi, LINES)}
    plan = plan_comments([on_diff, multi, outside, other_file], hunks, lines, posted)
    assert [c.finding for c in plan.comments] == [on_diff]
    assert plan.already_posted == [multi]
    assert plan.outside_diff == [outside, other_file]
    assert plan.comments[0].payload() == {
        "path": "Dockerfile",
        "line": 1,
        "side": "RIGHT",
        "body": plan.comments[0].body,
    }
    assert "```suggestion\nFROM node:22\n```" in plan.comments[0].body


def test_multi_line_payload_uses_start_line_and_line():
    comment = InlineComment(finding(3, 4), 3, 4, "b", "f" * 20)
    assert comment.payload() == {"path": "Dockerfile", "line": 4, "side": "RIGHT", "start_line": 3, "start_side": "RIGHT", "body": "b"}
