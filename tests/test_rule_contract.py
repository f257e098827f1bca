"""The rule contract: ``check(image, context, options)`` typed, each rule's options one frozen Options class
whose fields are the only home of their defaults and descriptions; the policy schema and the rule pages
are made from them, and a policy's values reach the rule as the field's type."""
from __future__ import annotations

import ast
import json
import typing
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Literal

import pytest

import nodeguard.engine as engine
from nodeguard.findings import Severity
from nodeguard.model.context import BuildContext
from nodeguard.model.image import Image
from nodeguard.policy import PolicyError, load_policy
from nodeguard.policy.schema import policy_schema, rule_setting_schema
from nodeguard.record import replace
from nodeguard.rules import all_rules, rule_by_id
from nodeguard.rules.base import NoOptions, Options, Rule, TodayOptions, make_options, option, policy_options
from nodeguard.rules.docs import rule_page

RULES_FOLDER = Path(__file__).resolve().parents[1] / "nodeguard" / "rules"
JSON_SCHEMA_KEYWORDS = {"type", "enum", "items", "format", "properties", "default"}


def option_types() -> set[type]:
    return {rule.options for rule in all_rules()}


def test_every_check_is_typed_with_the_options_type_its_rule_declares():
    for rule in all_rules():
        hints = typing.get_type_hints(rule.check)
        assert hints["image"] is Image and hints["context"] is BuildContext, rule.id
        assert hints["options"] is rule.options, rule.id


def test_options_are_frozen_with_a_docstring_and_a_default_for_every_field():
    for kind in option_types():
        assert issubclass(kind, Options), kind
        assert "__doc__" in vars(kind) and kind.__doc__, f"{kind.__name__}: a docstring says what the options are"
        made = kind()  # every field has its default
        for name in kind._fields:
            with pytest.raises(AttributeError):
                setattr(made, name, None)


def test_an_option_without_a_default_or_an_unknown_option_is_refused():
    with pytest.raises(TypeError, match="needs a default: limit"):
        type("NoDefault", (Options,), {"__annotations__": {"limit": "int"}})
    with pytest.raises(TypeError, match="has no option 'limits'"):
        SampleOptions(limits=3)


def test_rules_without_options_share_the_one_empty_type():
    empty = {kind for kind in option_types() if not kind._fields}
    assert empty == {NoOptions}


def _code_strings_and_dict_keys(path: Path) -> tuple[set[str], set[str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and ast.get_docstring(node)}
    strings = {node.value for node in ast.walk(tree)
               if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings}
    keys = {key.value for node in ast.walk(tree) if isinstance(node, ast.Dict)
            for key in node.keys if isinstance(key, ast.Constant)}
    return strings, keys


@pytest.mark.parametrize("path", sorted(RULES_FOLDER.glob("*.py")), ids=lambda path: path.name)
def test_no_rule_writes_an_option_schema_or_reads_an_option_by_its_name(path):
    """The schema, the defaults and the option names live in the Options classes: a dict literal of JSON-schema
    keywords, or an option's policy name as a string (``options.get("today")``, ``{"today": None}``), is a
    second copy."""
    names = {name for kind in option_types() for name, *_ in policy_options(kind)}
    strings, keys = _code_strings_and_dict_keys(path)
    assert not strings & names, f"{path.name} spells an option's name: {sorted(strings & names)}"
    assert not keys & JSON_SCHEMA_KEYWORDS, f"{path.name} writes JSON schema by hand: {sorted(keys & JSON_SCHEMA_KEYWORDS)}"


class SampleOptions(Options):
    """Every kind of option the schema knows."""

    init_provided: bool = option(False, "an init runs the app")
    limit: int = option(3, "how many")
    day: date | None = option(None, "a day")
    kinds: tuple[Literal["a", "b"], ...] = option(("a",), "which kinds")
    handed_in: typing.Mapping[str, str] = MappingProxyType({})  # set by nodeguard, never a policy


def no_problems(image: Image, context: BuildContext, options: SampleOptions) -> tuple:
    return ()


SAMPLE = Rule("NG999", "sample", 1, Severity.WARNING, "sample", no_problems, "A sample.", options=SampleOptions)


def test_the_schema_of_the_options_is_made_from_the_options_class():
    options = rule_setting_schema(SAMPLE)["anyOf"][1]["properties"]["options"]
    assert options == {"type": "object", "additionalProperties": False, "properties": {
        "init-provided": {"type": "boolean", "description": "an init runs the app", "default": False},
        "limit": {"type": "integer", "description": "how many", "default": 3},
        "day": {"type": ["string", "null"], "format": "date", "description": "a day", "default": None},
        "kinds": {"type": "array", "items": {"enum": ["a", "b"]}, "description": "which kinds", "default": ["a"]},
    }}


def test_a_default_changed_in_the_options_class_changes_the_schema_and_the_rule_page():
    changed = type("ChangedOptions", (Options,), {"__annotations__": {"limit": int}, "limit": option(7, "how many")})
    rule = replace(SAMPLE, options=changed)
    limit = rule_setting_schema(rule)["anyOf"][1]["properties"]["options"]["properties"]["limit"]
    assert limit["default"] == 7
    assert "| `limit` | `7` |" in rule_page(rule)
    assert "| `kinds` | `[\"a\"]` |" in rule_page(SAMPLE) and "handed" not in rule_page(SAMPLE)


def test_the_real_rules_schema_and_pages_show_the_declared_defaults():
    definitions = policy_schema()["$defs"]
    for rule in all_rules():
        properties = definitions[rule.id]["anyOf"][1]["properties"]["options"]["properties"]
        defaults = rule.options()
        assert list(properties) == [name for name, *_ in policy_options(rule.options)], rule.id
        for name, schema in properties.items():
            value = getattr(defaults, name.replace("-", "_"))
            assert schema["default"] == (list(value) if isinstance(value, tuple) else value), (rule.id, name)
            assert f"| `{name}` | `{json.dumps(schema['default'])}` |" in rule_page(rule)


def test_values_become_the_field_types():
    made = make_options(SampleOptions, {"init-provided": True, "day": "2026-03-01", "kinds": ["b", "a"]})
    assert made == SampleOptions(init_provided=True, day=date(2026, 3, 1), kinds=("b", "a"))
    assert make_options(SampleOptions, {"day": None}) == SampleOptions()
    assert make_options(SampleOptions, {}) is make_options(SampleOptions, {})  # the defaults, made once


@pytest.mark.parametrize("written, day", [("'2026-03-01'", date(2026, 3, 1)), ("''", None), ("null", None)])
def test_a_day_from_the_policy_is_a_date_and_empty_means_the_day_of_the_run(tmp_path: Path, written, day):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".nodeguard.yml").write_text(f"rules:\n  NG104: {{options: {{today: {written}}}}}\n")
    setting = load_policy(None, str(tmp_path)).settings_for("Dockerfile")["NG104"]
    assert rule_by_id("NG104").options_from(setting.options) == TodayOptions(today=day)


def test_an_option_set_in_the_policy_reaches_the_rule_typed(tmp_path: Path, monkeypatch):
    (tmp_path / ".git").mkdir()
    (tmp_path / "Dockerfile").write_text("FROM node:22-alpine\nRUN apk add git gcc\nCMD [\"node\", \"server.js\"]\n")
    (tmp_path / ".nodeguard.yml").write_text(
        "rules:\n"
        "  NG104: {options: {today: '2026-03-01'}}\n"
        "  NG803: {options: {categories: [compiler, vcs]}}\n"
        "  init-process: {options: {init-provided: true}}\n"
    )
    received: dict[str, object] = {}

    def spying(rule: Rule) -> Rule:
        def check(image, context, options):
            received[rule.id] = options
            return rule.check(image, context, options)
        return replace(rule, check=check)

    spied = tuple(spying(rule) for rule in all_rules())
    monkeypatch.setattr(engine, "all_rules", lambda: spied)
    result = engine.check_paths([str(tmp_path)], load_policy(None, str(tmp_path)), cwd=tmp_path)
    ng803 = rule_by_id("NG803").options
    ng504 = rule_by_id("NG504").options
    assert received["NG104"] == TodayOptions(today=date(2026, 3, 1))
    assert received["NG803"] == ng803(categories=("compiler", "vcs"))
    assert received["NG504"] == ng504(init_provided=True)
    assert received["NG701"] == TodayOptions() and received["NG501"] == NoOptions()
    assert "`git`, `gcc`" in next(f.message for f in result.findings if f.rule == "NG803")
    assert not [f for f in result.findings if f.rule in ("NG005", "NG504")]


@pytest.mark.parametrize("text, line, key, message", [
    ("rules:\n  NG803:\n    options:\n      categories: [compiler, foo]\n", 4, "rules.NG803.options.categories[1]",
     "'foo' is not one of: compiler, build, python, vcs"),
    ("rules:\n  NG803: {options: {categories: compiler}}\n", 2, "rules.NG803.options.categories",
     "must be a list, not 'compiler'"),
    ("rules:\n  NG504:\n    options:\n      init-provided: yes please\n", 4, "rules.NG504.options.init-provided",
     "must be true or false, not 'yes please'"),
    ("rules:\n  NG504:\n    options:\n      init_provided: true\n", 4, "rules.NG504.options.init_provided",
     "unknown option (did you mean init-provided?); known: init-provided"),
    ("rules:\n  NG104: {options: {today: 2026-03-01}}\n", 2, "rules.NG104.options.today",
     "must be text or empty, not 2026-03-01"),
    ("rules:\n  NG102: {options: {resolved_digests: {}}}\n", 2, "rules.NG102.options.resolved_digests",
     "unknown option; this rule takes none"),
    ("rules:\n  NG701: {options: {today: next week}}\n", 2, "rules.NG701.options.today",
     "'next week' is not a day written YYYY-MM-DD"),
    ("rules:\n  NG101: {options: {today: '2026-02-30'}}\n", 2, "rules.NG101.options.today",
     "'2026-02-30' is not a day written YYYY-MM-DD"),
    ("rules:\n  NG103: {options: {today: '20260301'}}\n", 2, "rules.NG103.options.today",
     "'20260301' is not a day written YYYY-MM-DD"),
])
def test_a_bad_option_value_is_one_clear_policy_error(tmp_path: Path, text, line, key, message):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".nodeguard.yml").write_text(text)
    with pytest.raises(PolicyError) as raised:
        load_policy(None, str(tmp_path))
    assert str(raised.value) == f".nodeguard.yml:{line}: {key}: {message}"
