"""Which files are Dockerfiles, and the walk that finds them."""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pytest

from nodeguard.discover import governed_dockerfiles, is_dockerfile_name, walk

DOCKERFILES = [
    "Dockerfile", "dockerfile", "Containerfile", "Dockerfile.prod", "Dockerfile-dev", "Dockerfile_prod",
    "Dockerfile.dev.alpine", "dev.Dockerfile", "api.dockerfile", "Containerfile.ci", "Containerfile-arm64",
    "base.Containerfile",
]
NOT_DOCKERFILES = [
    "Dockerfile.md", "Dockerfile.txt", "Dockerfile.template", "Dockerfile.tmpl", "Dockerfile.j2",
    "Dockerfile.prod.md", "Dockerfile-dev.txt", "Dockerfile.orig", "Dockerfile~", ".dockerignore",
    "Dockerfile.dockerignore", "dev.Dockerfile.dockerignore", "Dockerfiles", "MyDockerfile", "docker-compose.yml",
    "Dockerfile.sample", "README.md",
]


@pytest.mark.parametrize("name", DOCKERFILES)
def test_names_editors_and_linters_treat_as_dockerfiles(name: str):
    assert is_dockerfile_name(name)


@pytest.mark.parametrize("name", NOT_DOCKERFILES)
def test_documentation_template_and_other_names_are_not_dockerfiles(name: str):
    assert not is_dockerfile_name(name)


def test_the_readme_lists_every_name_recognised():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for pattern in ("`Dockerfile`", "`Dockerfile.*`", "`Dockerfile-*`", "`Dockerfile_*`", "`*.Dockerfile`",
                    "`Containerfile`", "`.dockerignore`", "`.template`", "`.md`", "`.txt`"):
        assert pattern in readme, pattern


def test_a_template_is_not_checked_but_a_dashed_name_is(tmp_path: Path):
    (tmp_path / "Dockerfile.template").write_text("FROM {{ .Base }}\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "Dockerfile.txt").write_text("notes\n")
    (tmp_path / "Dockerfile-dev").write_text("FROM node:24\n")
    (tmp_path / "dev.Dockerfile").write_text("FROM node:24\n")
    found = sorted(path.relative_to(tmp_path).as_posix() for path in walk(tmp_path))
    assert found == ["Dockerfile-dev", "dev.Dockerfile"]


def deep_tree(root: Path, depth: int = 1000) -> Path:
    deepest = root
    for _ in range(depth):  # one level at a time: makedirs recurses per level
        deepest = deepest / "d"
        deepest.mkdir()
    (deepest / "Dockerfile").write_text("FROM node:latest\n")
    return deepest


@pytest.fixture
def deep_root():
    """A folder outside pytest's own temporary folders, taken down level by level afterwards: pytest removes
    its old folders with a recursive rmtree, which fails on a tree 1,000 levels deep, so a run killed
    midway must not leave such a tree where a later run would try to remove it."""
    root = Path(tempfile.mkdtemp(prefix="nodeguard-deep-"))
    yield root
    deepest = root
    while (deepest / "d").is_dir():
        deepest = deepest / "d"
    while True:
        for entry in deepest.iterdir():  # what the test wrote beside the chain
            if entry.is_dir() and not entry.is_symlink():
                entry.rmdir()
            else:
                entry.unlink()
        if deepest == root:
            break
        deepest = deepest.parent
    root.rmdir()


def test_a_folder_a_thousand_levels_deep_is_walked_without_recursion(deep_root: Path):
    deep_tree(deep_root)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # a recursive walk needs a frame per level
    try:
        found = list(walk(deep_root))
    finally:
        sys.setrecursionlimit(limit)
    assert len(found) == 1 and found[0].name == "Dockerfile"


def test_check_of_a_thousand_levels_deep_repository_reports_the_deepest_file(deep_root: Path):
    from tests.test_cli import run

    (deep_root / ".git").mkdir()
    deep_tree(deep_root)
    result = run(["check", "--fail-on", "never", "."], deep_root)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert "d/" * 999 + "d/Dockerfile:1:1: NG101 error" in result.stdout


def test_the_walk_does_not_follow_symlinks_out_of_the_tree(tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "Dockerfile").write_text("FROM node:24\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "linked").symlink_to(outside, target_is_directory=True)
    (repo / "Dockerfile.link").symlink_to(outside / "Dockerfile")
    (repo / "Dockerfile").write_text("FROM node:24\n")
    assert [path.name for path in walk(repo)] == ["Dockerfile"]


def test_the_walk_order_is_files_first_then_subfolders_in_name_order(tmp_path: Path):
    for folder in ("b", "a", "a/z"):
        (tmp_path / folder).mkdir()
    for file in ("Dockerfile", "a/Dockerfile", "a/z/Dockerfile", "b/Dockerfile", "a/.dockerignore"):
        (tmp_path / file).write_text("x\n")
    found = [path.relative_to(tmp_path).as_posix() for path in walk(tmp_path)]
    assert found == ["Dockerfile", "a/.dockerignore", "a/Dockerfile", "a/z/Dockerfile", "b/Dockerfile"]


def test_governed_dockerfiles_honour_the_contexts_mapping_and_buildkit_precedence():
    paths = {"Dockerfile", "web.Dockerfile", "web.Dockerfile.dockerignore", ".dockerignore",
             "docker/api.Dockerfile", "ctx/.dockerignore", "ctx/Dockerfile"}
    mapping = {"docker/api.Dockerfile": "ctx"}
    assert governed_dockerfiles(".dockerignore", paths, mapping.get) == ["Dockerfile"]
    assert governed_dockerfiles("web.Dockerfile.dockerignore", paths, mapping.get) == ["web.Dockerfile"]
    assert governed_dockerfiles("ctx/.dockerignore", paths, mapping.get) == ["ctx/Dockerfile", "docker/api.Dockerfile"]
    assert governed_dockerfiles("docker/.dockerignore", paths, mapping.get) == []


def test_one_run_finds_each_folders_repository_root_as_a_lookup_of_its_own(tmp_path: Path):
    from nodeguard.discover import RepositoryRoots, find_repo_root

    for folder in ("outer/.git", "outer/a/b", "outer/nested/.git", "outer/nested/c/d", "loose/e"):
        (tmp_path / folder).mkdir(parents=True)
    folders = [tmp_path / name for name in ("outer/nested/c/d", "outer/a/b", "outer/nested", "outer", "loose/e", "loose")]
    alone = {folder: find_repo_root(folder) for folder in folders}
    assert alone[tmp_path / "outer/nested/c/d"] == tmp_path / "outer/nested" and alone[tmp_path / "loose/e"] == tmp_path / "loose/e"
    for order in (folders, folders[::-1]):
        roots = RepositoryRoots()
        assert {folder: roots.of(folder) for folder in order} == alone


def test_one_run_resolves_folders_through_their_parents_as_path_resolve_does(tmp_path: Path):
    from nodeguard.discover import RepositoryRoots

    root = tmp_path.resolve()
    for folder in ("repo/a/b", "repo/c", "elsewhere/d"):
        (root / folder).mkdir(parents=True)
    (root / "repo" / "link").symlink_to(root / "elsewhere", target_is_directory=True)
    (root / "repo" / "loop").symlink_to(root / "repo" / "loop")
    names = ["a", "a/b", "c", "link", "link/d", "loop", "absent", "a/..", "c/../a/b"]
    roots = RepositoryRoots()
    for name in names + names[::-1]:  # each asked before and after its parent
        folder = root / "repo" / name
        try:
            expected: object = folder.resolve()
        except RuntimeError:  # a symlink loop
            expected = RuntimeError
        try:
            found: object = roots.real(folder)
        except RuntimeError:
            found = RuntimeError
        assert found == expected, name
