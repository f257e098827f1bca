"""A rule's documentation page, made from its module docstring and metadata."""
from __future__ import annotations

import inspect
import json

from nodeguard.rules.base import SECTIONS, Rule, policy_options


def rule_page(rule: Rule) -> str:
    facts = [
        f"Practice {rule.section}: {SECTIONS[rule.section]}",
        f"default severity: {rule.severity.label}",
    ]
    if rule.strict_severity is not None:
        facts.append(f"under `strict`: {rule.strict_severity.label}")
    if rule.fixable:
        facts.append("fixable with `nodeguard check --fix`")
    page = [f"# {rule.id} {rule.name}", "", " · ".join(facts), "", inspect.cleandoc(rule.doc).strip(), ""]
    options = policy_options(rule.options)
    if options:
        page += ["## Options", "", "| option | default |", "| --- | --- |"]
        page += [f"| `{name}` | `{json.dumps(default)}` |" for name, _, default, _ in options]
        page += ["", "Set them in the policy file: `rules: {" + rule.id + ": {options: {...}}}`.", ""]
    return "\n".join(page)
