"""A real registry for the tests: Debian's docker-registry (the CNCF distribution registry) on 127.0.0.1,
with its own storage folder and config file; optionally behind TLS and Bearer-token auth whose token
server runs here, on 127.0.0.1, with a certificate authority made for the run. Images are pushed through
the registry's HTTP API: blobs, manifests, an image index."""
from __future__ import annotations

import base64
import datetime
import hashlib
import http.server
import ipaddress
import json
import re
import shutil
import ssl
import subprocess
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import jwt
import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
SERVICE, ISSUER = "nodeguard-test-registry", "nodeguard-test-issuer"
ADMIN = ("pusher", "push-secret")  # the token server grants push to this user only
READER = ("reader", "read-secret")  # and pull of private/* to this one
NOT_BEFORE = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
SERVER_NAME = "registry.nodeguard.test"  # the certificate's name besides 127.0.0.1 (tests resolve it themselves)
START_SECONDS = 20


def registry_program() -> str:
    program = shutil.which("docker-registry") or shutil.which("registry")
    if program is None:
        pytest.skip(
            "the distribution registry is not installed: Debian's docker-registry package gives it "
            "(apt-get install docker-registry; .ci/run installs it)"
        )
    return program


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass
class Authority:
    """A certificate authority for one run: it signs the TLS certificate of 127.0.0.1 and the tokens."""

    folder: Path
    key: ec.EllipticCurvePrivateKey = field(init=False)
    cert: x509.Certificate = field(init=False)

    def __post_init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "nodeguard test authority")])
        self.cert = self._build(name, name, self.key.public_key(), self.key, ca=True)
        self.bundle = self.folder / "ca.pem"
        self.bundle.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))
        server_key = ec.generate_private_key(ec.SECP256R1())
        server_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
        server_cert = self._build(server_name, name, server_key.public_key(), self.key, ca=False)
        self.server_cert = self.folder / "server.pem"
        self.server_key = self.folder / "server-key.pem"
        self.server_cert.write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
        self.server_key.write_bytes(
            server_key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )

    @staticmethod
    def _build(subject, issuer, public_key, signing_key, *, ca: bool) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOT_BEFORE)
            .not_valid_after(NOT_BEFORE + datetime.timedelta(days=365 * 50))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if not ca:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                             x509.DNSName(SERVER_NAME)]), critical=False
            )
        return builder.sign(signing_key, hashes.SHA256())

    def token(self, subject: str, access: list[dict]) -> str:
        now = int(time.time())
        claims = {"iss": ISSUER, "sub": subject, "aud": SERVICE, "iat": now - 60, "nbf": now - 60,
                  "exp": now + 600, "jti": f"{subject}-{now}", "access": access}
        chain = [base64.b64encode(self.cert.public_bytes(serialization.Encoding.DER)).decode()]
        return jwt.encode(claims, self.key, algorithm="ES256", headers={"x5c": chain})

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.server_cert, self.server_key)
        return context


class TokenServer:
    """The realm of the registry's Bearer challenge: anonymous users may pull library/* and public/*,
    READER may also pull private/*, ADMIN may push anything."""

    def __init__(self, authority: Authority):
        self.authority = authority
        self.requests: list[dict] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
                user = server.user_of(self.headers.get("Authorization"))
                server.requests.append({"user": user, **query})
                if user is False:
                    self.send_response(401)
                    self.end_headers()
                    return
                access = server.granted(user, query.get("scope", ""))
                body = json.dumps({"token": server.authority.token(user or "anonymous", access)}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.socket = authority.server_context().wrap_socket(self.httpd.socket, server_side=True)
        self.realm = f"https://127.0.0.1:{self.httpd.server_address[1]}/token"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @staticmethod
    def user_of(header: str | None):
        """The user of a Basic header; None when anonymous; False when the password is wrong."""
        if not header:
            return None
        user, _, password = base64.b64decode(header.split(" ", 1)[1]).decode().partition(":")
        return user if (user, password) in (ADMIN, READER) else False

    @staticmethod
    def granted(user, scope: str) -> list[dict]:
        access = []
        for item in scope.split():
            kind, _, rest = item.partition(":")
            name, _, actions = rest.rpartition(":")
            wanted = actions.split(",")
            if user == ADMIN[0]:
                allowed = wanted
            elif name.startswith(("library/", "public/")) or (user == READER[0] and name.startswith("private/")):
                allowed = [a for a in wanted if a == "pull"]
            else:
                allowed = []
            access.append({"type": kind, "name": name, "actions": allowed})
        return access

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class Registry:
    """A running docker-registry; ``url`` is where to reach it, ``host`` is ``127.0.0.1:<port>``."""

    def __init__(self, folder: Path, *, authority: Authority | None = None, token_server: TokenServer | None = None):
        self.folder, self.authority = folder, authority
        folder.mkdir(parents=True, exist_ok=True)
        config = {
            "version": 0.1,
            "log": {"level": "info", "accesslog": {"disabled": False}},
            "storage": {"filesystem": {"rootdirectory": str(folder / "storage")}},
            "http": {"addr": "127.0.0.1:0", "secret": "nodeguard-tests"},
        }
        if authority is not None:
            config["http"]["tls"] = {"certificate": str(authority.server_cert), "key": str(authority.server_key)}
        if token_server is not None:
            config["auth"] = {"token": {"realm": token_server.realm, "service": SERVICE, "issuer": ISSUER,
                                        "rootcertbundle": str(authority.bundle)}}
        config_file = folder / "config.yml"
        config_file.write_text(json.dumps(config), encoding="utf-8")  # JSON is YAML
        self.log = open(folder / "registry.log", "w+b")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [registry_program(), "serve", str(config_file)], stdout=self.log, stderr=subprocess.STDOUT
        )
        self.host = self._wait_for_address()
        self.url = f"{'https' if authority else 'http'}://{self.host}"
        self.verify = str(authority.bundle) if authority else True
        self.push_token: str | None = None

    def _wait_for_address(self) -> str:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            self.log.seek(0)
            found = re.search(rb"listening on (127\.0\.0\.1:\d+)", self.log.read())
            if found:
                return found.group(1).decode()
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        self.log.seek(0)
        raise RuntimeError(f"docker-registry did not start: {self.log.read().decode(errors='replace')[-2000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def manifest_requests(self) -> int:
        """How many requests for manifests the registry's access log shows."""
        self.log.flush()
        return len(re.findall(rb'"(?:HEAD|GET) /v2/[^"]*/manifests/', (self.folder / "registry.log").read_bytes()))

    # -- pushing through the HTTP API

    def _send(self, method: str, url: str, repository: str, **kwargs) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}))
        if self.push_token:
            headers["Authorization"] = f"Bearer {self.push_token}"
        response = requests.request(method, url, headers=headers, verify=self.verify, timeout=10, **kwargs)
        if response.status_code == 401 and "Bearer" in response.headers.get("WWW-Authenticate", ""):
            challenge = dict(re.findall(r'(\w+)="([^"]*)"', response.headers["WWW-Authenticate"]))
            token = requests.get(
                challenge["realm"],
                params={"service": challenge["service"], "scope": f"repository:{repository}:pull,push"},
                auth=ADMIN, verify=self.verify, timeout=10,
            )
            self.push_token = token.json()["token"]
            headers["Authorization"] = f"Bearer {self.push_token}"
            response = requests.request(method, url, headers=headers, verify=self.verify, timeout=10, **kwargs)
        response.raise_for_status()
        return response

    def push_blob(self, repository: str, data: bytes) -> dict:
        digest = sha256(data)
        started = self._send("POST", f"{self.url}/v2/{repository}/blobs/uploads/", repository)
        location = urllib.parse.urljoin(self.url, started.headers["Location"])
        separator = "&" if "?" in location else "?"
        self._send("PUT", f"{location}{separator}digest={digest}", repository, data=data,
                   headers={"Content-Type": "application/octet-stream"})
        return {"digest": digest, "size": len(data)}

    def push_manifest(self, repository: str, reference: str, manifest: dict, media_type: str) -> tuple[str, bytes]:
        body = json.dumps(manifest, indent=3).encode()
        response = self._send("PUT", f"{self.url}/v2/{repository}/manifests/{reference}", repository, data=body,
                              headers={"Content-Type": media_type})
        assert response.headers["Docker-Content-Digest"] == sha256(body)
        return sha256(body), body

    def push_image(self, repository: str, tag: str | None, *, platform: str, layer: bytes,
                   media_type: str = OCI_MANIFEST) -> tuple[str, bytes]:
        """One platform's image (a config and one layer); returns its manifest's digest and bytes."""
        os_name, arch = platform.split("/")
        config = self.push_blob(repository, json.dumps({"architecture": arch, "os": os_name, "rootfs": {
            "type": "layers", "diff_ids": [sha256(layer)]}}).encode())
        blob = self.push_blob(repository, layer)
        docker = media_type == DOCKER_MANIFEST
        manifest = {
            "schemaVersion": 2,
            "mediaType": media_type,
            "config": {"mediaType": "application/vnd.docker.container.image.v1+json" if docker
                       else "application/vnd.oci.image.config.v1+json", **config},
            "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip" if docker
                        else "application/vnd.oci.image.layer.v1.tar+gzip", **blob}],
        }
        return self.push_manifest(repository, tag or sha256(json.dumps(manifest, indent=3).encode()), manifest,
                                  media_type)

    def push_tags(self, repository: str, tags: list[str]) -> None:
        """One image, tagged with every name (a PUT of the same manifest per tag)."""
        _, body = self.push_image(repository, None, platform="linux/amd64", layer=b"tagged layer")
        for tag in tags:
            self.push_manifest(repository, tag, json.loads(body), OCI_MANIFEST)

    def push_index(self, repository: str, tag: str, layers: dict[str, bytes], *, media_type: str = OCI_INDEX) -> str:
        """A multi-platform image: one manifest per platform, then the index that lists them, tagged."""
        entries = []
        manifest_type = OCI_MANIFEST if media_type == OCI_INDEX else DOCKER_MANIFEST
        for platform, layer in layers.items():
            digest, body = self.push_image(repository, None, platform=platform, layer=layer, media_type=manifest_type)
            os_name, arch = platform.split("/")
            entries.append({"mediaType": manifest_type, "digest": digest, "size": len(body),
                            "platform": {"architecture": arch, "os": os_name}})
        digest, _ = self.push_manifest(repository, tag, {"schemaVersion": 2, "mediaType": media_type,
                                                         "manifests": entries}, media_type)
        return digest


class PaginatingFront:
    """An HTTP front on 127.0.0.1 for a registry: it passes every request through, and serves tag lists
    in pages as the OCI distribution spec says (lexical order, ``n``, ``last``, a ``Link: <...>;
    rel="next"`` header while more remain). Debian's docker-registry 2.8 returns the whole list whatever
    ``n`` asks (pagination of tag lists came with distribution 3), Docker Hub pages it; ``pages`` records
    the tag-list requests that reached the front."""

    def __init__(self, registry: Registry):
        self.pages: list[str] = []
        front = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _pass(self):
                length = int(self.headers.get("Content-Length") or 0)
                headers = {name: value for name, value in self.headers.items()
                           if name.lower() not in ("host", "content-length", "connection")}
                answer = requests.request(self.command, registry.url + self.path, headers=headers,
                                          data=self.rfile.read(length) if length else None,
                                          verify=registry.verify, timeout=10, allow_redirects=False)
                body = answer.content
                path = urllib.parse.urlsplit(self.path)
                if self.command == "GET" and path.path.endswith("/tags/list") and answer.status_code == 200:
                    front.pages.append(self.path)
                    body, link = front.page(path, answer.json())
                    if link:
                        answer.headers["Link"] = link
                self.send_response(answer.status_code)
                for name, value in answer.headers.items():
                    if name.lower() not in ("content-length", "transfer-encoding", "connection", "date", "server"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = _pass

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = f"127.0.0.1:{self.httpd.server_address[1]}"
        self.url = f"http://{self.host}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @staticmethod
    def page(path: urllib.parse.SplitResult, listed: dict) -> tuple[bytes, str | None]:
        query = dict(urllib.parse.parse_qsl(path.query))
        tags = sorted(listed.get("tags") or [])
        if "last" in query:
            tags = [tag for tag in tags if tag > query["last"]]
        link = None
        if "n" in query and len(tags) > int(query["n"]):
            tags = tags[: int(query["n"])]
            link = f'<{path.path}?{urllib.parse.urlencode({"n": query["n"], "last": tags[-1]})}>; rel="next"'
        return json.dumps({"name": listed.get("name"), "tags": tags}).encode(), link

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
