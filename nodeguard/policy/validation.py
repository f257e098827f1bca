"""Checks a policy document against the JSON schema and words the first problem for a person."""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from nodeguard.policy.yamlfile import YamlFile

YAML_TYPES = {
    "object": "a mapping",
    "array": "a list",
    "string": "text",
    "boolean": "true or false",
    "integer": "a whole number",
    "number": "a number",
    "null": "empty",
}


def validate(document: YamlFile, schema: dict[str, Any]) -> None:
    """Raise a PolicyError for the problem nearest the top of the file, if there is one."""
    from jsonschema import Draft202012Validator  # imported here: it is slow to import and rarely needed

    problems = [
        problem
        for error in Draft202012Validator(schema).iter_errors(document.data)
        for problem in _explain(error)
    ]
    if problems:
        path, message = min(problems, key=lambda problem: (document.line_of(problem[0]), len(problem[0])))
        raise document.error(path, message)


def _explain(error) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(instance path, message) for one jsonschema error, descending into anyOf to the branch that fits."""
    path = tuple(error.absolute_path)
    if error.validator == "additionalProperties":
        known = error.schema.get("properties", {})
        for key in error.instance:
            if key not in known:
                yield (*path, key), _unknown_key(path, known)
    elif error.validator in ("anyOf", "oneOf"):
        yield from _explain_branch(error)
    elif error.validator == "enum":
        yield path, f"{_shown(error.instance)} is not one of: {', '.join(_choices(error.validator_value))}"
    elif error.validator == "type":
        yield path, _type_message([error.validator_value], error.instance)
    else:
        yield path, error.message


def _unknown_key(path: tuple[str | int, ...], known: dict) -> str:
    parent = path[-1] if path else None
    if parent == "rules":
        return "unknown rule; `nodeguard rules` lists them"
    if parent == "options":
        return f"unknown option; known: {', '.join(known)}" if known else "unknown option; this rule takes none"
    return f"unknown key; known: {', '.join(known)}"


def _explain_branch(error) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every alternative failed: explain the one whose type matches the value (a severity word, or a
    mapping), else say which types would do."""
    by_branch: dict[int, list] = {}
    for sub in error.context:
        by_branch.setdefault(sub.schema_path[0], []).append(sub)
    fitting = [
        errors for errors in by_branch.values()
        if not any(sub.validator == "type" and not sub.relative_path for sub in errors)
    ]
    if fitting:
        for sub in fitting[0]:
            yield from _explain(sub)
        return
    wanted = [sub.validator_value for sub in error.context if sub.validator == "type" and not sub.relative_path]
    yield tuple(error.absolute_path), _type_message(wanted, error.instance)


def _type_message(wanted: list, instance: Any) -> str:
    names = [name for value in wanted for name in (value if isinstance(value, list) else [value])]
    return f"must be {' or '.join(dict.fromkeys(YAML_TYPES[name] for name in names))}, not {_shown(instance)}"


def _choices(values: list) -> list[str]:
    words = [value for value in values if isinstance(value, str)]
    return words or [json.dumps(value) for value in values]


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty"
    return str(value)
