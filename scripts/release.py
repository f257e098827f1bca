"""The steps of a release that are logic, not infrastructure (the release workflow calls them).

    python scripts/release.py check-tag vX.Y.Z
        The tag is a release tag (vX.Y.Z) and names the version the package declares (pyproject.toml and
        nodeguard.__version__). Prints the version.
    python scripts/release.py major-tag vX.Y.Z
        Prints the major tag to move (vX).
    python scripts/release.py pin-action vX.Y.Z IMAGE DIGEST [ACTION_YML]
        Rewrites action.yml (in place) to run the prebuilt image IMAGE:X.Y.Z@DIGEST instead of building
        the Dockerfile: what the release commit, and so the release tags, carry.

Each command exits 1 with one line on standard error when its input is wrong.
"""
from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RELEASE_TAG = re.compile(r"v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)")
DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
IMAGE = re.compile(r"ghcr\.io/[a-z0-9][a-z0-9._-]*/[a-z0-9][a-z0-9._/-]*")
IMAGE_LINE = re.compile(r"^(  image:)[ \t]*(\S+)[ \t]*$", re.M)


class ReleaseError(Exception):
    """Why a release step cannot go on; ``str()`` is the one line shown."""


def version_of_tag(tag: str) -> str:
    if not RELEASE_TAG.fullmatch(tag):
        raise ReleaseError(f"{tag!r} is not a release tag: vMAJOR.MINOR.PATCH, e.g. v1.4.2")
    return tag[1:]


def major_tag(tag: str) -> str:
    return f"v{RELEASE_TAG.fullmatch(tag).group(1)}" if RELEASE_TAG.fullmatch(tag) else version_of_tag(tag)


def declared_versions(root: Path) -> dict[str, str]:
    pyproject = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    init = (root / "nodeguard/__init__.py").read_text(encoding="utf-8")
    found = re.search(r'^__version__ = "([^"]+)"$', init, re.M)
    declared = {}
    if "version" in pyproject["project"]:  # else pyproject reads it from nodeguard/__init__.py (dynamic)
        declared["pyproject.toml"] = str(pyproject["project"]["version"])
    declared["nodeguard/__init__.py"] = found.group(1) if found else "(none)"
    return declared


def check_tag(tag: str, root: Path = REPO) -> str:
    version = version_of_tag(tag)
    wrong = {where: declared for where, declared in declared_versions(root).items() if declared != version}
    if wrong:
        where = ", ".join(f"{path} says {declared}" for path, declared in wrong.items())
        raise ReleaseError(f"tag {tag} names version {version}, but {where}: bump the version before tagging")
    return version


def pin_action(text: str, tag: str, image: str, digest: str) -> str:
    """action.yml with ``runs.image`` set to ``docker://IMAGE:VERSION@DIGEST``."""
    version = version_of_tag(tag)
    if not IMAGE.fullmatch(image):
        raise ReleaseError(f"{image!r} is not an image of the GitHub Container Registry (ghcr.io/owner/name)")
    if not DIGEST.fullmatch(digest):
        raise ReleaseError(f"{digest!r} is not an image digest (sha256: and 64 hex digits)")
    lines = IMAGE_LINE.findall(text)
    if len(lines) != 1:
        raise ReleaseError(f"action.yml has {len(lines)} runs.image lines; expected exactly one")
    current = lines[0][1].strip("'\"")
    if current != "Dockerfile":
        raise ReleaseError(f"action.yml already runs {current}: pin only a commit whose action.yml builds the Dockerfile")
    return IMAGE_LINE.sub(lambda match: f"{match.group(1)} docker://{image}:{version}@{digest}", text)


def main(argv: list[str]) -> int:
    try:
        match argv:
            case ["check-tag", tag]:
                print(check_tag(tag))
            case ["major-tag", tag]:
                print(major_tag(tag))
            case ["pin-action", tag, image, digest, *rest] if len(rest) <= 1:
                path = Path(rest[0]) if rest else REPO / "action.yml"
                path.write_text(pin_action(path.read_text(encoding="utf-8"), tag, image, digest), encoding="utf-8")
            case _:
                print(__doc__, file=sys.stderr)
                return 2
    except ReleaseError as error:
        print(f"release: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
