"""The digest a tag points to, asked of the image's registry through the OCI distribution API.

One ``HEAD /v2/<repository>/manifests/<tag>`` accepting the OCI index, the Docker manifest list and both
kinds of single manifest; the ``Docker-Content-Digest`` header names what the tag points to: for a
multi-platform image, the index (manifest list) every platform resolves through. A 401 with
``WWW-Authenticate: Bearer realm=...,service=...,scope=...`` is met by asking the realm for a pull token,
anonymously or with the Docker client's credentials for that registry, then asking again; a ``Basic``
challenge by sending those credentials. Credentials travel only over HTTPS (or to this machine).

Docker Hub is ``registry-1.docker.io`` with official images under ``library/``; a mirror set in the
policy is asked first, and Docker Hub when the mirror cannot answer, as the Docker daemon does.
Registries on the loopback interface are tried over HTTPS, then plain HTTP, as Docker treats them.

Only registries a pull request cannot steer into the runner's network are asked: the well-known public
ones (``PUBLIC_REGISTRIES``), whose addresses are checked to be public before each connection, and the
hosts the policy names under ``registries:`` (the user opted in; the action reads the policy from the
base branch). Any other host (an IP address, ``localhost``, an internal name) is never contacted.

Bounded: a 5 s timeout per request, ``attempts`` tries when the connection fails or the registry answers
5xx/429, one lookup per image per run, at most ``MAX_IMAGES`` images a run, and a registry found
unreachable is not asked again in the run.
"""
from __future__ import annotations

import base64
import ipaddress
import re
import socket
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from nodeguard.model.reference import DOCKER_HUB, ImageRef
from nodeguard.pinning import DIGEST, DigestLookup, image_key

DOCKER_HUB_HOST = "registry-1.docker.io"
TIMEOUT_SECONDS = 5.0
ATTEMPTS = 2
RETRY_PAUSE_SECONDS = 0.5
MAX_IMAGES = 100  # distinct images looked up in one run
_RETRIED_STATUS = frozenset({429, 500, 502, 503, 504})
MANIFEST_TYPES = ", ".join((
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
))
_CHALLENGE_PARAMETER = re.compile(r'([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))')
USER_AGENT = "nodeguard (digest lookup)"
PUBLIC_REGISTRIES = frozenset({
    "docker.io", "registry-1.docker.io", "index.docker.io", "ghcr.io", "gcr.io", "quay.io", "public.ecr.aws",
    "mcr.microsoft.com", "registry.k8s.io", "cgr.dev", "registry.access.redhat.com", "registry.gitlab.com",
})
_PUBLIC_REGISTRY_PATTERN = re.compile(r"[a-z0-9-]+\.gcr\.io|[a-z0-9-]+-docker\.pkg\.dev")


@dataclass(frozen=True)
class Endpoint:
    scheme: str  # https | http
    host: str  # host[:port]

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}"


class Unreachable(Exception):
    """The registry could not be asked (connection, timeout, TLS, 5xx after every attempt)."""


class Refused(Exception):
    """The registry answered, and the answer holds no digest (unknown tag, no access, no header)."""


def is_loopback(host: str) -> bool:
    name = urlsplit(f"//{host}").hostname or ""
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def is_public_registry(host: str) -> bool:
    """A well-known public registry, named without a port: ``ghcr.io``, ``eu.gcr.io``,
    ``europe-west1-docker.pkg.dev``."""
    host = host.lower()
    return host in PUBLIC_REGISTRIES or _PUBLIC_REGISTRY_PATTERN.fullmatch(host) is not None


def is_public_address(address: str) -> bool:
    """Not loopback, private, link-local, shared, multicast, unspecified or reserved."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_loopback or ip.is_link_local or ip.is_reserved)


def resolve_addresses(host: str) -> list[str]:
    """The addresses a connection to ``host`` (host[:port]) would go to."""
    parts = urlsplit(f"//{host}")
    try:
        found = socket.getaddrinfo(parts.hostname or host, parts.port or 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise Unreachable(f"the name did not resolve ({_short(error)})") from None
    return [str(info[4][0]) for info in found]


def mirror_endpoint(url: str) -> Endpoint:
    parts = urlsplit(url.strip())
    return Endpoint(parts.scheme.lower(), parts.netloc)


class DigestResolver:
    """Looks tags up, each image once per run. ``mirrors``: registry name -> mirror URL (the policy's
    ``registries``); ``credentials``: registry host -> (user, password) (the Docker client's
    ``auths``); ``trusted``: registry hosts the policy names (asked whatever their address);
    ``tls_verify``: True, or a CA bundle's path; ``resolve``: host -> addresses, checked before connecting."""

    def __init__(
        self,
        mirrors: Mapping[str, str] | None = None,
        credentials: Mapping[str, tuple[str, str]] | None = None,
        *,
        trusted: Iterable[str] = (),
        timeout: float = TIMEOUT_SECONDS,
        attempts: int = ATTEMPTS,
        retry_pause: float = RETRY_PAUSE_SECONDS,
        tls_verify: bool | str = True,
        sleep: Callable[[float], None] = time.sleep,
        resolve: Callable[[str], list[str]] = resolve_addresses,
    ):
        self.mirrors = dict(mirrors or {})
        self.trusted = {host.lower() for host in (*self.mirrors, *trusted)}
        self.resolve = resolve
        self.credentials = dict(credentials or {})
        self.timeout, self.attempts, self.retry_pause = timeout, max(1, attempts), retry_pause
        self.tls_verify, self.sleep = tls_verify, sleep
        self._done: dict[str, DigestLookup] = {}
        self._unreachable: dict[str, str] = {}  # endpoint URL -> why

    def lookup(self, ref: ImageRef) -> DigestLookup:
        key = image_key(ref)
        if key in self._done:
            return DigestLookup(self._done[key].image, self._done[key].digest, self._done[key].problem, 0)
        self._done[key] = result = self._ask(ref)
        return result

    def lookup_all(self, refs: Mapping[str, ImageRef]) -> dict[str, DigestLookup]:
        """Each image once; past ``MAX_IMAGES`` distinct images the rest are not asked (bounded time)."""
        found = {}
        for index, (key, ref) in enumerate(refs.items()):
            if index < MAX_IMAGES:
                found[key] = self.lookup(ref)
            else:
                found[key] = DigestLookup(key, None, f"not looked up: at most {MAX_IMAGES} images a run", 0)
        return found

    # -- one image

    def _ask(self, ref: ImageRef) -> DigestLookup:
        repository, tag = self._repository(ref), ref.tag or "latest"
        shown = f"{ref.registry}/{repository}:{tag}"
        if not self._allowed(ref.registry):
            return DigestLookup(shown, None, f"not looked up: {ref.registry} is neither a well-known public registry "
                                "nor named under the policy's registries:, and a pull request must not steer "
                                "requests into the runner's network", 0)
        counter = _Counter()
        problems = []
        mirror = self.mirrors.get(ref.registry)
        for endpoint in self._endpoints(ref):
            if endpoint.url in self._unreachable:
                problems.append(self._unreachable[endpoint.url])
                continue
            try:
                if not (self._allowed_anywhere(ref.registry) or (mirror and endpoint == mirror_endpoint(mirror))):
                    self._check_public(endpoint.host)
                digest = self._head(endpoint, repository, tag, counter)
            except Unreachable as error:
                self._unreachable[endpoint.url] = why = f"{endpoint.host} could not be reached: {error}"
                problems.append(why)
                continue
            except Refused as error:
                return DigestLookup(shown, None, f"{endpoint.host}: {error}", counter.count)
            return DigestLookup(shown, digest, None, counter.count)
        return DigestLookup(shown, None, "; ".join(dict.fromkeys(problems)), counter.count)

    def _allowed(self, registry: str) -> bool:
        return self._allowed_anywhere(registry) or is_public_registry(registry)

    def _allowed_anywhere(self, registry: str) -> bool:
        """Named in the policy: asked even on this machine's network."""
        return registry.lower() in self.trusted

    def _check_public(self, host: str) -> None:
        for address in self.resolve(host):
            if not is_public_address(address):
                raise Refused(f"not looked up: the name resolves to {address}, not a public address")

    @staticmethod
    def _repository(ref: ImageRef) -> str:
        if ref.registry == DOCKER_HUB and "/" not in ref.repository:
            return f"library/{ref.repository}"
        return ref.repository

    def _endpoints(self, ref: ImageRef) -> list[Endpoint]:
        endpoints = []
        mirror = self.mirrors.get(ref.registry)
        if mirror:
            endpoints.append(mirror_endpoint(mirror))
        host = DOCKER_HUB_HOST if ref.registry == DOCKER_HUB else ref.registry
        endpoints.append(Endpoint("https", host))
        if is_loopback(host):
            endpoints.append(Endpoint("http", host))
        return endpoints

    def _head(self, endpoint: Endpoint, repository: str, tag: str, counter: _Counter) -> str:
        last = "no answer"
        for attempt in range(self.attempts):
            if attempt:
                self.sleep(self.retry_pause * attempt)
            try:
                digest = self._head_once(endpoint, repository, tag, counter)
            except requests.exceptions.SSLError as error:
                counter.count += 1
                raise Unreachable(f"TLS failed ({_short(error)})") from None
            except requests.Timeout:
                counter.count += 1
                last = f"no answer within {self.timeout:g} s"
                continue
            except requests.ConnectionError as error:
                counter.count += 1
                last = _short(error)
                continue
            except requests.HTTPError as error:
                status = error.response.status_code if error.response is not None else 0
                if status in _RETRIED_STATUS:
                    last = f"the registry answered {status}"
                    continue
                raise Refused(_status_text(status, repository, tag)) from None
            except (requests.RequestException, ValueError) as error:
                raise Refused(f"unexpected answer ({_short(error)})") from None
            if not digest or not DIGEST.fullmatch(digest):
                raise Refused("the answer has no sha256 Docker-Content-Digest header")
            return digest
        raise Unreachable(last)

    def _head_once(self, endpoint: Endpoint, repository: str, tag: str, counter: _Counter) -> str | None:
        """One HEAD of the manifest, answering one authentication challenge on the way."""
        credentials = self.credentials.get(endpoint.host) or self.credentials.get(_registry_name(endpoint.host))
        url = f"{endpoint.url}/v2/{repository}/manifests/{tag}"
        with requests.Session() as session:
            session.headers["User-Agent"] = USER_AGENT
            session.hooks["response"].append(counter.count_response)
            response = session.head(url, headers={"Accept": MANIFEST_TYPES}, timeout=self.timeout,
                                    verify=self.tls_verify, allow_redirects=True)
            if response.status_code == 401:
                authorization = self._authorization(session, response, repository, credentials)
                if authorization is None:
                    raise Refused(f"{repository} needs credentials that the Docker configuration does not hold")
                response = session.head(url, headers={"Accept": MANIFEST_TYPES, "Authorization": authorization},
                                        timeout=self.timeout, verify=self.tls_verify, allow_redirects=True)
                if response.status_code == 401:
                    raise Refused(f"access to {repository} was refused (no or wrong credentials)")
            response.raise_for_status()
            return response.headers.get("Docker-Content-Digest")

    def _authorization(self, session: requests.Session, response: requests.Response, repository: str,
                       credentials: tuple[str, str] | None) -> str | None:
        """The Authorization header that answers the registry's challenge, or None when none can."""
        scheme, parameters = parse_challenge(response.headers.get("WWW-Authenticate", ""))
        if scheme == "basic":
            return _basic(credentials) if credentials and _may_carry_secrets(response.url) else None
        if scheme != "bearer" or not parameters.get("realm"):
            return None
        query = {"scope": f"repository:{repository}:pull"}
        if parameters.get("service"):
            query["service"] = parameters["service"]
        realm = parameters["realm"]
        headers = {"Authorization": _basic(credentials)} if credentials and _may_carry_secrets(realm) else {}
        answer = session.get(realm, params=query, headers=headers, timeout=self.timeout, verify=self.tls_verify)
        if answer.status_code in (401, 403):
            raise Refused(f"the token service refused access to {repository} ({answer.status_code})")
        answer.raise_for_status()
        body = answer.json()
        token = body.get("token") or body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise Refused("the token service answered without a token")
        return f"Bearer {token}"


def parse_challenge(header: str) -> tuple[str, dict[str, str]]:
    """``Bearer realm="https://auth.docker.io/token",service="registry.docker.io"`` ->
    ``("bearer", {"realm": ..., "service": ...})``."""
    scheme, _, rest = header.strip().partition(" ")
    parameters = {}
    for name, quoted, bare in _CHALLENGE_PARAMETER.findall(rest):
        parameters[name.lower()] = re.sub(r"\\(.)", r"\1", quoted) if quoted else bare
    return scheme.lower(), parameters


def _basic(credentials: tuple[str, str]) -> str:
    return "Basic " + base64.b64encode(f"{credentials[0]}:{credentials[1]}".encode()).decode()


def _may_carry_secrets(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" or is_loopback(parts.netloc)


class _Counter:
    def __init__(self) -> None:
        self.count = 0

    def count_response(self, response, *args, **kwargs) -> None:
        self.count += 1 + len(response.history)


def _registry_name(host: str) -> str:
    return DOCKER_HUB if host == DOCKER_HUB_HOST else host


def _status_text(status: int, repository: str, tag: str) -> str:
    if status == 404:
        return f"no tag {tag} in {repository} (404)"
    if status == 403:
        return f"access to {repository} is forbidden (403)"
    return f"the registry answered {status}"


def _short(error: BaseException) -> str:
    """A connection error's last, readable part: ``Connection refused``."""
    text = str(error)
    for marker in ("] ", "Caused by "):
        if marker in text:
            text = text.rsplit(marker, 1)[-1]
    return text.strip(" ')(\"")[:160] or type(error).__name__
