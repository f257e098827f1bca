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
    allowed = ("nodeguard.model", "nodeguard.node", "nodeguard.findings", "nodeguard.fix_builders")
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


def test_fix_builders_build_on_the_model_and_findings_only():
    allowed = ("nodeguard.model", "nodeguard.findings")
    bad = {name for name in nodeguard_imports(PACKAGE / "fix_builders.py") if not name.startswith(allowed)}
    assert not bad, f"fix_builders.py imports {sorted(bad)}"


# What an instruction says as text (its arguments, its source lines, its flags) is read once, in model/, into
# typed views: Copy (model.copies), the process's words (model.process), Step.declared/word/script/mounts/
# switches_to, Stage.written_base, healthcheck_commands; fixes edit the text through fix_builders.
INSTRUCTION_TEXT = {"args", "original", "flags", "flag"}
# ``step.args`` is a Step's view, the build arguments in force (a mapping), not the instruction's text.
STEP_VIEWS = {"step"}
# Shell command lines that are not Dockerfile words may be split with shlex, with a reason each.
SHLEX_ALLOWED = {
    "node/app.py": "splits package.json scripts (shell command lines in the app's manifest), not Dockerfile words",
    "model/shell.py": "the shell's own module: quotes an argv back into a command line (shlex.join)",
}


def _receiver_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def instruction_text_reads(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr in INSTRUCTION_TEXT:
            if node.attr == "args" and _receiver_name(node.value) in STEP_VIEWS:
                continue
            found.append(f"line {node.lineno}: .{node.attr}")
    return found


@pytest.mark.parametrize("path", sorted([*(PACKAGE / "rules").glob("ng*.py"), *(PACKAGE / "node").glob("*.py")]),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_rules_and_node_facts_read_typed_views_not_instruction_text(path):
    assert instruction_text_reads(path) == [], f"{path.parent.name}/{path.name} reads an instruction's text"


@pytest.mark.parametrize("path", sorted([*(PACKAGE / "rules").glob("*.py"), *(PACKAGE / "node").glob("*.py"),
                                         *(PACKAGE / "model").glob("*.py")]),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_dockerfile_words_are_split_as_buildkit_splits_them_not_with_shlex(path):
    name = f"{path.parent.name}/{path.name}"
    if name in SHLEX_ALLOWED:
        return
    assert "shlex" not in imported_modules(path), f"{name} imports shlex: {', '.join(SHLEX_ALLOWED)} may, with a reason"


def test_the_instruction_text_check_catches_what_it_should(tmp_path):
    path = tmp_path / "sample.py"
    path.write_text("def f(step, use, instruction):\n    return (step.args, use.step.args, instruction.args,"
                    " step.instruction.original, instruction.flag('from'), step.instruction.flags)\n", encoding="utf-8")
    assert sorted(read.split(": ")[1] for read in instruction_text_reads(path)) == [
        ".args", ".flag", ".flags", ".original"]
