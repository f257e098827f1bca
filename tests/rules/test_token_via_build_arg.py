"""NG1002 token-via-build-arg: an install that reads its registry token from an ARG."""
import pytest


def test_install_reading_an_arg_named_in_the_run(lint):
    text = ('FROM node:22 AS build\nARG NPM_TOKEN\n'
            'RUN echo "//registry.npmjs.org/:_authToken=$NPM_TOKEN" > .npmrc && npm ci && rm .npmrc\n'
            "FROM node:22-alpine\n")
    [finding] = lint(text, rule="NG1002").findings
    assert finding.line == 3 and finding.severity.label == "warning"
    assert finding.message.startswith("`npm ci` reads its registry token from build argument `NPM_TOKEN`")
    assert "`RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci`" in finding.message
    assert "docker build --secret id=npm_token,env=NPM_TOKEN" in finding.message


def test_copied_npmrc_that_refers_to_the_arg(lint):
    text = "FROM node:22-alpine\nARG GH_PACKAGES\nWORKDIR /app\nCOPY package.json .npmrc ./\nRUN npm ci --omit=dev\n"
    files = {".npmrc": "//npm.pkg.github.com/:_authToken=${GH_PACKAGES}\n"}
    [finding] = lint(text, files=files, rule="NG1002").findings
    assert finding.line == 5 and "build argument `GH_PACKAGES`" in finding.message


def test_npmrc_brought_by_copy_dot(lint):
    text = "FROM node:22-alpine AS build\nARG NPM_TOKEN\nCOPY . .\nRUN yarn install --frozen-lockfile\nFROM node:22-alpine\nCOPY --from=build /app /app\n"
    files = {".npmrc": "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n"}
    assert [f.line for f in lint(text, files=files, rule="NG1002").findings] == [4]


def test_unreadable_copied_npmrc_with_a_secret_arg(lint):
    text = "FROM node:22-alpine AS build\nARG NODE_AUTH_TOKEN\nCOPY .npmrc ./\nRUN pnpm install --frozen-lockfile\nFROM node:22-alpine\nCOPY --from=build /app /app\n"
    [finding] = lint(text, rule="NG1002").findings
    assert "`pnpm install --frozen-lockfile`" in finding.message and "`NODE_AUTH_TOKEN`" in finding.message


def test_variables_the_manager_reads_by_itself(lint):
    text = "FROM node:22-alpine AS build\nARG YARN_NPM_AUTH_TOKEN\nRUN yarn install --immutable\nFROM node:22-alpine\nCOPY --from=build /app /app\n"
    assert len(lint(text, rule="NG1002").findings) == 1


@pytest.mark.parametrize("text", [
    "FROM node:22-alpine\nARG NPM_TOKEN\nRUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci\n",
    "FROM node:22-alpine\nARG NODE_VERSION=22\nRUN echo $NODE_VERSION && npm ci\n",
    "FROM node:22-alpine\nARG NPM_TOKEN\nRUN npm run build\n",
    "FROM node:22-alpine\nARG NPM_TOKEN\nRUN npm ci\n",  # nothing reads it
    "FROM node:22-alpine\nARG YARN_NPM_AUTH_TOKEN\nRUN npm ci\n",  # npm does not read Yarn's variable
])
def test_fine(lint, text):
    assert lint(text, rule="NG1002").findings == []


def test_npmrc_without_reference_is_fine(lint):
    text = "FROM node:22-alpine\nARG NPM_TOKEN\nCOPY .npmrc ./\nRUN npm ci\n"
    assert lint(text, files={".npmrc": "legacy-peer-deps=true\n"}, rule="NG1002").findings == []


def test_in_the_shipped_image_a_secret_looking_arg_is_ng801s_finding_which_names_the_install(lint):
    text = "FROM node:22-alpine\nARG NPM_TOKEN\nCOPY . .\nRUN yarn install --frozen-lockfile\n"
    files = {".npmrc": "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n"}
    linted = lint(text, files=files)
    assert linted.of("NG1002") == [] and linted.of("NG802") == []
    [arg] = linted.of("NG801")
    assert arg.line == 2 and "`yarn install --frozen-lockfile` on line 4 reads it as its registry token" in arg.message


def test_a_build_argument_token_written_to_npmrc_is_one_finding(lint):
    text = ('FROM node:22-alpine\nARG NPM_TOKEN\n'
            'RUN echo "//registry.npmjs.org/:_authToken=$NPM_TOKEN" > .npmrc && npm ci\n')
    linted = lint(text)
    assert linted.of("NG801") == [] and linted.of("NG1002") == []
    [written] = linted.of("NG802")
    assert written.line == 3 and "the token comes from build argument `NPM_TOKEN`" in written.message


def test_a_token_argument_that_does_not_look_secret_stays_ng1002s(lint):
    text = "FROM node:22-alpine\nARG GH_PACKAGES\nCOPY .npmrc ./\nRUN npm ci\n"
    linted = lint(text, files={".npmrc": "//npm.pkg.github.com/:_authToken=${GH_PACKAGES}\n"})
    assert [f.line for f in linted.of("NG1002")] == [4] and linted.of("NG801") == []
