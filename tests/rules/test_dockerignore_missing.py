"""NG901 dockerignore-missing: no .dockerignore where the context is copied whole."""
import pytest


@pytest.mark.parametrize("copy", ["COPY . .", "COPY . /app", "COPY ./ ./", "ADD . .", "COPY --chown=node:node . /usr/src/app",
                                  'COPY [".", "/app"]'])
def test_whole_context_copy_without_ignore_file(lint, copy):
    [finding] = lint(f"FROM node:22-alpine\nWORKDIR /app\n{copy}\n", rule="NG901").findings
    assert finding.line == 3 and finding.severity.label == "warning" and finding.fix is None
    assert "there is no .dockerignore" in finding.message
    assert "create .dockerignore with: node_modules, .git, .env, .npmrc, npm-debug.log" in finding.message


def test_whole_copy_in_a_build_stage_counts(lint):
    text = "FROM node:22 AS build\nCOPY . .\nFROM node:22-alpine\nCOPY --from=build /app/dist ./dist\n"
    assert [f.line for f in lint(text, rule="NG901").findings] == [2]


def test_nested_packages_ask_for_every_node_modules(lint):
    files = {"package.json": '{"workspaces": ["packages/*"]}'}
    [finding] = lint("FROM node:22-alpine\nCOPY . .\n", files=files, rule="NG901").findings
    assert "with: **/node_modules, .git" in finding.message


@pytest.mark.parametrize("files", [{".dockerignore": "node_modules\n"}, {"Dockerfile.dockerignore": "node_modules\n"}])
def test_an_ignore_file_is_enough(lint, files):
    assert lint("FROM node:22-alpine\nCOPY . .\n", files=files, rule="NG901").findings == []


@pytest.mark.parametrize("copy", ["COPY package*.json ./", "COPY src ./src", "COPY --from=build /app .",
                                  "ADD https://example.com/a.tgz /tmp/"])
def test_partial_copies_are_fine(lint, copy):
    assert lint(f"FROM node:22-alpine\n{copy}\n", rule="NG901").findings == []


def test_strict_makes_it_an_error():
    from nodeguard.findings import Severity
    from nodeguard.rules import rule_by_id

    assert rule_by_id("NG901").strict_severity == Severity.ERROR


@pytest.mark.parametrize("name", [".Dockerignore", ". dockerignore", "dockerignore", ".dockerignore.txt", ".dockerignore "])
def test_a_misnamed_ignore_file_is_named(lint, name):
    files = {name: "node_modules\n.git\n"}
    [finding] = lint("FROM node:22-alpine\nCOPY . .\n", files=files, rule="NG901").findings
    assert f"`{name}` is there, but Docker reads only `.dockerignore`" in finding.message, finding.message
    assert finding.message.endswith("rename it to .dockerignore and add: .env, .npmrc, npm-debug.log")
    assert "there is no .dockerignore" not in finding.message
    assert ("case-insensitive" in finding.message) == (name == ".Dockerignore")


def test_a_misnamed_ignore_file_that_lists_everything_needs_only_its_name(lint):
    files = {"dockerignore": "node_modules\n.git\n.env\n.npmrc\n*.log\n"}
    [finding] = lint("FROM node:22-alpine\nCOPY . .\n", files=files, rule="NG901").findings
    assert finding.message.endswith("rename it to .dockerignore")


@pytest.mark.parametrize("name", ["dockerignore.md", "src/.dockerignore.txt", ".dockerignore.example", "Dockerfile"])
def test_other_files_are_not_taken_for_a_misnamed_ignore_file(lint, name):
    [finding] = lint("FROM node:22-alpine\nCOPY . .\n", files={name: "x\n"}, rule="NG901").findings
    assert "there is no .dockerignore" in finding.message
