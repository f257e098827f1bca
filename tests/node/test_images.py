import pytest

from nodeguard.model.reference import ImageRef, parse_image_ref
from nodeguard.node.images import describe_node_image, is_node_image

DIGEST = "sha256:" + "ab" * 32


@pytest.mark.parametrize(
    ("text", "registry", "repository", "tag", "digest"),
    [
        ("node", "docker.io", "node", None, None),
        ("node:22-alpine", "docker.io", "node", "22-alpine", None),
        ("docker.io/library/node:20", "docker.io", "node", "20", None),
        ("index.docker.io/library/node", "docker.io", "node", None, None),
        ("registry-1.docker.io/bitnami/node:22", "docker.io", "bitnami/node", "22", None),
        ("library/node:18", "docker.io", "node", "18", None),
        ("bitnami/node", "docker.io", "bitnami/node", None, None),
        ("public.ecr.aws/docker/library/node:22", "public.ecr.aws", "docker/library/node", "22", None),
        ("localhost/app", "localhost", "app", None, None),
        ("localhost:5000/ns/img:1.0", "localhost:5000", "ns/img", "1.0", None),
        (f"registry.example.com:5000/ns/img:tag@{DIGEST}", "registry.example.com:5000", "ns/img", "tag", DIGEST),
        (f"node@{DIGEST}", "docker.io", "node", None, DIGEST),
        (f"node:lts-alpine@{DIGEST}", "docker.io", "node", "lts-alpine", DIGEST),
        ("GHCR.IO/acme/api:v1", "ghcr.io", "acme/api", "v1", None),
        ("  node:22  ", "docker.io", "node", "22", None),
    ],
)
def test_parse_image_ref(text, registry, repository, tag, digest):
    ref = parse_image_ref(text)
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == (registry, repository, tag, digest)
    assert ref.raw == text.strip()
    assert not ref.unresolved


def test_library_stays_outside_docker_hub():
    assert parse_image_ref("harbor.local/library/node").repository == "library/node"
    assert parse_image_ref("docker.io/library/team/node").repository == "library/team/node"


def test_scratch():
    ref = parse_image_ref("scratch")
    assert ref.is_scratch and ref.repository == "scratch" and ref.registry == ""
    assert parse_image_ref("SCRATCH").is_scratch
    assert not parse_image_ref("docker.io/library/scratchpad").is_scratch


@pytest.mark.parametrize(
    ("text", "repository", "tag"),
    [
        ("node:${NODE_VERSION}-alpine", "node", "${NODE_VERSION}-alpine"),
        ("node:${NODE_VERSION:-22}-alpine", "node", "${NODE_VERSION:-22}-alpine"),
        ("$BASE_IMAGE", "$BASE_IMAGE", None),
        ("${REGISTRY}/node:22", "${REGISTRY}/node", "22"),
        ("ghcr.io/acme/${APP}:$TAG", "acme/${APP}", "$TAG"),
    ],
)
def test_variables_are_left_in_place(text, repository, tag):
    ref = parse_image_ref(text)
    assert ref.unresolved
    assert (ref.repository, ref.tag) == (repository, tag)


def test_names():
    assert parse_image_ref("docker.io/library/node:22").name == "node"
    assert parse_image_ref("docker.io/library/node:22").full_name == "docker.io/node"
    assert parse_image_ref("gcr.io/distroless/nodejs22-debian12").name == "gcr.io/distroless/nodejs22-debian12"
    assert parse_image_ref("node").is_docker_hub and not parse_image_ref("ghcr.io/a/b").is_docker_hub


@pytest.mark.parametrize("text", ["", ":", "@", "node:", "a//b", "node@", "::::", "$", "${"])
def test_odd_input_never_raises(text):
    assert isinstance(parse_image_ref(text), ImageRef)
    describe_node_image(parse_image_ref(text))


def facts(text):
    return describe_node_image(parse_image_ref(text))


@pytest.mark.parametrize(
    ("text", "version", "variant", "small", "os_family", "release"),
    [
        ("node", "latest", "full", False, "debian", None),
        ("node:latest", "latest", "full", False, "debian", None),
        ("node:current", "current", "full", False, "debian", None),
        ("node:22", "22", "full", False, "debian", None),
        ("node:22-alpine3.20", "22", "alpine", True, "alpine", "3.20"),
        ("node:22.11.0-alpine", "22.11.0", "alpine", True, "alpine", None),
        ("node:lts-slim", "lts", "slim", True, "debian", None),
        ("node:iron-bookworm-slim", "iron", "slim", True, "debian", "bookworm"),
        ("node:Iron", None, None, None, None, None),  # tags are lower-case; this is no known variant
        ("node:jod-alpine", "jod", "alpine", True, "alpine", None),
        ("node:20-bookworm", "20", "full", False, "debian", "bookworm"),
        ("node:18-bullseye-slim", "18", "slim", True, "debian", "bullseye"),
        ("node:carbon", "carbon", "full", False, "debian", None),
        ("node:alpine", "latest", "alpine", True, "alpine", None),
        ("node:slim", "latest", "slim", True, "debian", None),
        ("node:lts-alpine3.19", "lts", "alpine", True, "alpine", "3.19"),
        ("docker.io/library/node:24.18.0-alpine", "24.18.0", "alpine", True, "alpine", None),
        ("public.ecr.aws/docker/library/node:20-slim", "20", "slim", True, "debian", None),
        ("harbor.corp.example/dockerhub/library/node:22", "22", "full", False, "debian", None),
    ],
)
def test_official_node_tags(text, version, variant, small, os_family, release):
    described = facts(text)
    assert described.family == "node"
    assert (described.version, described.variant, described.small) == (version, variant, small)
    assert (described.os_family, described.os_release) == (os_family, release)
    assert described.contains_node and described.default_user == "root" and described.runs_as_root
    assert described.has_shell and described.init is False


def test_package_manager_follows_the_variant():
    assert facts("node:22-alpine").package_manager == "apk"
    assert facts("node:22-slim").package_manager == "apt"
    assert facts("gcr.io/distroless/nodejs22-debian12").package_manager is None


def test_digest_only_reference_keeps_what_the_name_says():
    described = facts(f"node@{DIGEST}")
    assert described.family == "node" and described.version is None and described.variant is None
    assert described.small is None and described.default_user == "root"
    ubi = facts(f"registry.access.redhat.com/ubi9/nodejs-20-minimal@{DIGEST}")
    assert (ubi.version, ubi.variant) == ("20", "ubi-minimal")


def test_unresolved_tag_keeps_a_literal_variant():
    described = facts("node:${NODE_VERSION}-alpine${ALPINE_VERSION}")
    assert described.version is None and described.variant == "alpine" and described.small
    assert facts("node:${NODE_VERSION}-bookworm-slim").variant == "slim"
    unknown = facts("node:${NODE_VERSION}")
    assert unknown.version is None and unknown.variant is None and unknown.small is None
    assert facts("node:${TAG}-${VARIANT}").variant is None
    assert facts("${REGISTRY}/node:22") is None


@pytest.mark.parametrize(
    ("text", "version", "variant", "user", "shell"),
    [
        ("gcr.io/distroless/nodejs20-debian12", "20", "distroless", "root", False),
        ("gcr.io/distroless/nodejs22-debian12:nonroot", "22", "distroless", "65532", False),
        ("gcr.io/distroless/nodejs22-debian12:debug", "22", "distroless-debug", "root", True),
        ("gcr.io/distroless/nodejs24-debian13:debug-nonroot", "24", "distroless-debug", "65532", True),
        ("gcr.io/distroless/nodejs22-debian12:latest", "22", "distroless", "root", False),
        ("gcr.io/distroless/nodejs:18", "18", "distroless", "root", False),
        ("gcr.io/distroless/nodejs:16-debug", "16", "distroless-debug", "root", True),
        ("gcr.io/distroless/nodejs", "latest", "distroless", "root", False),
    ],
)
def test_distroless(text, version, variant, user, shell):
    described = facts(text)
    assert described.family == "distroless" and described.small and described.os_family == "debian"
    assert (described.version, described.variant, described.default_user, described.has_shell) == (
        version,
        variant,
        user,
        shell,
    )


def test_distroless_release_from_the_name():
    assert facts("gcr.io/distroless/nodejs22-debian12").os_release == "12"


def test_unknown_variant_makes_variant_dependent_facts_unknown():
    described = facts("gcr.io/distroless/nodejs22-debian12:weird")
    assert described.variant is None
    assert described.default_user is None and described.has_shell is None
    assert described.small is True  # no distroless variant changes that


@pytest.mark.parametrize(
    ("text", "version", "variant", "user", "small", "shell"),
    [
        ("cgr.dev/chainguard/node", "latest", "chainguard", "65532", True, None),
        ("cgr.dev/chainguard/node:latest", "latest", "chainguard", "65532", True, None),
        ("cgr.dev/chainguard/node:latest-slim", "latest", "chainguard", "65532", True, False),
        ("cgr.dev/chainguard/node:latest-dev", "latest", "chainguard-dev", None, False, True),
        ("cgr.dev/acme.example/node:22-dev", "22", "chainguard-dev", None, False, True),
        ("cgr.dev/acme.example/node:22.11", "22.11", "chainguard", "65532", True, None),
    ],
)
def test_chainguard(text, version, variant, user, small, shell):
    described = facts(text)
    assert described.family == "chainguard" and described.os_family == "wolfi" and described.init is False
    assert (described.version, described.variant, described.default_user) == (version, variant, user)
    assert (described.small, described.has_shell) == (small, shell)


@pytest.mark.parametrize(
    ("text", "version", "variant", "release", "manager"),
    [
        ("registry.access.redhat.com/ubi9/nodejs-20", "20", "ubi", "9", "dnf"),
        ("registry.access.redhat.com/ubi9/nodejs-22:1-42", "22", "ubi", "9", "dnf"),
        ("registry.access.redhat.com/ubi8/nodejs-18-minimal", "18", "ubi-minimal", "8", "microdnf"),
        ("registry.redhat.io/rhel9/nodejs-20-minimal:latest", "20", "ubi-minimal", "9", "microdnf"),
    ],
)
def test_red_hat_ubi(text, version, variant, release, manager):
    described = facts(text)
    assert described.family == "ubi" and described.default_user == "1001" and described.runs_as_root is False
    assert (described.version, described.variant, described.os_release, described.package_manager) == (
        version,
        variant,
        release,
        manager,
    )
    assert described.small is (variant == "ubi-minimal")


@pytest.mark.parametrize(
    ("text", "family", "version", "user"),
    [
        ("mcr.microsoft.com/devcontainers/javascript-node:1-22-bookworm", "devcontainers", "22", None),
        ("mcr.microsoft.com/devcontainers/javascript-node:22-bookworm", "devcontainers", "22", None),
        ("mcr.microsoft.com/devcontainers/typescript-node:1-22", "devcontainers", "22", None),
        ("mcr.microsoft.com/devcontainers/javascript-node", "devcontainers", "latest", None),
        ("circleci/node:14.17-browsers", "circleci", "14.17", "circleci"),
        ("circleci/node:10-stretch", "circleci", "10", "circleci"),
        ("cimg/node:20.11", "cimg", "20.11", "circleci"),
        ("cimg/node:lts-browsers", "cimg", "lts", "circleci"),
        ("mhart/alpine-node", "mhart-alpine-node", "latest", "root"),
        ("mhart/alpine-node:12", "mhart-alpine-node", "12", "root"),
        ("mhart/alpine-node:slim-16", "mhart-alpine-node", "16", "root"),
        ("bitnami/node:22", "bitnami", "22", "root"),
        ("bitnami/node:16-prod", "bitnami", "16", "root"),
        ("bitnami/node:22.4.0-debian-12-r0", "bitnami", "22.4.0", "root"),
    ],
)
def test_other_node_images(text, family, version, user):
    described = facts(text)
    assert (described.family, described.version, described.default_user) == (family, version, user)
    assert described.contains_node and described.variant is not None


def test_cimg_has_no_latest_tag():
    described = facts("cimg/node:latest")
    assert described.family == "cimg" and described.version is None and described.variant is None


def test_release_from_bitnami_and_devcontainer_tags():
    assert facts("bitnami/node:22.4.0-debian-12-r0").os_release == "12"
    assert facts("mcr.microsoft.com/devcontainers/javascript-node:1-22-bookworm").os_release == "bookworm"


def test_nginx_unprivileged_is_known_but_not_node():
    described = facts("nginxinc/nginx-unprivileged:1.27-alpine3.20-slim")
    assert described.family == "nginx-unprivileged" and not described.contains_node
    assert described.default_user == "101" and described.runs_as_root is False
    assert described.version is None and described.variant == "alpine" and described.small
    assert facts("nginxinc/nginx-unprivileged:stable").variant == "full"
    assert not is_node_image(parse_image_ref("nginxinc/nginx-unprivileged"))


@pytest.mark.parametrize(
    "text",
    ["python:3.13-slim", "alpine:3.20", "nginx:alpine", "scratch", "louislam/uptime-kuma:base2", "$BASE", "ghcr.io/x/node-red"],
)
def test_unknown_images_have_no_facts(text):
    assert facts(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("node:22", True),
        ("gcr.io/distroless/nodejs22-debian12", True),
        ("cgr.dev/chainguard/node", True),
        ("iron/node", True),  # not listed, but named node
        ("localhost:5000/base/nodejs:22", True),
        ("python:3.13", False),
        ("scratch", False),
        ("ghcr.io/acme/node-red", False),
        ("nginx:alpine", False),
    ],
)
def test_is_node_image(text, expected):
    assert is_node_image(parse_image_ref(text)) is expected


def test_runs_as_root_is_unknown_without_a_known_user():
    assert facts("cgr.dev/chainguard/node:latest-dev").runs_as_root is None
    assert facts("gcr.io/distroless/nodejs22-debian12:nonroot").runs_as_root is False
