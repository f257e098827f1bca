"""The first answer stays proportional to what one file needs: a check of one Dockerfile, without a policy
file, imports nothing that only other commands, other formats or other kinds of run use."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

NOT_NEEDED = (
    "yaml",  # only a policy file is YAML
    "argparse",  # a plain check command line is read without it (cli.plain_check)
    "typing",  # 3 ms: nodeguard's modules import its names for the type checker only (see nodeguard.record)
    "shutil",
    "pkgutil",  # the rule registry lists its folder
    "multiprocessing",  # the process pool is for many files
    "jsonschema",
    "requests",
    "nodeguard.github",
    "nodeguard.remote",
    "nodeguard.fixes",
    "nodeguard.report.sarif",
)


def one_file_check(folder: Path) -> dict[str, list[str]]:
    """The modules a check of ``folder/Dockerfile`` imported, and the dataclasses of nodeguard's among them."""
    probe = (
        "import json, sys\nfrom nodeguard.cli import main\n"
        "try:\n    main(['check', 'Dockerfile', '--format', 'json'])\nexcept SystemExit:\n    pass\n"
        "modules = [m for name, m in sorted(sys.modules.items()) if name.startswith('nodeguard')]\n"
        "made = [f'{m.__name__}.{name}' for m in modules for name, value in vars(m).items()\n"
        "        if isinstance(value, type) and value.__module__ == m.__name__ and '__dataclass_fields__' in vars(value)]\n"
        "print(json.dumps({'modules': sorted(sys.modules), 'dataclasses': made}), file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=folder, capture_output=True, text=True,
                            timeout=60, env={"PYTHONPATH": str(REPO), "PATH": ""})
    assert result.stdout.startswith("{"), result.stderr
    return json.loads(result.stderr.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def checked(tmp_path_factory) -> dict[str, list[str]]:
    folder = tmp_path_factory.mktemp("repository")
    (folder / ".git").mkdir()
    (folder / "Dockerfile").write_text("FROM node:22-alpine\nCOPY . .\nUSER node\nCMD [\"node\", \"server.js\"]\n")
    (folder / ".dockerignore").write_text("node_modules\n.git\n")
    return one_file_check(folder)


def test_a_one_file_check_imports_only_what_it_needs(checked):
    modules = set(checked["modules"])
    assert "nodeguard.rules.ng101_base_image_tag" in modules  # the probe did check the file
    imported = [name for name in NOT_NEEDED if name in modules or any(m.startswith(name + ".") for m in modules)]
    assert imported == []


def test_a_one_file_check_makes_no_dataclass(checked):
    """Making a dataclass compiles its methods at import (half a millisecond each), and importing
    ``dataclasses`` imports ``inspect`` (another 5 ms): the model, the findings, the policy and the rule
    options are ``Record`` classes."""
    assert checked["dataclasses"] == []
    assert "dataclasses" not in checked["modules"] and "inspect" not in checked["modules"]
