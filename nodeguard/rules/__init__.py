"""The rule registry: every module ``ngNNN_<slug>.py`` in this package defines ``RULE``."""
from __future__ import annotations

import functools
import importlib
import os

from nodeguard.rules.base import Problem, Rule

__all__ = ["Problem", "Rule", "all_rules", "known_rule", "rule_by_id"]


@functools.cache
def all_rules() -> tuple[Rule, ...]:
    names = sorted(name.removesuffix(".py") for name in os.listdir(os.path.dirname(__file__))
                   if name.startswith("ng") and name.endswith(".py"))
    rules = [importlib.import_module(f"{__name__}.{name}").RULE for name in names]
    return tuple(sorted(rules, key=lambda rule: (rule.section, rule.id)))


def rule_by_id(rule_id: str) -> Rule | None:
    wanted = rule_id.upper()
    return next((rule for rule in all_rules() if rule.id == wanted or rule.name == rule_id), None)


def known_rule(rule_id: str) -> Rule:
    """A rule nodeguard itself names (NG001, NG005, the pragma rules): always registered."""
    rule = rule_by_id(rule_id)
    if rule is None:
        raise KeyError(rule_id)
    return rule
