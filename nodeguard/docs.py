"""Write one documentation page per rule: ``python -m nodeguard.docs docs/rules``."""
from __future__ import annotations

import sys
from pathlib import Path

from nodeguard.rules import all_rules
from nodeguard.rules.base import SECTIONS
from nodeguard.rules.docs import rule_page


def pages() -> dict[str, str]:
    """File name -> content for every rule page and the index."""
    result = {f"{rule.id}.md": rule_page(rule) for rule in all_rules()}
    index = ["# Rules", "", "| ID | name | practice | severity | fix |", "| --- | --- | --- | --- | --- |"]
    for rule in all_rules():
        fix = "yes" if rule.fixable else ""
        index.append(
            f"| [{rule.id}]({rule.id}.md) | {rule.name} | {rule.section}. {SECTIONS[rule.section]} | {rule.severity.label} | {fix} |"
        )
    result["README.md"] = "\n".join(index) + "\n"
    return result


def main(folder: str) -> None:
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    for name, text in pages().items():
        (target / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/rules")
