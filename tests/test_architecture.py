"""The arrows of docs/architecture.md: the engine and everything below it know nothing of GitHub or of
how findings are shown."""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "nodeguard"
ENGINE_SIDE = ["engine.py", "discover.py", "fixes.py", "findings.py", "model", "rules", "node", "policy"]


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def engine_side_files() -> list[Path]:
    files = []
    for part in ENGINE_SIDE:
        target = PACKAGE / part
        files.extend(sorted(target.rglob("*.py")) if target.is_dir() else [target])
    return files


@pytest.mark.parametrize("path", engine_side_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_engine_side_never_imports_the_adapters(path):
    bad = {name for name in imported_modules(path) if name.split(".")[0] in ("github", "requests")
           or name.startswith(("nodeguard.github", "nodeguard.report"))}
    assert not bad, f"{path.relative_to(PACKAGE)} imports {sorted(bad)}"


def test_rules_never_open_files_themselves():
    for path in sorted((PACKAGE / "rules").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert "open(" not in text and ".read_text(" not in text.replace("context.read_text(", ""), path.name
