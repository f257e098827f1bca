"""Checks a policy document against the JSON schema and words each problem for a person."""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from datetime import date
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
    """Raise a PolicyError listing every problem, in the order of the file, if there is one."""
    from jsonschema import Draft202012Validator, FormatChecker  # imported here: slow to import, rarely needed

    from nodeguard.policy import PolicyError

    days = FormatChecker(formats=())
    days.checks("date", raises=ValueError)(_is_day)
    problems: dict[tuple[str | int, ...], str] = {}
    for error in Draft202012Validator(schema, format_checker=days).iter_errors(document.data):
        for path, message in _explain(error):
            problems.setdefault(path, message)  # one problem a key
    if problems:
        ordered = sorted(problems.items(), key=lambda problem: (document.line_of(problem[0]), len(problem[0])))
        raise PolicyError.of_all([document.error(path, message) for path, message in ordered])


def _explain(error) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(instance path, message) for one jsonschema error, descending into anyOf to the branch that fits."""
    path = tuple(error.absolute_path)
    if error.validator == "additionalProperties":
        known = error.schema.get("properties", {})
        for key in error.instance:
            if key not in known:
                yield (*path, key), _unknown_key(path, key, known)
    elif error.validator in ("anyOf", "oneOf"):
        yield from _explain_branch(error)
    elif error.validator == "enum":
        yield path, f"{_shown(error.instance)} is not one of: {', '.join(_choices(error.validator_value))}"
    elif error.validator == "type":
        yield path, _type_message([error.validator_value], error.instance)
    elif error.validator == "format":
        yield path, f"{_shown(error.instance)} is not a day written YYYY-MM-DD"
    else:
        yield path, error.message


def _is_day(value: Any) -> bool:
    """A ``date`` option: a real day written YYYY-MM-DD, or empty (the day of the run). Other types are the
    ``type`` keyword's to judge."""
    if not isinstance(value, str) or value == "":
        return True
    return re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is not None and date.fromisoformat(value) is not None


def _unknown_key(path: tuple[str | int, ...], key: Any, known: dict) -> str:
    parent = path[-1] if path else None
    if parent == "rules":
        return f"unknown rule{did_you_mean(str(key), known)}; `nodeguard rules` lists them"
    if parent == "options":
        if not known:
            return "unknown option; this rule takes none"
        return f"unknown option{did_you_mean(str(key), known)}; known: {', '.join(known)}"
    return f"unknown key{did_you_mean(str(key), known)}; known: {', '.join(known)}"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean NG101?)`` for the closest choice, compared without regard to case; else empty."""
    import difflib

    by_folded = {choice.casefold(): choice for choice in choices}
    close = difflib.get_close_matches(word.casefold(), by_folded, n=1, cutoff=0.6)
    return f" (did you mean {by_folded[close[0]]}?)" if close else ""


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
