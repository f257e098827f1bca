"""Every rule carries its documentation and its tests, and the pages in docs/rules/ are up to date."""
import re
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


# What a rule page's example needs around it to be judged as the page says: the files its prose names,
# the policy it assumes, a day for the rules that read the Node.js schedule.
_IGNORE = "node_modules\nnpm-debug.log\n.git\n.env\n.npmrc\n"
_PACKAGE = {"package.json": '{"name": "app", "scripts": {"start": "node server.js"}}\n', "package-lock.json": "{}\n"}
_EXAMPLE_SETUP = {
    "NG002": {"policy": "pragmas: require-reason\n"},
    "NG003": {"policy": "pragmas: 'off'\n"},
    "NG104": {"policy": "rules: {NG104: {options: {today: '2026-01-15'}}, NG701: {options: {today: '2026-01-15'}}}\n"},
    "NG203": {"files": _PACKAGE},
    "NG502": {"files": _PACKAGE},
    "NG601": {"files": _PACKAGE},
    "NG701": {"policy": "rules: {NG701: {options: {today: '2026-11-26'}}}\n"},
    "NG901": {"ignore": None},
    "NG904": {"files": {".env": "SECRET=1\n", "server.key": "-----BEGIN PRIVATE KEY-----\n"}},
    "NG905": {"files": {"package.json": '{"workspaces": ["packages/*"]}\n', "packages/api/package.json": "{}\n"}},
    "NG1002": {"files": {**_PACKAGE, ".npmrc": "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n"}},
}


def _example_blocks(rule) -> list[tuple[str, str]]:
    """The first code block of the page's example ("bad") and the first after "Use instead" ("good")."""
    if "## Example" not in rule.doc:
        return []
    example = rule.doc.split("## Example", 1)[1].split("## Fix", 1)[0]
    parts = example.partition("Use instead")
    blocks = []
    for kind, part in (("bad", parts[0]), ("good", parts[2])):
        found = re.search(r"```(\w*)\n(.*?)```", part, re.S)
        if found:
            blocks.append((kind, found.group(1), found.group(2)))
    return blocks


_EXAMPLES = [(rule, kind, language, text) for rule in RULES for kind, language, text in _example_blocks(rule)
             if language in ("dockerfile", "", "js")]


@pytest.mark.parametrize(("rule", "kind", "language", "text"), _EXAMPLES,
                         ids=[f"{rule.id}-{kind}" for rule, kind, _, _ in _EXAMPLES])
def test_rule_page_examples_behave_as_written(lint, rule, kind, language, text):
    setup = _EXAMPLE_SETUP.get(rule.id, {})
    files = {**setup.get("files", {})}
    ignore = setup.get("ignore", _IGNORE)
    dockerfile = "FROM node:22-alpine\nCOPY . .\n"
    if language == "dockerfile":
        dockerfile = text if re.search(r"^FROM ", text, re.M) or rule.id == "NG001" else "FROM node:22-alpine\n" + text
    elif language == "js":
        files["server.js"] = text
        dockerfile = 'FROM node:22-alpine\nCOPY . .\nCMD ["node", "server.js"]\n'
    else:
        ignore = text
    if ignore is not None:
        files[".dockerignore"] = ignore
    found = lint(dockerfile, files=files, policy=setup.get("policy"), rule=rule.id).findings
    if kind == "bad":
        assert found, f"{rule.id}'s example is not reported"
    else:
        assert not found, f"{rule.id}'s 'use instead' example is reported: {[f.message for f in found]}"
