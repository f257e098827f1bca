from __future__ import annotations

import io

import pytest

from nodeguard.findings import Applicability, Fix, Severity
from nodeguard.report.text import render, should_color


def test_plain_output_is_sorted_by_file_and_line_with_fix_hint_and_summary(sample_findings):
    assert render(sample_findings) == (
        "Dockerfile:1:1: NG101 error Pin node:latest to a version (fixable: run nodeguard check --fix)\n"
        "Dockerfile:4:5: NG301 info Set NODE_ENV=production\n"
        "api/Dockerfile:7:1: NG401 warning The container runs as root\n"
        "\n"
        "1 error, 1 warning, 1 info in 2 files\n"
        "1 fixable with `nodeguard check --fix`\n"
    )


def test_headers_group_findings_under_their_file(sample_findings):
    assert render(sample_findings, headers=True) == (
        "Dockerfile\n"
        "  Dockerfile:1:1: NG101 error Pin node:latest to a version (fixable: run nodeguard check --fix)\n"
        "  Dockerfile:4:5: NG301 info Set NODE_ENV=production\n"
        "\n"
        "api/Dockerfile\n"
        "  api/Dockerfile:7:1: NG401 warning The container runs as root\n"
        "\n"
        "1 error, 1 warning, 1 info in 2 files\n"
        "1 fixable with `nodeguard check --fix`\n"
    )


def test_unsafe_fixes_are_hinted_and_counted_apart(finding):
    safe = finding(line=1, fix=Fix(1, 1, "FROM node:22", Applicability.SAFE))
    unsafe = finding(line=2, fix=Fix(2, 2, "USER node"))
    output = render([safe, unsafe])
    assert "Dockerfile:2:1: NG101 error Pin the base image (fixable with --unsafe-fixes: check the change)\n" in output
    assert output.endswith("1 fixable with `nodeguard check --fix` (1 more with `--unsafe-fixes`)\n")


def test_color_paints_location_rule_severity_hint_and_summary(finding):
    output = render([finding(message="Pin it", fix=None)], color=True)
    assert output == (
        "\x1b[1mDockerfile:1:1:\x1b[0m \x1b[2mNG101\x1b[0m \x1b[1;31merror\x1b[0m Pin it\n"
        "\n"
        "\x1b[1m1 error in 1 file\x1b[0m\n"
    )


def test_without_color_there_are_no_escape_sequences(sample_findings):
    assert "\x1b" not in render(sample_findings, headers=True)


def test_each_severity_has_its_own_colour(finding):
    output = render([finding(severity=severity) for severity in Severity], color=True)
    assert "\x1b[1;31merror\x1b[0m" in output
    assert "\x1b[33mwarning\x1b[0m" in output
    assert "\x1b[36minfo\x1b[0m" in output


def test_control_characters_from_the_input_stay_escaped_on_one_line(finding):
    output = render([finding(path="a\nb/Dockerfile", message="bad\x1b[31m\r\nthing\tok")])
    first_line = output.splitlines()[0]
    assert first_line == "a\\nb/Dockerfile:1:1: NG101 error bad\\x1b[31m\\r\\nthing\tok"
    assert "\x1b" not in output


@pytest.mark.parametrize(
    ("severities", "summary"),
    [
        ([Severity.ERROR], "1 error in 1 file"),
        ([Severity.ERROR, Severity.ERROR, Severity.WARNING], "2 errors, 1 warning in 1 file"),
        ([Severity.WARNING, Severity.WARNING], "2 warnings in 1 file"),
        ([Severity.INFO, Severity.INFO], "2 info in 1 file"),
    ],
)
def test_summary_counts_only_the_severities_found(finding, severities, summary):
    findings = [finding(severity=severity, line=number) for number, severity in enumerate(severities, 1)]
    assert render(findings).splitlines()[-1] == summary


def test_no_findings_names_how_many_files_were_checked():
    assert render([], checked_files=3) == "No problems found in 3 files.\n"
    assert render([], checked_files=1) == "No problems found in 1 file.\n"
    assert render([], headers=True) == "No problems found.\n"
    assert render([], color=True, checked_files=2) == "\x1b[1mNo problems found in 2 files.\x1b[0m\n"


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class ClosedTerminal(io.StringIO):
    def isatty(self) -> bool:
        raise ValueError("I/O operation on closed file")


def test_should_color_a_terminal_without_no_color():
    assert should_color(FakeTerminal(), {}) is True
    assert should_color(FakeTerminal(), {"TERM": "xterm"}) is True


def test_no_color_with_any_value_turns_colour_off():
    assert should_color(FakeTerminal(), {"NO_COLOR": "1"}) is False
    assert should_color(FakeTerminal(), {"NO_COLOR": "false"}) is False


def test_an_empty_no_color_is_ignored():
    assert should_color(FakeTerminal(), {"NO_COLOR": ""}) is True


def test_should_not_color_a_file_a_pipe_or_a_closed_stream():
    assert should_color(io.StringIO(), {}) is False
    assert should_color(object(), {}) is False
    assert should_color(ClosedTerminal(), {}) is False


def test_only_unsafe_fixes_point_to_unsafe_fixes_and_the_diff(finding):
    output = render([finding(line=2, fix=Fix(2, 2, "USER node"))])
    assert output.endswith("1 fixable with `nodeguard check --fix --unsafe-fixes` (check each change: `--diff` shows them)\n")
