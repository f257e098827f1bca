"""``nodeguard init``: a starter policy (with its schema, for YAML editors) and a workflow that runs the
action. Files that exist are left as they are."""
from __future__ import annotations

import json
from pathlib import Path

POLICY = ".github/nodeguard.yml"
SCHEMA = ".github/nodeguard.schema.json"
WORKFLOW = ".github/workflows/nodeguard.yml"

STARTER_POLICY = """\
# yaml-language-server: $schema=./nodeguard.schema.json
# nodeguard's policy for this repository; every key is in nodeguard's docs/policy.md.
extends: recommended          # or strict
fail-on: error                # error | warning | info | never
# exclude: ["legacy/**"]      # files a folder walk skips (a file named on the command line is still checked)
# rules:
#   NG102: error              # a severity, or off
#   NG504: {options: {init-provided: true}}   # the app runs with docker run --init
"""

STARTER_WORKFLOW = """\
name: nodeguard
on:
  pull_request:
  push:
    branches: [main]

permissions:
  contents: read
  pull-requests: write   # the review with inline comments
  checks: write          # the check run

concurrency:             # a new push cancels the run of the commit it replaces
  group: nodeguard-${{ github.event.pull_request.number || github.ref }}
  cancel-in-progress: true

jobs:
  dockerfiles:   # the check to require is the check run "nodeguard", not this job
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          # the head commit, so that nodeguard can read each build context from the workspace
          ref: ${{ github.event.pull_request.head.sha || github.sha }}
          persist-credentials: false
      - uses: nodeguard/nodeguard@v1   # fails on what nodeguard.yml's fail-on says
"""


def starter_files() -> dict[str, str]:
    from nodeguard.policy.schema import policy_schema

    return {
        POLICY: STARTER_POLICY,
        SCHEMA: json.dumps(policy_schema(), indent=2) + "\n",
        WORKFLOW: STARTER_WORKFLOW,
    }


def write_starter_files(root: Path) -> list[tuple[str, bool]]:
    """Each starter file under ``root`` and whether it was written (False: it existed, and still does as
    it was). A link where a file would go counts as existing: nothing is written through it."""
    outcome = []
    for name, text in starter_files().items():
        target = root / name
        if target.exists() or target.is_symlink():
            outcome.append((name, False))
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "x", encoding="utf-8") as handle:  # "x": never replaces a file made meanwhile
            handle.write(text)
        outcome.append((name, True))
    return outcome
