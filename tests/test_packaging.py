"""The package as users get it: the wheel and sdist from PyPI, the pre-commit hook, the version and the
project files around them."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml

import nodeguard
from nodeguard.discover import is_dockerfile_name, is_ignore_file_name
from tests.test_discover import DOCKERFILES, NOT_DOCKERFILES

REPO_ROOT = Path(__file__).resolve().parents[1]
FLAWED = (REPO_ROOT / "examples" / "flawed" / "Dockerfile").read_text(encoding="utf-8")
GOOD = (REPO_ROOT / "examples" / "good" / "Dockerfile").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent


def checkout_copy(destination: Path) -> Path:
    """The checkout's files as they are now (tracked and new, not ignored), copied to ``destination``."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO_ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO_ROOT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return destination


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    source = checkout_copy(tmp_path_factory.mktemp("source"))
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--sdist", "--wheel", "--outdir", str(out), str(source)],
        check=True, capture_output=True, timeout=300,
    )
    return out


def test_build_makes_a_wheel_and_an_sdist_named_by_the_one_version(dist: Path):
    names = sorted(path.name for path in dist.iterdir())
    assert names == [f"nodeguard-{nodeguard.__version__}-py3-none-any.whl", f"nodeguard-{nodeguard.__version__}.tar.gz"]


def test_twine_check_is_clean(dist: Path):
    result = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *map(str, dist.iterdir())],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == 2


def test_the_wheel_carries_the_data_files_and_the_license(dist: Path):
    wheel = next(dist.glob("*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    tracked = subprocess.run(["git", "ls-files", "nodeguard"], cwd=REPO_ROOT, capture_output=True, text=True).stdout
    data = [name for name in tracked.split() if not name.endswith(".py")]
    assert data and set(data) <= names
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)
    metadata = zipfile.ZipFile(wheel).read(f"nodeguard-{nodeguard.__version__}.dist-info/METADATA").decode()
    assert "License-Expression: MIT" in metadata and "Requires-Dist: PyYAML" in metadata
    sdist = tarfile.open(next(dist.glob("*.tar.gz")))
    assert f"nodeguard-{nodeguard.__version__}/LICENSE" in sdist.getnames()


def test_the_installed_wheel_checks_with_its_own_data_files(dist: Path, tmp_path: Path):
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    "--disable-pip-version-check", "--target", str(site), str(next(dist.glob("*.whl")))],
                   check=True, capture_output=True, timeout=120)
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    (project / ".nodeguard.yml").write_text("extends: strict\nrules:\n  NG102: off\n")  # schema.json, presets
    (project / "Dockerfile").write_text(FLAWED)
    environment = {**os.environ, "PYTHONPATH": str(site), "NO_COLOR": "1"}  # the wheel, not this checkout
    where = subprocess.run([sys.executable, "-c", "import nodeguard; print(nodeguard.__file__)"],
                           cwd=project, env=environment, capture_output=True, text=True)
    assert where.stdout.startswith(str(site))
    result = subprocess.run([str(site / "bin" / "nodeguard"), "check", "."], cwd=project, env=environment,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    assert "Dockerfile:1:1: NG101 error" in result.stdout and "NG102" not in result.stdout
    assert "NG104" in result.stdout or "NG701" in result.stdout or "node:latest" in result.stdout
    version = subprocess.run([str(site / "bin" / "nodeguard"), "--version"], env=environment,
                             capture_output=True, text=True)
    assert version.stdout.startswith(f"nodeguard {nodeguard.__version__} (Node.js release data of ")  # the wheel has the data


def test_the_version_is_written_in_one_place():
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in pyproject["project"] and pyproject["project"]["dynamic"] == ["version"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "nodeguard.__version__"}
    written = [path for path in REPO_ROOT.joinpath("nodeguard").rglob("*.py")
               if re.search(r"""__version__\s*=\s*["']""", path.read_text(encoding="utf-8"))]
    assert written == [REPO_ROOT / "nodeguard" / "__init__.py"]


def test_the_changelog_has_the_current_version_and_the_license_is_mit():
    changelog = (REPO_ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{nodeguard.__version__}]" in changelog and "## [Unreleased]" in changelog
    assert (REPO_ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")


def hook() -> dict:
    hooks = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return next(entry for entry in hooks if entry["id"] == "nodeguard")


@pytest.mark.parametrize("name", DOCKERFILES + NOT_DOCKERFILES)
def test_the_hooks_file_patterns_are_the_names_nodeguard_recognises(name: str):
    for path in (name, f"services/api/{name}"):
        passed = bool(re.search(hook()["files"], path)) and not re.search(hook()["exclude"], path)
        assert passed == (is_dockerfile_name(name) or is_ignore_file_name(name)), path


def git(*args: str, cwd: Path) -> str:
    environment = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                   "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    return subprocess.run(["git", *args], cwd=cwd, env=environment, capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_pre_commit_runs_the_hook_fails_on_a_flawed_dockerfile_and_passes_a_good_one(tmp_path: Path):
    hook_repo = checkout_copy(tmp_path / "nodeguard")
    git("init", "-q", cwd=hook_repo)
    git("add", "-A", cwd=hook_repo)
    git("commit", "-q", "-m", "snapshot", cwd=hook_repo)
    rev = git("rev-parse", "HEAD", cwd=hook_repo)
    project = tmp_path / "project"
    project.mkdir()
    git("init", "-q", cwd=project)
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hook_repo}\n    rev: {rev}\n    hooks:\n      - id: nodeguard\n"
    )
    (project / "README.md").write_text("Dockerfile notes\n")
    (project / "Dockerfile").write_text(FLAWED)
    git("add", "-A", cwd=project)
    environment = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "NO_COLOR": "1",
                   "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    environment.pop("PYTHONPATH", None)
    run = [str(BIN / "pre-commit"), "run", "--all-files", "--color", "never"]
    flawed = subprocess.run(run, cwd=project, env=environment, capture_output=True, text=True, timeout=600)
    assert flawed.returncode == 1, flawed.stdout + flawed.stderr
    assert "nodeguard" in flawed.stdout and "Failed" in flawed.stdout
    assert "Dockerfile:1:1: NG101 error" in flawed.stdout
    (project / "Dockerfile").write_text(GOOD)
    git("add", "-A", cwd=project)
    good = subprocess.run(run, cwd=project, env=environment, capture_output=True, text=True, timeout=600)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout


def test_the_readme_shows_pipx_the_hook_and_where_releases_are_described():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert "pipx run nodeguard check ." in readme
    assert f"      - id: {hook()['id']}" in readme and f"rev: v{nodeguard.__version__}" in readme
    assert "(docs/releasing.md)" in readme and "(CHANGELOG.md)" in readme
