"""Digests for a run: which images the Dockerfiles name, one registry lookup each, and what follows:
NG102's exact fix and stale-pin findings (``check --resolve-digests/--check-digests``, the action), or
the rewritten `FROM` lines (``nodeguard pin``)."""
from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from nodeguard.discover import find_repo_root, is_selected
from nodeguard.engine import expand_paths
from nodeguard.model.context import display_path, read_limited
from nodeguard.model.image import Image, build_image
from nodeguard.model.parse import parse_dockerfile
from nodeguard.pinning import (
    DIGEST_RULE,
    DigestLookup,
    argument_pin,
    default_note,
    image_key,
    lookups_needed,
    pinned_first_line,
    policy_with_lookups,
    unset_arguments,
    written_image_word,
)
from nodeguard.policy import Policy
from nodeguard.remote.credentials import read_credentials
from nodeguard.remote.registry import DigestResolver

if TYPE_CHECKING:
    from nodeguard.policy.loader import PolicyFinder

BOM = "\ufeff"


def resolver_for(
    policies: Iterable[Policy], environ: Mapping[str, str] | None = None, *, policy_registries: bool = True, **options
) -> DigestResolver:
    """A resolver with the policies' mirrors (the first policy naming a registry's mirror sets it for the
    run), the registries they name (asked even when not public) and the Docker client's credentials.
    ``policy_registries=False`` (a policy the pull request itself wrote) leaves the policies' mirrors and
    named registries out: only the well-known public registries are asked, each address checked."""
    mirrors: dict[str, str] = {}
    named: set[str] = set()
    for policy in policies if policy_registries else ():
        for name, entry in policy.registries.items():
            named.add(name)
            if entry.get("mirror"):
                mirrors.setdefault(name, entry["mirror"])
    credentials, note = read_credentials(os.environ if environ is None else environ)
    return DigestResolver(mirrors, credentials, trusted=named, credentials_note=note, **options)


@dataclass(frozen=True)
class LocalDockerfile:
    path: Path
    shown: str
    repo_relative: str
    text: str | None  # None: not UTF-8
    image: Image
    policy: Policy


def local_dockerfiles(
    paths: Sequence[str], policy_of: Callable[[Path], Policy], *, force_exclude: bool = False, cwd: Path | None = None
) -> list[LocalDockerfile]:
    """The Dockerfiles a check of ``paths`` reads (each with its own policy), parsed; unreadable ones are
    left to the check."""
    cwd = (cwd or Path.cwd()).resolve()
    found = []
    for path, named in expand_paths(paths, policy_of)[0]:
        repo_root = find_repo_root(path.parent)
        repo_relative = path.relative_to(repo_root).as_posix()
        named_relative = named.relative_to(repo_root).as_posix() if named.is_relative_to(repo_root) else None
        policy = policy_of(path)
        if not is_selected(policy, repo_relative, named_relative, force_exclude):
            continue
        data = read_limited(path)
        if isinstance(data, str):
            continue
        shown = display_path(path, cwd)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = None  # checked (with its bad bytes replaced), never rewritten
        image = build_image(parse_dockerfile(shown, data))
        found.append(LocalDockerfile(path, shown, repo_relative, text, image, policy))
    return found


def summary(lookups: Mapping[str, DigestLookup]) -> list[str]:
    """Notes for the user: how many images were looked up, in how many requests, and which failed why."""
    if not lookups:
        return []
    requests = sum(lookup.requests for lookup in lookups.values())
    failed = [lookup for lookup in lookups.values() if lookup.digest is None]
    notes = [f"digests: {len(lookups)} image{'s' if len(lookups) != 1 else ''} looked up in {requests} "
             f"request{'s' if requests != 1 else ''}, {len(lookups) - len(failed)} resolved"]
    notes += [f"digests: {lookup.image}: no digest ({lookup.problem}); NG102 keeps the manual instruction"
              for lookup in failed]
    return notes


def lookups_for_check(
    dockerfiles: Iterable[tuple[str, Image, Policy]], resolver: DigestResolver, *, unpinned: bool, pinned: bool
) -> dict[str, DigestLookup]:
    """One lookup per image that NG102 will judge: files where it is off cost none."""
    images = [image for path, image, policy in dockerfiles if _digest_rule_on(policy, path)]
    return resolver.lookup_all(lookups_needed(images, unpinned=unpinned, pinned=pinned))


def _digest_rule_on(policy: Policy, path: str) -> bool:
    setting = policy.settings_for(path).get(DIGEST_RULE)
    return setting is not None and setting.enabled


class WithLookups:
    """A policy finder whose policies hand NG102 the run's lookups; ``used`` is the wrapped finder's."""

    def __init__(self, finder: PolicyFinder, lookups: Mapping[str, DigestLookup]):
        self.finder, self.lookups = finder, lookups
        self._made: dict[int, Policy] = {}

    def __call__(self, path: Path) -> Policy:
        policy = self.finder(path)
        if id(policy) not in self._made:
            self._made[id(policy)] = policy_with_lookups(policy, self.lookups)
        return self._made[id(policy)]

    @property
    def used(self) -> dict[str, Policy]:
        return self.finder.used


def digest_checking_finder(
    paths: Sequence[str], finder: PolicyFinder, *, unpinned: bool, pinned: bool, force_exclude: bool = False
) -> tuple[WithLookups, list[str]]:
    """``check --resolve-digests/--check-digests``: the finder with every lookup made, and notes on them."""
    dockerfiles = local_dockerfiles(paths, finder, force_exclude=force_exclude)
    resolver = resolver_for(d.policy for d in dockerfiles)
    lookups = lookups_for_check([(d.repo_relative, d.image, d.policy) for d in dockerfiles], resolver,
                                unpinned=unpinned, pinned=pinned)
    return WithLookups(finder, lookups), summary(lookups)


@dataclass
class PinChange:
    line: int
    before: str
    after: str


@dataclass
class PinResult:
    path: Path
    shown: str
    text: str
    new_text: str
    changes: list[PinChange] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "line 3: `node:${V}` ... not pinned"

    def diff(self) -> str:
        return "".join(difflib.unified_diff(
            self.text.splitlines(keepends=True), self.new_text.splitlines(keepends=True),
            fromfile=f"a/{self.shown}", tofile=f"b/{self.shown}",
        ))


def pin_dockerfiles(dockerfiles: Sequence[LocalDockerfile], resolver: DigestResolver, *, update: bool) -> list[PinResult]:
    """Each Dockerfile with its unpinned `FROM` images pinned to what their tags point to (``update``:
    pinned ones whose tag moved get the new digest too). Files are not written here."""
    wanted = lookups_needed([d.image for d in dockerfiles], unpinned=True, pinned=update)
    lookups = resolver.lookup_all(wanted)
    return [_pin_one(dockerfile, lookups, update) for dockerfile in dockerfiles]


def _pin_one(dockerfile: LocalDockerfile, lookups: Mapping[str, DigestLookup], update: bool) -> PinResult:
    text = dockerfile.text or ""
    result = PinResult(dockerfile.path, dockerfile.shown, text, text)
    lines = text.split("\n")
    cr_only = "\n" not in text and "\r" in text.rstrip("\r")
    if lines[0].startswith(BOM):
        lines[0] = lines[0][len(BOM):]
    suggested: set[str] = set()  # new argument names suggested, one per image
    for stage in dockerfile.image.stages:
        ref, line = stage.base, stage.from_instruction.start_line
        if stage.parent is not None or ref.is_scratch or not ref.repository or (ref.digest and not (update and ref.tag)):
            continue
        written = stage.written_base
        lookup = lookups.get(image_key(ref))
        digest = lookup.digest if lookup is not None else None
        unset = unset_arguments(dockerfile.image, stage) if ref.unresolved else []
        if unset:  # as NG101 says; NG102 leaves such an image alone
            names = ", ".join(f"`{name}`" for name in unset)
            result.problems.append(f"line {line}: `{written}` depends on a build argument without a default "
                                   f"({names}): the image is chosen when it is built; not pinned")
            continue
        default = default_note(dockerfile.image, stage)
        where = f"line {line}: `{written}` is written through a build argument, so the digest goes in the argument"
        if default and not ref.unresolved and not digest:  # as NG102 says: the default was looked up
            why = lookup.problem if lookup is not None else "not looked up"
            result.problems.append(f"{where}; no digest for `{ref.raw}`, {default} ({why}); not pinned")
            continue
        in_argument = argument_pin(dockerfile.image, stage, digest, suggested) if digest else None
        if in_argument is not None:
            result.problems.append(f"{where}; not pinned: write {in_argument}")
            continue
        if ref.unresolved or written_image_word(stage) is None:
            result.problems.append(f"line {line}: `{written}` is not written literally (a build argument?); not pinned")
            continue
        if lookup is None or lookup.digest is None:
            why = lookup.problem if lookup is not None else "not looked up"
            result.problems.append(f"line {line}: `{ref.raw}`: no digest ({why}); not pinned")
            continue
        if lookup.digest == ref.digest:
            continue
        after = pinned_first_line(stage, lookup.digest)
        before = stage.from_instruction.original.split("\n", 1)[0]
        on_disk = lines[line - 1].rstrip("\r") if line <= len(lines) else None
        if after is None or cr_only or dockerfile.text is None or on_disk != before:
            result.problems.append(f"line {line}: the file's line endings or encoding keep it from being rewritten safely")
            continue
        ending = "\r" if lines[line - 1].endswith("\r") else ""
        lines[line - 1] = after + ending
        result.changes.append(PinChange(line, before, after))
    if text.startswith(BOM):
        lines[0] = BOM + lines[0]
    result.new_text = "\n".join(lines)
    return result


def policy_with_digests(
    policy: Policy, dockerfiles: Iterable[tuple[str, bytes]], *, unpinned: bool, pinned: bool,
    environ: Mapping[str, str] | None = None, policy_registries: bool = True,
) -> tuple[Policy, list[str]]:
    """The action's way: one policy, Dockerfiles as (repository-relative path, bytes) read wherever
    they were; the policy with NG102 given the lookups, and notes on them. Without either flag, the
    policy as it was and no request. ``policy_registries=False``: the policy comes from the pull request,
    so its ``registries`` are not used (see ``resolver_for``), and a note says so."""
    if not (unpinned or pinned):
        return policy, []
    parsed = [(path, build_image(parse_dockerfile(path, data)), policy) for path, data in dockerfiles]
    resolver = resolver_for([policy], environ, policy_registries=policy_registries)
    lookups = lookups_for_check(parsed, resolver, unpinned=unpinned, pinned=pinned)
    notes = summary(lookups)
    if policy.registries and not policy_registries:
        notes.append(
            "digests: the policy's registries (mirrors, private registries) are not used: the policy was read from "
            "the pull request's head (policy-from: head), and a pull request must not point lookups at the runner's "
            "network; only the well-known public registries were asked"
        )
    return policy_with_lookups(policy, lookups), notes
