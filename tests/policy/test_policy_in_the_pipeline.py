"""The policy and pragmas as the engine uses them, with the real rules."""
from __future__ import annotations


def test_a_rule_turned_off_reports_nothing(lint):
    assert lint("FROM node:latest\n", rule="NG101").ids() == ["NG101"]
    assert lint("FROM node:latest\n", policy="rules: {base-image-tag: off}\n", rule="NG101").ids() == []


def test_an_override_sets_the_severity_for_its_files(lint):
    linted = lint("FROM node:latest\n", path="tools/Dockerfile", rule="NG101",
                  policy='overrides: [{files: ["tools/**"], rules: {NG101: info}}]\n')
    assert [finding.severity.label for finding in linted.findings] == ["info"]


def test_excluded_files_are_not_checked(lint):
    assert lint("FROM node:latest\n", path="legacy/Dockerfile", policy='exclude: ["legacy/**"]\n').findings == []


def test_pragma_suppresses_and_require_reason_reports_one_without(lint):
    text = "# nodeguard ignore=base-image-tag\nFROM node:latest\n"
    assert lint(text, rule="NG101").ids() == []
    linted = lint(text, policy="pragmas: require-reason\n")
    assert "NG101" in linted.ids() and [f.line for f in linted.of("NG002")] == [1]


def test_pragma_findings_take_the_configured_severity(lint):
    linted = lint("# nodeguard ignore=NG999 -- typo\nFROM node:22\n", policy="rules: {NG004: error}\n", rule="NG004")
    assert [(finding.line, finding.severity.label) for finding in linted.findings] == [(1, "error")]
