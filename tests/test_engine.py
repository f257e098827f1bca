"""The engine's own duties: a failing rule is reported, not fatal; findings are unique and sorted."""
from pathlib import Path

import pytest

import nodeguard.engine as engine
from nodeguard.findings import Severity
from nodeguard.policy import load_policy
from nodeguard.rules import rule_by_id
from nodeguard.rules.base import Rule


def failing_check(image, context, options):
    raise KeyError("surprise")


def test_a_failing_rule_becomes_an_NG005_finding_and_the_other_rules_still_report(tmp_path: Path, monkeypatch):
    (tmp_path / ".git").mkdir()
    (tmp_path / "Dockerfile").write_text("FROM node:latest\nCMD node server.js\n")
    broken = Rule(id="NG101", name="base-image-tag", section=1, severity=Severity.ERROR,
                  summary="fails", check=failing_check, doc="")
    working = rule_by_id("NG501")
    monkeypatch.setattr(engine, "all_rules", lambda: (broken, working))
    result = engine.check_paths([str(tmp_path)], load_policy(None, str(tmp_path)), cwd=tmp_path)
    by_rule = {f.rule: f for f in result.findings}
    assert set(by_rule) == {"NG005", "NG501"}
    crash = by_rule["NG005"]
    assert crash.line == 1 and crash.severity == Severity.ERROR and crash.name == "internal-error"
    assert "NG101 (base-image-tag)" in crash.message and "surprise" in crash.message


def test_a_shared_ignore_file_is_reported_once_for_several_dockerfiles(tmp_path: Path):
    (tmp_path / ".git").mkdir()
    for name in ("Dockerfile", "Dockerfile.prod"):
        (tmp_path / name).write_text("FROM node:24-alpine\nCOPY . .\n")
    (tmp_path / ".dockerignore").write_text("dist\n")
    result = engine.check_paths([str(tmp_path)], load_policy(None, str(tmp_path)), cwd=tmp_path)
    on_ignore = [f for f in result.findings if f.path == ".dockerignore" and f.rule == "NG902"]
    assert len(on_ignore) == 1
    assert result.findings == sorted(result.findings, key=lambda f: f.sort_key())


@pytest.mark.parametrize("configured, expected", [("info", "info"), ("warning", "warning"), ("error", "warning")])
def test_the_policy_severity_wins_over_a_rules_own(lint, configured, expected):
    """NG101 gives a digest without a tag a warning of its own; a policy that lowers NG101 lowers it too, and
    no finding is ever above what the policy sets for its rule."""
    policy = f"rules:\n  NG101: {configured}\n"
    [found] = lint("FROM node@sha256:" + "a" * 64 + "\n", policy=policy, rule="NG101").findings
    assert found.severity.label == expected


def test_a_lesser_case_stays_lesser_under_the_default_policy(lint):
    [found] = lint("ARG BASE\nFROM node:${BASE}\n", rule="NG101").findings
    assert found.severity.label == "info"


def test_a_file_read_elsewhere_is_checked_as_the_same_file_on_disk(tmp_path: Path):
    """One entry point: the Dockerfile read from disk, and its bytes given (standard input, a commit read
    through the API) with the workspace at the same commit, give the same findings; without the workspace
    the rules that need the context's files say nothing more."""
    from nodeguard.model.context import DiskRepository, GivenFiles

    (tmp_path / ".git").mkdir()
    dockerfile = b"FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install\nCMD npm start\n"
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "Dockerfile").write_bytes(dockerfile)
    (tmp_path / "app" / ".dockerignore").write_text("node_modules\n")
    (tmp_path / "app" / "package.json").write_text('{"name": "a", "scripts": {"start": "node server.js"}}\n')
    policy = load_policy(None, str(tmp_path))
    on_disk = engine.check_files([engine.FileToCheck("app/Dockerfile", DiskRepository(tmp_path), policy)])
    given = GivenFiles({"app/Dockerfile": dockerfile}, rest=DiskRepository(tmp_path))
    read_elsewhere = engine.check_files([engine.FileToCheck("app/Dockerfile", given, policy)])
    assert read_elsewhere.findings == on_disk.findings and on_disk.checked == ["app/Dockerfile"]
    assert {f.path for f in on_disk.findings} == {"app/Dockerfile", "app/.dockerignore"}
    alone = GivenFiles({"app/Dockerfile": dockerfile, "app/.dockerignore": b"node_modules\n"})
    without_context = engine.check_files([engine.FileToCheck("app/Dockerfile", alone, policy)]).findings
    on_ignore_file = [f for f in on_disk.findings if f.path == "app/.dockerignore"]
    assert on_ignore_file and [f for f in without_context if f.path == "app/.dockerignore"] == on_ignore_file


def test_a_file_the_policy_leaves_out_is_listed_as_excluded_unless_named(tmp_path: Path):
    from nodeguard.model.context import GivenFiles

    (tmp_path / ".git").mkdir()
    (tmp_path / ".nodeguard.yml").write_text('exclude: ["legacy/**"]\n')
    policy = load_policy(None, str(tmp_path))
    files = GivenFiles({"legacy/Dockerfile": b"FROM node:20\n"})
    found = engine.FileToCheck("legacy/Dockerfile", files, policy)
    named = engine.FileToCheck("legacy/Dockerfile", files, policy, named="legacy/Dockerfile")
    assert (engine.check_files([found]).excluded, engine.check_files([found]).findings) == (["legacy/Dockerfile"], [])
    assert engine.check_files([named]).checked == ["legacy/Dockerfile"]
    assert engine.check_files([named], force_exclude=True).excluded == ["legacy/Dockerfile"]


def many_dockerfiles(root: Path, count: int) -> None:
    (root / ".git").mkdir()
    for number in range(count):
        folder = root / f"app{number:02}"
        folder.mkdir()
        (folder / "Dockerfile").write_text(f"FROM node:{18 + number % 5}\nCOPY . .\nCMD npm start\n# line {number}\n")
        if number % 3 == 0:
            (folder / ".dockerignore").write_text("node_modules\n" if number % 2 else "[x-]\n")


def small_pool(monkeypatch) -> None:
    """Two workers for a handful of files, handed out three at a time."""
    monkeypatch.setattr(engine, "FILES_PER_PROCESS", 2)
    monkeypatch.setattr(engine, "FILES_PER_CHUNK", 3)
    monkeypatch.setattr(engine.os, "sched_getaffinity", lambda _: {0, 1}, raising=False)


def test_the_process_pool_reports_what_one_process_reports(tmp_path: Path, monkeypatch):
    """Files are handed to the workers in chunks as they are found; the findings, and the files checked
    and in what order, are those of a run in one process."""
    from nodeguard.policy.loader import PolicyFinder

    import concurrent.futures

    handed_out = []

    class CountingPool(concurrent.futures.ProcessPoolExecutor):
        def submit(self, function, /, *args, **kwargs):
            handed_out.append(len(args[1]))
            return super().submit(function, *args, **kwargs)

    many_dockerfiles(tmp_path, 23)
    alone = engine.check_paths([str(tmp_path)], PolicyFinder(None), cwd=tmp_path)
    small_pool(monkeypatch)
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", CountingPool)
    pooled = engine.check_paths([str(tmp_path)], PolicyFinder(None), cwd=tmp_path)
    assert handed_out == [3] * 7 + [2]
    assert len(alone.checked) == 23 and pooled.checked == alone.checked
    assert pooled.findings == alone.findings and {f.path for f in alone.findings} >= {"app00/.dockerignore"}


def test_a_policy_error_found_while_the_pool_runs_ends_the_run_with_that_error(tmp_path: Path, monkeypatch):
    from nodeguard.policy import PolicyError
    from nodeguard.policy.loader import PolicyFinder

    many_dockerfiles(tmp_path, 12)
    (tmp_path / "zz").mkdir()
    (tmp_path / "zz" / "Dockerfile").write_text("FROM node:20\n")
    (tmp_path / "zz" / ".nodeguard.yml").write_text("rules: [not, a, mapping\n")
    small_pool(monkeypatch)
    with pytest.raises(PolicyError, match="nodeguard.yml"):
        engine.check_paths([str(tmp_path)], PolicyFinder(None), cwd=tmp_path)


def test_a_chunk_that_ends_before_the_next_is_handed_out_is_reported_once(tmp_path: Path, monkeypatch):
    """Finding the rest can be slower than checking a chunk: every chunk is then done before the next is
    handed out, and the results are still each reported once, in order."""
    from nodeguard.policy.loader import PolicyFinder

    import concurrent.futures

    class WaitingPool(concurrent.futures.ProcessPoolExecutor):
        def submit(self, function, /, *args, **kwargs):
            future = super().submit(function, *args, **kwargs)
            future.result()
            return future

    many_dockerfiles(tmp_path, 10)
    alone = engine.check_paths([str(tmp_path)], PolicyFinder(None), cwd=tmp_path)
    small_pool(monkeypatch)
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", WaitingPool)
    pooled = engine.check_paths([str(tmp_path)], PolicyFinder(None), cwd=tmp_path)
    assert pooled.checked == alone.checked and pooled.findings == alone.findings
