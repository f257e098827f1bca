"""A broken policy is one PolicyError naming the file, the line and the key; never the defaults."""
from __future__ import annotations

import textwrap

import pytest

from nodeguard.policy import PolicyError, load_policy


def error_for(repo, fake_rules, text: str | bytes) -> PolicyError:
    root = repo()
    path = root / ".nodeguard.yml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    with pytest.raises(PolicyError) as raised:
        load_policy(None, str(root), fake_rules)
    return raised.value


CASES = [
    pytest.param("extends: recommended\nrules:\n  NG101: off\n  NG999: off\n", 4, "rules.NG999",
                 "unknown rule; `nodeguard rules` lists them", id="unknown-rule-id"),
    pytest.param("rules:\n  base-image-tags: error\n", 2, "rules.base-image-tags",
                 "unknown rule (did you mean base-image-tag?); `nodeguard rules` lists them", id="unknown-rule-slug"),
    pytest.param("rules:\n  ng101: error\n", 2, "rules.ng101",
                 "unknown rule (did you mean NG101?); `nodeguard rules` lists them", id="id-in-lower-case"),
    pytest.param("fail-on: error\nfail_on: warning\n", 2, "fail_on",
                 "unknown key (did you mean fail-on?); known: extends, fail-on, include, exclude, pragmas, contexts, registries, rules, overrides",
                 id="unknown-top-level-key"),
    pytest.param("rules:\n  NG101: fatal\n", 2, "rules.NG101",
                 "'fatal' is not one of: off, on, error, warning, info", id="bad-severity"),
    pytest.param("rules:\n  NG501:\n    options: {init-provided: true}\n    severity: critical\n", 4,
                 "rules.NG501.severity", "'critical' is not one of: off, on, error, warning, info",
                 id="bad-severity-in-mapping"),
    pytest.param("rules:\n  NG101: 3\n", 2, "rules.NG101", "must be text or true or false or a mapping, not 3",
                 id="rule-setting-of-wrong-type"),
    pytest.param("rules:\n  NG501:\n    options:\n      init-provided: yes please\n", 4,
                 "rules.NG501.options.init-provided", "must be true or false, not 'yes please'",
                 id="bad-option-value"),
    pytest.param("rules:\n  NG501:\n    options:\n      init-provided: true\n      init: true\n", 5,
                 "rules.NG501.options.init", "unknown option; known: init-provided, programs", id="unknown-option"),
    pytest.param("rules:\n  NG101: {options: {x: 1}}\n", 2, "rules.NG101.options.x",
                 "unknown option; this rule takes none", id="option-for-a-rule-without-options"),
    pytest.param("rules:\n  NG101: {level: error}\n", 2, "rules.NG101.level",
                 "unknown key; known: severity, options", id="unknown-key-in-rule-mapping"),
    pytest.param("fail-on: critical\n", 1, "fail-on", "'critical' is not one of: error, warning, info, never",
                 id="bad-fail-on"),
    pytest.param("extends: paranoid\n", 1, "extends", "'paranoid' is not one of: recommended, strict",
                 id="bad-extends"),
    pytest.param("pragmas: sometimes\n", 1, "pragmas", "'sometimes' is not one of: allow, require-reason, off",
                 id="bad-pragmas"),
    pytest.param("include: '**/Dockerfile'\n", 1, "include", "must be a list, not '**/Dockerfile'",
                 id="include-not-a-list"),
    pytest.param("exclude:\n  - legacy/**\n  - 7\n", 3, "exclude[1]", "must be text, not 7", id="glob-not-text"),
    pytest.param("contexts: [a, b]\n", 1, "contexts", "must be a mapping, not a list", id="contexts-not-a-mapping"),
    pytest.param("contexts:\n  'docker/*': ../other-repo\n", 2, "contexts.docker/*",
                 "'../other-repo' is not a folder inside the repository", id="context-outside-the-repository"),
    pytest.param("contexts:\n  'docker/*': /srv\n", 2, "contexts.docker/*",
                 "'/srv' is not a folder inside the repository", id="context-absolute"),
    pytest.param("overrides:\n  - files: [tools/**]\n    rules: {NG101: off}\n  - files: [ci/**]\n", 4,
                 "overrides[1]", "'rules' is a required property", id="override-without-rules"),
    pytest.param("overrides:\n  - files: []\n    rules: {NG101: off}\n", 2, "overrides[0].files",
                 "[] should be non-empty", id="override-without-files"),
    pytest.param("overrides:\n  - files: [tools/**]\n    rules:\n      NG101: off\n      NG998: off\n", 5,
                 "overrides[0].rules.NG998", "unknown rule; `nodeguard rules` lists them", id="unknown-rule-in-override"),
    pytest.param("overrides:\n  - files: ['svc[z-a]/**']\n    rules: {NG101: off}\n", 2, "overrides[0].files[0]",
                 "bad glob 'svc[z-a]/**': bad character range z-a", id="bad-glob"),
    pytest.param("rules:\n  NG101: off\n  NG102: info\n  base-image-tag: warning\n", 4, "rules.base-image-tag",
                 "NG101 is already set on line 2", id="rule-by-id-and-slug"),
    pytest.param("rules:\n  NG101: off\n  NG101: error\n", 3, "rules.NG101", "given twice (first on line 2)",
                 id="duplicate-yaml-key"),
    pytest.param("rules:\n  on: error\n", 2, "rules.on", "YAML reads this key as true or false, not text; quote it",
                 id="boolean-key"),
    pytest.param("rules:\n  101: off\n", 2, "rules.101", "YAML reads this key as a number, not text; quote it",
                 id="number-key"),
]


@pytest.mark.parametrize("text, line, key, message", CASES)
def test_error_names_file_line_and_key(repo, fake_rules, text, line, key, message):
    error = error_for(repo, fake_rules, text)
    assert (error.path, error.line, error.key, error.message) == (".nodeguard.yml", line, key, message)
    assert str(error) == f".nodeguard.yml:{line}: {key}: {message}"


def test_the_first_problem_in_the_file_is_reported(repo, fake_rules):
    error = error_for(repo, fake_rules, "fail-on: bad\nrules:\n  NG999: off\nextends: nope\n")
    assert (error.line, error.key) == (1, "fail-on")


def test_yaml_syntax_error_uses_the_marks_line(repo, fake_rules):
    error = error_for(repo, fake_rules, "extends: recommended\nrules:\n  NG101: [off\n  NG102: info\nfail-on: error\n")
    assert error.path == ".nodeguard.yml" and error.key is None
    assert error.line == 4 and error.message.startswith("invalid YAML: ")


def test_bad_indentation_is_a_syntax_error_on_its_line(repo, fake_rules):
    error = error_for(repo, fake_rules, "rules:\n  NG101: off\n NG102: info\n")
    assert error.line == 3 and "invalid YAML" in error.message


@pytest.mark.parametrize("text, message", [
    ("- extends: strict\n", "the policy must be a mapping of keys such as `extends` and `rules`"),
    ("strict\n", "the policy must be a mapping of keys such as `extends` and `rules`"),
])
def test_not_a_mapping(repo, fake_rules, text, message):
    error = error_for(repo, fake_rules, text)
    assert (error.line, error.key, error.message) == (1, None, message)
    assert str(error) == f".nodeguard.yml:1: {message}"


def test_python_tags_are_refused_by_the_safe_loader(repo, fake_rules):
    error = error_for(repo, fake_rules, "extends: !!python/object/apply:os.system ['true']\n")
    assert error.line == 1 and "invalid YAML" in error.message


def test_alias_bombs_are_refused(repo, fake_rules):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 8)]
    error = error_for(repo, fake_rules, "\n".join(lines) + "\n")
    assert "expands to more than" in error.message


def test_not_utf8(repo, fake_rules):
    error = error_for(repo, fake_rules, b"fail-on: error\nrules:\n  NG101: \xff\n")
    assert (error.line, error.message) == (3, "is not valid UTF-8 text")


def test_deep_nesting_is_an_error_not_a_crash(repo, fake_rules):
    error = error_for(repo, fake_rules, "rules: " + "[" * 5000 + "]" * 5000 + "\n")
    assert (error.path, error.message) == (".nodeguard.yml", "the YAML is nested too deeply")


def test_huge_file(repo, fake_rules):
    error = error_for(repo, fake_rules, "# " + "x" * (1024 * 1024) + "\n")
    assert "larger than" in error.message


def test_explicit_config_errors_name_the_given_path(repo, fake_rules):
    root = repo({"ci/policy.yml": "rules:\n  NG999: off\n"})
    with pytest.raises(PolicyError) as raised:
        load_policy(str(root / "ci" / "policy.yml"), str(root), fake_rules)
    assert str(raised.value) == f"{root / 'ci' / 'policy.yml'}:2: rules.NG999: unknown rule; `nodeguard rules` lists them"


def test_errors_in_a_parent_folders_file_name_it_relative_to_the_start(repo, fake_rules):
    root = repo({".github/nodeguard.yml": "fail-on: sometimes\n", "svc/Dockerfile": "FROM node\n"})
    with pytest.raises(PolicyError) as raised:
        load_policy(None, str(root / "svc"), fake_rules)
    assert str(raised.value).startswith("../.github/nodeguard.yml:1: fail-on: ")


def test_a_policy_with_several_errors_reports_each_in_file_order(repo, fake_rules):
    text = "fail-on: sometimes\nrules:\n  NG999: off\n  NG101: loud\noverrides: {}\n"
    error = error_for(repo, fake_rules, text)
    assert [(each.line, each.key) for each in error.errors] == [
        (1, "fail-on"), (3, "rules.NG999"), (4, "rules.NG101"), (5, "overrides"),
    ]
    assert str(error).splitlines() == [str(each) for each in error.errors]
    assert (error.line, error.key) == (1, "fail-on")  # the error itself is the first one
