from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from nodeguard import __version__
from nodeguard.findings import Fix, Severity
from nodeguard.report import sarif
from nodeguard.rules.base import Rule

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))

NO_RULES = {}.get

BASE_IMAGE_DOC = """# NG101 base-image-tag

Pin the base image to a full Node.js version.

## Why

`latest` changes under you.
"""


def make_rule(rule_id: str, name: str, section: int, severity: Severity, doc: str = "") -> Rule:
    return Rule(
        id=rule_id,
        name=name,
        section=section,
        severity=severity,
        summary=f"Summary of {name}",
        check=lambda image, context, options: (),
        doc=doc,
    )


RULES = {
    "NG101": make_rule("NG101", "base-image-tag", 1, Severity.ERROR, BASE_IMAGE_DOC),
    "NG401": make_rule("NG401", "non-root-user", 4, Severity.ERROR),
}


def sarif_of(findings, **options) -> dict:
    options.setdefault("rule_lookup", RULES.get)
    output = json.loads(sarif.render(findings, **options))
    jsonschema.Draft4Validator(SCHEMA).validate(output)
    return output


def test_exact_log_for_one_finding_of_an_unknown_rule(finding):
    output = sarif_of(
        [finding("NG001", name="invalid-dockerfile", section=0, line=2, column=3, message="Cannot parse")],
        rule_lookup=NO_RULES,
    )
    digest = sarif.content_digest(
        finding("NG001", name="invalid-dockerfile", section=0, line=2, message="Cannot parse"),
        lambda path, line: None,
    )
    assert output == {
        "$schema": sarif.SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "nodeguard",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": "https://github.com/nodeguard/nodeguard",
                        "rules": [
                            {
                                "id": "NG001",
                                "name": "invalid-dockerfile",
                                "shortDescription": {"text": "Invalid dockerfile"},
                                "defaultConfiguration": {"level": "error"},
                                "properties": {"tags": ["nodejs", "docker", "section-0"], "precision": "high"},
                            }
                        ],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [
                    {
                        "ruleId": "NG001",
                        "ruleIndex": 0,
                        "level": "error",
                        "message": {"text": "Cannot parse"},
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": {"uri": "Dockerfile", "uriBaseId": "%SRCROOT%"},
                                    "region": {"startLine": 2, "endLine": 2, "startColumn": 3},
                                }
                            }
                        ],
                        "partialFingerprints": {"nodeguard/v1": f"{digest}:1"},
                    }
                ],
            }
        ],
    }


def test_rule_metadata_comes_from_the_rule(finding):
    output = sarif_of([finding("NG101")])
    (descriptor,) = output["runs"][0]["tool"]["driver"]["rules"]
    assert descriptor == {
        "id": "NG101",
        "name": "base-image-tag",
        "shortDescription": {"text": "Summary of base-image-tag"},
        "fullDescription": {"text": "Pin the base image to a full Node.js version."},
        "helpUri": "https://github.com/nodeguard/nodeguard/blob/main/docs/rules/NG101.md",
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["nodejs", "docker", "section-1"], "precision": "high"},
        "help": {"text": BASE_IMAGE_DOC, "markdown": BASE_IMAGE_DOC},
    }


def test_a_rule_without_doc_has_no_help_and_its_summary_as_full_description(finding):
    output = sarif_of([finding("NG401", name="non-root-user", section=4)])
    (descriptor,) = output["runs"][0]["tool"]["driver"]["rules"]
    assert "help" not in descriptor
    assert descriptor["fullDescription"] == {"text": "Summary of non-root-user"}


@pytest.mark.parametrize(
    ("section", "severity", "security_severity"),
    [(4, Severity.ERROR, "8.0"), (7, Severity.WARNING, "5.5"), (8, Severity.INFO, "3.0"), (10, Severity.ERROR, "8.0")],
)
def test_security_sections_carry_the_security_tag_and_severity(finding, section, severity, security_severity):
    output = sarif_of([finding(f"NG{section}01", section=section, severity=severity)], rule_lookup=NO_RULES)
    properties = output["runs"][0]["tool"]["driver"]["rules"][0]["properties"]
    assert properties["tags"] == ["nodejs", "docker", f"section-{section}", "security"]
    assert properties["security-severity"] == security_severity


@pytest.mark.parametrize("section", [0, 1, 2, 3, 5, 6, 9])
def test_other_sections_are_not_security_findings(finding, section):
    output = sarif_of([finding(f"NG{section}01", section=section)], rule_lookup=NO_RULES)
    properties = output["runs"][0]["tool"]["driver"]["rules"][0]["properties"]
    assert "security" not in properties["tags"]
    assert "security-severity" not in properties


def test_only_rules_with_findings_are_listed_and_rule_index_points_at_them(finding, sample_findings):
    output = sarif_of(sample_findings)
    run = output["runs"][0]
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert rule_ids == ["NG101", "NG301", "NG401"]
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
    assert [result["level"] for result in run["results"]] == ["error", "note", "warning"]


def test_multi_line_region_and_fix_replace_whole_lines(finding):
    output = sarif_of(
        [finding(line=3, end_line=5, column=4, fix=Fix(line=3, end_line=5, replacement="RUN npm ci\nUSER node"))]
    )
    (result,) = output["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]
    assert location["region"] == {"startLine": 3, "endLine": 5, "startColumn": 4}
    assert result["fixes"] == [
        {
            "description": {"text": "Replace lines 3-5"},
            "artifactChanges": [
                {
                    "artifactLocation": {"uri": "Dockerfile", "uriBaseId": "%SRCROOT%"},
                    "replacements": [
                        {
                            "deletedRegion": {"startLine": 3, "startColumn": 1, "endLine": 6, "endColumn": 1},
                            "insertedContent": {"text": "RUN npm ci\nUSER node\n"},
                        }
                    ],
                }
            ],
        }
    ]


def test_a_fix_that_deletes_lines_inserts_nothing(finding):
    output = sarif_of([finding(line=2, fix=Fix(line=2, end_line=2, replacement=""))])
    (fix,) = output["runs"][0]["results"][0]["fixes"]
    assert fix["description"] == {"text": "Delete line 2"}
    assert fix["artifactChanges"][0]["replacements"][0]["insertedContent"] == {"text": ""}


def test_an_insertion_deletes_an_empty_region(finding):
    output = sarif_of([finding(line=2, fix=Fix(line=3, end_line=2, replacement="USER node"))])
    (fix,) = output["runs"][0]["results"][0]["fixes"]
    assert fix["description"] == {"text": "Insert before line 3"}
    assert fix["artifactChanges"][0]["replacements"][0] == {
        "deletedRegion": {"startLine": 3, "startColumn": 1, "endLine": 3, "endColumn": 1},
        "insertedContent": {"text": "USER node\n"},
    }


def test_findings_without_fix_have_no_fixes(finding):
    assert "fixes" not in sarif_of([finding()])["runs"][0]["results"][0]


def test_uri_is_repository_relative_and_percent_encoded(finding):
    output = sarif_of([finding(path="./my app/Dockerfile#1")])
    location = output["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "my%20app/Dockerfile%231", "uriBaseId": "%SRCROOT%"}


def test_out_of_range_positions_are_clamped_to_stay_valid(finding):
    output = sarif_of([finding(line=0, end_line=0, column=0)])
    region = output["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 1, "endLine": 1, "startColumn": 1}


def fingerprint(output: dict, index: int = 0) -> str:
    return output["runs"][0]["results"][index]["partialFingerprints"]["nodeguard/v1"]


def test_fingerprint_follows_the_instruction_text_not_its_line(finding):
    before = {"Dockerfile": ["FROM node:latest", "RUN npm install"]}
    after = {"Dockerfile": ["# syntax=docker/dockerfile:1", "", "FROM   node:latest", "RUN npm install"]}
    moved = fingerprint(sarif_of([finding(line=1)], line_text=before))
    assert moved == fingerprint(sarif_of([finding(line=3, message="another wording")], line_text=after))
    changed = {"Dockerfile": ["FROM node:20", "RUN npm install"]}
    assert moved != fingerprint(sarif_of([finding(line=1)], line_text=changed))


def test_fingerprint_covers_every_line_of_a_multi_line_finding(finding):
    lines = {"Dockerfile": ["RUN a \\", "  && b"]}
    other = {"Dockerfile": ["RUN a \\", "  && c"]}
    one = fingerprint(sarif_of([finding(line=1, end_line=2)], line_text=lines))
    assert one != fingerprint(sarif_of([finding(line=1, end_line=2)], line_text=other))


def test_fingerprint_accepts_a_function_or_a_mapping_of_lines(finding):
    lines = {"Dockerfile": ["FROM node:latest"]}
    from_mapping = fingerprint(sarif_of([finding()], line_text=lines))
    from_function = fingerprint(sarif_of([finding()], line_text=lambda path, line: lines[path][line - 1]))
    assert from_mapping == from_function


def test_fingerprint_falls_back_to_the_message_when_the_text_is_unknown(finding):
    unknown_line = {"Dockerfile": ["FROM node:latest"]}
    first = fingerprint(sarif_of([finding(line=5, message="one")], line_text=unknown_line))
    assert first == fingerprint(sarif_of([finding(line=9, message="one")]))
    assert first != fingerprint(sarif_of([finding(line=5, message="two")]))


def test_fingerprint_depends_on_rule_and_path(finding):
    base = fingerprint(sarif_of([finding()]))
    assert base != fingerprint(sarif_of([finding("NG401")]))
    assert base != fingerprint(sarif_of([finding(path="api/Dockerfile")]))


def test_identical_occurrences_get_distinct_fingerprints(finding):
    lines = {"Dockerfile": ["RUN npm install", "RUN npm install"]}
    output = sarif_of([finding(line=1), finding(line=2)], line_text=lines)
    first, second = fingerprint(output, 0), fingerprint(output, 1)
    assert first.endswith(":1") and second.endswith(":2")
    assert first.split(":")[0] == second.split(":")[0]


def test_default_rule_lookup_is_the_rule_registry(finding, monkeypatch):
    import nodeguard.rules

    asked = []

    def lookup(rule_id):
        asked.append(rule_id)
        return RULES.get(rule_id)

    monkeypatch.setattr(nodeguard.rules, "rule_by_id", lookup)
    output = json.loads(sarif.render([finding("NG101")]))
    assert asked == ["NG101"]
    assert output["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"].endswith("/NG101.md")


def test_empty_finding_list_is_a_valid_log():
    output = sarif_of([])
    assert output["runs"][0]["results"] == []
    assert output["runs"][0]["tool"]["driver"]["rules"] == []


def test_the_schema_rejects_what_it_should():
    """The validation above can fail: a result without a message breaks the schema."""
    broken = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"ruleId": "NG101"}]}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(SCHEMA).validate(broken)
