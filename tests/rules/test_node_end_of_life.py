"""NG701 node-end-of-life: no shipped stage runs a Node.js line past end-of-life."""
import pytest

from nodeguard.findings import Severity

NOVEMBER_2026 = 'rules: {NG701: {options: {today: "2026-11-26"}}}\n'  # LTS: 26, 24, 22


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("node:16-alpine", "ships Node.js 16, end-of-life since 2023-09-11"),
        ("node:gallium", "ships Node.js 16 (`gallium` means 16 today), end-of-life since 2023-09-11"),
        ("node:14.21.3", "ships Node.js 14, end-of-life since 2023-04-30"),
        ("node:20-bookworm-slim", "ships Node.js 20, end-of-life since 2026-04-30"),
        ("node:25-alpine", "ships Node.js 25, end-of-life since 2026-06-01"),
        ("gcr.io/distroless/nodejs18-debian12", "ships Node.js 18, end-of-life since 2025-04-30"),
        ("gcr.io/distroless/nodejs:18", "ships Node.js 18"),
        ("cgr.dev/chainguard/node:18", "ships Node.js 18"),
        ("registry.access.redhat.com/ubi8/nodejs-16", "ships Node.js 16"),
        ("node:carbon", "ships Node.js 8"),
        ("node:6.9.2-nano", "ships Node.js 6"),  # an unknown variant, but the version is plain
    ],
)
def test_end_of_life_lines_are_errors(lint, base, expected):
    [finding] = lint(f"FROM {base}\n", policy=NOVEMBER_2026, rule="NG701").findings
    assert finding.severity == Severity.ERROR and finding.line == 1
    assert expected in finding.message
    assert finding.message.endswith("it gets no security fixes; move to an LTS line: 26, 24 or 22")


@pytest.mark.parametrize(
    "base",
    [
        "node:22-alpine",
        "node:lts-alpine",
        "node:jod",
        "node:26-slim",
        "gcr.io/distroless/nodejs24-debian12",
        "cgr.dev/chainguard/node:latest",
        "node@sha256:b2da3316acdc2bec442190a1fe10dc094e7ba4121d029cb32075ff59bb27390a",
        "node:${NODE_VERSION}",
        "acme/node:16",
    ],
)
def test_supported_and_unknown_lines_pass(lint, base):
    assert lint(f"FROM {base}\n", policy=NOVEMBER_2026, rule="NG701").findings == []


def test_the_schedule_is_read_for_the_day(lint):
    april = 'rules: {NG701: {options: {today: "2026-04-29"}}}\n'
    assert lint("FROM node:20-alpine\n", policy=april, rule="NG701").findings == []


def test_stages_the_final_image_copies_from_count(lint):
    dockerfile = (
        "FROM node:16 AS build\nRUN npm ci && npm run build\n"
        "FROM node:14 AS test\nRUN npm test\n"
        "FROM node:24-alpine\nCOPY --from=build /app/dist /app\n"
    )
    found = lint(dockerfile, policy=NOVEMBER_2026, rule="NG701").findings
    assert [f.line for f in found] == [1]  # the test stage is thrown away


def test_parents_of_the_final_stage_count_once(lint):
    dockerfile = "FROM node:18-alpine AS base\nFROM base AS deps\nFROM base\nCOPY --from=deps /app /app\n"
    assert [f.line for f in lint(dockerfile, policy=NOVEMBER_2026, rule="NG701").findings] == [1]


def test_arg_defaults_are_resolved(lint):
    dockerfile = "ARG NODE_VERSION=16.20.2\nFROM node:${NODE_VERSION}-alpine\n"
    [finding] = lint(dockerfile, policy=NOVEMBER_2026, rule="NG701").findings
    assert finding.line == 2 and "`node:16.20.2-alpine` ships Node.js 16" in finding.message
