"""The arrows of docs/architecture.md: the engine and everything below it know nothing of GitHub or of
how findings are shown."""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "nodeguard"
ENGINE_SIDE = ["engine.py", "discover.py", "fixes.py", "fix_builders.py", "findings.py", "pinning.py", "model", "rules",
               "node", "policy"]


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
           or name.startswith(("nodeguard.github", "nodeguard.report", "nodeguard.remote"))}
    assert not bad, f"{path.relative_to(PACKAGE)} imports {sorted(bad)}"


def test_rules_never_open_files_themselves():
    for path in sorted((PACKAGE / "rules").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert "open(" not in text and ".read_text(" not in text.replace("context.read_text(", ""), path.name


RULES_SUPPORT = {"__init__.py", "base.py", "docs.py"}  # the registry, the rule contract, the rule pages


FOUNDATION = ("nodeguard.record", "nodeguard.patterns")  # below everything, as the standard library is


def nodeguard_imports(path: Path) -> set[str]:
    return {name for name in imported_modules(path) if name.startswith("nodeguard.") and name not in FOUNDATION}


@pytest.mark.parametrize("name", FOUNDATION)
def test_the_foundation_imports_nothing_of_nodeguard(name):
    path = PACKAGE / f"{name.removeprefix('nodeguard.')}.py"
    assert not {module for module in imported_modules(path) if module.startswith("nodeguard")}


@pytest.mark.parametrize("path", sorted((PACKAGE / "model").rglob("*.py")), ids=lambda p: p.name)
def test_model_knows_only_docker(path):
    """Docker semantics need no Node.js facts and no rule: model/ imports only model/."""
    bad = {name for name in nodeguard_imports(path) if not name.startswith("nodeguard.model")}
    assert not bad, f"model/{path.name} imports {sorted(bad)}"


@pytest.mark.parametrize("path", sorted((PACKAGE / "node").rglob("*.py")), ids=lambda p: p.name)
def test_node_facts_build_on_the_model_only(path):
    allowed = ("nodeguard.model", "nodeguard.node", "nodeguard.findings")
    bad = {name for name in nodeguard_imports(path) if not name.startswith(allowed)}
    assert not bad, f"node/{path.name} imports {sorted(bad)}"


def test_rules_folder_holds_rule_modules_and_their_base_only():
    shared = sorted(path.name for path in (PACKAGE / "rules").glob("*.py")
                    if path.name not in RULES_SUPPORT and not path.name.startswith("ng"))
    assert not shared, f"shared analysis belongs in model/ or node/: {shared}"


@pytest.mark.parametrize("path", sorted((PACKAGE / "rules").glob("ng*.py")), ids=lambda p: p.name)
def test_no_rule_imports_another_rule(path):
    bad = {name for name in nodeguard_imports(path)
           if name.startswith("nodeguard.rules") and name != "nodeguard.rules.base"}
    assert not bad, f"{path.name} imports {sorted(bad)}"


def test_only_the_context_knows_where_its_files_come_from():
    """Rules and Node.js facts ask ``context.files_readable``; whether the files are on disk or read
    through an API is the business of ``model/context.py`` and the engine that builds contexts."""
    readers = [path for path in [*(PACKAGE / "rules").glob("*.py"), *(PACKAGE / "node").glob("*.py")]
               if "context.root" in path.read_text() or "context.repo_root" in path.read_text()]
    assert readers == []
