#!/usr/bin/env python3
"""Writes the JSON twin of each YAML data file that nodeguard reads on every run (the built-in presets and
the base-image facts), so that a run without a policy file never loads PyYAML. The YAML stays the source;
``tests/test_data_json.py`` fails when a twin is out of date."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
SOURCES = (
    "nodeguard/policy/presets/recommended.yml",
    "nodeguard/policy/presets/strict.yml",
    "nodeguard/node/data/base-images.yml",
)


def twin_text(source: Path) -> str:
    """The JSON twin of ``source``, as it is written to disk."""
    data = yaml.safe_load(source.read_text("utf-8"))
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def twin_path(source: Path) -> Path:
    return source.with_suffix(".json")


def main() -> int:
    for name in SOURCES:
        source = REPO / name
        twin_path(source).write_text(twin_text(source), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
