"""The digest a tag points to, asked of the image's registry through the OCI distribution API.

One ``HEAD /v2/<repository>/manifests/<tag>`` accepting the OCI index, the Docker manifest list and both
kinds of single manifest; the ``Docker-Content-Digest`` header names what the tag points to: for a
multi-platform image, the index (manifest list) every platform resolves through. A 401 with
``WWW-Authenticate: Bearer realm=...,service=...,scope=...`` is met by asking the realm for a pull token,
anonymously or with the Docker client's credentials for that registry, then asking again; a ``Basic``
challenge by sending those credentials. Credentials travel only over HTTPS (or to this machine).

Docker Hub is ``registry-1.docker.io`` with official images under ``library/``; a mirror set in the
policy is asked first, and Docker Hub when the mirror cannot answer, as the Docker daemon does.
Registries on the loopback interface are tried over HTTPS, then plain HTTP, as Docker treats them; once
one answers over HTTP, its failed HTTPS try is left out of what a lookup says.

Only registries a pull request cannot steer into the runner's network are asked: the well-known public
ones (``PUBLIC_REGISTRIES``), and the hosts the policy names under ``registries:`` (the user opted in; the
action reads the policy from the base branch). Any other host (an IP address, ``localhost``, an internal
name) is never contacted. For a public registry every host a lookup connects to (the registry, its token
realm, a redirect) is resolved once, each of its addresses checked to be public, and the connection made
to a checked address (``PinnedAddressAdapter``): a DNS answer that changes between the check and the
connection (rebinding) cannot point it into the runner's network.

``list_tags`` reads a repository's tags (``GET /v2/<repository>/tags/list``, page by page as the
``Link`` header leads) with the same authentication, limits and allow-list.

Bounded: 5 s per request, however slowly a server sends its answer (``BoundedAdapter``), at most
``MAX_BODY_BYTES`` of an answer read, ``attempts`` tries when the connection fails or the registry answers
5xx/429 (a ``Retry-After`` of at most 5 s waited through, a longer one giving the registry up), one lookup
per image per run, at most ``MAX_IMAGES`` images a run, and a registry found
unreachable is not asked again in the run.
"""
from __future__ import annotations

import base64
import ipaddress
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.utils import select_proxy
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError

from nodeguard.model.parse import size_text
from nodeguard.model.reference import DOCKER_HUB, ImageRef
from nodeguard.pinning import DIGEST, DigestLookup, image_key

DOCKER_HUB_HOST = "registry-1.docker.io"
TIMEOUT_SECONDS = 5.0
ATTEMPTS = 2
RETRY_PAUSE_SECONDS = 0.5
MAX_IMAGES = 100  # distinct images looked up in one run
MAX_ADDRESSES = 2  # checked addresses of a name tried in turn when a connection cannot be made
TAGS_PER_PAGE = 1000
MAX_TAG_PAGES = 100
MAX_REDIRECTS = 5  # a registry sends a client on once or twice (a CDN, a token service), never in a loop
MAX_BODY_BYTES = 8 * 1024 * 1024  # an answer (a token, a page of the tag list) read at most
_NEXT_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')
_T = TypeVar("_T")
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
    """The registry could not be asked (connection, timeout, TLS, 5xx after every attempt). ``reached``:
    a server was there and answered, if not in time or not well (a 5xx, a 429, an answer cut off)."""

    def __init__(self, message: str, reached: bool = False):
        super().__init__(message)
        self.reached = reached


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


@dataclass(frozen=True)
class TagList:
    """A repository's tags as the registry listed them; ``problem`` says why there are none."""

    repository: str
    tags: tuple[str, ...]
    problem: str | None
    requests: int
    pages: int


class _Deadline:
    """The sockets one request uses, shut down when its time is up: a server that sends its answer a
    byte at a time (each within the read timeout) cannot hold the request longer than ``seconds``."""

    def __init__(self, seconds: float):
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._timer.cancel()


def _shut(sock: socket.socket) -> None:
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the TCP socket under TLS too: a blocked read returns
    except OSError:
        pass


_current = threading.local()  # .deadline: the _Deadline of the request this thread is sending


def _watch(sock: socket.socket | None) -> None:
    deadline = getattr(_current, "deadline", None)
    if deadline is not None and sock is not None:
        deadline.watch(sock)


class _WatchedConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _watch(sock)
        return sock

    def request(self, *args, **kwargs) -> None:  # a kept-alive connection already has its socket
        _watch(self.sock)
        super().request(*args, **kwargs)


class _WatchedTLSConnection(_WatchedConnection, HTTPSConnection):
    pass


class _WatchedPool(HTTPConnectionPool):
    ConnectionCls = _WatchedConnection


class _WatchedTLSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedTLSConnection


_WATCHED_POOLS = {"http": _WatchedPool, "https": _WatchedTLSPool}


class BoundedAdapter(HTTPAdapter):
    """Each request takes at most ``seconds`` from sending it to the last byte of the answer, which is
    read here (``MAX_BODY_BYTES`` at most; a larger answer is refused): the timeout of ``requests`` only
    bounds each read, and a body read later would escape the bound."""

    def __init__(self, seconds: float):
        super().__init__()
        self.seconds = seconds

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _WATCHED_POOLS

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if hasattr(manager, "pool_classes_by_scheme"):
            manager.pool_classes_by_scheme = _WATCHED_POOLS
        return manager

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None,
             verify: bool | str = True, cert: Any = None, proxies: dict[str, str] | None = None) -> requests.Response:
        outer = getattr(_current, "deadline", None)
        with _Deadline(self.seconds) as deadline:
            _current.deadline = deadline
            try:
                response = super().send(request, True, timeout, verify, cert, proxies)
                _read_body(response)
            except Exception:
                if deadline.expired:
                    raise requests.Timeout(f"no answer within {self.seconds:g} s") from None
                raise
            finally:
                _current.deadline = outer
        if deadline.expired:  # cut off, what had come may still parse as a (shorter) answer
            raise requests.Timeout(f"no answer within {self.seconds:g} s")
        return response


def _read_body(response: requests.Response) -> None:
    """The whole answer into ``response.content``, within ``MAX_BODY_BYTES``."""
    try:
        body = response.raw.read(MAX_BODY_BYTES + 1, decode_content=True)
    except Exception as error:
        response.close()
        raise requests.ConnectionError(f"the answer broke off ({_short(error)})") from None
    if len(body) > MAX_BODY_BYTES:
        response.close()
        raise Refused(f"an answer is larger than {size_text(MAX_BODY_BYTES)}")
    response._content = body
    response._content_consumed = True
    response.raw.release_conn()


class PinnedAddressAdapter(BoundedAdapter):
    """Connects to the addresses ``addresses(name)`` resolved and checked, never resolving the name again:
    the first that accepts a connection (at most ``MAX_ADDRESSES``). The Host header, the TLS server name
    and the certificate check keep the name. Through a proxy, the proxy makes the connection (the check
    still runs first)."""

    def __init__(self, addresses: Callable[[str], list[str]], seconds: float = TIMEOUT_SECONDS):
        super().__init__(seconds)
        self.addresses = addresses
        self._target = threading.local()

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None,
             verify: bool | str = True, cert: Any = None, proxies: dict[str, str] | None = None) -> requests.Response:
        name = urlsplit(request.url or "").hostname or ""
        addresses = self.addresses(name)[:MAX_ADDRESSES]
        if select_proxy(request.url or "", proxies):
            return super().send(request, stream, timeout, verify, cert, proxies)
        failed: requests.ConnectionError | None = None
        for address in addresses:
            self._target.address = address
            try:
                return super().send(request, stream, timeout, verify, cert, proxies)
            except requests.ConnectionError as error:
                if not _not_connected(error):
                    raise
                failed = error
            finally:
                self._target.address = None
        raise failed or requests.ConnectionError(f"{name} has no address")

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        address = getattr(self._target, "address", None)
        if address is not None:
            name = host_params["host"]
            host_params = {**host_params, "host": address}
            if host_params["scheme"] == "https":
                pool_kwargs = {**pool_kwargs, "server_hostname": name, "assert_hostname": name}
        return host_params, pool_kwargs

    def add_headers(self, request, **kwargs) -> None:
        if getattr(self._target, "address", None) is not None:
            parts = urlsplit(request.url)
            request.headers["Host"] = parts.netloc.rpartition("@")[2]


def _not_connected(error: requests.ConnectionError) -> bool:
    """The connection was never made (refused, unreachable, connect timeout): nothing was sent."""
    cause = error.args[0] if error.args else None
    return isinstance(cause, MaxRetryError) and isinstance(cause.reason, ConnectTimeoutError)


def mirror_endpoint(url: str) -> Endpoint:
    parts = urlsplit(url.strip())
    return Endpoint(parts.scheme.lower(), parts.netloc)


class DigestResolver:
    """Looks tags up, each image once per run. ``mirrors``: registry name -> mirror URL (the policy's
    ``registries``); ``credentials``: registry host -> (user, password) (the Docker client's
    ``auths``), ``credentials_note`` why they hold none a registry may need (said when access is refused);
    ``trusted``: registry hosts the policy names (asked whatever their address);
    ``tls_verify``: True, or a CA bundle's path; ``resolve``: host -> addresses, resolved once a run for
    a public registry's hosts, each checked with ``address_allowed`` and connected to."""

    def __init__(
        self,
        mirrors: Mapping[str, str] | None = None,
        credentials: Mapping[str, tuple[str, str]] | None = None,
        *,
        trusted: Iterable[str] = (),
        credentials_note: str | None = None,
        timeout: float = TIMEOUT_SECONDS,
        attempts: int = ATTEMPTS,
        retry_pause: float = RETRY_PAUSE_SECONDS,
        tls_verify: bool | str = True,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        resolve: Callable[[str], list[str]] = resolve_addresses,
        address_allowed: Callable[[str], bool] = is_public_address,
    ):
        self.mirrors = dict(mirrors or {})
        self.trusted = {host.lower() for host in (*self.mirrors, *trusted)}
        self.resolve, self.address_allowed = resolve, address_allowed
        self._addresses: dict[str, list[str]] = {}  # name -> its checked addresses, for the run
        self.credentials, self.credentials_note = dict(credentials or {}), credentials_note
        self.timeout, self.attempts, self.retry_pause = timeout, max(1, attempts), retry_pause
        self.tls_verify, self.sleep, self.clock = tls_verify, sleep, clock
        self._done: dict[str, DigestLookup] = {}
        self._unreachable: dict[str, str] = {}  # endpoint URL -> why
        self._superseded: set[str] = set()  # HTTPS URLs of loopback registries that answered over HTTP

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
        counter = _Counter()
        try:
            digest = self._first_answer(ref, counter, lambda endpoint, session: self._head(
                session, endpoint, repository, tag))
        except Refused as error:
            return DigestLookup(shown, None, str(error), counter.count)
        return DigestLookup(shown, digest, None, counter.count)

    def list_tags(self, ref: ImageRef) -> TagList:
        """Every tag of ``ref``'s repository, following the registry's pages (``n``, ``last``, ``Link``)."""
        repository = self._repository(ref)
        counter = _Counter()
        pages: list[int] = []
        try:
            tags = self._first_answer(ref, counter, lambda endpoint, session: self._tag_pages(
                session, endpoint, repository, pages))
        except Refused as error:
            return TagList(repository, (), str(error), counter.count, len(pages))
        return TagList(repository, tuple(tags), None, counter.count, len(pages))

    def _first_answer(self, ref: ImageRef, counter: _Counter,
                      ask: Callable[[Endpoint, requests.Session], _T]) -> _T:
        """``ask`` of the first endpoint that answers (mirror first); Refused saying why when none does."""
        if not self._allowed(ref.registry):
            raise Refused(f"not looked up: {ref.registry} is neither a well-known public registry nor named "
                          "under the policy's registries:, and a pull request must not steer requests into the "
                          "runner's network")
        if ref.repository != ref.repository.lower():  # Docker refuses the name: a registry would only say 404
            raise Refused(f"not looked up: `{ref.repository}` is not a valid image name: a repository name is lower case")
        problems: dict[str, str] = {}  # endpoint URL -> why
        mirror = self.mirrors.get(ref.registry)
        for endpoint in self._endpoints(ref):
            if endpoint.url in self._unreachable:
                problems[endpoint.url] = self._unreachable[endpoint.url]
                continue
            pinned = not (self._allowed_anywhere(ref.registry) or (mirror and endpoint == mirror_endpoint(mirror)))
            try:
                with self._session(counter, pinned) as session:
                    if pinned:
                        self._checked_addresses(urlsplit(endpoint.url).hostname or endpoint.host)
                    return self._attempts(lambda: ask(endpoint, session), counter)
            except Unreachable as error:
                self._unreachable[endpoint.url] = problems[endpoint.url] = f"{endpoint.host} could not be reached: {error}"
                if error.reached and endpoint.scheme == "http":  # the loopback registry speaks HTTP: the
                    self._superseded.add(Endpoint("https", endpoint.host).url)  # HTTPS try says nothing of it
            except Refused as error:
                raise Refused(f"{endpoint.host}: {error}") from None
        said = [why for url, why in problems.items() if url not in self._superseded]
        raise Refused("; ".join(dict.fromkeys(said)))

    def _allowed(self, registry: str) -> bool:
        return self._allowed_anywhere(registry) or is_public_registry(registry)

    def _allowed_anywhere(self, registry: str) -> bool:
        """Named in the policy: asked even on this machine's network."""
        return registry.lower() in self.trusted

    def _checked_addresses(self, name: str) -> list[str]:
        """The addresses of ``name``, resolved once a run and each checked: the only ones connected to."""
        key = name.lower()
        if key not in self._addresses:
            found = self.resolve(name)
            for address in found:
                if not self.address_allowed(address):
                    raise Refused(f"not looked up: the name resolves to {address}, not a public address")
            self._addresses[key] = found
        return self._addresses[key]

    def _session(self, counter: _Counter, pinned: bool) -> requests.Session:
        session = requests.Session()
        session.max_redirects = MAX_REDIRECTS
        session.headers["User-Agent"] = USER_AGENT
        session.hooks["response"].append(counter.count_response)
        adapter = PinnedAddressAdapter(self._checked_addresses, self.timeout) if pinned else BoundedAdapter(self.timeout)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        return session

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

    def _attempts(self, ask: Callable[[], _T], counter: _Counter) -> _T:
        """``ask()``, tried again when the connection fails or the registry answers 5xx/429. A ``Retry-After``
        (seconds or a date) is waited through when it is at most the per-request limit; a longer one gives
        the registry up at once: nodeguard never waits longer than that limit between two tries."""
        last, reached = "no answer", False
        wait: float | None = None  # the Retry-After of the last answer
        for attempt in range(self.attempts):
            if attempt:
                self.sleep(self.retry_pause * attempt if wait is None else wait)
            wait = None
            try:
                return ask()
            except requests.exceptions.SSLError as error:
                counter.count += 1
                raise Unreachable(f"TLS failed ({_short(error)})") from None
            except requests.Timeout as error:
                counter.count += 1
                last, reached = f"no answer within {self.timeout:g} s", not isinstance(error, requests.ConnectTimeout)
            except requests.ConnectionError as error:
                counter.count += 1
                last, reached = _short(error), False
            except _Retry as error:
                last, reached = f"the registry answered {error.status}", True
                wait = _seconds_to_wait(error.retry_after, self.clock)
                if wait is not None and wait > self.timeout:
                    raise Unreachable(f"{last} and asks to wait {wait:g} s (Retry-After), longer than the "
                                      f"{self.timeout:g} s nodeguard waits", True) from None
            except (requests.RequestException, ValueError) as error:
                raise Refused(f"unexpected answer ({_short(error)})") from None
        raise Unreachable(last, reached)

    def _head(self, session: requests.Session, endpoint: Endpoint, repository: str, tag: str) -> str:
        response = self._authorized(session, "HEAD", f"{endpoint.url}/v2/{repository}/manifests/{tag}",
                                    repository, {"Accept": MANIFEST_TYPES})
        _raise_for_status(response, lambda status: _status_text(status, repository, tag))
        if response.status_code != 200:  # a redirect not followed, a partial or cached answer: not the tag's
            raise Refused(f"the registry answered {response.status_code}, not the manifest")
        digest = response.headers.get("Docker-Content-Digest")
        if not digest or not DIGEST.fullmatch(digest):
            raise Refused("the answer has no sha256 Docker-Content-Digest header")
        return digest

    def _tag_pages(self, session: requests.Session, endpoint: Endpoint, repository: str,
                   pages: list[int]) -> list[str]:
        """Every page of the tag list; a page that fails is asked again (by ``_attempts``) from the start."""
        tags: list[str] = []
        pages.clear()
        url: str | None = f"{endpoint.url}/v2/{repository}/tags/list?n={TAGS_PER_PAGE}"
        authorization: str | None = None
        while url is not None:
            if len(pages) == MAX_TAG_PAGES:
                raise Refused(f"the tag list of {repository} is longer than {MAX_TAG_PAGES} pages")
            headers = {"Accept": "application/json"}
            if authorization:
                headers["Authorization"] = authorization
            response = self._authorized(session, "GET", url, repository, headers)
            sent = response.request.headers.get("Authorization")
            authorization = sent if isinstance(sent, str) else authorization
            _raise_for_status(response, lambda status: _tags_status_text(status, repository))
            page = json.loads(response.content)
            found = page.get("tags") if isinstance(page, dict) else None
            if found is None and isinstance(page, dict) and "tags" in page:
                found = []  # a repository without tags
            if not isinstance(found, list) or not all(isinstance(tag, str) for tag in found):
                raise Refused("the tag list is not a JSON object with a list of tags")
            tags.extend(found)
            pages.append(len(found))
            link = _NEXT_LINK.search(response.headers.get("Link", ""))
            url = urljoin(response.url, link.group(1)) if link and found else None
        return tags

    def _authorized(self, session: requests.Session, method: str, url: str, repository: str,
                    headers: dict[str, str]) -> requests.Response:
        """One request, answering one authentication challenge on the way."""
        parts = urlsplit(url)
        host = parts.netloc
        credentials = self.credentials.get(host) or self.credentials.get(_registry_name(host))
        response = session.request(method, url, headers=headers, timeout=self.timeout, verify=self.tls_verify,
                                   allow_redirects=True)
        if response.status_code == 401:
            response.close()
            authorization = self._authorization(session, response, repository, credentials)
            if authorization is None:
                raise Refused(f"{repository} needs credentials that the Docker configuration does not hold"
                              + self._why_none(credentials))
            response = session.request(method, url, headers={**headers, "Authorization": authorization},
                                       timeout=self.timeout, verify=self.tls_verify, allow_redirects=True)
            if response.status_code == 401:
                raise Refused(f"access to {repository} was refused (no or wrong credentials)"
                              + self._why_none(credentials))
        return response

    def _why_none(self, credentials: tuple[str, str] | None) -> str:
        return f": {self.credentials_note}" if credentials is None and self.credentials_note else ""

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
        _raise_for_status(answer, lambda status: f"the token service answered {status}")
        body = answer.json()
        token = body.get("token") or body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise Refused("the token service answered without a token")
        return f"Bearer {token}"


class _Retry(Exception):
    """The registry answered 5xx or 429: worth asking again (after ``retry_after``, the header as sent)."""

    def __init__(self, status: int, retry_after: str | None = None):
        super().__init__(status)
        self.status, self.retry_after = status, retry_after


def _seconds_to_wait(retry_after: str | None, clock: Callable[[], float]) -> float | None:
    """A ``Retry-After`` header in seconds from now: ``120``, or an HTTP date; None when there is none or
    it cannot be read. A date in the past is 0."""
    from email.utils import parsedate_to_datetime

    if retry_after is None:
        return None
    text = retry_after.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - clock())


def _raise_for_status(response: requests.Response, text: Callable[[int], str]) -> None:
    if response.status_code in _RETRIED_STATUS:
        raise _Retry(response.status_code, response.headers.get("Retry-After"))
    if response.status_code >= 400:
        raise Refused(text(response.status_code))


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


def _tags_status_text(status: int, repository: str) -> str:
    if status == 404:
        return f"no repository {repository} (404)"
    return _status_text(status, repository, "")


def _status_text(status: int, repository: str, tag: str) -> str:
    if status == 404:
        return f"no tag {tag} in {repository} (404)"
    if status == 403:
        return f"access to {repository} is forbidden (403)"
    return f"the registry answered {status}"


_POOL_PREFIX = re.compile(r"^\w*ConnectionPool\([^)]*\):\s*")  # urllib3's "HTTPConnectionPool(host=..., port=...): "
_EXCEPTION_REPR = re.compile(r"^\w*\(.*'")  # "ProtocolError('Connection aborted.', RemoteDisconnected('...'))"
_SSL_SOURCE = re.compile(r"\s*\(_ssl\.c:\d+\)")  # "(_ssl.c:1006)": where in CPython, not what went wrong
MAX_ERROR_CHARS = 160


def _short(error: BaseException) -> str:
    """A connection error's last, readable part (``Connection refused``, ``wrong version number``), with
    no bracket left open or unopened, at most ``MAX_ERROR_CHARS`` characters (and an ellipsis)."""
    text = str(error)
    for marker in ("] ", "Caused by "):
        if marker in text:
            text = text.rsplit(marker, 1)[-1]
    text = _POOL_PREFIX.sub("", text)
    if _EXCEPTION_REPR.match(text):
        text = re.findall(r"'([^']*)'", text)[-1]
    text = _balanced(_SSL_SOURCE.sub("", text))
    if len(text) > MAX_ERROR_CHARS:
        cut = text[:MAX_ERROR_CHARS - 1]
        cut = cut[:cut.rfind(" ")] if " " in cut else cut
        text = _balanced(cut[:_first_unclosed(cut)]) + " …"
    return text or type(error).__name__


def _balanced(text: str) -> str:
    """``text`` without the quotes, spaces and brackets around it that belong to the text it was cut from."""
    while True:
        stripped = text.strip(" '\"")
        if stripped.endswith(")") and stripped.count(")") > stripped.count("("):
            stripped = stripped[:-1]
        if stripped.startswith("(") and stripped.count("(") > stripped.count(")"):
            stripped = stripped[1:]
        if stripped == text:
            return text
        text = stripped


def _first_unclosed(text: str) -> int:
    """Where the first bracket that ``text`` opens and does not close is; its length when there is none."""
    opened: list[int] = []
    for index, char in enumerate(text):
        if char == "(":
            opened.append(index)
        elif char == ")" and opened:
            opened.pop()
    return opened[0] if opened else len(text)
