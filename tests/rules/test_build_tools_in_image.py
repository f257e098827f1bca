"""NG803 build-tools-in-image: compilers and build tools left in the shipped image."""
import pytest


@pytest.mark.parametrize("run, names", [
    ("RUN apk add --no-cache python3 make g++", "`python3`, `make`, `g++`"),
    ("RUN apk add build-base=0.5-r3", "`build-base`"),
    ("RUN apt-get update && apt-get install -y --no-install-recommends build-essential python3", "`build-essential`, `python3`"),
    ("RUN apt install -y gcc", "`gcc`"),
    ("RUN dnf install -y gcc-c++ make", "`gcc-c++`, `make`"),
    ("RUN microdnf install cmake", "`cmake`"),
    ("RUN yum -y install gcc && npm ci && yum -y remove make", "`gcc`"),
])
def test_build_tools_left_installed_are_named(lint, run, names):
    [finding] = lint(f"FROM node:22-alpine\n{run}\n", rule="NG803").findings
    assert finding.line == 2 and finding.severity.label == "warning"
    assert f"leaves build tools in the shipped image: {names};" in finding.message


def test_only_the_packages_not_removed_are_named(lint):
    run = ("RUN apt-get install -y build-essential python3 && npm ci "
           "&& apt-get purge -y build-essential && apt-get autoremove -y")
    [finding] = lint(f"FROM node:22-slim\n{run}\n", rule="NG803").findings
    assert "`python3`;" in finding.message and "build-essential" not in finding.message.split(";")[0]


@pytest.mark.parametrize("run", [
    "RUN apk add --no-cache --virtual .build-deps python3 make g++ && npm ci && apk del .build-deps",
    "RUN apk add -t .gyp gcc g++ make python3 && npm ci && apk del .gyp",
    "RUN apt-get install -y g++ make python3 && npm ci && apt-get purge -y g++ make python3",
    "RUN apk add --no-cache dumb-init tini curl",
    "RUN savedAptMark=\"$(apt-mark showmanual)\"; apt-get install -y g++ make python3; npm ci; "
    "apt-mark auto '.*' > /dev/null; apt-get purge -y --auto-remove",  # the docker-library idiom
    "RUN apk add --no-cache git",  # git is only reported when the policy asks for "vcs"
])
def test_removed_in_the_same_run_or_not_build_tools_is_fine(lint, run):
    assert lint(f"FROM node:22-alpine\n{run}\n", rule="NG803").findings == []


def test_a_build_stage_may_have_compilers(lint):
    text = ("FROM node:22 AS build\nRUN apt-get install -y build-essential python3\n"
            "FROM node:22-alpine\nCOPY --from=build /app /app\n")
    assert lint(text, rule="NG803").findings == []


def test_a_parent_stage_of_the_final_stage_counts(lint):
    text = "FROM node:22-alpine AS base\nRUN apk add make\nFROM base\n"
    assert [f.line for f in lint(text, rule="NG803").findings] == [2]


def test_categories_option_adds_git(lint):
    policy = "rules:\n  NG803:\n    options:\n      categories: [compiler, vcs]\n"
    [finding] = lint("FROM node:22-alpine\nRUN apk add git make gcc\n", policy=policy, rule="NG803").findings
    assert "`git`, `gcc`;" in finding.message


def test_the_advice_uses_the_package_manager_of_the_image(lint):
    dockerfile = "FROM node:22-bookworm-slim\nRUN apt-get update && apt-get install -y build-essential python3\n"
    [finding] = lint(dockerfile, rule="NG803").findings
    assert "apt-get purge -y --auto-remove build-essential python3" in finding.message
    assert "apk" not in finding.message


def test_the_advice_on_alpine_is_a_virtual_package(lint):
    [finding] = lint("FROM node:22-alpine\nRUN apk add --no-cache python3 make g++\n", rule="NG803").findings
    assert "apk add --virtual .build-deps" in finding.message and "apt-get" not in finding.message


def test_the_categories_option_offers_exactly_the_categories_of_the_build_tools_table():
    import typing

    from nodeguard.node.packages import BUILD_TOOLS
    from nodeguard.rules import rule_by_id
    from nodeguard.rules.base import policy_options

    (kind,) = [kind for name, kind, *_ in policy_options(rule_by_id("NG803").options) if name == "categories"]
    category = typing.get_args(kind)[0]  # tuple[Literal, ...]
    assert set(typing.get_args(category)) == set(BUILD_TOOLS.values())


@pytest.mark.parametrize("run", [
    "RUN apt-get update && apt install -y curl jq nodejs npm python3 python3-pip && pip3 install awscli && npm ci",
    "RUN apk add --no-cache python3 py3-pip uv",
    "RUN apk add --no-cache python3 && python3 -m pip install --no-cache-dir yq",
])
def test_python_installed_to_run_python_tools_is_no_build_tool(lint, run):
    # With pip beside it, Python is what the image runs (the AWS CLI, uv's MCP servers), not node-gyp's.
    assert lint(f"FROM node:22-alpine\n{run}\nCMD [\"node\", \"server.js\"]\n", rule="NG803").findings == []


def test_python_with_pip_still_names_the_compilers(lint):
    run = "RUN apk add --no-cache python3 py3-pip make g++"
    [finding] = lint(f"FROM node:22-alpine\n{run}\n", rule="NG803").findings
    assert "build tools in the shipped image: `make`, `g++`;" in finding.message


def test_an_image_without_node_is_not_judged(lint):
    # A Python application image whose build stage only bundles the frontend: its compilers serve pip.
    text = ("FROM node:24-bookworm AS frontend\nRUN npm ci && npm run build\n"
            "FROM python:3.13-slim-bookworm\nRUN apt-get update && apt-get install -y build-essential g++\n"
            "COPY --from=frontend /app/dist /app/dist\nCMD [\"gunicorn\", \"app:app\"]\n")
    assert lint(text, rule="NG803").findings == []


def test_an_image_that_installs_node_itself_is_judged(lint):
    text = "FROM ubuntu:24.04\nRUN apt-get update && apt-get install -y nodejs npm build-essential && npm ci\n"
    [finding] = lint(text, rule="NG803").findings
    assert "`build-essential`" in finding.message
