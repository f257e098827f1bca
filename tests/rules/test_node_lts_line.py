"""NG104 node-lts-line: the shipped image runs a Node.js line that is LTS on the day of the run."""
import datetime

import pytest

from nodeguard.findings import Severity
from nodeguard.node import support

MARCH_2026 = 'rules: {NG104: {options: {today: "2026-03-01"}}}\n'  # LTS: 24, 22, 20; Current: 25
NOVEMBER_2026 = 'rules: {NG104: {options: {today: "2026-11-26"}}}\n'  # LTS: 26, 24, 22; 25 is end-of-life


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("node:25-alpine", "ships Node.js 25, a Current line that never becomes LTS (end-of-life 2026-06-01)"),
        ("node:25.6.1-bookworm-slim", "ships Node.js 25, a Current line"),
        ("node:current-alpine", "ships Node.js 25 (`current` means 25 today), a Current line"),
        ("node:26-alpine", "ships Node.js 26, which is not released yet (planned for 2026-05-05)"),
        ("cgr.dev/chainguard/node:latest", "ships Node.js 25 (`latest` means 25 today)"),
        ("gcr.io/distroless/nodejs25-debian12", "ships Node.js 25, a Current line"),
    ],
)
def test_lines_that_are_not_lts_are_reported(lint, base, expected):
    [finding] = lint(f"FROM {base}\n", policy=MARCH_2026, rule="NG104").findings
    assert finding.line == 1 and finding.severity == Severity.WARNING
    assert expected in finding.message
    assert finding.message.endswith("use an LTS line: 24, 22 or 20")


def test_an_even_line_is_reported_until_its_lts_date(lint):
    policy = 'rules: {NG104: {options: {today: "2026-06-01"}}}\n'
    [finding] = lint("FROM node:26-slim\n", policy=policy, rule="NG104").findings
    assert "a Current line until it becomes LTS on 2026-10-28" in finding.message
    assert lint("FROM node:26-slim\n", policy=NOVEMBER_2026, rule="NG104").findings == []


@pytest.mark.parametrize(
    "base",
    [
        "node:24-alpine",
        "node:lts-alpine",
        "node:krypton-slim",
        "node:22.11.0-bookworm-slim",  # maintenance LTS is supported
        "node:jod",
        "node:20-alpine",  # maintenance LTS until 2026-04-30
        "gcr.io/distroless/nodejs24-debian12:nonroot",
        "node:16-alpine",  # end-of-life: NG701's finding, not this one
        "node:6.9.2-nano",
        "node@sha256:b2da3316acdc2bec442190a1fe10dc094e7ba4121d029cb32075ff59bb27390a",
        "node:${NODE_VERSION}-alpine",
        "acme/node-runtime:25",
        "nginx:1.27-alpine",
    ],
)
def test_lts_lines_and_unknown_images_pass(lint, base):
    assert lint(f"FROM {base}\n", policy=MARCH_2026, rule="NG104").findings == []


def test_only_the_final_lineage_is_judged(lint):
    dockerfile = "FROM node:25 AS build\nRUN npm run build\nFROM node:24-alpine\nCOPY --from=build /app/dist /app\n"
    assert lint(dockerfile, policy=MARCH_2026, rule="NG104").findings == []
    inherited = "FROM node:25-alpine AS base\nFROM base\nCMD [\"node\", \"server.js\"]\n"
    assert [f.line for f in lint(inherited, policy=MARCH_2026, rule="NG104").findings] == [1]


def test_arg_defaults_are_resolved(lint):
    dockerfile = "ARG NODE_VERSION=25\nFROM node:${NODE_VERSION}-alpine\n"
    [finding] = lint(dockerfile, policy=MARCH_2026, rule="NG104").findings
    assert finding.line == 2 and "`node:25-alpine` ships Node.js 25" in finding.message


def test_without_the_option_the_day_of_the_run_is_used(lint, monkeypatch):
    class FixedDay(datetime.date):
        @classmethod
        def today(cls):
            return cls(2026, 3, 1)

    monkeypatch.setattr(support, "date", FixedDay)
    assert [f.rule for f in lint("FROM node:25-alpine\n", rule="NG104").findings] == ["NG104"]
    assert lint("FROM node:24-alpine\n", rule="NG104").findings == []
