"""Fake rules and small repositories for the policy tests."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from nodeguard.findings import Severity
from nodeguard.rules.base import Options, Rule, option


def no_problems(image, context, options):
    return ()


class ExecFormOptions(Options):
    """A fake rule's options: a flag and a list."""

    init_provided: bool = option(False, "an init is provided")
    programs: tuple[str, ...] = option(("tini",), "init programs")


FAKE_RULES = (
    Rule("NG101", "base-image-tag", 1, Severity.ERROR, "tag", no_problems, ""),
    Rule("NG102", "base-image-digest", 1, Severity.WARNING, "digest", no_problems, "",
         strict_severity=Severity.ERROR),
    Rule("NG401", "non-root-user", 4, Severity.ERROR, "root", no_problems, ""),
    Rule("NG501", "exec-form-command", 5, Severity.WARNING, "exec form", no_problems, "",
         options=ExecFormOptions,
         strict_severity=Severity.ERROR),
    Rule("NG702", "image-scanning", 7, Severity.INFO, "scan", no_problems, ""),
)


@pytest.fixture
def fake_rules() -> tuple[Rule, ...]:
    return FAKE_RULES


@pytest.fixture
def repo(tmp_path: Path):
    """``repo({"path": "text"})``: a folder with ``.git`` and the given files (text dedented)."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)

    def write(files: dict[str, str] | None = None) -> Path:
        for name, text in (files or {}).items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return root

    return write
