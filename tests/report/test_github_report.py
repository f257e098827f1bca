from __future__ import annotations

import re

from nodeguard.findings import Severity
from nodeguard.report.github import annotation, escape_data, escape_property, render


def stop_token(output: str) -> str:
    return re.search(r"^::stop-commands::(.+)$", output, re.MULTILINE).group(1)


def test_exact_output_for_small_finding_list(sample_findings):
    output = render(sample_findings, checked_files=2)
    token = stop_token(output)
    assert output == (
        "::error file=Dockerfile,line=1,endLine=1,col=1,title=NG101 base-image-tag::Pin node:latest to a version\n"
        "::notice file=Dockerfile,line=4,endLine=4,col=5,title=NG301 node-env-production::Set NODE_ENV=production\n"
        "::warning file=api/Dockerfile,line=7,endLine=9,col=1,title=NG401 non-root-user::The container runs as root\n"
        "::group::nodeguard: 3 findings\n"
        f"::stop-commands::{token}\n"
        "Dockerfile:1:1: NG101 error Pin node:latest to a version (fixable: run nodeguard check --fix)\n"
        "Dockerfile:4:5: NG301 info Set NODE_ENV=production\n"
        "api/Dockerfile:7:1: NG401 warning The container runs as root\n"
        f"::{token}::\n"
        "::endgroup::\n"
        "1 error, 1 warning, 1 info in 2 files\n"
    )


def test_escape_data_keeps_colons_and_commas():
    assert escape_data("50% done: a, b\r\nnext") == "50%25 done: a, b%0D%0Anext"


def test_escape_property_also_escapes_colons_and_commas():
    assert escape_property("50% done: a, b\r\nnext") == "50%25 done%3A a%2C b%0D%0Anext"


def test_percent_is_escaped_before_the_other_escapes():
    assert escape_data("%0A") == "%250A"
    assert escape_property("%3A,") == "%253A%2C"


def test_annotation_escapes_path_title_and_message(finding):
    command = annotation(
        finding(
            "NG401",
            name="non-root-user",
            severity=Severity.WARNING,
            path="app,v1/db:x/Dockerfile",
            line=3,
            end_line=5,
            column=2,
            message="USER root: fine,\nreally %",
        )
    )
    assert command == (
        "::warning file=app%2Cv1/db%3Ax/Dockerfile,line=3,endLine=5,col=2,title=NG401 non-root-user"
        "::USER root: fine,%0Areally %25"
    )
    assert "\n" not in command


def test_at_most_ten_annotations_of_each_level_and_a_note_for_the_rest(finding):
    errors = [finding(line=number, message=f"error {number}") for number in range(1, 13)]
    warnings = [finding(severity=Severity.WARNING, line=100 + n, message=f"warning {n}") for n in range(3)]
    output = render(errors + warnings)
    lines = output.splitlines()
    assert sum(line.startswith("::error ") for line in lines) == 10
    assert sum(line.startswith("::warning ") for line in lines) == 3
    assert "::error file=Dockerfile,line=11," not in output
    for number in range(1, 13):
        assert f"Dockerfile:{number}:1: NG101 error error {number}" in lines
    assert lines[-2] == "12 errors, 3 warnings in 1 file"
    assert lines[-1] == (
        "2 findings not shown as annotations (GitHub shows 10 of each level per step); the log above lists them all."
    )


def test_no_note_when_every_finding_is_annotated(finding):
    output = render([finding(line=number) for number in range(1, 11)])
    assert output.splitlines()[-1] == "10 errors in 1 file"
    assert "not shown" not in output


def test_log_lines_cannot_issue_workflow_commands(finding):
    hostile = finding(path="::error title=forged::x/Dockerfile", message="ok\n::add-mask::secret")
    output = render([hostile])
    lines = output.splitlines()
    token = stop_token(output)
    start, end = lines.index(f"::stop-commands::{token}"), lines.index(f"::{token}::")
    quoted = lines[start + 1 : end]
    assert quoted == ["::error title=forged::x/Dockerfile:1:1: NG101 error ok\\n::add-mask::secret"]
    assert token not in quoted[0]
    assert not any(line.startswith("::add-mask::") for line in lines)


def test_the_stop_token_is_random_for_each_run(finding):
    # GitHub's documentation asks for a token generated randomly for every run: no text from the
    # repository, written in advance, can contain the line that ends its quoting.
    tokens = {stop_token(render([finding(message="a")])) for _ in range(5)}
    assert len(tokens) == 5 and all(re.fullmatch(r"nodeguard-[0-9a-f]{32}", token) for token in tokens)


def test_empty_finding_list():
    assert render([]) == "No problems found.\n"
    assert render([], checked_files=4) == "No problems found in 4 files.\n"
