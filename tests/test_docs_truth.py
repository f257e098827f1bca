"""The documentation says what the tool does, and speaks of the project only."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_the_json_format_example_is_a_real_run():
    from scripts.json_format_example import PAGE, with_real_report

    page = PAGE.read_text(encoding="utf-8")
    assert page == with_real_report(page), "docs/json-format.md's example is stale: run `make docs`"
    assert '"fix": null' in page and '"applicability"' in page  # the example shows both kinds


def documentation() -> list[Path]:
    tracked = subprocess.run(["git", "ls-files", "*.md"], cwd=REPO_ROOT, capture_output=True, text=True).stdout
    return [REPO_ROOT / name for name in tracked.split()] or list(REPO_ROOT.glob("**/*.md"))


def test_no_internal_working_notes_or_machine_paths_in_the_documentation():
    assert not (REPO_ROOT / "docs" / "dev" / "helpers.md").exists()
    for page in documentation():
        if "tests/" in page.as_posix() or not page.exists():
            continue
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"/work/|/home/\w+/|/root/", text), page


def test_no_machine_paths_in_the_code_or_scripts():
    tracked = subprocess.run(
        ["git", "ls-files", "*.py", "*.yml", "*.yaml", "*.toml", "Makefile", ".ci/*"],
        cwd=REPO_ROOT, capture_output=True, text=True,
    ).stdout.split()
    for name in tracked:
        path = REPO_ROOT / name
        if name.startswith("tests/") or not path.is_file():
            continue
        assert not re.search(r"/work/|/home/\w+/", path.read_text(encoding="utf-8", errors="replace")), name
