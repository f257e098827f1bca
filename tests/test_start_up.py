"""The first answer stays proportional to what one file needs: a check of one Dockerfile, without a policy
file, imports nothing that only other commands, other formats or other kinds of run use."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

NOT_NEEDED = (
    "yaml",  # only a policy file is YAML
    "shutil",  # argparse's help formatter would import it for the terminal's width
    "pkgutil",  # the rule registry lists its folder
    "multiprocessing",  # the process pool is for many files
    "jsonschema",
    "requests",
    "nodeguard.github",
    "nodeguard.remote",
    "nodeguard.fixes",
    "nodeguard.report.sarif",
)


def modules_of_one_file_check(folder: Path) -> set[str]:
    probe = (
        "import json, sys\nfrom nodeguard.cli import main\n"
        "try:\n    main(['check', 'Dockerfile', '--format', 'json'])\nexcept SystemExit:\n    pass\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=folder, capture_output=True, text=True,
                            timeout=60, env={"PYTHONPATH": str(REPO), "PATH": ""})
    assert result.stdout.startswith("{"), result.stderr
    return set(json.loads(result.stderr.strip().splitlines()[-1]))


def test_a_one_file_check_imports_only_what_it_needs(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "Dockerfile").write_text("FROM node:22-alpine\nCOPY . .\nUSER node\nCMD [\"node\", \"server.js\"]\n")
    (tmp_path / ".dockerignore").write_text("node_modules\n.git\n")
    modules = modules_of_one_file_check(tmp_path)
    assert "nodeguard.rules.ng101_base_image_tag" in modules  # the probe did check the file
    imported = [name for name in NOT_NEEDED if name in modules or any(m.startswith(name + ".") for m in modules)]
    assert imported == []
