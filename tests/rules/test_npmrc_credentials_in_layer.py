"""NG802 npmrc-credentials-in-layer: a token written to .npmrc/.yarnrc in a RUN of the shipped image."""
import pytest

HEAD = "FROM node:22-alpine\nARG NPM_TOKEN\nWORKDIR /app\n"


@pytest.mark.parametrize("run", [
    'RUN echo "//registry.npmjs.org/:_authToken=$NPM_TOKEN" > .npmrc && npm ci',
    'RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" >> ~/.npmrc',
    'RUN printf "//registry.npmjs.org/:_authToken=%s\\n" "$NPM_TOKEN" >> ~/.npmrc',
    'RUN npm config set //registry.npmjs.org/:_authToken $NPM_TOKEN',
    'RUN npm config set "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" && npm ci',
    'RUN npm config set _authToken $NPM_TOKEN',
    'RUN pnpm config set //registry.npmjs.org/:_authToken "$NPM_TOKEN"',
    'RUN yarn config set npmAuthToken "$NPM_TOKEN"',
    'RUN echo "//npm.pkg.github.com/:_authToken=$NPM_TOKEN" | tee .npmrc',
    'RUN echo "//registry.npmjs.org/:_authToken=npm_abcdef" > .npmrc',
])
def test_writing_a_token_is_reported(lint, run):
    [finding] = lint(HEAD + run + "\n", rule="NG802").findings
    assert finding.line == 4 and finding.severity.label == "error"
    assert "writes a registry token into" in finding.message and "stays in this layer" in finding.message
    assert "--mount=type=secret" in finding.message


def test_npmrc_mount_form_uses_the_workdir(lint):
    [finding] = lint(HEAD + 'RUN echo "//r/:_authToken=$NPM_TOKEN" > .npmrc\n', rule="NG802").findings
    assert "`RUN --mount=type=secret,id=npmrc,target=/app/.npmrc npm ci`" in finding.message


def test_yarn_gets_the_yarn_mount_form(lint):
    [finding] = lint(HEAD + 'RUN yarn config set npmAuthToken "$NPM_TOKEN"\n', rule="NG802").findings
    assert "~/.yarnrc.yml" in finding.message and "env=YARN_NPM_AUTH_TOKEN yarn install --immutable" in finding.message


def test_heredoc_with_a_token_is_reported(lint):
    text = HEAD + "RUN cat <<EOF > .npmrc\n//registry.npmjs.org/:_authToken=${NPM_TOKEN}\nEOF\n"
    [finding] = lint(text, rule="NG802").findings
    assert finding.line == 4 and finding.end_line == 6


def test_quoted_heredoc_keeps_a_reference_and_is_fine(lint):
    text = HEAD + "RUN cat <<'EOF' > .npmrc\n//registry.npmjs.org/:_authToken=${NPM_TOKEN}\nEOF\n"
    assert lint(text, rule="NG802").findings == []


def test_removed_in_the_same_run_still_leaks_through_history(lint):
    text = HEAD + 'RUN echo "//r/:_authToken=$NPM_TOKEN" > .npmrc && npm ci && rm -f .npmrc\n'
    [finding] = lint(text, rule="NG802").findings
    assert "deletes it before it ends" in finding.message and "docker history" in finding.message


def test_removed_in_a_later_run_is_reported_on_the_writing_run(lint):
    text = HEAD + 'RUN echo "//r/:_authToken=$NPM_TOKEN" > .npmrc && npm ci\nRUN rm -f .npmrc\n'
    [finding] = lint(text, rule="NG802").findings
    assert finding.line == 4 and "even if a later RUN deletes it" in finding.message


@pytest.mark.parametrize("run", [
    "RUN echo '//registry.npmjs.org/:_authToken=${NPM_TOKEN}' > .npmrc",  # a reference npm expands later
    'RUN echo "//registry.npmjs.org/:_authToken=\\${NPM_TOKEN}" > .npmrc',
    'RUN echo "registry=https://npm.example.com" > .npmrc',
    "RUN npm config set registry https://npm.example.com",
    'RUN --mount=type=secret,id=npm,env=T echo "//r/:_authToken=$T" > .npmrc && npm ci && rm .npmrc',
    'RUN echo "_authToken" > notes.txt',
])
def test_harmless_writes_are_fine(lint, run):
    assert lint(HEAD + run + "\n", rule="NG802").findings == []


def test_a_build_stage_is_not_shipped(lint):
    text = (HEAD.replace("alpine", "alpine AS build") + 'RUN echo "//r/:_authToken=$NPM_TOKEN" > .npmrc && npm ci\n'
            "FROM node:22-alpine\nCOPY --from=build /app/node_modules ./node_modules\n")
    assert lint(text, rule="NG802").findings == []
