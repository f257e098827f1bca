"""Shared test helpers: lint a tiny Dockerfile (and its context) through the real pipeline."""
from __future__ import annotations

import json
import os
import socket
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"


def shared_or_skip(*parts: str) -> Path:
    """A path under ../shared, or skip the test: a clone without shared/ must still pass."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not here: the shared reference material is only beside the main checkout")
    return path


@dataclass
class Linted:
    findings: list
    root: Path

    def ids(self) -> list[str]:
        return [finding.rule for finding in self.findings]

    def of(self, rule: str) -> list:
        return [finding for finding in self.findings if finding.rule == rule or finding.name == rule]


class Linter:
    """``lint(dockerfile_text, files={...})`` writes a small repository and runs ``check_paths`` on it."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.count = 0

    def write(self, files: dict[str, str | bytes]) -> Path:
        self.count += 1
        root = self.tmp_path / f"repo{self.count}"
        (root / ".git").mkdir(parents=True)
        for name, content in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
        return root

    def __call__(self, dockerfile: str | None = None, *, files: dict | None = None, policy: str | None = None,
                 path: str = "Dockerfile", rule: str | None = None) -> Linted:
        from nodeguard.engine import check_paths
        from nodeguard.policy import load_policy

        contents = dict(files or {})
        if dockerfile is not None:
            contents[path] = dockerfile
        if policy is not None:
            contents[".nodeguard.yml"] = policy
        root = self.write(contents)
        loaded = load_policy(None, str(root))
        result = check_paths([str(root)], loaded, cwd=root)
        findings = [f for f in result.findings if rule is None or f.rule == rule or f.name == rule]
        return Linted(findings, root)

    def fix(self, dockerfile: str, *, files: dict | None = None, path: str = "Dockerfile",
            policy: str | None = None, rule: str | tuple[str, ...] | None = None,
            unsafe: bool = True) -> tuple[dict[str, str], Linted]:
        """Apply ``--fix`` (``--unsafe-fixes`` too unless ``unsafe`` is false) to a small repository;
        returns every file's new text and a re-lint.

        With ``rule`` (an id, or several) and no ``policy`` only those rules run, so only their fixes are
        applied: other rules' fixes of the same lines would otherwise change the expected text.
        """
        from nodeguard.engine import check_paths
        from nodeguard.fixes import fix_paths
        from nodeguard.policy import load_policy

        if rule is not None and policy is None:
            policy = only_policy(rule)
        linted = self(dockerfile, files=files, path=path, policy=policy)
        root = linted.root
        loaded = load_policy(None, str(root))
        previous = os.getcwd()
        os.chdir(root)
        try:
            fix_paths(["."], loaded, unsafe=unsafe)
        finally:
            os.chdir(previous)
        texts = {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
                 for p in root.rglob("*") if p.is_file() and ".git" not in p.parts}
        relinted = Linted(check_paths([str(root)], loaded, cwd=root).findings, root)
        return texts, relinted


def only_policy(rule_ids: str | tuple[str, ...]) -> str:
    """A policy (YAML) that turns off every rule but the given ones."""
    from nodeguard.rules import all_rules

    kept = {rule_ids} if isinstance(rule_ids, str) else set(rule_ids)
    return json.dumps({"rules": {rule.id: "off" for rule in all_rules() if rule.id not in kept}}) + "\n"


@pytest.fixture
def lint(tmp_path: Path) -> Linter:
    return Linter(tmp_path)


_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "", None})
_real_getaddrinfo = socket.getaddrinfo


def _loopback_only_getaddrinfo(host, *args, **kwargs):
    """The tests reach servers on this machine only (a registry lookup must never leave it): any other
    name fails to resolve, as it would offline."""
    name = host.decode() if isinstance(host, bytes) else host
    if name not in _LOOPBACK_NAMES and not str(name).startswith("127."):
        raise socket.gaierror(socket.EAI_NONAME, f"the tests resolve loopback names only, not {name}")
    return _real_getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _loopback_only_getaddrinfo
