"""BuildContext resolves paths below its real root step by step; the answers must be Path.resolve's."""
from __future__ import annotations

from pathlib import Path

import pytest

from nodeguard.model.context import _inside, _resolve_below

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
    assert _resolve_below(app, relpath, repo) == _inside(app / relpath, repo)


def test_symlinks_out_and_absolute_paths_are_refused(app):
    repo = app.parent
    assert _resolve_below(app, "out/secret", repo) is None
    assert _resolve_below(app, "/etc/passwd", repo) is None
    assert _resolve_below(app, "link.js", repo) == app / "a.js"
    assert _resolve_below(app, "src/up/app/a.js", repo) == app / "a.js"
