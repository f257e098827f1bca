"""NG101 base-image-tag: no tag or `latest` is an error; a tag left unresolved by ARGs is info."""
import pytest

from nodeguard.findings import Severity

DIGEST = "sha256:b2da3316acdc2bec442190a1fe10dc094e7ba4121d029cb32075ff59bb27390a"


@pytest.mark.parametrize(
    "dockerfile",
    [
        "FROM node\n",
        "FROM node:latest\n",
        "FROM docker.io/library/node\n",
        "FROM --platform=linux/amd64 node\n",
        "ARG TAG=latest\nFROM node:${TAG}\n",
        "FROM gcr.io/distroless/nodejs\n",  # the old unversioned distroless name says nothing of the line
    ],
)
def test_no_tag_or_latest_is_an_error(lint, dockerfile):
    found = lint(dockerfile, rule="NG101").findings
    assert [(f.line, f.severity) for f in found] == [(len(dockerfile.splitlines()), Severity.ERROR)]


def test_messages_name_the_image(lint):
    [untagged] = lint("FROM node\n", rule="NG101").findings
    assert "`node` has no tag, so it means `node:latest`" in untagged.message
    [latest] = lint("FROM ghcr.io/acme/node:latest AS build\nFROM node:22-alpine\n", rule="NG101").findings
    assert latest.line == 1 and "`ghcr.io/acme/node:latest` uses the `latest` tag" in latest.message


@pytest.mark.parametrize(
    "dockerfile",
    [
        "FROM node:22-alpine\n",
        "FROM node:22.11.0-bookworm-slim\n",
        "FROM --platform=$BUILDPLATFORM node:22-alpine AS build\nFROM node:22-alpine\n",
        "FROM node:22-alpine@sha256:b2da3316acdc2bec442190a1fe10dc094e7ba4121d029cb32075ff59bb27390a\n",
        "FROM node:iron-alpine\n",  # an LTS codename names one line for good
        f"FROM node:lts-alpine@{DIGEST}\n",  # the cheat sheet's own form
        f"FROM node:lts@{DIGEST}\n",
        "FROM node:hydrogen\n",
        "FROM scratch\n",
        # ARG defaults are substituted, globally and from the ARG before the FROM
        "ARG NODE_VERSION=22\nFROM node:${NODE_VERSION}-alpine\n",
        "ARG NODE_VERSION=22.11.0\nARG VARIANT=alpine\nFROM node:$NODE_VERSION-$VARIANT\n",
        "ARG BASE=node:22-alpine\nFROM ${BASE}\n",
        # the Node.js line is in the name and distroless/UBI publish no version tags: as precise as node:22
        "FROM gcr.io/distroless/nodejs22-debian12\n",
        "FROM gcr.io/distroless/nodejs24-debian13:latest\n",
        "FROM registry.access.redhat.com/ubi9/nodejs-22\n",
    ],
)
def test_tagged_images_pass(lint, dockerfile):
    assert lint(dockerfile, rule="NG101").findings == []


def test_a_digest_without_tag_is_a_warning(lint):
    digest = "sha256:b2da3316acdc2bec442190a1fe10dc094e7ba4121d029cb32075ff59bb27390a"
    [finding] = lint(f"FROM node@{digest}\n", rule="NG101").findings
    assert finding.severity == Severity.WARNING
    assert f"`node@{digest}` is pinned by digest but names no tag" in finding.message
    assert f"`node:<tag>@{digest}`" in finding.message


def test_stage_references_are_not_images(lint):
    dockerfile = "FROM node:22-alpine AS build\nRUN true\nFROM build AS test\nFROM BUILD\n"
    assert lint(dockerfile, rule="NG101").findings == []


def test_every_stage_is_checked(lint):
    dockerfile = "FROM node AS deps\nFROM node:22 AS build\nFROM node:latest\n"
    assert [f.line for f in lint(dockerfile, rule="NG101").findings] == [1, 3]


@pytest.mark.parametrize(
    "dockerfile",
    [
        "ARG NODE_VERSION\nFROM node:${NODE_VERSION}\n",
        "FROM node:${NODE_VERSION}-alpine\n",
    ],
)
def test_an_unresolved_tag_is_reported_once_as_info(lint, dockerfile):
    [finding] = lint(dockerfile, rule="NG101").findings
    assert finding.severity == Severity.INFO and finding.line == len(dockerfile.splitlines())
    assert "depends on a build argument without a default" in finding.message


def test_a_multi_line_from_spans_its_lines(lint):
    [finding] = lint("FROM \\\n  node:latest \\\n  AS build\n", rule="NG101").findings
    assert (finding.line, finding.end_line) == (1, 3)


@pytest.mark.parametrize(
    ("tag", "suggested"),
    [("alpine", "<version>-alpine"), ("slim", "<version>-slim"), ("bookworm", "<version>-bookworm"),
     ("bookworm-slim", "<version>-bookworm-slim"), ("lts-alpine", "<version>-alpine"), ("lts", "<version>"),
     ("current-slim", "<version>-slim"), ("current", "<version>"), ("alpine3.20", "<version>-alpine3.20")],
)
def test_tags_without_a_node_version_move_like_latest(lint, tag, suggested):
    [finding] = lint(f"FROM node:{tag}\n", rule="NG101").findings
    assert finding.severity == Severity.ERROR
    assert f"`node:{tag}` names no Node.js version" in finding.message
    assert f"`node:{suggested}`" in finding.message


@pytest.mark.parametrize(
    ("tag", "suggested"),
    [("latest", "<version>"), ("alpine", "<version>-alpine"), ("current", "<version>"),
     ("current-slim", "<version>-slim")],
)
def test_a_moving_tag_pinned_by_digest_is_only_a_warning(lint, tag, suggested):
    digest = "sha256:b2da3316acdc2bec442190a1fe10dc094e7ba4121d029cb32075ff59bb27390a"
    [finding] = lint(f"FROM node:{tag}@{digest}\n", rule="NG101").findings
    assert finding.severity == Severity.WARNING
    assert f"`node:{tag}@{digest}` is pinned by its digest" in finding.message
    assert f"`node:{suggested}@{digest}`" in finding.message
