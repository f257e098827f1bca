"""NG204 deprecated-only-production: npm's --only=production / --production, with the --omit=dev fix."""
import pytest

from nodeguard.findings import Severity


@pytest.mark.parametrize(
    "run, written",
    [
        ("npm ci --only=production", "--only=production"),
        ("npm ci --only=prod", "--only=prod"),
        ("npm ci --only production", "--only=production"),
        ("npm install --production", "--production"),
        ("npm prune --production", "--production"),
        ("npm ci --only=dev", "--only=dev"),
    ],
)
def test_deprecated_options_are_info(lint, run, written):
    [found] = lint(f"FROM node:22-alpine\nRUN {run}\n", rule="NG204").findings
    assert (found.line, found.severity) == (2, Severity.INFO)
    assert found.message.startswith(f"`{written}` in `{run}` is deprecated; use `--omit")


@pytest.mark.parametrize(
    "run",
    [
        "npm ci --omit=dev",
        "npm ci",
        "yarn install --frozen-lockfile --production",  # Yarn's own option is current
        "pnpm install --frozen-lockfile --prod",
        "npm run build --production",  # not an install
    ],
)
def test_current_options_pass(lint, run):
    assert lint(f"FROM node:22-alpine\nRUN {run}\n", rule="NG204").findings == []


@pytest.mark.parametrize(
    "before, after",
    [
        ("RUN npm ci --only=production\n", "RUN npm ci --omit=dev\n"),
        ("RUN npm ci --only prod && npm cache clean --force\n", "RUN npm ci --omit=dev && npm cache clean --force\n"),
        ("RUN npm ci \\\n    --production \\\n    --no-audit\n", "RUN npm ci \\\n    --omit=dev \\\n    --no-audit\n"),
        # the cheat sheet's install with a secret mount
        ("RUN --mount=type=secret,mode=0644,id=npmrc,target=/app/.npmrc npm ci --only=production\n",
         "RUN --mount=type=secret,mode=0644,id=npmrc,target=/app/.npmrc npm ci --omit=dev\n"),
    ],
)
def test_fix_replaces_the_option(lint, before, after):
    texts, relinted = lint.fix("FROM node:22-alpine\n" + before, rule="NG204")
    assert texts["Dockerfile"] == "FROM node:22-alpine\n" + after
    assert relinted.of("NG204") == []


def test_dev_only_has_no_fix(lint):
    [found] = lint("FROM node:22-alpine\nRUN npm ci --only=dev\n", rule="NG204").findings
    assert found.fix is None and "use `--omit`/`--include`" in found.message


@pytest.mark.parametrize(
    "dockerfile",
    [
        "FROM node:14-alpine\nRUN npm ci --only=production\n",
        "FROM node:12.18.3-alpine AS base\nFROM base AS release\nRUN npm install --production\n",
        "FROM node:carbon\nRUN npm install --only=production\n",  # carbon is Node.js 8
        "ARG NODE_VERSION=14\nFROM node:${NODE_VERSION}-alpine\nRUN npm prune --production\n",
    ],
)
def test_npm_6_of_old_lines_has_no_omit(lint, dockerfile):
    # Node.js 14 and older bundle npm 6, which does not know --omit: there --production is the option,
    # and --omit=dev would be ignored (the devDependencies installed after all).
    assert lint(dockerfile, rule="NG204").findings == []


@pytest.mark.parametrize(
    "dockerfile",
    [
        "FROM node:16-alpine\nRUN npm ci --only=production\n",  # npm 8
        "FROM node:14-alpine\nRUN npm install -g npm@8 && npm ci --only=production\n",  # npm upgraded first
        "FROM node:14-alpine\nRUN npm i -g npm\nRUN npm ci --production\n",
        "FROM node:alpine\nRUN npm ci --production\n",  # a moving tag: today's line
        "FROM myorg/node-base:1\nRUN npm ci --production\n",  # unknown image: the npm is unknown
    ],
)
def test_npm_7_or_unknown_is_reported(lint, dockerfile):
    assert len(lint(dockerfile, rule="NG204").findings) == 1
