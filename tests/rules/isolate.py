"""Fix tests apply one rule's fixes alone: other rules' fixes on the same lines would interleave."""
import json

from nodeguard.rules import all_rules


def only(rule_id: str, options: dict | None = None) -> str:
    """A policy (YAML) that turns off every rule but ``rule_id``, optionally with options for it."""
    rules = {rule.id: "off" for rule in all_rules() if rule.id != rule_id}
    if options:
        rules[rule_id] = {"options": options}
    return json.dumps({"rules": rules}) + "\n"
