"""Every rule carries its documentation and its tests, and the pages in docs/rules/ are up to date."""
from pathlib import Path

import pytest

from nodeguard.docs import pages
from nodeguard.rules import all_rules
from nodeguard.rules.base import SECTIONS

REPO_ROOT = Path(__file__).resolve().parents[1]
RULES = all_rules()


def test_rule_ids_and_names_are_unique_and_follow_the_scheme():
    ids = [rule.id for rule in RULES]
    names = [rule.name for rule in RULES]
    assert len(set(ids)) == len(ids) and len(set(names)) == len(names)
    for rule in RULES:
        assert rule.id.startswith(f"NG{rule.section}") or (rule.section == 0 and rule.id.startswith("NG0"))
        assert rule.section in SECTIONS


def test_every_practice_has_rules():
    assert {rule.section for rule in RULES} >= set(range(1, 11))


@pytest.mark.parametrize("rule", [r for r in RULES if r.section > 0], ids=lambda r: r.id)
def test_rule_page_has_every_part(rule):
    for heading in ("## What it does", "## Why", "## Example", "## Fix"):
        assert heading in rule.doc, f"{rule.id} documentation lacks {heading}"
    assert "Use instead" in rule.doc or rule.id in ("NG702",), f"{rule.id} documentation lacks a good example"


@pytest.mark.parametrize("rule", [r for r in RULES if r.section > 0], ids=lambda r: r.id)
def test_rule_has_its_spec_file(rule):
    spec = REPO_ROOT / "tests" / "rules" / f"test_{rule.name.replace('-', '_')}.py"
    assert spec.exists(), f"{rule.id} has no tests in {spec.relative_to(REPO_ROOT)}"


def test_docs_folder_matches_the_rules():
    folder = REPO_ROOT / "docs" / "rules"
    expected = pages()
    stale = [name for name, text in expected.items()
             if not (folder / name).exists() or (folder / name).read_text(encoding="utf-8") != text]
    assert not stale, f"run `make docs`: out of date: {stale}"
    extra = {p.name for p in folder.glob("*.md")} - set(expected)
    assert not extra, f"pages for rules that no longer exist: {extra}"
