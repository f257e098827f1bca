"""Write docs/json-format.md's example from a real run: ``python scripts/json_format_example.py``.

The example's input (a Dockerfile, a .dockerignore and the command) is written in the page itself; this
runs that command on that input and puts the report in the page's ``json`` block."""
from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PAGE = REPO / "docs" / "json-format.md"
BLOCK = re.compile(r"```(?P<kind>dockerfile|dockerignore|sh|json)\n(?P<body>.*?)```", re.DOTALL)


def blocks(text: str) -> dict[str, str]:
    """The page's first code block of each kind (the example's input, command and report)."""
    found: dict[str, str] = {}
    for match in BLOCK.finditer(text):
        found.setdefault(match["kind"], match["body"])
    return found


def real_report(text: str) -> str:
    """The report of the page's command on the page's input, in a fresh repository."""
    example = blocks(text)
    command = example["sh"].strip().split()
    assert command[:2] == ["nodeguard", "check"], command
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / ".git").mkdir()
        (root / "Dockerfile").write_text(example["dockerfile"], encoding="utf-8")
        (root / ".dockerignore").write_text(example["dockerignore"], encoding="utf-8")
        completed = subprocess.run(
            [sys.executable, "-m", "nodeguard", *command[1:]], cwd=root, capture_output=True, text=True,
            env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}, timeout=60,
        )
    return completed.stdout


def with_real_report(text: str) -> str:
    report = real_report(text)
    start = text.index("```json\n") + len("```json\n")
    end = text.index("```", start)
    return text[:start] + report + text[end:]


if __name__ == "__main__":
    PAGE.write_text(with_real_report(PAGE.read_text(encoding="utf-8")), encoding="utf-8")
