"""NG102 given the registry's answers (the table ``check --resolve-digests/--check-digests`` and the action
hand it): the exact pinned line as a fix, stale pins at info level, the reason a lookup failed. The
lookups themselves are tested against a real registry in tests/remote."""
from __future__ import annotations

from pathlib import Path

import pytest

from nodeguard.engine import check_paths
from nodeguard.findings import Severity
from nodeguard.fixes import apply_fixes
from nodeguard.pinning import DigestLookup, policy_with_lookups
from nodeguard.policy import load_policy

NEW = "sha256:" + "a" * 64
OLD = "sha256:" + "b" * 64
TABLE = {
    "docker.io/node:24.11.1-alpine3.22": DigestLookup("docker.io/library/node:24.11.1-alpine3.22", NEW, None, 1),
    "ghcr.io/acme/base:latest": DigestLookup("ghcr.io/acme/base:latest", NEW, None, 3),
    "docker.io/node:22-alpine": DigestLookup("docker.io/library/node:22-alpine", None,
                                             "registry-1.docker.io could not be reached: Connection refused", 2),
}


def lint(tmp_path: Path, dockerfile: str, policy: str | None = None) -> tuple[list, Path]:
    (tmp_path / ".git").mkdir(exist_ok=True)
    (tmp_path / "Dockerfile").write_text(dockerfile)
    if policy is not None:
        (tmp_path / ".nodeguard.yml").write_text(policy)
    loaded = policy_with_lookups(load_policy(None, str(tmp_path)), TABLE)
    findings = check_paths([str(tmp_path)], loaded, cwd=tmp_path).findings
    return [f for f in findings if f.rule == "NG102"], tmp_path


@pytest.mark.parametrize(
    ("line", "pinned"),
    [
        ("FROM node:24.11.1-alpine3.22", f"FROM node:24.11.1-alpine3.22@{NEW}"),
        ("FROM --platform=linux/amd64 node:24.11.1-alpine3.22 AS build",
         f"FROM --platform=linux/amd64 node:24.11.1-alpine3.22@{NEW} AS build"),
        ("from   ghcr.io/acme/base   as   base", f"from   ghcr.io/acme/base@{NEW}   as   base"),
    ],
)
def test_the_fix_is_the_pinned_line_and_relinting_it_is_clean(tmp_path, line, pinned):
    (finding,), root = lint(tmp_path, f"{line}\nCMD [\"node\", \"a.js\"]\n")
    assert finding.fix.replacement == pinned and (finding.fix.line, finding.fix.end_line) == (1, 1)
    assert finding.fix.safe  # the build gets the very image the tag gives it today
    assert f"points to `{NEW}` today" in finding.message
    fixed = apply_fixes((root / "Dockerfile").read_text(), [finding.fix])
    (root / "Dockerfile").write_text(fixed)
    assert fixed.startswith(f"{pinned}\n") and lint(tmp_path, fixed)[0] == []


def test_a_failed_lookup_keeps_the_manual_instruction_with_the_reason(tmp_path):
    (finding,), _ = lint(tmp_path, "FROM node:22-alpine\n")
    assert finding.fix is None and finding.severity == Severity.WARNING
    assert "docker buildx imagetools inspect node:22-alpine" in finding.message
    assert finding.message.endswith("(registry-1.docker.io could not be reached: Connection refused)")


@pytest.mark.parametrize(
    ("dockerfile", "advice"),
    [
        ("ARG V=24.11.1-alpine3.22\nFROM node:${V}\n", f"write `ARG V=24.11.1-alpine3.22@{NEW}`"),
        ("ARG V=24.11.1\nFROM node:${V}-alpine3.22\n", f"write `ARG V=24.11.1-alpine3.22@{NEW}` with `FROM node:${{V}}`"),
    ],
)
def test_an_image_written_through_a_build_argument_is_told_its_digest_and_gets_no_fix(tmp_path, dockerfile, advice):
    (finding,), _ = lint(tmp_path, dockerfile)
    assert finding.fix is None  # the fix rewrites FROM, which would hard-code the argument away
    assert f"points to `{NEW}` today" in finding.message and advice in finding.message
    assert "docker buildx imagetools inspect" not in finding.message


def test_a_pin_whose_tag_moved_is_info_with_the_new_digest(tmp_path):
    (finding,), root = lint(tmp_path, f"FROM node:24.11.1-alpine3.22@{OLD} AS app\n")
    assert finding.severity == Severity.INFO
    assert f"now points to `{NEW}`, not to the pinned `{OLD}`" in finding.message
    assert finding.fix.replacement == f"FROM node:24.11.1-alpine3.22@{NEW} AS app"
    assert not finding.fix.safe  # another image: a suggestion to check, never applied by --fix


@pytest.mark.parametrize(
    "dockerfile",
    [
        f"FROM node:24.11.1-alpine3.22@{NEW}\n",  # pinned to what the tag points to
        f"FROM node@{OLD}\n",  # no tag: nothing to compare with
        f"FROM node:22-alpine@{OLD}\n",  # the lookup failed: no news is not bad news
        f"FROM node:18-alpine@{OLD}\n",  # not looked up
    ],
)
def test_pins_that_are_current_or_cannot_be_compared_say_nothing(tmp_path, dockerfile):
    assert lint(tmp_path, dockerfile)[0] == []


def test_pragmas_overrides_and_the_rule_being_off_still_apply(tmp_path):
    stale = f"FROM node:24.11.1-alpine3.22@{OLD}\n"
    assert lint(tmp_path, "# nodeguard ignore=NG102 -- pinned by the platform team\n" + stale)[0] == []
    assert lint(tmp_path, stale, "rules:\n  NG102: off\n")[0] == []
    off_here = "overrides:\n  - files: ['Dockerfile']\n    rules:\n      NG102: error\n"
    (finding,), _ = lint(tmp_path, "FROM node:24.11.1-alpine3.22\n", off_here)
    assert finding.severity == Severity.ERROR and finding.fix is not None  # the override's setting has the table too


def test_the_table_cannot_be_set_from_a_policy_file(tmp_path):
    from nodeguard.policy import PolicyError

    (tmp_path / ".git").mkdir()
    (tmp_path / ".nodeguard.yml").write_text("rules:\n  NG102:\n    options:\n      resolved_digests: {}\n")
    with pytest.raises(PolicyError, match="resolved_digests"):
        load_policy(None, str(tmp_path))


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"FROM node:24.11.1-alpine3.22\rCMD [\"node\", \"a.js\"]\r", "ends its lines with CR only"),
        (b"FROM node:24.11.1-alpine3.22\nRUN echo \xff\n", "is not valid UTF-8"),
    ],
)
def test_a_file_no_fix_rewrites_is_told_the_digest_without_promising_a_rewrite(tmp_path, data, why):
    (tmp_path / ".git").mkdir()
    (tmp_path / "Dockerfile").write_bytes(data)
    loaded = policy_with_lookups(load_policy(None, str(tmp_path)), TABLE)
    (finding,) = [f for f in check_paths([str(tmp_path)], loaded, cwd=tmp_path).findings if f.rule == "NG102"]
    assert finding.fix is None  # --fix leaves such a file alone, and `nodeguard pin` refuses it
    assert f"write `node:24.11.1-alpine3.22@{NEW}`" in finding.message
    assert "(`nodeguard pin` does)" not in finding.message
    assert why in finding.message and "by hand" in finding.message


def test_an_image_a_build_argument_holds_is_looked_up_as_its_default_and_says_so(tmp_path):
    (finding,), _ = lint(tmp_path, "ARG BASE=node:24.11.1-alpine3.22\nFROM ${BASE}\n")
    assert f"points to `{NEW}` today" in finding.message
    assert "`BASE`'s default" in finding.message and "`--build-arg BASE=...`" in finding.message
    (failed,), _ = lint(tmp_path, "ARG BASE=node:22-alpine\nFROM ${BASE}\n")
    assert "`BASE`'s default" in failed.message and "could not be reached" in failed.message
