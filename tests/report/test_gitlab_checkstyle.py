"""The GitLab Code Quality and Checkstyle formats, checked against the shapes their consumers document."""
from __future__ import annotations

import json
from xml.etree import ElementTree

import jsonschema

from nodeguard.findings import Severity
from nodeguard.report import checkstyle, gitlab

# GitLab's "Code Quality report format": an array of issues with these properties (the Code Climate
# subset GitLab reads); severity is one of GitLab's five; lines.begin or positions.begin.line.
GITLAB_CODE_QUALITY = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "not": {"pattern": "^/"}},
                    "lines": {"type": "object", "required": ["begin"],
                              "properties": {"begin": {"type": "integer", "minimum": 1}}},
                },
            },
        },
    },
}


def sample(finding):
    return [
        finding(severity=Severity.ERROR, path="api/Dockerfile", line=3, message="no <tag> & \"quotes\""),
        finding("NG401", name="non-root-user", section=4, severity=Severity.WARNING, path="api/Dockerfile", line=9),
        finding("NG906", name="x", section=9, severity=Severity.INFO, path=".dockerignore", line=2,
                message="control \x1b[31m and\nnewline"),
    ]


def test_gitlab_report_has_the_documented_shape_and_unique_fingerprints(finding):
    issues = json.loads(gitlab.render(sample(finding)))
    jsonschema.validate(issues, GITLAB_CODE_QUALITY)
    assert [issue["severity"] for issue in issues] == ["info", "critical", "major"]
    assert len({issue["fingerprint"] for issue in issues}) == 3
    assert issues[1]["location"] == {"path": "api/Dockerfile", "lines": {"begin": 3, "end": 3}}
    assert issues[2]["categories"] == ["Security"]  # not root is a security practice
    assert json.loads(gitlab.render([])) == []


def test_gitlab_fingerprints_are_stable_between_runs(finding):
    assert gitlab.render(sample(finding)) == gitlab.render(list(reversed(sample(finding))))


def test_checkstyle_report_is_well_formed_with_one_file_element_a_file(finding):
    text = checkstyle.render(sample(finding))
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ElementTree.fromstring(text.split("\n", 1)[1])
    assert root.tag == "checkstyle" and root.get("version")
    files = {file.get("name"): file for file in root}
    assert list(files) == [".dockerignore", "api/Dockerfile"]
    errors = list(files["api/Dockerfile"])
    assert [(e.get("line"), e.get("column"), e.get("severity"), e.get("source")) for e in errors] == [
        ("3", "1", "error", "nodeguard.NG101.base-image-tag"), ("9", "1", "warning", "nodeguard.NG401.non-root-user"),
    ]
    assert errors[0].get("message") == 'no <tag> & "quotes"'
    assert files[".dockerignore"][0].get("message") == "control \\x1b[31m and\\nnewline"  # XML 1.0 forbids them raw
    assert ElementTree.fromstring(checkstyle.render([]).split("\n", 1)[1]).tag == "checkstyle"
