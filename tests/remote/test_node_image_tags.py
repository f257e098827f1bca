"""The official node image's tags per release line, derived from the registry's tag list: read page by page
from a real distribution registry on 127.0.0.1 (tags pushed through its HTTP API), anonymously and behind
the Bearer-token challenge; refreshed once per run by `check --refresh-data` and the action, with the
bundled copy (here: none) as the fallback when the registry cannot be reached; written by the maintainer
command; and what NG101 and NG103 say with it."""
from __future__ import annotations

import json
import math
import re
from datetime import date

import pytest

from nodeguard.model.reference import parse_image_ref
from nodeguard.node import image_tags, releases
from nodeguard.remote import node_data, node_image_tags, registry
from nodeguard.remote.registry import DigestResolver
from tests.github.conftest import github  # noqa: F401 - the fake GitHub fixture
from tests.github.scenarios import pull_request_event, run_action, workspace_for
from tests.remote.registry_server import PaginatingFront
from tests.remote.test_node_data import cli, closed_port

# What library/node could look like: line 26 (LTS on TODAY) and 24 are published in every variant; 22's
# newest release no longer in bullseye; 20 has no alpine; 0.12 and tags without a full version for the rest.
TAGS = [
    *(f"26.3.0{suffix}" for suffix in ("", "-alpine", "-alpine3.22", "-bookworm", "-bookworm-slim", "-slim",
                                       "-trixie", "-trixie-slim")),
    *(f"24.11.1{suffix}" for suffix in ("", "-alpine", "-alpine3.21", "-alpine3.22", "-bookworm", "-bookworm-slim",
                                        "-slim", "-trixie", "-trixie-slim")),
    "24.11.0", "24.11.0-alpine3.20", "24", "24-alpine", "24.11", "lts", "lts-alpine", "krypton", "alpine", "latest",
    *(f"22.21.0{suffix}" for suffix in ("", "-alpine", "-bookworm", "-bookworm-slim", "-slim")),
    "22.20.0-bullseye", "22.20.0-bullseye-slim", "22-bullseye", "22-bullseye-slim",
    *(f"20.19.5{suffix}" for suffix in ("", "-bookworm", "-bookworm-slim", "-slim")),
    "0.12.18", "0.12.18-onbuild", "chakracore-10.13.0",
]
PER_PAGE = 7
TODAY = "2026-11-30"


@pytest.fixture(scope="module")
def node_tags(open_registry):
    open_registry.push_tags("library/node", TAGS)
    return open_registry


@pytest.fixture(scope="module")
def paged(node_tags):
    """The registry behind a front that pages its tag lists as Docker Hub does."""
    front = PaginatingFront(node_tags)
    yield front
    front.close()


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(registry, "TAGS_PER_PAGE", PER_PAGE)


@pytest.fixture
def tags_again():
    """Tests that refresh in this process put the bundled tag list (here: none) back afterwards."""
    yield
    image_tags.use_tags(None)
    image_tags._bundled_lines.cache_clear()


def tag_list_requests(registry_server) -> list[str]:
    registry_server.log.flush()
    return re.findall(rb'"GET (/v2/[^" ]*/tags/list[^" ]*)', (registry_server.folder / "registry.log").read_bytes())


def test_the_tag_list_is_read_page_by_page(paged, small_pages):
    paged.pages.clear()
    listed = DigestResolver({"docker.io": paged.url}, {}).list_tags(parse_image_ref("node"))
    assert listed.problem is None and listed.repository == "library/node"
    assert list(listed.tags) == sorted(TAGS)  # the pages in order, nothing twice, nothing left out
    assert listed.pages == math.ceil(len(TAGS) / PER_PAGE) == len(paged.pages) == listed.requests
    assert paged.pages[0] == f"/v2/library/node/tags/list?n={PER_PAGE}"
    assert all(f"n={PER_PAGE}&last=" in page for page in paged.pages[1:])


def test_an_unpaged_registry_answers_in_one_request(node_tags, small_pages):
    """docker-registry 2.8 itself ignores ``n``: the whole list comes at once, and that is fine too."""
    listed = DigestResolver({"docker.io": node_tags.url}, {}).list_tags(parse_image_ref("node"))
    assert sorted(listed.tags) == sorted(TAGS) and listed.pages == listed.requests == 1


def test_behind_the_bearer_challenge_one_token_serves_every_page(token_registry, small_pages):
    token_registry.push_tags("library/node", TAGS)
    front = PaginatingFront(token_registry)
    try:
        tokens_before = len(token_registry.tokens.requests)
        listed = DigestResolver(trusted=[front.host], tls_verify=token_registry.verify).list_tags(
            parse_image_ref(f"{front.host}/library/node"))
    finally:
        front.close()
    assert listed.problem is None and list(listed.tags) == sorted(TAGS)
    # https to the plain-HTTP front fails first (loopback registries: HTTPS, then HTTP), then a 401 with
    # the challenge, the token, and each page with that one token
    assert listed.requests == 1 + 2 + listed.pages and listed.pages == len(front.pages) == math.ceil(len(TAGS) / PER_PAGE)
    assert len(token_registry.tokens.requests) == tokens_before + 1


def test_a_repository_that_does_not_exist_says_so(node_tags):
    listed = DigestResolver({"docker.io": node_tags.url}, {}).list_tags(parse_image_ref("nosuchimage"))
    assert listed.tags == () and listed.problem == f"{node_tags.host}: no repository library/nosuchimage (404)"


def test_the_summary_per_line():
    lines = image_tags.summarize(TAGS)
    assert list(lines) == ["0", "20", "22", "24", "26"]
    assert lines["24"] == {"newest": "24.11.1", "releases": ["24.11.0", "24.11.1"], "variants": [
        "", "alpine", "alpine3.21", "alpine3.22", "bookworm", "bookworm-slim", "slim", "trixie", "trixie-slim"]}
    assert lines["22"]["variants"] == ["", "alpine", "bookworm", "bookworm-slim", "slim"]
    assert lines["0"] == {"newest": "0.12.18", "releases": ["0.12.18"], "variants": ["", "onbuild"]}


def test_a_refresh_puts_the_registrys_tags_in_force_for_the_run(node_tags, small_pages, tags_again):
    assert image_tags.line_tags(24) is None  # no bundled copy: nothing is known
    note = node_image_tags.refresh_for_run({node_image_tags.REGISTRY_VARIABLE: node_tags.host})
    assert re.fullmatch(rf"image tags: read {len(TAGS)} tags of library/node \(\d+ pages?, \d+ requests?\): "
                        r"5 release lines", note)
    assert image_tags.line_tags(24).newest == "24.11.1" and image_tags.line_tags(20).publishes("slim")
    assert not image_tags.line_tags(20).publishes("alpine")


def test_an_unreachable_registry_leaves_the_bundled_copy_with_a_note(tags_again):
    port = closed_port()
    note = node_image_tags.refresh_for_run({node_image_tags.REGISTRY_VARIABLE: f"127.0.0.1:{port}"})
    assert note.startswith(f"image tags: not refreshed (127.0.0.1:{port} could not be reached: ")
    assert note.endswith("); which tags exist is not known") and image_tags.line_tags(24) is None


def test_with_the_tags_known_ng101_suggests_a_published_tag_and_ng103_only_published_variants(lint, tags_again):
    policy = f"rules:\n  NG101: {{options: {{today: '{TODAY}'}}}}\n  NG103: {{options: {{today: '{TODAY}'}}}}\n"
    before = {text: lint(text, policy=policy) for text in
              ("FROM node:lts-alpine\n", "FROM node:lts-buster\n", "FROM node:22-bullseye\n", "FROM node:20\n")}
    image_tags.use_tags(image_tags.summarize(TAGS))
    after = {text: lint(text, policy=policy) for text in before}

    def message(linted, rule):
        return next(f.message for f in linted.findings if f.rule == rule)

    assert "`node:<version>-alpine`" in message(before["FROM node:lts-alpine\n"], "NG101")
    assert "`node:26.3.0-alpine`" in message(after["FROM node:lts-alpine\n"], "NG101")
    assert "`node:<version>-buster`" in message(after["FROM node:lts-buster\n"], "NG101")  # 26 has no buster
    bullseye_before, bullseye = (next(f for f in linted.findings if f.rule == "NG103")
                                 for linted in (before["FROM node:22-bullseye\n"], after["FROM node:22-bullseye\n"]))
    assert bullseye_before.fix is not None and "`node:22-bullseye-slim`" in bullseye_before.message
    assert bullseye.fix is None  # 22's newest release is not published in bullseye-slim
    assert "use `node:22-slim`, `node:22-alpine` or `gcr.io/distroless/nodejs22-debian12`" in bullseye.message
    assert "`node:20-alpine`" in message(before["FROM node:20\n"], "NG103")
    assert message(after["FROM node:20\n"], "NG103").endswith("use `node:20-slim`")  # 20: no alpine, end-of-life


def offline_release_data() -> dict[str, str]:
    """The Node.js site unreachable (a closed port): the release-data refresh falls back at once."""
    port = closed_port()
    return {node_data.SCHEDULE_URL_VARIABLE: f"http://127.0.0.1:{port}/schedule.json",
            node_data.INDEX_URL_VARIABLE: f"http://127.0.0.1:{port}/index.json"}


def test_check_reads_the_tags_only_with_refresh_data(node_tags, tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "Dockerfile").write_text('FROM node:lts-alpine\nUSER node\nCMD ["node", "a.js"]\n')
    env = {**offline_release_data(), node_image_tags.REGISTRY_VARIABLE: node_tags.host}
    args = ["check", "--format", "json", "Dockerfile"]
    before = len(tag_list_requests(node_tags))
    bundled = cli(args, tmp_path, env)
    assert len(tag_list_requests(node_tags)) == before and "image tags" not in bundled.stderr
    assert "`node:<version>-alpine`" in next(f["message"] for f in json.loads(bundled.stdout)["findings"]
                                              if f["rule"] == "NG101")
    refreshed = cli(["check", "--refresh-data", *args[1:]], tmp_path, env)
    assert f"nodeguard: image tags: read {len(TAGS)} tags of library/node" in refreshed.stderr
    assert "nodeguard: release data: not refreshed" in refreshed.stderr
    message = next(f["message"] for f in json.loads(refreshed.stdout)["findings"] if f["rule"] == "NG101")
    assert "`node:26.3.0-alpine`" in message
    unreachable = cli(["check", "--refresh-data", *args[1:]], tmp_path,
                      {**env, node_image_tags.REGISTRY_VARIABLE: f"127.0.0.1:{closed_port()}"})
    assert unreachable.returncode == bundled.returncode and unreachable.stdout == bundled.stdout
    assert "nodeguard: image tags: not refreshed (127.0.0.1:" in unreachable.stderr


def test_the_action_refreshes_the_tags_once_and_never_fails_for_them(github, tmp_path, node_tags):
    files = {"Dockerfile": b'FROM node:lts-alpine\nUSER node\nCMD ["node", "a.js"]\n'}
    outcomes, pages = {}, {}
    for name, host in (("reachable", node_tags.host), ("unreachable", f"127.0.0.1:{closed_port()}")):
        fake = github({"Dockerfile": b"FROM node:22-alpine\n"}, files)
        (tmp_path / name).mkdir()
        workspace = workspace_for(tmp_path / name, files)
        before = len(tag_list_requests(node_tags))
        outcomes[name] = run_action(fake, workspace, pull_request_event(fake), inputs={"refresh-data": "true"},
                                    env={**offline_release_data(), node_image_tags.REGISTRY_VARIABLE: host})
        pages[name] = len(tag_list_requests(node_tags)) - before
    reachable, unreachable = outcomes["reachable"], outcomes["unreachable"]
    assert pages == {"reachable": 1, "unreachable": 0}  # one page of 1000 tags: read once
    assert f"image tags: read {len(TAGS)} tags of library/node" in reachable.step_summary
    assert "node:26.3.0-alpine" in reachable.step_summary
    assert "image tags: not refreshed (127.0.0.1:" in unreachable.step_summary
    assert "-alpine" in unreachable.step_summary and "26.3.0" not in unreachable.step_summary
    assert unreachable.returncode == reachable.returncode and unreachable.outputs == reachable.outputs


def write_bundled_data(tmp_path, monkeypatch, tag_registry: str | None = None) -> int:
    """The maintainer command with --write, against a fake Node.js site and ``tag_registry`` (else the site's
    closed port), writing into ``tmp_path``; its exit code."""
    from tests.remote.test_node_data import NodeSite

    site = NodeSite()
    try:
        extra = {node_image_tags.REGISTRY_VARIABLE: tag_registry} if tag_registry else {}
        for name, value in {**site.env, **extra}.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr(releases, "DATA", tmp_path)
        return node_data.main(["--write"])
    finally:
        site.httpd.shutdown()
        site.httpd.server_close()


def test_the_maintainer_command_writes_the_tags_with_the_release_data(node_tags, tmp_path, monkeypatch):
    before = date.today().isoformat()
    assert write_bundled_data(tmp_path, monkeypatch, node_tags.host) == 0
    days = {before, date.today().isoformat()}  # the run may cross midnight
    written = json.loads((tmp_path / "node-image-tags.json").read_text())
    assert written["taken"] in days and written["tags"] == len(TAGS)
    assert written["lines"] == image_tags.summarize(TAGS)
    assert (tmp_path / "node-release-data.json").exists()


def test_the_maintainer_command_writes_nothing_when_the_tags_cannot_be_read(tmp_path, monkeypatch, capsys):
    assert write_bundled_data(tmp_path, monkeypatch) == 1  # the site's environment names a closed port for the tags
    assert list(tmp_path.iterdir()) == []
    assert "could not be reached: Connection refused" in capsys.readouterr().err
