"""The policy file's JSON schema: the static skeleton in schema.json plus every known rule."""
from __future__ import annotations

import copy
import functools
import json
import types
import typing
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from nodeguard.rules.base import Rule, policy_options

JSON_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string"}


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
        name: {**_value_schema(kind), "description": description, "default": default}
        for name, kind, default, description in policy_options(rule.options)
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


def _value_schema(kind: Any) -> dict[str, Any]:
    """The JSON schema of an option's values, from the type its field declares."""
    origin, arguments = typing.get_origin(kind), typing.get_args(kind)
    if origin is types.UnionType or origin is typing.Union:
        (inner,) = [argument for argument in arguments if argument is not type(None)]
        schema = _value_schema(inner)
        return {**schema, "type": [schema["type"], "null"]}
    if origin is tuple:
        return {"type": "array", "items": _value_schema(arguments[0])}
    if origin is typing.Literal:
        return {"enum": list(arguments)}
    if kind is date:
        return {"type": "string", "format": "date"}
    if kind in JSON_TYPES:
        return {"type": JSON_TYPES[kind]}
    raise TypeError(f"no JSON schema for an option of type {kind!r}")
