"""NG701 node-end-of-life: no shipped stage runs a Node.js line past end-of-life."""
import pytest

from nodeguard.findings import Severity

NOVEMBER_2026 = 'rules: {NG701: {options: {today: "2026-11-26"}}}\n'  # LTS: 26, 24, 22


def eol(lint, dockerfile):
    """NG701's findings on ``dockerfile``, judged on 2026-11-26."""
    return lint(dockerfile, policy=NOVEMBER_2026, rule="NG701").findings


def assert_one_error(findings, line, expected):
    [finding] = findings
    assert finding.severity == Severity.ERROR and finding.line == line
    assert expected in finding.message
    assert finding.message.endswith("it gets no security fixes; move to an LTS line: 26, 24 or 22")


BASES_PAST_END_OF_LIFE = [
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
]

RUNS_OF_END_OF_LIFE_LINES = [
    ("RUN curl -fsSL https://deb.nodesource.com/setup_18.x | bash - && apt-get install -y nodejs",
     "NodeSource's `setup_18.x` installs Node.js 18, end-of-life since 2025-04-30"),
    ("RUN curl -sL https://rpm.nodesource.com/setup_16.x | bash - && yum install -y nodejs",
     "NodeSource's `setup_16.x` installs Node.js 16"),
    ('RUN echo "deb https://deb.nodesource.com/node_14.x bullseye main" > /etc/apt/sources.list.d/n.list'
     " && apt-get update && apt-get install -y nodejs",
     "NodeSource's `node_14.x` installs Node.js 14"),
    ("RUN curl https://deb.nodesource.com/node_6.x/pool/main/n/nodejs/nodejs_6.7.0-1nodesource1~jessie1_amd64.deb"
     " > node.deb && dpkg -i node.deb",
     "NodeSource's `node_6.x` installs Node.js 6"),
    ("RUN npm install -g n && n 16", "`n 16` installs Node.js 16, end-of-life since 2023-09-11"),
    ("RUN n install 14.21.3", "`n install 14.21.3` installs Node.js 14"),
    ('RUN bash -c "source $NVM_DIR/nvm.sh && nvm install 16"', "`nvm install 16` installs Node.js 16"),
    ("RUN . ~/.nvm/nvm.sh && nvm install lts/gallium",
     "`nvm install lts/gallium` installs Node.js 16 (`lts/gallium` means 16 today)"),
    ("RUN volta install node@14", "`volta install node@14` installs Node.js 14"),
    ("RUN fnm install v12.22.12", "`fnm install v12.22.12` installs Node.js 12"),
    ("RUN curl -fsSLO https://nodejs.org/dist/v16.20.2/node-v16.20.2-linux-x64.tar.xz"
     " && tar -xJf node-v16.20.2-linux-x64.tar.xz -C /usr/local --strip-components=1",
     "the official `node-v16.20.2-linux-x64.tar.xz` installs Node.js 16"),
]


@pytest.mark.parametrize(
    ("dockerfile", "expected"),
    [(f"FROM {base}", expected) for base, expected in BASES_PAST_END_OF_LIFE]
    + [(f"FROM ubuntu:22.04\n{run}", expected) for run, expected in RUNS_OF_END_OF_LIFE_LINES],
)
def test_end_of_life_lines_are_errors(lint, dockerfile, expected):
    """A base image's line at its FROM, a line a RUN installs at that RUN."""
    line = dockerfile.count("\n") + 1
    assert_one_error(eol(lint, f"{dockerfile}\nCMD [\"node\", \"index.js\"]\n"), line, expected)


BASES_THAT_PASS = [
    "node:22-alpine",
    "node:lts-alpine",
    "node:jod",
    "node:26-slim",
    "gcr.io/distroless/nodejs24-debian12",
    "cgr.dev/chainguard/node:latest",
    "node@sha256:b2da3316acdc2bec442190a1fe10dc094e7ba4121d029cb32075ff59bb27390a",
    "node:${NODE_VERSION}",
    "acme/node:16",
]

RUNS_THAT_PASS = [
    "RUN curl -fsSL https://deb.nodesource.com/setup_24.x | bash - && apt-get install -y nodejs",
    "RUN curl -fsSL https://deb.nodesource.com/setup_lts.x | bash - && apt-get install -y nodejs",
    "RUN curl -fsSL https://deb.nodesource.com/setup_current.x | bash - && apt-get install -y nodejs",
    "RUN curl -fsSL https://deb.nodesource.com/setup_16.x | bash -",  # the repository, but no nodejs from it
    "RUN nvm install --lts && nvm use 16",
    "RUN nvm install $UNSET_VERSION",
    "RUN n lts",
    "RUN fnm install --lts",
    "RUN volta install node@24 yarn@1",
    "RUN volta install yarn@1.22.19",
    "RUN curl -fsSLO https://nodejs.org/dist/v16.20.2/SHASUMS256.txt",
    "RUN curl -fsSLO https://nodejs.org/dist/v24.11.1/node-v24.11.1-linux-x64.tar.xz",
    "RUN apt-get install -y nodejs",  # the distribution's own package: not judged
    "RUN apt-get install -y nodejs && curl -fsSL https://deb.nodesource.com/setup_16.x | bash -",
    "RUN n rm 16 && n prune",
    "RUN n run 16 --version",
    "RUN volta install node",
    "RUN curl -fsSLO https://nodejs.org/dist/v16.20.12/node-v16.20.12-headers.tar.gz",
]


@pytest.mark.parametrize(
    "dockerfile",
    [f"FROM {base}" for base in BASES_THAT_PASS] + [f"FROM ubuntu:22.04\n{run}" for run in RUNS_THAT_PASS],
)
def test_supported_unknown_and_other_lines_pass(lint, dockerfile):
    assert eol(lint, f"{dockerfile}\n") == []


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


@pytest.mark.parametrize(
    ("dockerfile", "line", "expected"),
    [
        (  # an image three shipped stages build on: once, at its first FROM
            "FROM node:16-alpine AS deps\nRUN npm ci\n"
            "FROM node:16-alpine AS builder\nCOPY --from=deps /app/node_modules ./node_modules\nRUN npm run build\n"
            "FROM node:16-alpine\nCOPY --from=builder /app/dist ./dist\n",
            1, "end-of-life since 2023-09-11 (the same image is the base on lines 3, 6 too)",
        ),
        (  # NodeSource's repository and the install of nodejs from it: once, where the line is written
            "FROM ubuntu:jammy\nRUN apt-get update && apt-get install -y curl\n"
            "RUN curl -sL https://deb.nodesource.com/setup_18.x | bash\n"
            "RUN apt-get install -y nodejs\n",
            3, "NodeSource's `setup_18.x` installs Node.js 18 (`nodejs` on line 4)",
        ),
    ],
)
def test_one_cause_is_reported_once(lint, dockerfile, line, expected):
    assert_one_error(eol(lint, dockerfile), line, expected)


def test_distinct_images_of_one_line_are_each_reported(lint):
    dockerfile = "FROM node:16 AS build\nRUN npm ci\nFROM node:16-alpine\nCOPY --from=build /app /app\n"
    found = eol(lint, dockerfile)
    assert [f.line for f in found] == [1, 3] and "same image" not in found[0].message


def test_variables_feed_the_installed_version(lint):
    dockerfile = (
        "FROM debian:bookworm\nARG NODE_MAJOR=16\nENV NODE_VERSION=16.20.2\n"
        'RUN curl -fsSLO "https://nodejs.org/dist/v${NODE_VERSION}/node-v$NODE_VERSION-linux-x64.tar.xz"\n'
        "RUN curl -fsSL https://deb.nodesource.com/setup_${NODE_MAJOR}.x | bash - && apt-get install -y nodejs\n"
    )
    found = eol(lint, dockerfile)
    assert [f.line for f in found] == [4, 5]
    assert "`node-v16.20.2-linux-x64.tar.xz` installs Node.js 16" in found[0].message


def test_installs_of_stages_that_do_not_ship_are_not_judged(lint):
    dockerfile = (
        "FROM ubuntu:22.04 AS tools\nRUN nvm install 14\n"
        "FROM ubuntu:22.04 AS base\nRUN n 16\n"
        "FROM base AS build\nRUN npm ci\n"
        "FROM base\nCOPY --from=build /app /app\n"
    )
    found = eol(lint, dockerfile)
    assert [f.line for f in found] == [4]  # the base's install once, though two shipped stages build on it


def test_a_nodesource_repository_whose_nodejs_is_installed_in_a_stage_that_does_not_ship_passes(lint):
    dockerfile = (
        "FROM debian:bookworm AS base\nRUN curl -fsSL https://deb.nodesource.com/setup_16.x | bash -\n"
        "FROM base AS unused\nRUN apt-get install -y nodejs\n"
        "FROM base\nCMD [\"sh\"]\n"
    )
    assert eol(lint, dockerfile) == []

