from __future__ import annotations

import json

from nodeguard import __version__
from nodeguard.findings import Fix, Severity
from nodeguard.report.json_report import render


def test_exact_output_for_one_finding_with_a_fix(finding):
    output = render([finding(message="Pin node:latest", fix=Fix(line=1, end_line=2, replacement="FROM node:22"))])
    assert output == (
        "{\n"
        f'  "version": "{__version__}",\n'
        '  "summary": {\n'
        '    "error": 1,\n'
        '    "warning": 0,\n'
        '    "info": 0,\n'
        '    "files": 1,\n'
        '    "checked": 1\n'
        "  },\n"
        '  "findings": [\n'
        "    {\n"
        '      "rule": "NG101",\n'
        '      "name": "base-image-tag",\n'
        '      "section": 1,\n'
        '      "severity": "error",\n'
        '      "path": "Dockerfile",\n'
        '      "line": 1,\n'
        '      "end_line": 1,\n'
        '      "column": 1,\n'
        '      "message": "Pin node:latest",\n'
        '      "fix": {\n'
        '        "line": 1,\n'
        '        "end_line": 2,\n'
        '        "replacement": "FROM node:22",\n'
        '        "applicability": "unsafe"\n'
        "      }\n"
        "    }\n"
        "  ]\n"
        "}\n"
    )


def test_contract_fields_and_types(sample_findings):
    report = json.loads(render(sample_findings))
    assert set(report) == {"version", "summary", "findings"}
    assert report["version"] == __version__
    assert report["summary"] == {"error": 1, "warning": 1, "info": 1, "files": 2, "checked": 2}
    expected_types = {
        "rule": str,
        "name": str,
        "section": int,
        "severity": str,
        "path": str,
        "line": int,
        "end_line": int,
        "column": int,
        "message": str,
    }
    for item in report["findings"]:
        assert set(item) == {*expected_types, "fix"}
        for key, expected_type in expected_types.items():
            assert type(item[key]) is expected_type, key
        assert item["severity"] in {"error", "warning", "info"}
        assert item["fix"] is None or set(item["fix"]) == {"line", "end_line", "replacement", "applicability"}


def test_findings_are_sorted_by_path_line_and_rule(finding):
    findings = [
        finding("NG501", path="b/Dockerfile", line=2),
        finding("NG401", path="a/Dockerfile", line=9),
        finding("NG301", path="b/Dockerfile", line=2),
        finding("NG101", path="a/Dockerfile", line=3),
    ]
    report = json.loads(render(findings))
    assert [(item["path"], item["line"], item["rule"]) for item in report["findings"]] == [
        ("a/Dockerfile", 3, "NG101"),
        ("a/Dockerfile", 9, "NG401"),
        ("b/Dockerfile", 2, "NG301"),
        ("b/Dockerfile", 2, "NG501"),
    ]


def test_summary_counts_each_severity_and_files_with_findings(finding):
    findings = [
        finding(severity=Severity.WARNING, path="a/Dockerfile"),
        finding(severity=Severity.WARNING, path="a/Dockerfile", line=2),
        finding(severity=Severity.WARNING, path="b/.dockerignore"),
    ]
    assert json.loads(render(findings))["summary"] == {"error": 0, "warning": 3, "info": 0, "files": 2, "checked": 2}
    assert json.loads(render(findings, checked_files=5))["summary"]["checked"] == 5


def test_text_outside_ascii_and_control_characters_round_trip(finding):
    message = "Ünïcode café\nsecond line \x1b"
    output = render([finding(message=message)])
    assert "café" in output
    assert json.loads(output)["findings"][0]["message"] == message


def test_empty_report():
    assert json.loads(render([])) == {
        "version": __version__,
        "summary": {"error": 0, "warning": 0, "info": 0, "files": 0, "checked": 0},
        "findings": [],
    }


def test_written_as_json_dumps_writes_it(finding):
    """The report is written by hand; it must be what json.dumps(indent=2, ensure_ascii=False) writes, for
    any text in any field (quotes, backslashes, control characters, U+2028, astral and lone surrogates)."""
    awkward = 'q"uote \\ back\tslash \x00\x1f\x7f \u2028 \U0001f600 \ud800 é'
    findings = [
        finding(message=awkward, path=awkward, fix=Fix(line=3, end_line=2, replacement=awkward)),
        finding("NG501", severity=Severity.INFO, line=7),
        finding("NG301", severity=Severity.WARNING, path="a/Dockerfile", fix=Fix(line=1, end_line=1, replacement="")),
    ]
    for written in (render(findings, checked_files=9), render([]), render(findings[:1])):
        assert written == json.dumps(json.loads(written), indent=2, ensure_ascii=False) + "\n"
