"""Inline pragmas: what each scope covers, and the three modes of the policy."""
from __future__ import annotations

from pathlib import Path

import pytest

from nodeguard.findings import Finding, Severity
from nodeguard.model.parse import parse_dockerfile
from nodeguard.policy.pragmas import apply_pragmas, find_pragmas, parse_pragma

DOCKERFILE = """\
# syntax=docker/dockerfile:1
# nodeguard global ignore=NG702 -- scanning happens in the registry
ARG NODE=22

# build stage
# nodeguard stage ignore=base-image-tag -- throwaway builder
FROM node AS build
# nodeguard ignore=NG501,NG401 -- checked by hand
RUN npm ci && \\
    # nodeguard ignore=NG203
    npm run build
RUN <<EOF
# nodeguard global ignore=NG101 -- inside a heredoc: a shell comment, not a pragma
EOF

# nodeguard ignore=NG401

USER root
FROM node:latest AS final
CMD node server.js
"""


def finding(rule: str, line: int, path: str = "Dockerfile") -> Finding:
    return Finding(rule, rule.lower(), 1, Severity.ERROR, path, line, line, "message")


def parsed_pragmas(text: str, rules=None):
    return find_pragmas(parse_dockerfile("Dockerfile", text.encode()), rules)


@pytest.fixture
def pragmas():
    return parsed_pragmas(DOCKERFILE)


def test_pragmas_found_with_scope_rules_reason_and_span(pragmas):
    assert [(p.line, p.scope, p.rules, p.reason, p.start_line, p.end_line) for p in pragmas] == [
        (2, "global", ("NG702",), "scanning happens in the registry", 1, 20),
        (6, "stage", ("NG101",), "throwaway builder", 7, 18),
        (8, "instruction", ("NG501", "NG401"), "checked by hand", 9, 11),
        (10, "instruction", ("NG203",), None, 9, 11),  # inside the RUN's continuation lines
        (16, "instruction", ("NG401",), None, 0, 0),  # a blank line parts it from USER: it covers nothing
    ]


def test_allow_removes_what_the_pragmas_cover(pragmas):
    findings = [
        finding("NG702", 20), finding("NG101", 7), finding("NG101", 19), finding("NG501", 9), finding("NG501", 12),
        finding("NG401", 18), finding("NG203", 11), finding("NG702", 1, path=".dockerignore"),
    ]
    kept = apply_pragmas(findings, pragmas, "allow")
    assert [(f.rule, f.line, f.path) for f in kept if f.rule != "NG007"] == [
        ("NG101", 19, "Dockerfile"),  # the final stage is not the one the stage pragma covers
        ("NG501", 12, "Dockerfile"),
        ("NG401", 18, "Dockerfile"),
        ("NG702", 1, ".dockerignore"),  # pragmas only cover their own file
    ]
    # NG401 has no finding on the RUN of line 9, and the pragma of line 16 covers no instruction
    assert [(f.line, f.severity.label, f.message.split()[0]) for f in kept if f.rule == "NG007"] == [
        (8, "info", "NG401"), (16, "info", "NG401"),
    ]


def test_require_reason_suppresses_only_with_a_reason_and_reports_the_others(pragmas):
    findings = [finding("NG501", 9), finding("NG203", 10), finding("NG401", 18)]
    kept = apply_pragmas(findings, pragmas, "require-reason")
    assert [(f.rule, f.line) for f in kept if f.rule != "NG007"] == [
        ("NG203", 10), ("NG401", 18), ("NG002", 10), ("NG002", 16)]
    # the reasoned pragmas whose rules have no finding where they point
    assert [(f.rule, f.line) for f in kept if f.rule == "NG007"] == [("NG007", 2), ("NG007", 6), ("NG007", 8)]
    reported = kept[2]
    assert (reported.name, reported.section, reported.severity, reported.end_line) == (
        "pragma-without-reason", 0, Severity.ERROR, 10)
    assert reported.message.startswith("`# nodeguard ignore=NG203` gives no reason")


def test_off_suppresses_nothing_and_reports_every_pragma(pragmas):
    findings = [finding("NG501", 9), finding("NG702", 20)]
    kept = apply_pragmas(findings, pragmas, "off")
    assert kept[:2] == findings
    assert [(f.rule, f.name, f.severity, f.line) for f in kept[2:]] == [
        ("NG003", "pragma-not-allowed", Severity.ERROR, line) for line in (2, 6, 8, 10, 16)]


def test_unknown_rule_is_reported_and_the_known_ones_still_work():
    pragmas = parsed_pragmas("FROM node:22\n# nodeguard ignore=NG40l,exec-form-command -- typo\nCMD node a.js\n")
    kept = apply_pragmas([finding("NG501", 3)], pragmas, "allow")
    assert [(f.rule, f.name, f.severity, f.line) for f in kept] == [
        ("NG004", "unknown-pragma-rule", Severity.WARNING, 2)]
    assert "`NG40l`" in kept[0].message


def test_a_pragma_naming_no_rule_is_reported():
    kept = apply_pragmas([], parsed_pragmas("# nodeguard ignore= -- why\nFROM node:22\n"), "allow")
    assert [(f.rule, f.line) for f in kept] == [("NG004", 1)]


def test_require_reason_reports_both_a_missing_reason_and_an_unknown_rule():
    kept = apply_pragmas([], parsed_pragmas("FROM node:22\n# nodeguard ignore=NG999\nUSER root\n"), "require-reason")
    assert sorted((f.rule, f.line) for f in kept) == [("NG002", 2), ("NG004", 2)]


def test_off_reports_an_unknown_rule_only_once_as_not_allowed():
    kept = apply_pragmas([], parsed_pragmas("FROM node:22\n# nodeguard ignore=NG999\nUSER root\n"), "off")
    assert [f.rule for f in kept] == ["NG003"]


def test_pragma_findings_are_never_suppressed_by_pragmas():
    pragmas = parsed_pragmas("# nodeguard global ignore=NG002,NG004\nFROM node:22\n")
    own = [finding("NG002", 2), finding("NG004", 2)]
    kept = apply_pragmas(own, pragmas, "allow")
    assert kept[:2] == own  # and the pragma itself silences nothing:
    assert [(f.rule, f.message.split()[0]) for f in kept[2:]] == [("NG007", "NG002"), ("NG007", "NG004")]


def test_ids_in_lower_case_and_slugs_resolve(fake_rules):
    (pragma,) = parsed_pragmas("FROM node:22\n# nodeguard ignore=ng101, base-image-tag\nUSER root\n")
    assert pragma.rules == ("NG101",) and pragma.unknown == ()
    (pragma,) = parsed_pragmas("# nodeguard ignore=non-root-user,base-image-digest\nUSER root\n", fake_rules)
    assert pragma.rules == ("NG401", "NG102")


def test_stage_pragma_inside_a_stage_covers_that_stage():
    text = "FROM node:22 AS a\n# nodeguard stage ignore=NG401 -- why\nUSER root\nFROM node:22\nUSER root\n"
    (pragma,) = parsed_pragmas(text)
    assert (pragma.start_line, pragma.end_line) == (1, 3)


def test_stage_pragma_above_global_args_covers_the_first_stage():
    (pragma,) = parsed_pragmas("# nodeguard stage ignore=NG101 -- why\nARG V=22\nFROM node:$V\nRUN true\n")
    assert (pragma.start_line, pragma.end_line) == (3, 4)


@pytest.mark.parametrize("text, parsed", [
    (" nodeguard ignore=NG101", ("instruction", ["NG101"], None)),
    (" nodeguard ignore=NG101,NG203 -- a reason -- with dashes",
     ("instruction", ["NG101", "NG203"], "a reason -- with dashes")),
    ("nodeguard stage ignore = NG101 , base-image-tag --  spaced ", ("stage", ["NG101", "base-image-tag"], "spaced")),
    (" NodeGuard GLOBAL ignore=NG101 --", ("global", ["NG101"], None)),
    (" nodeguard ignore=NG101 because it is fine", ("instruction", ["NG101", "because", "it", "is", "fine"], None)),
    (" nodeguard is a linter", None),
    (" see nodeguard ignore=NG101", None),
    (" nodeguard ignore-NG101", None),
])
def test_parse_pragma(text, parsed):
    assert parse_pragma(text) == parsed


def test_unknown_mode_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown pragma mode"):
        apply_pragmas([], [], "sometimes")


def test_a_comment_that_looks_like_a_pragma_but_is_none_is_a_warning():
    text = (
        "FROM node:24\n"
        "# nodeguard: ignore=NG504 -- a colon\n"
        "# nodeguard ignore NG504\n"
        "# NodeGuard disable=NG504\n"
        "# nodeguard's own policy lives in .github\n"
        "# nodeguard ignore=NG504 -- a real one\n"
        'CMD ["node", "server.js"]\n'
    )
    pragmas = parsed_pragmas(text)
    assert [(p.line, p.malformed) for p in pragmas] == [(2, True), (3, True), (4, True), (6, False)]
    kept = apply_pragmas([finding("NG504", 7)], pragmas, "allow")
    assert [(f.rule, f.line, f.severity.label) for f in kept] == [
        ("NG006", 2, "warning"), ("NG006", 3, "warning"), ("NG006", 4, "warning"),
    ]
    assert "`# nodeguard ignore NG504` is not a pragma nodeguard can read" in kept[1].message


def test_the_pragma_example_of_the_docs_silences_what_it_names(lint):
    """docs/policy.md's pragmas, run through the whole pipeline: each silences a finding, none is left over."""
    docs = (Path(__file__).resolve().parents[2] / "docs" / "policy.md").read_text(encoding="utf-8")
    example = docs.split("## Inline pragmas", 1)[1].split("```dockerfile\n", 1)[1].split("```", 1)[0]
    found = lint(example, files={".nodeguard.yml": "pragmas: require-reason\n"}).ids()
    assert not {"NG002", "NG003", "NG004", "NG006", "NG007"} & set(found), found
    assert not {"NG401", "NG702"} & set(found), found
    unsilenced = lint(example.replace("# nodeguard", "# not a pragma")).ids()
    assert {"NG401", "NG702"} <= set(unsilenced) and "NG201" in unsilenced


@pytest.mark.parametrize("named", ["NG007", "unused-pragma", "NG002", "NG004", "NG006"])
def test_a_pragma_naming_a_rule_about_pragmas_is_reported_as_silencing_nothing(named):
    """Such a finding is never silenced by a pragma: the pragma is a leftover that does nothing (NG007),
    and the message says where those rules are turned off instead."""
    text = f"FROM node:22-alpine\n# nodeguard ignore={named} -- noise\nUSER node\n"
    pragmas = parsed_pragmas(text)
    rule = pragmas[0].rules[0]
    kept = apply_pragmas([finding(rule, 3)], pragmas, "allow")
    unused = [f for f in kept if f.rule == "NG007" and f.line == 2]
    assert len(unused) == 1, kept
    assert unused[0].message.startswith(f"{rule} in `# nodeguard ignore={named} -- noise` silences nothing")
    assert "a pragma never silences" in unused[0].message and f"`{rule}: off`" in unused[0].message
    assert finding(rule, 3) in kept  # and the finding it meant to silence stays


def test_a_rule_that_pragmas_do_silence_is_not_called_unsilenceable():
    text = "FROM node:22-alpine\n# nodeguard ignore=NG005 -- flaky\nUSER node\n"
    kept = apply_pragmas([], parsed_pragmas(text), "allow")
    (unused,) = [f for f in kept if f.rule == "NG007"]
    assert "a pragma never silences" not in unused.message
