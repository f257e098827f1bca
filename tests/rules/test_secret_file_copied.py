"""NG1001 secret-file-copied: COPY/ADD of an .npmrc or .yarnrc.yml that holds a token."""
import pytest

TOKEN_NPMRC = "//registry.npmjs.org/:_authToken=npm_abc123\n"


@pytest.mark.parametrize("copy", ["COPY .npmrc .", "COPY package.json .npmrc ./", "ADD package.json .npmrc* ./",
                                  "COPY --chown=node:node ./.npmrc ./", 'COPY [".npmrc", "./"]'])
def test_copy_of_an_npmrc_with_a_token(lint, copy):
    text = f"FROM node:22-alpine AS build\nWORKDIR /app\n{copy}\nFROM node:22-alpine\n"
    [finding] = lint(text, files={".npmrc": TOKEN_NPMRC}, rule="NG1001").findings
    assert finding.line == 3 and finding.severity.label == "error"
    assert "copies a registry token into a layer" in finding.message
    assert "`RUN --mount=type=secret,id=npmrc,target=/app/.npmrc npm ci`" in finding.message


def test_yarnrc_yml_with_a_token_gets_the_yarn_form(lint):
    files = {".yarnrc.yml": "npmAuthToken: abc\nnodeLinker: node-modules\n"}
    [finding] = lint("FROM node:22-alpine\nCOPY .yarnrc.yml ./\n", files=files, rule="NG1001").findings
    assert "env=YARN_NPM_AUTH_TOKEN yarn install --immutable" in finding.message


def test_a_renamed_copy_counts(lint):
    text = "FROM node:22-alpine\nCOPY .npmrc-ci .npmrc\n"
    assert len(lint(text, files={".npmrc-ci": TOKEN_NPMRC}, rule="NG1001").findings) == 1


def test_unreadable_file_is_info(lint):
    [finding] = lint("FROM node:22-alpine\nCOPY .npmrc ./\n", rule="NG1001").findings
    assert finding.severity.label == "info" and "if it holds a registry token" in finding.message


@pytest.mark.parametrize("name, content", [
    (".npmrc", "legacy-peer-deps=true\nengine-strict=true\n"),
    (".npmrc", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n"),
    (".yarnrc.yml", "nodeLinker: node-modules\nyarnPath: .yarn/releases/yarn-4.1.0.cjs\n"),
    (".yarnrc.yml", 'npmAuthToken: "${NPM_TOKEN}"\n'),
])
def test_files_without_a_stored_token_are_fine(lint, name, content):
    assert lint(f"FROM node:22-alpine\nCOPY {name} ./\n", files={name: content}, rule="NG1001").findings == []


def test_whole_context_copy_is_left_to_ng904(lint):
    assert lint("FROM node:22-alpine\nCOPY . .\n", files={".npmrc": TOKEN_NPMRC}, rule="NG1001").findings == []
