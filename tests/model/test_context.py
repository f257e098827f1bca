import os
from pathlib import Path

import pytest

from nodeguard.model.context import BuildContext, DiskCache, DiskFiles, DiskRepository, UnreadFiles, build_context
from nodeguard.model.ignore import parse_ignore_file


def context_for_dockerfile(dockerfile: Path, repo_root: Path, context_dir: Path | None = None,
                           disk: DiskCache | None = None) -> BuildContext:
    """The disk context of ``dockerfile``, as the engine builds it (paths made repository-relative)."""
    folder = (context_dir if context_dir is not None else dockerfile.parent).relative_to(repo_root).as_posix()
    return build_context(dockerfile.relative_to(repo_root).as_posix(), "" if folder == "." else folder,
                         DiskRepository(repo_root, disk))


def write(path: Path, content: str | bytes = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """repo/ with an app/ context, plus a secret file outside the repository."""
    root = tmp_path / "repo"
    write(tmp_path / "outside" / "secret.txt", "TOKEN=abc")
    write(root / "app" / "Dockerfile", "FROM node:22\n")
    write(root / "app" / "package.json", '{"name": "app"}')
    write(root / "app" / "src" / "index.js", "console.log(1)\n")
    write(root / "app" / "node_modules" / "express" / "index.js", "module.exports = 1")
    write(root / "app" / "packages" / "a" / "node_modules" / "x" / "y.js", "1")
    write(root / "app" / "packages" / "a" / "package.json", "{}")
    write(root / "app" / ".git" / "HEAD", "ref: refs/heads/main")
    write(root / "app" / "logo.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    write(root / "README.md", "# repo")
    return root


@pytest.fixture
def context(repo: Path) -> BuildContext:
    return BuildContext(DiskFiles(repo / "app", repo), display_root="app", dockerignore=None)


def test_exists_and_read_text(context):
    assert context.exists("package.json")
    assert context.exists("src")
    assert not context.exists("missing.json")
    assert context.read_text("package.json") == '{"name": "app"}'
    assert context.read_text("src/index.js") == "console.log(1)\n"
    assert context.read_text("missing.json") is None


def test_read_text_refuses_directories_binaries_and_large_files(context):
    assert context.read_text("src") is None
    assert context.read_text("logo.png") is None
    assert context.read_text("package.json", max_bytes=5) is None
    assert context.read_text("package.json", max_bytes=15) == '{"name": "app"}'


def test_read_text_decodes_invalid_utf8_without_raising(context, repo):
    write(repo / "app" / "latin1.txt", "caf\xe9".encode("latin-1"))
    assert context.read_text("latin1.txt") == "caf\ufffd"


def test_paths_may_reach_the_repository_but_not_beyond(context, repo):
    assert context.read_text("../README.md") == "# repo"
    assert not context.exists("../../outside/secret.txt")
    assert context.read_text("../../outside/secret.txt") is None
    assert context.read_text(str(repo.parent / "outside" / "secret.txt")) is None


def test_symlink_out_of_the_repository_is_absent(context, repo):
    (repo / "app" / ".env").symlink_to(repo.parent / "outside" / "secret.txt")
    (repo / "app" / "linked-out").symlink_to(repo.parent / "outside", target_is_directory=True)
    assert not context.exists(".env")
    assert context.read_text(".env") is None
    assert not context.exists("linked-out/secret.txt")
    assert context.read_text("linked-out/secret.txt") is None
    assert not context.has_directory("linked-out")
    files = list(context.iter_files())
    assert ".env" not in files
    assert not any(path.startswith("linked-out") for path in files)


def test_symlink_inside_the_repository_is_read(context, repo):
    (repo / "app" / "readme-link.md").symlink_to(repo / "README.md")
    assert context.read_text("readme-link.md") == "# repo"
    assert "readme-link.md" in list(context.iter_files())


def test_symlinked_directory_is_never_walked(context, repo):
    (repo / "app" / "src-link").symlink_to(repo / "app" / "src", target_is_directory=True)
    files = list(context.iter_files())
    assert "src/index.js" in files
    assert not any(path.startswith("src-link") for path in files)
    assert context.has_directory("src-link")  # asking about it directly is fine: it stays inside


def test_dangling_symlink_and_loop_are_absent(context, repo):
    (repo / "app" / "dangling").symlink_to(repo / "app" / "nowhere")
    (repo / "app" / "loop").symlink_to(repo / "app" / "loop")
    for name in ("dangling", "loop"):
        assert not context.exists(name)
        assert context.read_text(name) is None
    files = list(context.iter_files())
    assert "dangling" not in files and "loop" not in files


def test_iter_files_sorted_and_skips_node_modules_and_git(context):
    assert list(context.iter_files()) == [
        "Dockerfile",
        "logo.png",
        "package.json",
        "packages/a/package.json",
        "src/index.js",
    ]


def test_iter_files_is_cached(context, repo):
    first = list(context.iter_files())
    write(repo / "app" / "new.js", "1")
    assert list(context.iter_files()) == first


def test_has_directory(context):
    assert context.has_directory("node_modules")
    assert context.has_directory("packages/a/node_modules")
    assert not context.has_directory("package.json")
    assert not context.has_directory("dist")


def test_no_root_knows_nothing():
    context = BuildContext(UnreadFiles(), display_root="", dockerignore=None)
    assert not context.exists("package.json")
    assert not context.has_directory("node_modules")
    assert context.read_text("package.json") is None
    assert list(context.iter_files()) == []
    assert context.is_sent("package.json")


def test_is_sent_follows_the_ignore_file(context):
    assert context.is_sent("node_modules/express/index.js")
    context.dockerignore = parse_ignore_file("app/.dockerignore", "node_modules\n*.md\n!README.md\n")
    assert not context.is_sent("node_modules/express/index.js")
    assert context.is_sent("packages/a/node_modules/x/y.js")
    assert not context.is_sent("CHANGELOG.md")
    assert context.is_sent("README.md")
    assert context.is_sent("src/index.js")


def test_display_path(context):
    assert context.display_path("package.json") == "app/package.json"
    assert BuildContext(UnreadFiles(), display_root="", dockerignore=None).display_path("x") == "x"


def test_context_for_dockerfile_uses_its_folder_and_dockerignore(repo):
    write(repo / "app" / ".dockerignore", "# deps\nnode_modules\n")
    context = context_for_dockerfile(repo / "app" / "Dockerfile", repo)
    assert isinstance(context.files, DiskFiles)
    assert context.files.root == repo / "app"
    assert context.files.repo_root == repo
    assert context.display_root == "app"
    assert context.dockerignore is not None
    assert context.dockerignore.path == "app/.dockerignore"
    assert [p.pattern for p in context.dockerignore.patterns] == ["node_modules"]
    assert not context.is_sent("node_modules/express/index.js")


def test_dockerfile_specific_ignore_file_wins(repo):
    write(repo / "app" / ".dockerignore", "node_modules\n")
    write(repo / "docker" / "prod.Dockerfile", "FROM node:22\n")
    write(repo / "docker" / "prod.Dockerfile.dockerignore", "*.md\n")
    context = context_for_dockerfile(repo / "docker" / "prod.Dockerfile", repo, context_dir=repo / "app")
    assert context.display_root == "app"
    assert context.dockerignore.path == "docker/prod.Dockerfile.dockerignore"
    assert context.is_sent("node_modules/x.js")
    assert not context.is_sent("notes.md")


def test_context_ignore_file_used_when_no_dockerfile_specific_one(repo):
    write(repo / ".dockerignore", ".git\n")
    write(repo / "Dockerfile", "FROM node:22\n")
    context = context_for_dockerfile(repo / "Dockerfile", repo)
    assert context.display_root == ""
    assert context.dockerignore.path == ".dockerignore"
    assert context.display_path("package.json") == "package.json"


def test_no_ignore_file(repo):
    context = context_for_dockerfile(repo / "app" / "Dockerfile", repo)
    assert context.dockerignore is None
    assert context.is_sent("anything")


def test_ignore_file_symlinked_out_of_the_repository_is_not_read(repo):
    outside = write(repo.parent / "outside" / "evil.dockerignore", "*\n")
    (repo / "app" / ".dockerignore").symlink_to(outside)
    assert context_for_dockerfile(repo / "app" / "Dockerfile", repo).dockerignore is None


def test_binary_ignore_file_is_not_read(repo):
    write(repo / "app" / ".dockerignore", b"node_modules\x00\n")
    assert context_for_dockerfile(repo / "app" / "Dockerfile", repo).dockerignore is None


def test_unreadable_folder_and_file_do_not_raise(context, repo, monkeypatch):
    write(repo / "app" / "locked" / "a.txt", "1")
    real_scandir = os.scandir

    def scandir(path):
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    def refuse_open(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(os, "scandir", scandir)
    assert "locked/a.txt" not in list(context.iter_files())
    assert "package.json" in list(context.iter_files())
    monkeypatch.setattr(Path, "open", refuse_open)
    assert context.read_text("package.json") is None


def test_disk_files_are_readable_and_unread_files_are_not(context):
    assert context.files_readable
    assert not BuildContext(UnreadFiles(), display_root="", dockerignore=None).files_readable
