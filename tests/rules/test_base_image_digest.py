"""NG102 base-image-digest: every external base image is pinned by @sha256: digest."""
import pytest

from nodeguard.findings import Severity

DIGEST = "sha256:b2da3316acdc2bec442190a1fe10dc094e7ba4121d029cb32075ff59bb27390a"


@pytest.mark.parametrize(
    ("dockerfile", "lines"),
    [
        ("FROM node:22-alpine\n", [1]),
        ("FROM node:latest AS build\nRUN npm ci\nFROM node:22-alpine\n", [1, 3]),
        ("FROM --platform=$BUILDPLATFORM node:22 AS build\nFROM gcr.io/distroless/nodejs22-debian12\n", [1, 2]),
        ("ARG NODE_VERSION=22\nFROM node:${NODE_VERSION}-alpine\n", [2]),
    ],
)
def test_images_without_digest_are_reported(lint, dockerfile, lines):
    found = lint(dockerfile, rule="NG102").findings
    assert [f.line for f in found] == lines
    assert all(f.severity == Severity.WARNING and f.fix is None for f in found)


def test_message_shows_how_to_get_the_digest(lint):
    [finding] = lint("ARG V=22\nFROM node:${V}-alpine\n", rule="NG102").findings
    assert "`node:22-alpine` is not pinned by digest" in finding.message
    assert "docker buildx imagetools inspect node:22-alpine" in finding.message
    assert "`node:22-alpine@sha256:<digest>`" in finding.message


@pytest.mark.parametrize(
    "dockerfile",
    [
        f"FROM node:lts-alpine@{DIGEST}\n",
        f"FROM node@{DIGEST}\n",
        f"FROM node:22@{DIGEST} AS build\nFROM build AS test\nFROM build\n",
        "FROM scratch\n",
        f"FROM node:22@{DIGEST} AS build\nFROM scratch\nCOPY --from=build /app /app\n",
        # left to NG101, which reports the unresolved reference once
        "ARG NODE_VERSION\nFROM node:${NODE_VERSION}\n",
    ],
)
def test_pinned_images_stage_references_and_scratch_pass(lint, dockerfile):
    assert lint(dockerfile, rule="NG102").findings == []


def test_strict_makes_it_an_error(lint):
    [finding] = lint("FROM node:22-alpine\n", policy="extends: strict\n", rule="NG102").findings
    assert finding.severity == Severity.ERROR


def test_an_image_used_by_several_stages_is_reported_once(lint):
    dockerfile = ("FROM node:22-alpine AS deps\nRUN npm ci\nFROM node:22-alpine AS build\nRUN npm run build\n"
                  "FROM node:22-alpine\nCOPY --from=build /app /app\n")
    [finding] = lint(dockerfile, rule="NG102").findings
    assert finding.line == 1
    assert "(the same image is the base on lines 3, 5 too)" in finding.message


def test_distinct_images_are_each_reported(lint):
    dockerfile = "FROM node:22 AS build\nFROM node:22-alpine\nFROM node:22 AS again\n"
    found = lint(dockerfile, rule="NG102").findings
    assert [f.line for f in found] == [1, 2]
    assert "(the same image is the base on line 3 too)" in found[0].message
    assert "the same image" not in found[1].message
