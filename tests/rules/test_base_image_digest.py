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
    [finding] = lint("FROM node:22-alpine\n", rule="NG102").findings
    assert "`node:22-alpine` is not pinned by digest" in finding.message
    assert "docker buildx imagetools inspect node:22-alpine" in finding.message
    assert "`node:22-alpine@sha256:<digest>`" in finding.message


@pytest.mark.parametrize(
    ("dockerfile", "advice"),
    [
        # the argument holds the whole tag: its default takes the digest, FROM stays as it is
        ("ARG V=22-alpine\nFROM node:${V}\n", "write `ARG V=22-alpine@sha256:<digest>`"),
        ('ARG V="22-alpine"\nFROM node:$V AS build\nFROM node:$V\n', "write `ARG V=22-alpine@sha256:<digest>`"),
        ("ARG BASE=ghcr.io/acme/base\nFROM ${BASE}\n", "write `ARG BASE=ghcr.io/acme/base@sha256:<digest>`"),
        # part of the tag: the argument takes the whole tag and the digest
        ("ARG NODE_VERSION=22\nFROM node:${NODE_VERSION}-alpine\n",
         "write `ARG NODE_VERSION=22-alpine@sha256:<digest>` with `FROM node:${NODE_VERSION}`"),
        # the argument serves another image too (or a stage): a separate argument for this image
        ("ARG V=22\nFROM node:${V}-alpine AS build\nFROM node:${V}-slim\n",
         "write `ARG NODE_IMAGE=node:22-alpine@sha256:<digest>` with `FROM ${NODE_IMAGE}`"),
        ("ARG V=22\nFROM node:${V}\nARG V\nRUN echo $V\n",
         "write `ARG NODE_IMAGE=node:22@sha256:<digest>` with `FROM ${NODE_IMAGE}`"),
        ("ARG R=docker.io\nARG V=22\nFROM ${R}/library/node:${V}\n",
         "write `ARG NODE_IMAGE=docker.io/library/node:22@sha256:<digest>` with `FROM ${NODE_IMAGE}`"),
    ],
)
def test_an_image_written_through_a_build_argument_is_pinned_in_an_argument(lint, dockerfile, advice):
    found = lint(dockerfile, rule="NG102").findings
    assert len(found) == (2 if "-slim" in dockerfile else 1)
    finding = found[0]
    assert advice in finding.message, finding.message
    assert "docker buildx imagetools inspect" in finding.message
    assert "build argument" in finding.message
    assert finding.fix is None  # a FROM with the tag written out would drop the argument


def test_images_that_need_arguments_of_their_own_get_distinct_names(lint):
    dockerfile = ("ARG V=22\nARG B=main\nFROM node:${V}-alpine AS build\nFROM node:${V}-slim\n"
                  "FROM ghcr.io/acme/tools/$B:$V AS tools\n")
    found = lint(dockerfile, rule="NG102").findings
    assert "`ARG NODE_IMAGE=node:22-alpine@sha256:<digest>` with `FROM ${NODE_IMAGE}`" in found[0].message
    assert "`ARG NODE_IMAGE_2=node:22-slim@sha256:<digest>` with `FROM ${NODE_IMAGE_2}`" in found[1].message
    tools = "`ARG TOOLS_IMAGE=ghcr.io/acme/tools/main:22@sha256:<digest>` with `FROM ${TOOLS_IMAGE}`"
    assert tools in found[2].message


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
