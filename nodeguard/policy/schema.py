"""The policy file's JSON schema: the static skeleton in schema.json plus every known rule."""
from __future__ import annotations

import copy
import functools
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nodeguard.rules.base import Rule


@functools.cache
def _skeleton() -> dict[str, Any]:
    return json.loads((Path(__file__).parent / "schema.json").read_text(encoding="utf-8"))


def policy_schema(rules: Iterable[Rule] | None = None) -> dict[str, Any]:
    """The complete Draft 2020-12 schema: the rules' IDs and names as keys, each rule's options checked."""
    if rules is None:
        from nodeguard.rules import all_rules

        rules = all_rules()
    schema = copy.deepcopy(_skeleton())
    definitions = schema["$defs"]
    names = definitions["rules"]["properties"]
    for rule in rules:
        definitions[rule.id] = rule_setting_schema(rule)
        names[rule.id] = names[rule.name] = {"$ref": f"#/$defs/{rule.id}"}
    return schema


def rule_setting_schema(rule: Rule) -> dict[str, Any]:
    options = {
        name: {**schema, "default": rule.options[name]} if name in rule.options else dict(schema)
        for name, schema in rule.options_schema.items()
    }
    strict = f", strict: {rule.strict_severity.label}" if rule.strict_severity else ""
    return {
        "description": f"{rule.id} {rule.name}: {rule.summary} (default: {rule.severity.label}{strict})",
        "anyOf": [
            {"$ref": "#/$defs/level"},
            {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "severity": {"$ref": "#/$defs/level"},
                    "options": {"type": "object", "additionalProperties": False, "properties": options},
                },
            },
        ],
    }
