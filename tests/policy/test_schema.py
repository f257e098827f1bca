"""The policy schema: a valid Draft 2020-12 schema that knows every rule and checks its options."""
from __future__ import annotations

import json
from importlib import resources

import pytest
import yaml
from jsonschema import Draft202012Validator

from nodeguard.policy.schema import policy_schema
from nodeguard.rules import all_rules

FULL_EXAMPLE = """
extends: strict
fail-on: warning
include: ["**/Dockerfile*", "**/*.dockerfile"]
exclude: ["legacy/**"]
pragmas: require-reason
contexts:
  "docker/*.dockerfile": "."
rules:
  NG101: off
  base-image-digest: error
  NG501: {severity: warning, options: {init-provided: true}}
  NG702: on
overrides:
  - files: ["tools/**"]
    rules: {NG401: off, exec-form-command: {options: {programs: [dumb-init]}}}
"""


def errors(schema: dict, text: str) -> list[str]:
    return [error.message for error in Draft202012Validator(schema).iter_errors(yaml.safe_load(text))]


def test_the_schema_of_the_real_rules_is_a_valid_draft_2020_12_schema():
    schema = policy_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    json.dumps(schema)  # `nodeguard schema` prints it


def test_the_static_skeleton_is_valid_and_knows_no_rule():
    skeleton = json.loads(resources.files("nodeguard.policy").joinpath("schema.json").read_text())
    Draft202012Validator.check_schema(skeleton)
    assert skeleton["$defs"]["rules"]["properties"] == {}


def test_every_rule_id_and_name_is_a_property():
    properties = policy_schema()["$defs"]["rules"]["properties"]
    for rule in all_rules():
        assert properties[rule.id] == properties[rule.name] == {"$ref": f"#/$defs/{rule.id}"}


def test_a_full_example_validates(fake_rules):
    assert errors(policy_schema(fake_rules), FULL_EXAMPLE) == []


@pytest.mark.parametrize("text", [
    "rules: {NG999: off}",
    "rules: {NG101: fatal}",
    "rules: {NG501: {options: {init-provided: 1}}}",
    "rules: {NG501: {options: {unknown: 1}}}",
    "rules: {NG101: {options: {anything: 1}}}",
    "overrides: [{files: [a], rules: {NG999: off}}]",
    "overrides: [{files: [a]}]",
    "contexts: {a: 1}",
    "rule-severities: strict",
])
def test_bad_documents_do_not_validate(fake_rules, text):
    assert errors(policy_schema(fake_rules), text)


def test_descriptions_and_option_defaults_for_editors(fake_rules):
    definition = policy_schema(fake_rules)["$defs"]["NG501"]
    assert definition["description"] == "NG501 exec-form-command: exec form (default: warning, strict: error)"
    options = definition["anyOf"][1]["properties"]["options"]["properties"]
    assert options["init-provided"] == {"type": "boolean", "description": "an init is provided", "default": False}
    assert options["programs"] == {
        "type": "array", "items": {"type": "string"}, "description": "init programs", "default": ["tini"]}


def test_building_the_schema_leaves_the_skeleton_alone(fake_rules):
    policy_schema(fake_rules)
    assert "NG501" not in policy_schema(())["$defs"]


@pytest.mark.parametrize("name", ["recommended", "strict"])
def test_presets_validate_with_their_own_key(name):
    schema = policy_schema()
    schema["properties"]["rule-severities"] = {"enum": ["default", "strict"]}
    text = resources.files("nodeguard.policy").joinpath("presets", f"{name}.yml").read_text()
    assert errors(schema, text) == []
