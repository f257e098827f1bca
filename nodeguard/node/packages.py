"""Lockfiles, installs, build tools, secret names and sensitive files: tables and small readers."""
from __future__ import annotations

import fnmatch
import functools
import posixpath
import re
from collections.abc import Callable

from nodeguard.patterns import LazyPattern
from nodeguard.record import Record

LOCKFILES: dict[str, tuple[str, ...]] = {
    "npm": ("package-lock.json", "npm-shrinkwrap.json"),
    "yarn": ("yarn.lock",),
    "pnpm": ("pnpm-lock.yaml",),
    "bun": ("bun.lock", "bun.lockb"),
}

# How each package manager leaves the devDependencies out of what it installs.
PRODUCTION_INSTALL_ADVICE: dict[str, str] = {
    "npm": "install with `--omit=dev`, or run `npm prune --omit=dev` after the build",
    "yarn": "install with `--production` (Yarn 1) or `yarn workspaces focus --production` (Yarn 2+)",
    "pnpm": "install with `--prod`, or run `pnpm prune --prod` after the build",
    "bun": "install with `--production`",
}
# Programs that may run a build script, which needs the devDependencies an earlier install put there.
BUILD_SCRIPT_PROGRAMS = frozenset({"npm", "yarn", "pnpm", "npx", "bun", "node", "tsc", "nest", "next", "vite", "webpack"})

# What a Dockerfile copies before installing dependencies: the manifest, lockfiles and the package
# managers' configuration. Root-owned, they are read by the install and never written by the app.
INSTALL_INPUTS: frozenset[str] = frozenset({
    "package.json", *(name for names in LOCKFILES.values() for name in names),
    "pnpm-workspace.yaml", ".npmrc", ".yarnrc", ".yarnrc.yml", ".pnpmfile.cjs",
})

# The files of a build context the rules read by name, besides the sensitive ones (``sensitive_file_reason``):
# a pull request that adds, changes or removes one changes what a Dockerfile's check finds.
CONTEXT_INPUTS: frozenset[str] = INSTALL_INPUTS | {"tsconfig.json"}


# System packages that build native modules (apk, apt and dnf/yum names). "compiler" ones are never
# needed to run an app; "build" and "python" are what node-gyp needs beside a compiler; "vcs" is git,
# which npm needs only for git dependencies.
BUILD_TOOLS: dict[str, str] = {
    "build-base": "compiler",
    "build-essential": "compiler",
    "gcc": "compiler",
    "g++": "compiler",
    "gcc-c++": "compiler",
    "clang": "compiler",
    "musl-dev": "compiler",
    "libc6-dev": "compiler",
    "libc-dev": "compiler",
    "make": "build",
    "cmake": "build",
    "autoconf": "build",
    "automake": "build",
    "libtool": "build",
    "pkgconf": "build",
    "pkg-config": "build",
    "python3": "python",
    "python": "python",
    "git": "vcs",
}

# SecretsUsedInArgOrEnv, as BuildKit decides it: a deny token that is the whole name or a whole
# "_"-separated word of it, case-insensitive, unless an allow token is also such a word.
# moby/buildkit frontend/dockerfile/dockerfile2llb/validations.go, getSecretsRegex()
# (commit 22aa6bc5ea1dd97ac8543b1ce1ef6b30d979a1fa).
SECRET_TOKENS = ("apikey", "auth", "credential", "credentials", "key", "password", "pword", "passwd", "secret", "token")
SECRET_ALLOW_TOKENS = ("public", "file", "version")
_SECRET_WORD = re.compile(r"(?i)(?:_|^)(?:" + "|".join(SECRET_TOKENS) + r")(?:_|$)")
_ALLOWED_WORD = LazyPattern(r"(?i)(?:_|^)(?:" + "|".join(SECRET_ALLOW_TOKENS) + r")(?:_|$)")

# Names that hold credentials though the tokens above miss some of them (AZURE_CLIENT_ID): trivy's
# DS031 list (aquasecurity/trivy-checks checks/docker/leaked_secrets.rego) and the npm/GitHub ones.
SECRET_NAMES = frozenset(
    {
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AZURE_CLIENT_ID",
        "AZURE_CLIENT_SECRET",
        "GITHUB_TOKEN",
        "GH_TOKEN",
        "OPENAI_API_KEY",
        "HF_TOKEN",
        "NPM_TOKEN",
        "NPM_AUTH_TOKEN",
        "NODE_AUTH_TOKEN",
        "NPM_CONFIG__AUTH",
        "NPM_CONFIG__AUTHTOKEN",
        "YARN_NPM_AUTH_TOKEN",
    }
)
# Front-end build tools expose variables with these prefixes to the browser bundle, so the name behind
# the prefix decides. trivy DS031 strips VITE_ and REACT_APP_ (with trim_left, which trims characters
# rather than a prefix; the prefix is what it means); NEXT_PUBLIC_ is Next.js's equivalent.
SECRET_NAME_PREFIXES = ("VITE_", "REACT_APP_", "NEXT_PUBLIC_")
# Front-end frameworks put only keys with these prefixes into the browser bundle, so env files whose keys
# all carry one are public build settings by convention, committed on purpose: Vite, Next.js, Create
# React App, Nuxt, Astro/SvelteKit, Expo.
PUBLIC_ENV_PREFIXES = ("VITE_", "NEXT_PUBLIC_", "REACT_APP_", "NUXT_PUBLIC_", "PUBLIC_", "EXPO_PUBLIC_")
# Values that are credentials whatever their key says: private keys, well-known token formats,
# URLs that carry a password.
CREDENTIAL_VALUES = LazyPattern(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----|\b(?:sk|rk)_live_[0-9A-Za-z]{10,}|\bsk-[A-Za-z0-9_-]{20,}"
    r"|\bgh[pousr]_[A-Za-z0-9]{30,}|\bgithub_pat_[A-Za-z0-9_]{30,}|\bnpm_[A-Za-z0-9]{30,}"
    r"|\bxox[abposr]-[A-Za-z0-9-]{10,}|\bAKIA[0-9A-Z]{16}\b|://[^/\s:@]+:[^/\s@]+@"
)
_ENV_LINE = LazyPattern(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=(.*)")
# trivy DS031: variables that name a file of credentials rather than holding one.
SECRET_FILE_VARIABLES = frozenset({"AWS_CONFIG_FILE", "HF_TOKEN_PATH", "GOOGLE_APPLICATION_CREDENTIALS"})


def is_secret_name(name: str) -> bool:
    """True when an ARG/ENV name suggests it holds a secret (BuildKit's rule plus the known names)."""
    upper = name.upper()
    for prefix in SECRET_NAME_PREFIXES:
        if upper.startswith(prefix) and upper[len(prefix) :] in SECRET_NAMES:
            return True
    if upper in SECRET_NAMES:
        return True
    return bool(_SECRET_WORD.search(name)) and not _ALLOWED_WORD.search(name)


def is_public_env_file(text: str) -> bool:
    """An env file that holds only public build settings: every key has a public prefix, and no value
    looks like a credential. A line that is not ``KEY=value`` (or a comment) makes it not public."""
    keys = 0
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _ENV_LINE.fullmatch(line)
        if match is None or not match.group(1).upper().startswith(PUBLIC_ENV_PREFIXES):
            return False
        if CREDENTIAL_VALUES.search(match.group(2)):
            return False
        keys += 1
    return keys > 0


class SensitiveFile(Record):
    """A kind of file that must not reach an image, and why."""

    pattern: str  # fnmatch glob over the base name, or over the path's tail when it holds a "/"
    reason: str
    secret_marker: str | None  # a regex the text must hold to be sensitive; None: always

    def __init__(self, pattern: str, reason: str, secret_marker: str | None = None) -> None:
        self.__dict__.update(pattern=pattern, reason=reason, secret_marker=secret_marker)


SENSITIVE_FILES: tuple[SensitiveFile, ...] = (
    SensitiveFile(".env", "environment file with credentials"),
    SensitiveFile(".env.*", "environment file with credentials"),
    SensitiveFile(".npmrc", "npm configuration, often with a registry token", r"_auth(?:Token)?\s*=|_password\s*="),
    SensitiveFile(".yarnrc.yml", "Yarn configuration with a registry token", r"npmAuth(?:Token|Ident)\s*:"),
    SensitiveFile("*.pem", "private key or certificate"),
    SensitiveFile("*.key", "private key"),
    SensitiveFile("*.p12", "PKCS#12 key store"),
    SensitiveFile("*.pfx", "PKCS#12 key store"),
    SensitiveFile("id_rsa*", "SSH private key"),
    SensitiveFile("id_dsa*", "SSH private key"),
    SensitiveFile("id_ecdsa*", "SSH private key"),
    SensitiveFile("id_ed25519*", "SSH private key"),
    SensitiveFile("aws.json", "AWS credentials"),
    SensitiveFile(".aws/credentials", "AWS credentials"),
    SensitiveFile("credentials.json", "cloud credentials"),
    SensitiveFile("service-account*.json", "Google Cloud service account key"),
    SensitiveFile(".netrc", "machine passwords"),
    SensitiveFile(".git-credentials", "git passwords"),
)
_GLOB_CHARACTERS = frozenset("*?[")
# Sample files are meant to be committed and copied: ".env.example", ".env.local.sample".
_SAMPLE_SUFFIXES = (".example", ".sample", ".template")
_PUBLIC_KEY_SUFFIX = ".pub"


def is_context_input(relpath: str) -> bool:
    """Whether the rules read this file of a build context by its name: a manifest, lockfile or package
    manager configuration, ``tsconfig.json``, or a file that should never reach an image."""
    return posixpath.basename(relpath) in CONTEXT_INPUTS or sensitive_file_reason(relpath) is not None


def sensitive_file_reason(relpath: str, read_text: Callable[[str], str | None] | None = None) -> str | None:
    """Why a file should not reach an image, or None. ``read_text`` (optional) lets a file that needs a
    marker (an ``.npmrc`` with a token) be confirmed, and an env file of only public keys
    (``VITE_API_URL=...``) be cleared; without it such files count as sensitive."""
    path = posixpath.normpath(relpath.replace("\\", "/")).lstrip("/")
    base = posixpath.basename(path)
    if base.endswith(_SAMPLE_SUFFIXES) or base.endswith(_PUBLIC_KEY_SUFFIX):
        return None
    if base.startswith(".env") and read_text is not None:
        text = read_text(relpath)
        if text is not None and is_public_env_file(text):
            return None  # a framework's public build settings, committed on purpose
    for entry, matches in _sensitive_tests():
        if not matches(path, base):
            continue
        if entry.secret_marker is not None and read_text is not None:
            text = read_text(relpath)
            if text is None or not re.search(entry.secret_marker, text):
                return None
        return entry.reason
    return None


@functools.cache
def _sensitive_tests() -> tuple[tuple[SensitiveFile, Callable[[str, str], bool]], ...]:
    """Each sensitive-file pattern made into its test once: (path, base name) -> whether it matches."""
    return tuple((entry, _test_of(entry.pattern)) for entry in SENSITIVE_FILES)


def _test_of(pattern: str) -> Callable[[str, str], bool]:
    if "/" in pattern:
        suffix = "/" + pattern
        return lambda path, base: path == pattern or path.endswith(suffix)
    if not _GLOB_CHARACTERS.intersection(pattern):  # a plain name: no glob to compile
        return lambda path, base: base == pattern
    match = re.compile(fnmatch.translate(pattern)).match  # what fnmatch.fnmatchcase compiles
    return lambda path, base: match(base) is not None


class IgnoreEntry(Record):
    """A .dockerignore entry a Node.js build context should have, and why."""

    pattern: str  # as it would be written in .dockerignore
    reason: str

    def __init__(self, pattern: str, reason: str) -> None:
        self.__dict__.update(pattern=pattern, reason=reason)


IGNORE_MUST_HAVE: tuple[IgnoreEntry, ...] = (
    IgnoreEntry("node_modules", "a local node_modules overwrites or pollutes the one installed in the image"),
    IgnoreEntry(".git", "the repository history can hold secrets and busts the build cache"),
    IgnoreEntry(".env", "environment files hold credentials"),
    IgnoreEntry(".npmrc", "npm configuration can hold a registry token"),
    IgnoreEntry("npm-debug.log", "logs change on every run and bust the build cache"),
)
# The log file each package manager writes when a command fails (Bun writes none): IGNORE_MUST_HAVE's
# npm-debug.log stands for the project's own.
DEBUG_LOGS: dict[str, str | None] = {
    "npm": "npm-debug.log",
    "yarn": "yarn-error.log",
    "pnpm": "pnpm-debug.log",
    "bun": None,
}


class InstallCommand(Record):
    """One Node.js package manager command of a RUN, classified."""

    manager: str  # npm | yarn | pnpm | bun
    kind: str  # install | ci | add-global | add-package | prune
    deterministic: bool  # strictly follows the lockfile (npm ci, --frozen-lockfile, --immutable)
    production_only: bool | None  # None: decided by NODE_ENV (and the manager's config)
    deprecated_flag: str | None  # e.g. "--only=production": use --omit=dev
    packages: tuple[str, ...]  # what add-package / add-global installs, as written

    def __init__(
        self,
        manager: str,
        kind: str,
        deterministic: bool,
        production_only: bool | None,
        deprecated_flag: str | None = None,
        packages: tuple[str, ...] = (),
    ) -> None:
        self.__dict__.update(
            manager=manager,
            kind=kind,
            deterministic=deterministic,
            production_only=production_only,
            deprecated_flag=deprecated_flag,
            packages=packages,
        )


_MANAGERS = frozenset(LOCKFILES)
# npm 7 added `--omit`; it first shipped with Node.js 15. The images of Node.js 14 and older bundle npm 6
# (or older), which knows only `--production`/`--only=production` and ignores an `--omit=dev` it does not know.
FIRST_LINE_WITH_NPM_OMIT = 15
NPM_INSTALL_ALIASES = frozenset({"install", "i", "in", "ins", "inst", "insta", "instal", "isnt", "isnta", "isntal", "isntall", "add"})
_NPM_CI = frozenset({"ci", "clean-install", "ic", "install-clean", "isntall-clean", "install-ci-test", "cit"})
# npm options that take a separate value; anything else that starts with "-" is a flag.
_NPM_VALUE_OPTIONS = frozenset({"--omit", "--include", "--only", "--registry", "--prefix", "-C", "--workspace", "-w", "--cache", "--loglevel", "--location", "--tag"})
_YARN_VALUE_OPTIONS = frozenset({"--cwd", "--registry", "--modules-folder", "--cache-folder", "--network-timeout", "--mutex"})
_PNPM_VALUE_OPTIONS = frozenset({"--filter", "-F", "--dir", "-C", "--registry", "--store-dir", "--reporter", "--workspace-root", "--config.node-linker"})
_YARN_INFO_FLAGS = frozenset({"-v", "--version", "-h", "--help"})
_VALUE_OPTIONS = {"npm": _NPM_VALUE_OPTIONS, "yarn": _YARN_VALUE_OPTIONS, "pnpm": _PNPM_VALUE_OPTIONS, "bun": frozenset()}


def classify_install(argv: tuple[str, ...] | list[str]) -> InstallCommand | None:
    """What a package-manager command installs, or None when it installs nothing."""
    return _classify_install(tuple(argv))


@functools.lru_cache(maxsize=4096)  # several rules ask about the same commands of the same RUN steps
def _classify_install(words: tuple[str, ...]) -> InstallCommand | None:
    if words and words[0].rsplit("/", 1)[-1] in ("corepack", "npx") and len(words) > 1:
        words = words[1:]
    if not words:
        return None
    manager = words[0].rsplit("/", 1)[-1].split("@", 1)[0]  # corepack accepts "pnpm@9.1.0"
    if manager not in _MANAGERS:
        return None
    options, positionals = _split_options(words[1:], _VALUE_OPTIONS[manager])
    return _CLASSIFIERS[manager](options, positionals)



def _split_options(words: tuple[str, ...], value_options: frozenset[str]) -> tuple[dict[str, str], list[str]]:
    """``--omit dev --frozen-lockfile x`` -> ({"--omit": "dev", "--frozen-lockfile": ""}, ["x"])."""
    options: dict[str, list[str]] = {}
    positionals: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if word == "--":
            positionals.extend(words[index:])
            break
        if not word.startswith("-") or word == "-":
            positionals.append(word)
            continue
        name, sep, value = word.partition("=")
        if not sep and name in value_options and index < len(words):
            value, index = words[index], index + 1
        options.setdefault(name, []).append(value)
    return {name: ",".join(values) for name, values in options.items()}, positionals


def _flag_value(options: dict[str, str], *names: str) -> bool | None:
    """True/False for ``--flag``, ``--flag=true``, ``--flag=false``, ``--no-flag``; None when absent."""
    for name in names:
        if name in options:
            return options[name].lower() not in ("false", "0", "no")
        if "--no-" + name.lstrip("-") in options:
            return False
    return None


def _npm(options: dict[str, str], positionals: list[str]) -> InstallCommand | None:
    command, targets = (positionals[0], positionals[1:]) if positionals else ("", [])
    if command in _NPM_CI:
        kind = "ci"
    elif command in NPM_INSTALL_ALIASES:
        kind = _install_kind(options, targets)
    elif command == "prune":
        kind = "prune"
    else:
        return None
    production, deprecated = _npm_production(options)
    return InstallCommand("npm", kind, kind == "ci", production, deprecated, tuple(targets) if kind.startswith("add") else ())


def _install_kind(options: dict[str, str], targets: list[str]) -> str:
    is_global = _flag_value(options, "--global", "-g") or options.get("--location") == "global"
    if is_global:
        return "add-global"
    return "add-package" if targets else "install"


def _npm_production(options: dict[str, str]) -> tuple[bool | None, str | None]:
    omit = set(options.get("--omit", "").split(","))
    include = set(options.get("--include", "").split(","))
    only = options.get("--only")
    production = _flag_value(options, "--production", "--prod")
    if "dev" in omit:
        return True, None
    if "dev" in include:
        return False, None
    if only is not None:
        return only in ("prod", "production"), f"--only={only}"
    if production is not None:
        return production, "--prod" if "--prod" in options else "--production"
    return None, None


def _yarn(options: dict[str, str], positionals: list[str]) -> InstallCommand | None:
    if not positionals and _YARN_INFO_FLAGS.intersection(options):  # `yarn -v` prints, it installs nothing
        return None
    command = positionals[0] if positionals else "install"
    production = _flag_value(options, "--production", "--prod")
    if positionals[:2] == ["workspaces", "focus"]:
        return InstallCommand("yarn", "install", False, production, None)
    if command == "global" and positionals[1:2] == ["add"]:
        return InstallCommand("yarn", "add-global", False, None, None, tuple(positionals[2:]))
    if command == "add":
        return InstallCommand("yarn", "add-package", False, None, None, tuple(positionals[1:]))
    if command != "install" or len(positionals) > 1:
        return None
    deterministic = bool(_flag_value(options, "--frozen-lockfile", "--immutable"))
    return InstallCommand("yarn", "install", deterministic, production, None)


def _pnpm(options: dict[str, str], positionals: list[str]) -> InstallCommand | None:
    command, targets = (positionals[0], positionals[1:]) if positionals else ("", [])
    production = _pnpm_production(options)
    if command in ("install", "i") and not targets:
        deterministic = bool(_flag_value(options, "--frozen-lockfile"))
        kind = "add-global" if _flag_value(options, "--global", "-g") else "install"
        return InstallCommand("pnpm", kind, deterministic, production, None)
    if command in ("add", "install", "i"):
        kind = "add-global" if _flag_value(options, "--global", "-g") else "add-package"
        return InstallCommand("pnpm", kind, False, None, None, tuple(targets))
    if command == "prune":
        return InstallCommand("pnpm", "prune", False, production, None)
    return None


def _pnpm_production(options: dict[str, str]) -> bool | None:
    production = _flag_value(options, "--prod", "-P", "--production")
    if production is not None:
        return production
    return False if _flag_value(options, "--dev", "-D") else None


def _bun(options: dict[str, str], positionals: list[str]) -> InstallCommand | None:
    command, targets = (positionals[0], positionals[1:]) if positionals else ("", [])
    is_global = bool(_flag_value(options, "--global", "-g"))
    production = _flag_value(options, "--production", "-p")
    if command in ("install", "i") and not targets:
        deterministic = bool(_flag_value(options, "--frozen-lockfile"))
        return InstallCommand("bun", "add-global" if is_global else "install", deterministic, production, None)
    if command in ("add", "a", "install", "i"):
        kind = "add-global" if is_global else "add-package"
        return InstallCommand("bun", kind, False, None, None, tuple(targets))
    return None


_CLASSIFIERS: dict[str, Callable[[dict[str, str], list[str]], InstallCommand | None]] = {
    "npm": _npm,
    "yarn": _yarn,
    "pnpm": _pnpm,
    "bun": _bun,
}
