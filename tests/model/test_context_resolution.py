"""BuildContext resolves paths below its real root step by step (the answers must be Path.resolve's) and
reads each file once for all the contexts that share a DiskCache."""
from __future__ import annotations

from pathlib import Path

import pytest

import nodeguard.model.context as context_module
from nodeguard.model.context import BuildContext, DiskCache, DiskRepository, _inside, _resolve_below, build_context


def context_for_dockerfile(dockerfile: Path, repo_root: Path, context_dir: Path | None = None,
                           disk: DiskCache | None = None) -> BuildContext:
    """The disk context of ``dockerfile``, as the engine builds it (paths made repository-relative)."""
    folder = (context_dir if context_dir is not None else dockerfile.parent).relative_to(repo_root).as_posix()
    return build_context(dockerfile.relative_to(repo_root).as_posix(), "" if folder == "." else folder,
                         DiskRepository(repo_root, disk))


def resolve_below(base, relpath, boundary):
    return _resolve_below(base, relpath, boundary, DiskCache())

TRICKY = [
    "", ".", "/", "/etc/passwd", "a.js", "./a.js", "src/", "src//a.js", "missing/x/../a.js", "..", "../app/a.js",
    "../../outside/secret", "out", "out/secret", "link.js", "loop", "dangling", "src/up/app/a.js", "src/up/..",
    "a.js/x", "absent", "src/./up",
]


@pytest.fixture
def app(tmp_path: Path) -> Path:
    root = tmp_path.resolve()
    app = root / "repo" / "app"
    (app / "src").mkdir(parents=True)
    (root / "outside").mkdir()
    (root / "outside" / "secret").write_text("x")
    (app / "a.js").write_text("x")
    (app / "out").symlink_to(root / "outside", target_is_directory=True)
    (app / "link.js").symlink_to(app / "a.js")
    (app / "loop").symlink_to(app / "loop")
    (app / "dangling").symlink_to(app / "nowhere")
    (app / "src" / "up").symlink_to(root / "repo", target_is_directory=True)
    return app


@pytest.mark.parametrize("relpath", TRICKY)
def test_step_by_step_resolution_agrees_with_path_resolve(app, relpath):
    repo = app.parent
    def present(path):  # an absent file may come back as None or as its would-be path: both mean absent
        return path if path is not None and path.exists() else None

    assert present(resolve_below(app, relpath, repo)) == present(_inside(app / relpath, repo))


def test_symlinks_out_and_absolute_paths_are_refused(app):
    repo = app.parent
    assert resolve_below(app, "out/secret", repo) is None
    assert resolve_below(app, "/etc/passwd", repo) is None
    assert resolve_below(app, "link.js", repo) == app / "a.js"
    assert resolve_below(app, "src/up/app/a.js", repo) == app / "a.js"


@pytest.fixture
def reads(monkeypatch) -> list[Path]:
    """Every existing file the context module reads from disk, in order."""
    seen = []
    real_read = context_module._read_small_text

    def counting_read(path, max_bytes):
        if path.is_file():
            seen.append(path)
        return real_read(path, max_bytes)

    monkeypatch.setattr(context_module, "_read_small_text", counting_read)
    return seen


def test_dockerfiles_of_one_folder_sharing_a_cache_read_each_file_once(app, reads):
    (app / "Dockerfile").write_text("FROM node:22\n")
    (app / "Dockerfile.prod").write_text("FROM node:22\n")
    (app / ".dockerignore").write_text("node_modules\n")
    (app / "package.json").write_text("{}")
    texts = DiskCache()
    contexts = [context_for_dockerfile(app / name, app.parent, disk=texts) for name in ("Dockerfile", "Dockerfile.prod")]
    for context in contexts:
        assert context.dockerignore is not None
        assert context.read_text("package.json") == "{}"
        assert context.read_text("package.json") == "{}"
        assert context.read_repo_text("app/package.json") == "{}"
    assert sorted(path.name for path in reads) == [".dockerignore", "package.json"]


def test_contexts_without_a_shared_cache_read_for_themselves(app, reads):
    (app / "Dockerfile").write_text("FROM node:22\n")
    (app / "package.json").write_text("{}")
    for _ in range(2):
        assert context_for_dockerfile(app / "Dockerfile", app.parent).read_text("package.json") == "{}"
    assert [path.name for path in reads].count("package.json") == 2


def test_cache_keeps_only_the_most_recently_used_files(app, reads):
    texts = DiskCache(size=2)
    for name in ("one", "two", "one", "three", "one", "two"):
        (app / name).write_text(name)
        assert texts.read(app / name, 100) == name
    assert [path.name for path in reads] == ["one", "two", "three", "two"]


def outcome(resolve, path: Path):
    """What resolving gives: the real path, or the kind of error (a symlink loop raises)."""
    try:
        return resolve(path)
    except (OSError, RuntimeError) as error:
        return type(error)


@pytest.mark.parametrize("relpath", ["src", "src/up", "src/up/app", "out", "loop", "dangling", "absent", "a.js", "..",
                                     "src/..", "src/up/app/src"])
def test_folders_resolved_through_their_parents_listing_agree_with_path_resolve(app, relpath):
    disk = DiskCache()
    for sibling in ("src", "out", relpath):  # the parent's real path and listing are known first
        assert outcome(disk.real, app / sibling) == outcome(Path.resolve, app / sibling)
