"""Where a file of the shipped image comes from in the build context, followed through COPY and COPY --from.

Read by the rules that look at the app's own files (practices 5 and 6). Nothing here touches the disk
except through ``BuildContext.read_text``.
"""
from __future__ import annotations

import posixpath
import re

from nodeguard.model import jsontext
from nodeguard.model.context import BuildContext
from nodeguard.model.image import Image, Stage
from nodeguard.model.copies import REMOTE_SOURCE, absolute, lineage_copies
from nodeguard.record import Record

_GLOB = re.compile(r"[*?\[]")
_MAX_DEPTH = 8
# Where TypeScript output usually goes, and the extension of the source each output extension comes from.
OUTPUT_FOLDERS = ("dist", "build", "out")
# A copied source with one of these extensions is taken for a file, anything else for a folder (the
# disk cannot tell for sources in another stage).
FILE_EXTENSIONS = frozenset(
    {".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".json", ".lock", ".yaml", ".yml", ".sh", ".md", ".txt", ".lockb"}
)
Layout = tuple[tuple[str, ...], str]  # (output folders, source root)
DEFAULT_LAYOUT: Layout = (OUTPUT_FOLDERS, "src")
_SOURCE_EXTENSIONS = {".js": (".ts", ".tsx", ".js"), ".mjs": (".mts", ".mjs"), ".cjs": (".cts", ".cjs")}


def context_candidates(image: Image, stage: Stage, image_path: str, layout: Layout = DEFAULT_LAYOUT, depth: int = 0) -> list[str]:
    """Context-relative paths that may be the file at absolute ``image_path`` of ``stage``, likeliest first.

    Later copies win. A copy from another stage is followed into that stage; one from an external image,
    a URL or a glob is not followed. Compiled output that no copy brings (``/app/dist/main.js`` built
    in the stage) is looked for as its source (``/app/src/main.ts``). Each answer is computed once per image.
    """
    if depth > _MAX_DEPTH:
        return []
    memo = image.derived.setdefault("context_candidates", {})
    key = (stage.index, image_path, layout, depth)
    found = memo.get(key)
    if found is None:
        candidates = _copied_from(image, stage, image_path, layout, depth)
        if not candidates:
            for variant in source_variants(image_path.lstrip("/"), layout):
                candidates.extend(_copied_from(image, stage, "/" + variant, layout, depth))
        found = memo[key] = list(dict.fromkeys(candidates))
    return list(found)


class _Placed(Record):
    """One source of a copy, prepared once per image: where it lands and what it is."""

    source_stage: str | None
    clean: str  # the source, normalised
    name: str  # its last step ("" for the whole context)
    is_file: bool  # named like a file: it lands only at its own name or as the destination
    destination: str  # absolute, as the image has it
    landed_as: str  # destination/name
    folder: str  # the destination as a folder prefix: "/app/"

    def __init__(
        self,
        source_stage: str | None,
        clean: str,
        name: str,
        is_file: bool,
        destination: str,
        landed_as: str,
        folder: str,
    ) -> None:
        self.__dict__.update(
            source_stage=source_stage,
            clean=clean,
            name=name,
            is_file=is_file,
            destination=destination,
            landed_as=landed_as,
            folder=folder,
        )


def _placed(image: Image, stage: Stage) -> list[_Placed]:
    """The sources the stage's lineage copies from the context or a stage, latest first."""
    memo = image.derived.setdefault("placed", {})
    found = memo.get(stage.index)
    if found is not None:
        return found
    found = []
    for copy in reversed(lineage_copies(image, stage.index)):
        if any(word.startswith("<<") for word in copy.words):
            continue
        destination = copy.target
        for source in copy.sources:
            if _GLOB.search(source) or REMOTE_SOURCE.match(source):
                continue
            clean = posixpath.normpath(source)
            name = posixpath.basename(clean) if clean not in (".", "/") else ""
            is_file = posixpath.splitext(name)[1] in FILE_EXTENSIONS and not source.endswith("/")
            found.append(_Placed(copy.source_stage, clean, name, is_file, destination,
                                 posixpath.join(destination, name), destination.rstrip("/") + "/"))
    memo[stage.index] = found
    return found


def _copied_from(image: Image, stage: Stage, image_path: str, layout: Layout, depth: int) -> list[str]:
    candidates: list[str] = []
    for placed in _placed(image, stage):
        inside = _source_path(placed, image_path)
        if inside is None:
            continue
        if placed.source_stage is None:
            relative = posixpath.normpath(posixpath.join(".", inside.lstrip("/")))
            if relative != ".." and not relative.startswith("../"):
                candidates.append("" if relative == "." else relative)
            continue
        source_stage = image.stage(placed.source_stage)
        if source_stage is not None:
            candidates.extend(context_candidates(image, source_stage, absolute(inside, "/"), layout, depth + 1))
    return candidates


def _source_path(placed: _Placed, image_path: str) -> str | None:
    """The source-side path of ``image_path`` if this copy put it there: a file copied into or as
    ``destination``, or something below a copied folder."""
    if placed.name and (image_path == placed.landed_as or image_path == placed.destination):
        return placed.clean
    if placed.is_file:
        return None  # a file: it only lands at its own name or as the destination
    if image_path == placed.destination or image_path.startswith(placed.folder):
        below = image_path[len(placed.folder) - 1 :].lstrip("/")
        return posixpath.join(placed.clean, below) if below else placed.clean
    return None


def source_variants(relpath: str, layout: Layout = DEFAULT_LAYOUT) -> list[str]:
    """TypeScript sources a compiled file may come from: ``dist/main.js`` -> ``src/main.ts``, ``main.ts``."""
    output_folders, source_root = layout
    for folder in output_folders:
        prefix, marker, rest = ("/" + relpath).partition(f"/{folder}/")
        if not marker:
            continue
        stem, extension = posixpath.splitext(rest)
        endings = [stem + ext for ext in _SOURCE_EXTENSIONS.get(extension, (extension,))]
        return [
            "/".join(piece for piece in (prefix.lstrip("/"), root, ending) if piece)
            for root in (source_root, "")
            for ending in endings
        ]
    return []


def typescript_layout(context: BuildContext) -> Layout:
    """The output folders and source root from tsconfig.json's outDir/rootDir, when it parses as JSON."""
    text = context.read_text("tsconfig.json")
    options: dict = {}
    if text is not None:
        try:
            options = jsontext.loads(re.sub(r"^\s*//.*$", "", text, flags=re.MULTILINE)).get("compilerOptions") or {}
        except (ValueError, AttributeError):
            options = {}
    out_dir = posixpath.normpath(str(options.get("outDir", "dist")))
    root_dir = posixpath.normpath(str(options.get("rootDir", "src")))
    folders = tuple(dict.fromkeys((out_dir, *OUTPUT_FOLDERS)))
    return folders, "" if root_dir == "." else root_dir


class ImageReader:
    """Reads files by their path relative to a folder of the image (WORKDIR), from the build context.

    A compiled file that is not in the context (built in the image) is read from its TypeScript source.
    ``found`` records which context file answered each path.
    """

    def __init__(self, image: Image, stage: Stage, context: BuildContext, folder: str) -> None:
        self.image, self.stage, self.context, self.folder = image, stage, context, folder
        self.layout = typescript_layout(context)
        self.found: dict[str, str] = {}

    def __call__(self, relpath: str) -> str | None:
        if relpath in self.found:
            return self.context.read_text(self.found[relpath])
        image_path = absolute(relpath, self.folder)
        candidates = context_candidates(self.image, self.stage, image_path, self.layout)
        for candidate in candidates + [v for c in candidates for v in source_variants(c, self.layout)]:
            text = self.context.read_text(candidate) if candidate else None
            if text is not None:
                self.found[relpath] = candidate
                return text
        return None

