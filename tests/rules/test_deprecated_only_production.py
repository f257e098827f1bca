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
