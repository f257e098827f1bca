"""Properties of --fix on generated Dockerfiles and on the shared corpus.

After fixing, BuildKit's parser (the PyPI ``dockerfile`` package) reads the same instructions in the same
order, apart from those a fix named; a second run changes nothing; line endings are kept; and ``--diff``
prints exactly what ``--fix`` then does. Hypothesis runs derandomized, so CI sees the same examples.
"""
from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from nodeguard.fixes import FileFixes, apply_fixes, plan_fixes, split_lines
from nodeguard.policy import load_policy

buildkit = pytest.importorskip("dockerfile", reason="the test-only package `dockerfile` (BuildKit's parser) is missing")
hypothesis = pytest.importorskip("hypothesis", reason="the test-only package `hypothesis` is missing")
st = hypothesis.strategies

REPO_ROOT = Path(__file__).resolve().parents[1]
CORPUS = REPO_ROOT / ".." / "shared" / "corpus"

FROMS = ["FROM node", "FROM node:22", "FROM node:22-alpine AS build", "FROM node:latest", "FROM node:20-bookworm",
         "ARG NODE_VERSION=22\nFROM node:${NODE_VERSION}"]
LINES = [
    "WORKDIR /app", "COPY package.json ./", "COPY package*.json ./", "COPY . .", "COPY --from=build /app /app",
    "RUN npm install", "RUN npm ci --only=production", "RUN yarn install", "RUN npm ci && npm run build",
    "RUN apt-get update && apt-get install -y dumb-init", "RUN apk add --no-cache tini",
    "ENV NODE_ENV=development", "ENV NODE_ENV production", "USER root", "USER node", "USER 1000",
    "CMD node server.js", "CMD exec node server.js # start", "CMD node $OPTS server.js", "CMD npm start",
    'CMD ["npm", "start"]', 'CMD ["sh", "-c", "node server.js"]', "ENTRYPOINT node index.js",
    'ENTRYPOINT ["node"]', "CMD node a && node b", "RUN <<EOF", "echo hi", "EOF", "RUN echo a \\", "  && echo b",
    "# a comment", "", "EXPOSE 3000", "FROM node:22-slim", "HEALTHCHECK CMD node check.js",
]
CONTEXTS = {
    "package.json": '{"name": "app", "scripts": {"start": "node server.js"}}\n',
    "package-lock.json": '{"lockfileVersion": 3}\n',
    ".dockerignore": "node_modules\n",
    "server.js": "process.on('SIGTERM', () => process.exit(0));\n",
}


@st.composite
def dockerfiles(draw) -> str:
    lines = [draw(st.sampled_from(FROMS)), *draw(st.lists(st.sampled_from(LINES), max_size=12))]
    lines = "\n".join(lines).split("\n")
    style = draw(st.sampled_from(["\n", "\r\n", "mixed", "\r"]))
    if style == "mixed":
        endings = [draw(st.sampled_from(["\n", "\r\n"])) for _ in lines]
    else:
        endings = [style] * len(lines)
    if not draw(st.booleans()):
        endings[-1] = ""
    return "".join(line + ending for line, ending in zip(lines, endings))


@contextmanager
def repository(files: dict[str, str]) -> Iterator[Path]:
    previous = os.getcwd()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / ".git").mkdir()
        for name, text in files.items():
            (root / name).write_bytes(text.encode("utf-8"))
        os.chdir(root)
        try:
            yield root
        finally:
            os.chdir(previous)


def buildkit_instructions(text: str) -> list | None:
    try:
        return list(buildkit.parse_string(text))
    except buildkit.GoParseError:
        return None


def replay(file: FileFixes) -> tuple[set[str], set[str]]:
    """Apply the file's rounds again from its original text: the lines fixes replaced, the lines they wrote."""
    text, removed, added = file.original, set(), set()
    for round_ in file.applied:
        split = split_lines(text)
        fixes = [finding.fix for finding in round_]
        for fix in fixes:
            removed.update(split.contents[fix.line - 1:fix.end_line])
            added.update(fix.replacement.split("\n"))
        text = apply_fixes(text, fixes)
    assert text == file.text
    return removed, added


def assert_fix_properties(file: FileFixes) -> None:
    removed, added = replay(file)
    before, after = buildkit_instructions(file.original), buildkit_instructions(file.text)
    if before is not None and not file.path.endswith("dockerignore"):
        assert after is not None, f"{file.path}: BuildKit no longer parses the fixed file"
        old = [(c.cmd, c.original) for c in before]
        new = [(c.cmd, c.original) for c in after]
        old_lines, new_lines = split_lines(file.original).contents, split_lines(file.text).contents
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
            if tag == "equal":
                continue
            for command in before[i1:i2]:  # gone or changed: a fix replaced one of its lines
                span = old_lines[command.start_line - 1:command.end_line]
                assert set(span) & removed, f"{file.path}: {command.original!r} changed without a fix naming it"
            for command in after[j1:j2]:  # new or changed: a fix wrote one of its lines
                span = new_lines[command.start_line - 1:command.end_line]
                assert set(span) & added, f"{file.path}: {command.original!r} appeared without a fix writing it"
    old_endings = set(split_lines(file.original).endings) - {""}
    new_endings = set(split_lines(file.text).endings) - {""}
    assert new_endings <= (old_endings or {"\n"}), f"{file.path}: line endings changed"


def plan(root: Path, unsafe: bool = True) -> list[FileFixes]:
    return plan_fixes(["."], load_policy(None, str(root)), unsafe=unsafe)


def write(planned: list[FileFixes]) -> None:
    for file in planned:
        Path(file.path).write_bytes(file.text.encode("utf-8"))


@hypothesis.settings(derandomize=True, max_examples=80, deadline=None, database=None,
                     suppress_health_check=list(hypothesis.HealthCheck))
@hypothesis.given(dockerfile=dockerfiles(), context=st.sets(st.sampled_from(sorted(CONTEXTS))))
def test_fixes_keep_every_other_instruction_converge_and_keep_line_endings(dockerfile, context):
    files = {"Dockerfile": dockerfile, **{name: CONTEXTS[name] for name in context}}
    with repository(files) as root:
        planned = plan(root)
        for file in planned:
            assert_fix_properties(file)
            assert len(file.applied) <= 5
        write(planned)
        assert plan(root) == [], "a second --fix changed something"


def corpus_folders() -> list[Path]:
    return sorted(path for path in CORPUS.iterdir() if path.is_dir()) if CORPUS.is_dir() else []


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not beside this checkout (../shared/corpus)")
def test_corpus_fixes_keep_instructions_converge_and_diff_shows_exactly_what_fix_does(tmp_path: Path):
    copy = tmp_path / "corpus"
    shutil.copytree(CORPUS, copy, symlinks=True)
    (copy / ".git").mkdir()
    before = {path: path.read_bytes() for path in copy.rglob("*") if path.is_file()}
    env = {**os.environ, "NO_COLOR": "1"}

    def nodeguard(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "nodeguard", "check", *args, "--format", "json", "."],
                              cwd=copy, capture_output=True, env=env, timeout=600)

    diff = nodeguard("--diff", "--unsafe-fixes")
    assert diff.returncode in (0, 1), diff.stderr.decode()
    assert {path: path.read_bytes() for path in copy.rglob("*") if path.is_file()} == before  # --diff wrote nothing
    nodeguard("--fix", "--unsafe-fixes")
    after = {path: path.read_bytes() for path in copy.rglob("*") if path.is_file()}
    changed_files = [path for path in after if after[path] != before[path]]
    expected = "".join(FileFixes(path.relative_to(copy).as_posix(), before[path].decode(), after[path].decode()).diff()
                       for path in changed_files)
    assert sorted(_chunks(diff.stdout.decode())) == sorted(_chunks(expected))
    previous = os.getcwd()
    os.chdir(copy)
    try:
        changed = {Path(file.path).resolve(): file for file in plan(copy)}
    finally:
        os.chdir(previous)
    assert changed == {}, f"a second --fix changed {sorted(map(str, changed))}"
    for path in changed_files:
        original, text = before[path].decode(), after[path].decode()
        old_endings = set(split_lines(original).endings) - {""}
        assert set(split_lines(text).endings) - {""} <= (old_endings or {"\n"}), path
        if "dockerignore" not in path.name and buildkit_instructions(original) is not None:
            assert buildkit_instructions(text) is not None, path


def _chunks(diff: str) -> list[str]:
    """A diff cut into its files, so that their order does not matter."""
    return re.split(r"(?m)^(?=--- a/)", diff)
