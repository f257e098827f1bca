"""Finding the policy file, presets, and what a policy makes of each file."""
from __future__ import annotations

from pathlib import Path

import pytest

from nodeguard.findings import Severity
from nodeguard.policy import PolicyError, RuleSetting, load_policy


def levels(policy, path: str | None = None) -> dict[str, str]:
    settings = policy.rules if path is None else policy.settings_for(path)
    return {rule_id: setting.severity.label if setting.enabled else "off" for rule_id, setting in settings.items()}


# --- where the policy comes from


def test_without_a_policy_file_the_builtin_recommended_applies(repo, fake_rules):
    root = repo({"sub/Dockerfile": "FROM node\n"})
    policy = load_policy(None, str(root / "sub"), fake_rules)
    assert policy.source == "builtin:recommended"
    assert levels(policy) == {"NG101": "error", "NG102": "warning", "NG401": "error", "NG501": "warning",
                              "NG702": "info"}
    assert policy.fail_on is Severity.ERROR and policy.pragmas == "allow"
    assert policy.include == () and policy.exclude == () and policy.overrides == () and policy.contexts == {}


def test_github_folder_wins_over_dot_file_in_the_same_folder(repo, fake_rules):
    root = repo({".github/nodeguard.yml": "rules: {NG101: info}\n", ".nodeguard.yml": "rules: {NG101: warning}\n"})
    policy = load_policy(None, str(root), fake_rules)
    assert policy.source == ".github/nodeguard.yml"
    assert policy.rules["NG101"].severity is Severity.INFO


def test_the_nearest_folder_wins(repo, fake_rules):
    root = repo({
        ".github/nodeguard.yml": "rules: {NG101: info}\n",
        "services/.nodeguard.yml": "rules: {NG101: warning}\n",
        "services/api/Dockerfile": "FROM node\n",
    })
    policy = load_policy(None, str(root / "services" / "api"), fake_rules)
    assert policy.source == "../.nodeguard.yml"
    assert policy.rules["NG101"].severity is Severity.WARNING


def test_lookup_climbs_to_the_repository_root(repo, fake_rules):
    root = repo({".nodeguard.yml": "fail-on: warning\n", "a/b/c/Dockerfile": "FROM node\n"})
    policy = load_policy(None, str(root / "a" / "b" / "c"), fake_rules)
    assert policy.source == "../../../.nodeguard.yml" and policy.fail_on is Severity.WARNING


def test_lookup_stops_at_the_repository_root(tmp_path: Path, fake_rules):
    (tmp_path / ".nodeguard.yml").write_text("fail-on: never\n")
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "sub").mkdir()
    assert load_policy(None, str(root / "sub"), fake_rules).source == "builtin:recommended"


def test_outside_a_repository_only_the_start_folder_is_searched(tmp_path: Path, fake_rules):
    (tmp_path / ".nodeguard.yml").write_text("fail-on: never\n")
    (tmp_path / "sub").mkdir()
    assert load_policy(None, str(tmp_path / "sub"), fake_rules).source == "builtin:recommended"
    assert load_policy(None, str(tmp_path), fake_rules).fail_on is None


def test_explicit_config_wins_over_the_lookup(repo, fake_rules):
    root = repo({".nodeguard.yml": "fail-on: warning\n", "policies/ci.yml": "fail-on: info\n"})
    config = str(root / "policies" / "ci.yml")
    policy = load_policy(config, str(root), fake_rules)
    assert policy.source == config and policy.fail_on is Severity.INFO


def test_missing_explicit_config_is_an_error(repo, fake_rules):
    root = repo({".nodeguard.yml": "fail-on: warning\n"})
    with pytest.raises(PolicyError) as raised:
        load_policy(str(root / "nope.yml"), str(root), fake_rules)
    assert str(raised.value) == f"{root / 'nope.yml'}: no such file"


def test_a_folder_as_config_is_an_error(repo, fake_rules):
    root = repo()
    with pytest.raises(PolicyError, match="is a folder"):
        load_policy(str(root), str(root), fake_rules)


def test_a_policy_link_out_of_the_repository_is_refused(tmp_path: Path, fake_rules):
    (tmp_path / "outside.yml").write_text("fail-on: never\n")
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / ".nodeguard.yml").symlink_to(tmp_path / "outside.yml")
    with pytest.raises(PolicyError, match="outside the repository"):
        load_policy(None, str(root), fake_rules)


def test_a_dangling_policy_link_is_an_error_not_the_default(repo, fake_rules):
    root = repo()
    (root / ".nodeguard.yml").symlink_to(root / "gone.yml")
    with pytest.raises(PolicyError, match="no such file"):
        load_policy(None, str(root), fake_rules)


def test_the_real_registry_is_the_default(repo):
    from nodeguard.rules import all_rules

    policy = load_policy(None, str(repo()))
    assert set(policy.rules) == {rule.id for rule in all_rules()}


# --- presets and rules


def test_strict_uses_each_rules_strict_severity(repo, fake_rules):
    root = repo({".nodeguard.yml": "extends: strict\n"})
    assert levels(load_policy(None, str(root), fake_rules)) == {
        "NG101": "error", "NG102": "error", "NG401": "error", "NG501": "error", "NG702": "info"}


def test_an_empty_file_is_the_recommended_policy(repo, fake_rules):
    root = repo({".nodeguard.yml": "# nothing changed yet\n"})
    policy = load_policy(None, str(root), fake_rules)
    assert policy.source == ".nodeguard.yml"
    assert levels(policy) == {"NG101": "error", "NG102": "warning", "NG401": "error", "NG501": "warning",
                              "NG702": "info"}


def test_rules_by_id_or_slug_off_on_and_severity(repo, fake_rules):
    root = repo({".nodeguard.yml": """
        extends: strict
        rules:
          NG101: off
          base-image-digest: info
          exec-form-command: {severity: warning, options: {init-provided: true}}
          NG702: "off"
    """})
    policy = load_policy(None, str(root), fake_rules)
    assert levels(policy) == {"NG101": "off", "NG102": "info", "NG401": "error", "NG501": "warning", "NG702": "off"}
    assert policy.rules["NG501"] == RuleSetting(True, Severity.WARNING, {"init-provided": True})
    assert policy.rules["NG401"] == RuleSetting(True, Severity.ERROR, {})


def test_options_alone_keep_the_preset_severity(repo, fake_rules):
    root = repo({".nodeguard.yml": "extends: strict\nrules:\n  NG501: {options: {programs: [dumb-init]}}\n"})
    assert load_policy(None, str(root), fake_rules).rules["NG501"] == RuleSetting(
        True, Severity.ERROR, {"programs": ["dumb-init"]})


def test_top_level_keys(repo, fake_rules):
    root = repo({".nodeguard.yml": """
        fail-on: never
        pragmas: require-reason
        include: ["**/Dockerfile*"]
        exclude: ["legacy/**"]
    """})
    policy = load_policy(None, str(root), fake_rules)
    assert policy.fail_on is None and policy.pragmas == "require-reason"
    assert policy.include == ("**/Dockerfile*",) and policy.exclude == ("legacy/**",)


@pytest.mark.parametrize("written", ["off", '"off"'])
def test_pragmas_off_bare_or_quoted(repo, fake_rules, written):
    root = repo({".nodeguard.yml": f"pragmas: {written}\n"})
    assert load_policy(None, str(root), fake_rules).pragmas == "off"


# --- per file: overrides, include/exclude, contexts


def test_overrides_apply_in_order_to_matching_files_only(repo, fake_rules):
    root = repo({".nodeguard.yml": """
        rules:
          NG101: warning
          NG501: {options: {init-provided: true}}
        overrides:
          - files: ["tools/**"]
            rules: {NG401: off, NG101: info}
          - files: ["tools/ci/**", "**/*.dev.Dockerfile"]
            rules:
              NG401: on
              NG501: {options: {programs: [tini, dumb-init]}}
    """})
    policy = load_policy(None, str(root), fake_rules)
    assert levels(policy, "Dockerfile") == levels(policy) == {
        "NG101": "warning", "NG102": "warning", "NG401": "error", "NG501": "warning", "NG702": "info"}
    assert levels(policy, "tools/Dockerfile")["NG401"] == "off"
    assert levels(policy, "tools/Dockerfile")["NG101"] == "info"
    ci = policy.settings_for("tools/ci/Dockerfile")
    assert ci["NG401"] == RuleSetting(True, Severity.ERROR, {})
    assert ci["NG101"].severity is Severity.INFO
    assert ci["NG501"].options == {"init-provided": True, "programs": ["tini", "dumb-init"]}
    assert policy.settings_for("web/app.dev.Dockerfile")["NG501"].options["programs"] == ["tini", "dumb-init"]
    assert policy.settings_for("web/Dockerfile")["NG501"].options == {"init-provided": True}


def test_include_and_exclude(repo, fake_rules):
    root = repo({".nodeguard.yml": 'include: ["services/**"]\nexclude: ["services/legacy/**", "**/*.old"]\n'})
    policy = load_policy(None, str(root), fake_rules)
    assert policy.selects("services/api/Dockerfile")
    assert not policy.selects("Dockerfile")
    assert not policy.selects("services/legacy/Dockerfile")
    assert not policy.selects("services/api/Dockerfile.old")


def test_without_include_everything_but_the_excluded_is_selected(repo, fake_rules):
    policy = load_policy(None, str(repo({".nodeguard.yml": 'exclude: ["legacy/**"]\n'})), fake_rules)
    assert policy.selects("Dockerfile") and policy.selects("a/b/Dockerfile")
    assert not policy.selects("legacy/Dockerfile")


def test_contexts_first_matching_glob_wins(repo, fake_rules):
    root = repo({".nodeguard.yml": """
        contexts:
          "docker/api.dockerfile": "services/api"
          "docker/*.dockerfile": "."
    """})
    policy = load_policy(None, str(root), fake_rules)
    assert policy.context_for("docker/api.dockerfile") == "services/api"
    assert policy.context_for("docker/web.dockerfile") == "."
    assert policy.context_for("web/Dockerfile") is None


def test_settings_for_does_not_change_the_policy(repo, fake_rules):
    root = repo({".nodeguard.yml": 'overrides: [{files: ["t/**"], rules: {NG101: off}}]\n'})
    policy = load_policy(None, str(root), fake_rules)
    policy.settings_for("t/Dockerfile")
    assert policy.rules["NG101"].enabled


def test_anchors_and_merge_keys_work(repo, fake_rules):
    root = repo({".nodeguard.yml": """
        rules: &relaxed {NG401: off, NG101: info}
        overrides:
          - files: ["ci/**"]
            rules:
              <<: *relaxed
              NG702: off
    """})
    policy = load_policy(None, str(root), fake_rules)
    assert levels(policy) == {"NG101": "info", "NG102": "warning", "NG401": "off", "NG501": "warning",
                              "NG702": "info"}
    assert levels(policy, "ci/Dockerfile") == {**levels(policy), "NG702": "off"}


def test_the_full_example_of_the_docs_loads_with_the_real_rules(repo):
    docs = (Path(__file__).resolve().parents[2] / "docs" / "policy.md").read_text(encoding="utf-8")
    example = docs.split("```yaml\n", 1)[1].split("```", 1)[0]
    root = repo({".github/nodeguard.yml": example})
    policy = load_policy(None, str(root))
    assert policy.rules["NG101"].enabled is False
    assert policy.rules["NG102"].severity is Severity.ERROR
    assert policy.rules["NG504"] == RuleSetting(True, Severity.ERROR, {"init-provided": True})
    assert policy.pragmas == "require-reason" and policy.context_for("docker/api.dockerfile") == "."
    assert policy.selects("services/api/Dockerfile") and not policy.selects("legacy/Dockerfile")
    assert policy.settings_for("tools/release/Dockerfile")["NG401"].enabled
    assert not policy.settings_for("tools/Dockerfile")["NG401"].enabled


def test_one_finder_for_many_folders_answers_as_each_folder_alone(tmp_path: Path, fake_rules):
    """The finder keeps what it learnt of the folders above (each looked at once per run): in any order,
    each folder still gets its nearest policy file up to its own repository root, nested repositories and
    folders outside any repository included."""
    from nodeguard.policy.loader import PolicyFinder

    outer = tmp_path / "outer"
    policies = {"outer": "warning", "outer/a": "info", "loose": "never"}
    for folder, fail_on in policies.items():
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        (tmp_path / folder / ".nodeguard.yml").write_text(f"fail-on: {fail_on}\n")
    for folder in ("outer/.git", "outer/a/b/c", "outer/a/d", "outer/e", "outer/nested/.git", "outer/nested/x", "loose/f"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
    expected = {
        "outer/nested/x": "error", "outer/a/b/c": "info", "outer/e": "warning", "outer/a/d": "info",
        "outer": "warning", "outer/a": "info", "outer/nested": "error", "loose/f": "error", "loose": "never",
    }

    def fail_on(policy) -> str:
        return policy.fail_on.label if policy.fail_on is not None else "never"

    assert {folder: fail_on(load_policy(None, str(tmp_path / folder), fake_rules)) for folder in expected} == expected
    for order in (list(expected), list(reversed(expected))):
        finder = PolicyFinder(None, fake_rules)
        assert {folder: fail_on(finder(tmp_path / folder / "Dockerfile")) for folder in order} == expected
