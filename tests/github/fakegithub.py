"""A fake GitHub REST API for the action's end-to-end tests: one repository with one pull request.

It runs on 127.0.0.1 in a thread, serves the endpoints nodeguard calls with payloads shaped like GitHub's
documented examples (trimmed), paginates with ``Link`` headers, and builds every URL from its own address.
Every request body is validated against GitHub's published schema for the operation (githubkit's models,
strictly, and unknown keys are refused); a mismatch is recorded in ``schema_errors`` and answered 422, and
the test fixture fails the test on it. Fault switches inject 5xx, rate limits, 422s and 403s.
"""
from __future__ import annotations

import base64
import difflib
import hashlib
import json
import re
import threading
import time
import typing
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import pydantic
from githubkit_schemas.v2022_11_28.models import (
    ReposOwnerRepoCheckRunsCheckRunIdPatchBodyAnyof0,
    ReposOwnerRepoCheckRunsCheckRunIdPatchBodyAnyof1,
    ReposOwnerRepoCheckRunsPostBodyOneof0,
    ReposOwnerRepoCheckRunsPostBodyOneof1,
    ReposOwnerRepoPullsPullNumberCommentsPostBody,
    ReposOwnerRepoPullsPullNumberReviewsPostBody,
    ReposOwnerRepoPullsPullNumberReviewsReviewIdDismissalsPutBody,
)

OWNER, REPO = "octo-org", "shop"
BASE_SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e"
HEAD_SHA = "e5bd3914e2e596debea16f433f57875b5b90bcd6"
MERGE_SHA = "9049f1265b7d61be4a8904a9a27120d2064dab3b"
LARGE_FILE_BYTES = 1024 * 1024
DROP = 0  # a Canned status: close the connection without answering
APPLY_THEN_DROP = -1  # a Canned status: do what the request asks, then close the connection without answering
BYTESIZE_LIMIT = 65_535  # check run summary, text, annotation message and raw_details, in UTF-8 bytes
TITLE_LIMIT = 255  # an annotation's title, in characters
TREE_ENTRIES_LIMIT = 100_000  # the recursive tree API sets truncated past this (or 7 MB)
TOO_QUICKLY = {"resource": "PullRequestReview", "code": "custom", "field": "base", "message": "was submitted too quickly"}
OWN_PULL_REQUEST = "Review Can not request changes on your own pull request"
DOCS = "https://docs.github.com/rest"

ROUTES = [
    ("GET", "/user"),
    ("GET", "/repos/{owner}/{repo}/pulls/{pull_number}"),
    ("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews"),
    ("DELETE", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}"),
    ("PUT", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}/dismissals"),
    ("POST", "/repos/{owner}/{repo}/pulls/{pull_number}/comments"),
    ("GET", "/repos/{owner}/{repo}/commits/{ref}/check-runs"),
    ("GET", "/repos/{owner}/{repo}/check-runs/{check_run_id}"),
    ("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/files"),
    ("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/comments"),
    ("POST", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews"),
    ("POST", "/repos/{owner}/{repo}/check-runs"),
    ("PATCH", "/repos/{owner}/{repo}/check-runs/{check_run_id}"),
    ("GET", "/repos/{owner}/{repo}/contents/{path}"),
    ("GET", "/repos/{owner}/{repo}/git/blobs/{file_sha}"),
    ("GET", "/repos/{owner}/{repo}/git/trees/{tree_sha}"),
]


def _route_pattern(template: str) -> re.Pattern:
    pattern = re.sub(r"\{path\}", r"(?P<path>.+)", template)
    pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern)
    return re.compile(f"^{pattern}$")


COMPILED_ROUTES = [(method, template, _route_pattern(template)) for method, template in ROUTES]


def route_key(method: str, template: str) -> str:
    return f"{method} {template}"


def blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def git_lines(data: bytes | None) -> list[str]:
    """The lines git diffs: ended by ``\n`` only (a U+2028 or a CR is part of its line)."""
    text = (data or b"").decode("utf-8", "replace")
    return text.removesuffix("\n").split("\n") if text else []


def make_patch(old: bytes | None, new: bytes | None) -> str:
    """The ``patch`` GitHub gives in a pull request's files list: unified hunks without the file header."""
    old_lines, new_lines = git_lines(old), git_lines(new)
    diff = list(difflib.unified_diff(old_lines, new_lines, lineterm="", n=3))
    return "\n".join(diff[2:])


def right_side_ranges(patch: str) -> list[tuple[int, int]]:
    """The fake's own reading of a patch (independent of nodeguard's): new-side line ranges per hunk."""
    ranges = []
    for match in re.finditer(r"^@@ -\S+ \+(\d+)(?:,(\d+))? @@", patch, re.M):
        start, count = int(match.group(1)), int(match.group(2) or 1)
        if count:
            ranges.append((start, start + count - 1))
    return ranges


# --- schema validation -------------------------------------------------------------------------------


def unknown_keys(model: type[pydantic.BaseModel], data: Any, where: str = "") -> list[str]:
    """Keys of ``data`` that ``model`` (recursively) does not define: githubkit's models accept them."""
    if not isinstance(data, dict):
        return []
    fields = {(info.alias or name): info for name, info in model.model_fields.items()}
    problems = []
    for key, value in data.items():
        if key not in fields:
            problems.append(f"{where}{key}: not in the schema")
            continue
        for nested in _models_in(fields[key].annotation):
            items = value if isinstance(value, list) else [value]
            for index, item in enumerate(items):
                suffix = f"[{index}]" if isinstance(value, list) else ""
                problems.extend(unknown_keys(nested, item, f"{where}{key}{suffix}."))
    return problems


def _models_in(annotation: Any) -> list[type[pydantic.BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return [annotation]
    return [model for arg in typing.get_args(annotation) for model in _models_in(arg)]


def schema_problems(model: type[pydantic.BaseModel], data: Any) -> list[str]:
    problems = unknown_keys(model, data)
    try:
        model.model_validate(data, strict=True)
    except pydantic.ValidationError as error:
        problems.extend(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
    return problems


def check_run_create_model(body: dict) -> type[pydantic.BaseModel]:
    return ReposOwnerRepoCheckRunsPostBodyOneof0 if body.get("status") == "completed" else ReposOwnerRepoCheckRunsPostBodyOneof1


def check_run_update_model(body: dict) -> type[pydantic.BaseModel]:
    completing = "conclusion" in body or body.get("status") == "completed"
    return ReposOwnerRepoCheckRunsCheckRunIdPatchBodyAnyof0 if completing else ReposOwnerRepoCheckRunsCheckRunIdPatchBodyAnyof1


# --- state ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Canned:
    status: int
    body: dict
    headers: dict = field(default_factory=dict)
    reset_in: int | None = None  # x-ratelimit-reset this many seconds after the answer is sent, not set up


@dataclass
class Recorded:
    method: str
    route: str  # the route template, e.g. "POST /repos/{owner}/{repo}/check-runs"
    path: str
    query: dict
    body: Any
    status: int
    headers: dict


@dataclass
class CheckRun:
    id: int
    head_sha: str
    name: str
    external_id: str
    status: str
    conclusion: str | None
    output: dict
    annotations: list[dict] = field(default_factory=list)
    batches: list[int] = field(default_factory=list)  # annotations per request, in order


@dataclass
class FakeGitHub:
    """The repository's files at the base and head commits; the pull request is their difference."""

    base_files: dict[str, bytes]
    head_files: dict[str, bytes]
    token: str
    prefix: str = ""  # "/api/v3" serves like GitHub Enterprise Server
    page_size: int = 100  # GitHub's largest page; smaller values force pagination
    files_limit: int = 3000
    no_patch: set[str] = field(default_factory=set)  # files whose diff is too large or binary
    symlinks: dict[str, str] = field(default_factory=dict)  # path at head -> target
    reject_lines: set[tuple[str, int]] = field(default_factory=set)  # 422 for a comment on these lines
    read_only: bool = False  # a fork's token: every write is refused
    checks_need_app: bool = False  # a personal token: check runs are refused
    pull_number: int = 7
    large_file_bytes: int = LARGE_FILE_BYTES
    current_head: str = HEAD_SHA  # the pull request's head as GitHub has it now (a push may move it)
    own_pull_request: bool = False  # the token's account opened the pull request: no REQUEST_CHANGES
    tree_entries_limit: int = TREE_ENTRIES_LIMIT
    renames: dict[str, str] = field(default_factory=dict)  # new path at head -> its path at base
    token_user: str | None = None  # a personal token's login; None: an installation token (github-actions[bot])

    def __post_init__(self):
        self.requests: list[Recorded] = []
        self.schema_errors: list[str] = []
        self.reviews: list[dict] = []
        self.review_comments: list[dict] = []
        self.check_runs: list[CheckRun] = []
        self.deleted_reviews: list[dict] = []
        self._faults: dict[str, list[Canned]] = {}
        self._pull_files: list[dict] | None = None
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # -- lifecycle

    def __enter__(self) -> "FakeGitHub":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                fake._handle(self)

            do_POST = do_PATCH = do_PUT = do_DELETE = do_GET

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def address(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return self.address + self.prefix

    # -- fault switches

    def inject(self, method: str, template: str, *responses: Canned) -> None:
        """The next calls of the route get these answers, in order, instead of the real one."""
        self._faults.setdefault(route_key(method, template), []).extend(responses)

    def server_errors(self, method: str, template: str, *statuses: int) -> None:
        self.inject(method, template, *(Canned(status, {"message": "Server Error"}) for status in statuses))

    def disconnect(self, method: str, template: str, times: int) -> None:
        """The next ``times`` calls of the route get no answer: the connection is closed."""
        self.inject(method, template, *[Canned(DROP, {})] * times)

    def primary_rate_limit(self, method: str, template: str, reset_in: int = 2, status: int = 403) -> None:
        body = {"message": "API rate limit exceeded for installation ID 1.", "documentation_url": f"{DOCS}/rate-limit"}
        self.inject(method, template, Canned(status, body, {"x-ratelimit-remaining": "0"}, reset_in=reset_in))

    def secondary_rate_limit(self, method: str, template: str, retry_after: int | None = 3, status: int = 429) -> None:
        headers = {} if retry_after is None else {"retry-after": str(retry_after)}
        body = {
            "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
            "documentation_url": f"{DOCS}/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
        }
        self.inject(method, template, Canned(status, body, headers))

    # -- what happened

    def counts(self) -> Counter:
        return Counter(f"{r.method} {r.route}" for r in self.requests)

    def calls(self, method: str, template: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.route == template]

    # -- the pull request

    def pull_files(self) -> list[dict]:
        if self._pull_files is None:  # computed at the first request: tests may edit the files before
            self._pull_files = self._diff_files()
        return self._pull_files

    def _diff_files(self) -> list[dict]:
        entries = []
        for path in sorted(set(self.base_files) | set(self.head_files)):
            if path in self.renames.values():
                continue  # listed once, under its new name
            previous = self.renames.get(path)
            old, new = self.base_files.get(previous or path), self.head_files.get(path)
            if old == new and previous is None:
                continue
            status = "renamed" if previous else "added" if old is None else "removed" if new is None else "modified"
            patch = make_patch(old, new)
            data = new if new is not None else old
            entry = {
                "sha": blob_sha(data),
                "filename": path,
                "status": status,
                "additions": sum(1 for line in patch.split("\n") if line.startswith("+")),
                "deletions": sum(1 for line in patch.split("\n") if line.startswith("-")),
                "changes": patch.count("\n") + 1,
                "blob_url": f"https://github.com/{OWNER}/{REPO}/blob/{HEAD_SHA}/{path}",
                "raw_url": f"https://github.com/{OWNER}/{REPO}/raw/{HEAD_SHA}/{path}",
                "contents_url": f"{self.api_url}/repos/{OWNER}/{REPO}/contents/{path}?ref={HEAD_SHA}",
            }
            if path not in self.no_patch:
                entry["patch"] = patch
            if previous:
                entry["previous_filename"] = previous
            entries.append(entry)
        return entries[: self.files_limit]

    def files_at(self, ref: str) -> dict[str, bytes] | None:
        return {HEAD_SHA: self.head_files, BASE_SHA: self.base_files}.get(ref)

    # -- HTTP

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        url = urlsplit(handler.path)
        query = {key: values[-1] for key, values in parse_qs(url.query).items()}
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        # Below the prefix only (GitHub Enterprise Server's /api/v3): any other path is not found.
        path = url.path[len(self.prefix):] if url.path.startswith(self.prefix + "/") else ""
        method = handler.command
        match = next(
            ((template, found) for m, template, pattern in COMPILED_ROUTES if m == method and (found := pattern.match(path))),
            None,
        )
        template = match[0] if match else "unknown"
        params = {key: unquote(value) for key, value in match[1].groupdict().items()} if match else {}
        with self._lock:
            if match is None:
                answer = Canned(404, {"message": "Not Found", "documentation_url": DOCS})
            elif handler.headers.get("Authorization") not in (f"token {self.token}", f"Bearer {self.token}"):
                answer = Canned(401, {"message": "Bad credentials", "documentation_url": DOCS})
            elif self._faults.get(route_key(method, template)):
                answer = self._faults[route_key(method, template)].pop(0)
                if answer.status == APPLY_THEN_DROP:  # the write happens; its answer is lost
                    applied = self._answer(method, template, params, query, body)
                    answer = Canned(DROP, {}) if applied.status < 400 else applied
            else:
                answer = self._answer(method, template, params, query, body)
            self.requests.append(Recorded(method, template, path, query, body, answer.status, dict(answer.headers)))
        self._send(handler, answer)

    def _send(self, handler: BaseHTTPRequestHandler, answer: Canned) -> None:
        if answer.status == DROP:
            handler.close_connection = True
            return
        payload = json.dumps(answer.body).encode()
        handler.send_response(answer.status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(payload)))
        headers = {
            "x-ratelimit-limit": "5000",
            "x-ratelimit-remaining": "4999",
            "x-ratelimit-reset": str(int(time.time()) + 3600),
            "x-ratelimit-resource": "core",
            "x-github-api-version-selected": "2022-11-28",
            **answer.headers,
        }
        if answer.reset_in is not None:
            headers["x-ratelimit-reset"] = str(int(time.time()) + answer.reset_in)
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(payload)

    def _answer(self, method: str, template: str, params: dict, query: dict, body: Any) -> Canned:
        if template == "/user":  # an installation token has no user: GitHub refuses it this endpoint
            return Canned(200, self._author()) if self.token_user else _forbidden("Resource not accessible by integration")
        if (params.get("owner"), params.get("repo")) != (OWNER, REPO):
            return Canned(404, {"message": "Not Found", "documentation_url": DOCS})
        if method != "GET" and self.read_only:
            return _forbidden("Resource not accessible by integration")
        handlers = {
            "/repos/{owner}/{repo}/pulls/{pull_number}": lambda: Canned(200, self._pull_payload()),
            "/repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}": lambda: self._delete_review(params),
            "/repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}/dismissals": lambda: self._dismiss_review(params, body),
            "/repos/{owner}/{repo}/commits/{ref}/check-runs": lambda: self._list_check_runs(params, query),
            "/repos/{owner}/{repo}/pulls/{pull_number}/files": lambda: self._list(template, params, query, self.pull_files()),
            "/repos/{owner}/{repo}/pulls/{pull_number}/comments": lambda: (
                self._list(template, params, query, self.review_comments) if method == "GET" else self._create_file_comment(body)
            ),
            "/repos/{owner}/{repo}/pulls/{pull_number}/reviews": lambda: (
                self._list(template, params, query, [self._review_payload(r) for r in self.reviews])
                if method == "GET" else self._create_review(params, body)
            ),
            "/repos/{owner}/{repo}/check-runs": lambda: self._create_check_run(body),
            "/repos/{owner}/{repo}/check-runs/{check_run_id}": lambda: (
                self._get_check_run(params) if method == "GET" else self._update_check_run(params, body)
            ),
            "/repos/{owner}/{repo}/contents/{path}": lambda: self._contents(params["path"], query.get("ref", HEAD_SHA)),
            "/repos/{owner}/{repo}/git/blobs/{file_sha}": lambda: self._blob(params["file_sha"]),
            "/repos/{owner}/{repo}/git/trees/{tree_sha}": lambda: self._tree(params["tree_sha"], query),
        }
        if params.get("pull_number") not in (None, str(self.pull_number)):
            return Canned(404, {"message": "Not Found", "documentation_url": DOCS})
        return handlers[template]()

    def _list(self, template: str, params: dict, query: dict, items: list[dict]) -> Canned:
        per_page = min(int(query.get("per_page", 30)), 100, self.page_size)
        page = int(query.get("page", 1))
        chunk = items[(page - 1) * per_page : page * per_page]
        last = max(1, -(-len(items) // per_page))
        path = template.format(**params)

        def link(number: int, rel: str) -> str:
            return f'<{self.api_url}{path}?{urlencode({"per_page": per_page, "page": number})}>; rel="{rel}"'

        links = []
        if page < last:
            links += [link(page + 1, "next"), link(last, "last")]
        if page > 1:
            links += [link(1, "first"), link(page - 1, "prev")]
        return Canned(200, chunk, {"Link": ", ".join(links)} if links else {})

    def _validate(self, model: type[pydantic.BaseModel], body: Any, operation: str) -> Canned | None:
        problems = schema_problems(model, body)
        if not problems:
            return None
        self.schema_errors.extend(f"{operation}: {problem}" for problem in problems)
        return Canned(422, {"message": "Invalid request.", "errors": problems, "documentation_url": DOCS})

    def _create_review(self, params: dict, body: Any) -> Canned:
        refused = self._validate(ReposOwnerRepoPullsPullNumberReviewsPostBody, body, "create a review")
        if refused:
            return refused
        if body.get("commit_id") not in (None, self.current_head):
            return _unprocessable("commit_id is not part of the pull request")
        if body.get("event") in ("REQUEST_CHANGES", "COMMENT") and not body.get("body"):
            return _unprocessable("Body is required for this event")
        if body.get("event") == "REQUEST_CHANGES" and self.own_pull_request:
            return _unprocessable(OWN_PULL_REQUEST)
        pending = body.get("event") is None
        if pending and any(review["state"] == "PENDING" for review in self.reviews):
            return _unprocessable("User can only have one pending review per pull request")
        files = {entry["filename"]: entry for entry in self.pull_files()}
        for comment in body.get("comments", []):
            if not self._anchor_ok(files, comment):
                return _unprocessable("Line could not be resolved")
        review_id = 80 + len(self.reviews) + len(self.deleted_reviews)
        review = {
            "id": review_id,
            "node_id": f"MDE3OlB1bGxSZXF1ZXN0UmV2aWV3{review_id}",
            "user": self._author(),
            "body": body.get("body", ""),
            "state": {"REQUEST_CHANGES": "CHANGES_REQUESTED", "COMMENT": "COMMENTED"}.get(body.get("event"), "PENDING"),
            "html_url": f"https://github.com/{OWNER}/{REPO}/pull/{self.pull_number}#pullrequestreview-{review_id}",
            "pull_request_url": f"{self.api_url}/repos/{OWNER}/{REPO}/pulls/{self.pull_number}",
            "_links": {
                "html": {"href": f"https://github.com/{OWNER}/{REPO}/pull/{self.pull_number}#pullrequestreview-{review_id}"},
                "pull_request": {"href": f"{self.api_url}/repos/{OWNER}/{REPO}/pulls/{self.pull_number}"},
            },
            "submitted_at": None if pending else "2024-05-01T12:00:00Z",
            "commit_id": body.get("commit_id", self.current_head),
            "author_association": "NONE",
        }
        self.reviews.append({**review, "event": body.get("event"), "comments": body.get("comments", [])})
        if not pending:  # a pending review's comments are seen by nobody until it is submitted
            for comment in body.get("comments", []):
                self.review_comments.append(self._stored_comment(review_id, comment))
        return Canned(200, review)

    def submitted_reviews(self) -> list[dict]:
        return [review for review in self.reviews if review["state"] != "PENDING"]

    @staticmethod
    def _review_payload(review: dict) -> dict:
        return {key: value for key, value in review.items() if key not in ("event", "comments")}

    def _find_review(self, params: dict) -> dict | None:
        return next((review for review in self.reviews if str(review["id"]) == params["review_id"]), None)

    def _delete_review(self, params: dict) -> Canned:
        review = self._find_review(params)
        if review is None:
            return Canned(404, {"message": "Not Found", "documentation_url": DOCS})
        if review["state"] != "PENDING":
            return _unprocessable("Can not delete a non-pending pull request review")
        self.reviews.remove(review)
        self.deleted_reviews.append(review)
        return Canned(200, self._review_payload(review))

    def _dismiss_review(self, params: dict, body: Any) -> Canned:
        refused = self._validate(ReposOwnerRepoPullsPullNumberReviewsReviewIdDismissalsPutBody, body, "dismiss a review")
        if refused:
            return refused
        review = self._find_review(params)
        if review is None:
            return Canned(404, {"message": "Not Found", "documentation_url": DOCS})
        if review["state"] == "PENDING":
            return _unprocessable("Can not dismiss a pending pull request review")
        review["state"] = "DISMISSED"
        review["dismissal_message"] = body["message"]
        return Canned(200, self._review_payload(review))

    def _create_file_comment(self, body: Any) -> Canned:
        refused = self._validate(ReposOwnerRepoPullsPullNumberCommentsPostBody, body, "create a review comment")
        if refused:
            return refused
        if body.get("commit_id") != self.current_head:
            return _unprocessable("commit_id is not part of the pull request")
        files = {entry["filename"]: entry for entry in self.pull_files()}
        if body.get("subject_type") != "file" or body["path"] not in files:
            return _unprocessable("Path could not be resolved")
        comment = self._stored_comment(None, {"path": body["path"], "body": body["body"], "line": None})
        comment["subject_type"] = "file"
        self.review_comments.append(comment)
        return Canned(201, comment)

    def _pull_payload(self) -> dict:
        api = f"{self.api_url}/repos/{OWNER}/{REPO}"
        repo = {"id": 1296269, "name": REPO, "full_name": f"{OWNER}/{REPO}", "url": api}
        return {
            "url": f"{api}/pulls/{self.pull_number}",
            "id": 1,
            "number": self.pull_number,
            "state": "open",
            "head": {"label": "octocat:api-image", "ref": "api-image", "sha": self.current_head, "repo": repo},
            "base": {"label": f"{OWNER}:main", "ref": "main", "sha": BASE_SHA, "repo": repo},
            "user": {"login": "octocat", "id": 1, "type": "User"},
        }

    def _anchor_ok(self, files: dict[str, dict], comment: dict) -> bool:
        entry = files.get(comment["path"])
        if entry is None or "patch" not in entry or "position" in comment:
            return False
        line, start = comment.get("line"), comment.get("start_line", comment.get("line"))
        if line is None or comment.get("side", "RIGHT") != "RIGHT" or comment.get("start_side", "RIGHT") != "RIGHT":
            return False
        if any((comment["path"], number) in self.reject_lines for number in range(start, line + 1)):
            return False
        return any(low <= start <= line <= high for low, high in right_side_ranges(entry["patch"]))

    def _author(self) -> dict:
        """Who the token writes as."""
        if self.token_user is None:
            return _bot()
        return {"login": self.token_user, "id": 583231, "node_id": "MDQ6VXNlcjU4MzIzMQ==", "type": "User", "site_admin": False}

    def add_comment(self, path: str, line: int, body: str, login: str, user_type: str = "User") -> None:
        """A review comment someone else wrote on the pull request."""
        comment = self._stored_comment(None, {"path": path, "body": body, "line": line})
        comment["user"] = {"login": login, "id": 9000 + len(self.review_comments), "type": user_type, "site_admin": False}
        self.review_comments.append(comment)

    def _stored_comment(self, review_id: int | None, comment: dict) -> dict:
        comment_id = 10 + len(self.review_comments)
        url = f"{self.api_url}/repos/{OWNER}/{REPO}/pulls/comments/{comment_id}"
        return {
            "url": url,
            "pull_request_review_id": review_id,
            "id": comment_id,
            "node_id": f"MDI0OlB1bGxSZXF1ZXN0UmV2aWV3Q29tbWVudDEw{comment_id}",
            "diff_hunk": "@@ -16,33 +16,40 @@ public class Connection : IConnection...",
            "path": comment["path"],
            "commit_id": HEAD_SHA,
            "original_commit_id": HEAD_SHA,
            "user": self._author(),
            "body": comment["body"],
            "created_at": "2024-05-01T12:00:00Z",
            "updated_at": "2024-05-01T12:00:00Z",
            "html_url": f"https://github.com/{OWNER}/{REPO}/pull/{self.pull_number}#discussion-diff-{comment_id}",
            "pull_request_url": f"{self.api_url}/repos/{OWNER}/{REPO}/pulls/{self.pull_number}",
            "author_association": "NONE",
            "_links": {
                "self": {"href": url},
                "html": {"href": f"https://github.com/{OWNER}/{REPO}/pull/{self.pull_number}#discussion-diff-{comment_id}"},
                "pull_request": {"href": f"{self.api_url}/repos/{OWNER}/{REPO}/pulls/{self.pull_number}"},
            },
            "start_line": comment.get("start_line"),
            "original_start_line": comment.get("start_line"),
            "start_side": comment.get("start_side"),
            "line": comment["line"],
            "original_line": comment["line"],
            "side": comment.get("side", "RIGHT"),
            "subject_type": "line",
        }

    def _create_check_run(self, body: Any) -> Canned:
        refused = self._validate(check_run_create_model(body), body, "create a check run") or self._too_big(body.get("output"))
        if refused:
            return refused
        if self.checks_need_app:
            return _forbidden("You must authenticate via a GitHub App.")
        if body["head_sha"] not in (HEAD_SHA, BASE_SHA, MERGE_SHA, self.current_head):
            return _unprocessable(f"No commit found for SHA: {body['head_sha']}")
        run = CheckRun(
            id=4 + len(self.check_runs),
            head_sha=body["head_sha"],
            name=body["name"],
            external_id=body.get("external_id", ""),
            status=body.get("status", "queued"),
            conclusion=body.get("conclusion"),
            output={},
        )
        self.check_runs.append(run)
        self._apply_output(run, body.get("output"))
        return Canned(201, self._check_run_payload(run))

    def _too_big(self, output: dict | None) -> Canned | None:
        """GitHub's limits on a check run's output, in UTF-8 bytes: a larger field refuses the request."""
        fields = [(name, (output or {}).get(name)) for name in ("summary", "text")]
        for index, note in enumerate((output or {}).get("annotations", [])):
            fields += [(f"annotations[{index}].{name}", note.get(name)) for name in ("message", "raw_details")]
            if len(note.get("title") or "") > TITLE_LIMIT:
                return _validation_failed(f"annotations[{index}].title", f"title is too long (maximum is {TITLE_LIMIT} characters)")
        for name, value in fields:
            if value is not None and len(value.encode("utf-8")) > BYTESIZE_LIMIT:
                return _validation_failed(name, f"{name.rsplit('.', 1)[-1]} exceeds a maximum bytesize of {BYTESIZE_LIMIT}")
        return None

    def _update_check_run(self, params: dict, body: Any) -> Canned:
        refused = self._validate(check_run_update_model(body), body, "update a check run") or self._too_big(body.get("output"))
        if refused:
            return refused
        run = next((run for run in self.check_runs if str(run.id) == params["check_run_id"]), None)
        if run is None:
            return Canned(404, {"message": "Not Found", "documentation_url": DOCS})
        output = body.get("output")
        if output is not None and "title" not in output:
            self.schema_errors.append("update a check run: output.title missing (GitHub would blank the title)")
        run.status = body.get("status", "completed" if "conclusion" in body else run.status)
        run.conclusion = body.get("conclusion", run.conclusion)
        self._apply_output(run, output)
        return Canned(200, self._check_run_payload(run))

    def _get_check_run(self, params: dict) -> Canned:
        run = next((run for run in self.check_runs if str(run.id) == params["check_run_id"]), None)
        if run is None:
            return Canned(404, {"message": "Not Found", "documentation_url": DOCS})
        return Canned(200, self._check_run_payload(run))

    def _list_check_runs(self, params: dict, query: dict) -> Canned:
        runs = [
            self._check_run_payload(run) for run in self.check_runs
            if run.head_sha == params["ref"] and query.get("check_name", run.name) == run.name
        ]
        return Canned(200, {"total_count": len(runs), "check_runs": runs})

    def _apply_output(self, run: CheckRun, output: dict | None) -> None:
        if output is None:
            return
        run.output = {key: value for key, value in output.items() if key != "annotations"}
        batch = output.get("annotations", [])
        run.annotations.extend(batch)
        run.batches.append(len(batch))

    def _check_run_payload(self, run: CheckRun) -> dict:
        url = f"{self.api_url}/repos/{OWNER}/{REPO}/check-runs/{run.id}"
        return {
            "id": run.id,
            "head_sha": run.head_sha,
            "node_id": f"MDg6Q2hlY2tSdW4{run.id}",
            "external_id": run.external_id,
            "url": url,
            "html_url": f"https://github.com/{OWNER}/{REPO}/runs/{run.id}",
            "details_url": "https://example.com",
            "status": run.status,
            "conclusion": run.conclusion,
            "started_at": "2024-05-01T12:00:00Z",
            "completed_at": "2024-05-01T12:00:05Z" if run.status == "completed" else None,
            "output": {
                "title": run.output.get("title"),
                "summary": run.output.get("summary"),
                "text": run.output.get("text"),
                "annotations_count": len(run.annotations),
                "annotations_url": f"{url}/annotations",
            },
            "name": run.name,
            "check_suite": {"id": 5},
            "app": {"id": 1, "slug": "github-actions", "name": "GitHub Actions"},
            "pull_requests": [],
        }

    def _contents(self, path: str, ref: str) -> Canned:
        files = self.files_at(ref)
        if files is None:
            return Canned(404, {"message": f"No commit found for the ref {ref}", "documentation_url": DOCS})
        url = f"{self.api_url}/repos/{OWNER}/{REPO}/contents/{path}?ref={ref}"
        if ref == HEAD_SHA and path in self.symlinks:
            target = self.symlinks[path]
            return Canned(200, {"type": "symlink", "target": target, "size": len(target), "name": path.rsplit("/", 1)[-1],
                                "path": path, "sha": blob_sha(target.encode()), "url": url, "git_url": None,
                                "html_url": None, "download_url": None, "_links": {"self": url, "git": None, "html": None}})
        if path not in files:
            return Canned(404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"})
        data = files[path]
        large = len(data) > self.large_file_bytes
        encoded = base64.encodebytes(data).decode()
        sha = blob_sha(data)
        return Canned(200, {
            "type": "file",
            "encoding": "none" if large else "base64",
            "size": len(data),
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "content": "" if large else encoded,
            "sha": sha,
            "url": url,
            "git_url": f"{self.api_url}/repos/{OWNER}/{REPO}/git/blobs/{sha}",
            "html_url": f"https://github.com/{OWNER}/{REPO}/blob/{ref}/{path}",
            "download_url": f"https://raw.githubusercontent.com/{OWNER}/{REPO}/{ref}/{path}",
            "_links": {
                "git": f"{self.api_url}/repos/{OWNER}/{REPO}/git/blobs/{sha}",
                "self": url,
                "html": f"https://github.com/{OWNER}/{REPO}/blob/{ref}/{path}",
            },
        })

    def _blob(self, sha: str) -> Canned:
        every = [*self.base_files.values(), *self.head_files.values()]
        data = next((data for data in every if blob_sha(data) == sha), None)
        if data is None:
            return Canned(404, {"message": "Not Found", "documentation_url": DOCS})
        return Canned(200, {
            "content": base64.encodebytes(data).decode(),
            "encoding": "base64",
            "url": f"{self.api_url}/repos/{OWNER}/{REPO}/git/blobs/{sha}",
            "sha": sha,
            "size": len(data),
            "node_id": "Q29udGVudHM6NmRjYjA5YjViNTc4NzVmMzM0ZjYxYWViZWQ2OTVlMmU0MTkzZGI1ZQ==",
        })

    def _tree(self, sha: str, query: dict) -> Canned:
        """The git trees API: a commit's whole tree (``recursive``), cut with ``truncated`` past
        ``tree_entries_limit`` entries as GitHub cuts at 100,000, or one folder's entries by tree SHA."""
        found = self._tree_folder(sha)
        if found is None:
            return Canned(404, {"message": "Not Found", "documentation_url": DOCS})
        ref, folder = found
        files = self.files_at(ref)
        prefix = f"{folder}/" if folder else ""
        folders = sorted({"/".join(path.split("/")[:depth]) for path in files for depth in range(1, path.count("/") + 1)})
        entries = [(path, "tree") for path in folders if path.startswith(prefix)]
        entries += [(path, "blob") for path in files if path.startswith(prefix)]
        if query.get("recursive") in (None, "0", "false"):
            entries = [(path, kind) for path, kind in entries if "/" not in path[len(prefix):]]
        entries.sort()
        truncated = len(entries) > self.tree_entries_limit
        tree = []
        for path, kind in entries[: self.tree_entries_limit]:
            name = path[len(prefix):] if query.get("recursive") in (None, "0", "false") else path
            if kind == "tree":
                tree.append({"path": name, "mode": "040000", "type": "tree", "sha": self._tree_sha(ref, path),
                             "url": f"{self.api_url}/repos/{OWNER}/{REPO}/git/trees/{self._tree_sha(ref, path)}"})
            else:
                data = files[path]
                tree.append({"path": name, "mode": "100644", "type": "blob", "sha": blob_sha(data), "size": len(data),
                             "url": f"{self.api_url}/repos/{OWNER}/{REPO}/git/blobs/{blob_sha(data)}"})
        return Canned(200, {"sha": sha, "url": f"{self.api_url}/repos/{OWNER}/{REPO}/git/trees/{sha}", "tree": tree, "truncated": truncated})

    @staticmethod
    def _tree_sha(ref: str, folder: str) -> str:
        return hashlib.sha1(f"tree {ref}:{folder}".encode()).hexdigest()

    def _tree_folder(self, sha: str) -> tuple[str, str] | None:
        if self.files_at(sha) is not None:
            return sha, ""
        for ref in (HEAD_SHA, BASE_SHA):
            for path in self.files_at(ref):
                parts = path.split("/")
                for depth in range(1, len(parts)):
                    folder = "/".join(parts[:depth])
                    if self._tree_sha(ref, folder) == sha:
                        return ref, folder
        return None


def _bot() -> dict:
    return {
        "login": "github-actions[bot]",
        "id": 41898282,
        "node_id": "MDM6Qm90NDE4OTgyODI=",
        "type": "Bot",
        "site_admin": False,
    }


def _forbidden(message: str) -> Canned:
    return Canned(403, {"message": message, "documentation_url": DOCS, "status": "403"})


def _validation_failed(field_name: str, message: str) -> Canned:
    error = {"resource": "CheckRun", "code": "custom", "field": field_name, "message": message}
    return Canned(422, {"message": "Validation Failed", "errors": [error], "documentation_url": DOCS, "status": "422"})


def _unprocessable(message: str) -> Canned:
    return Canned(422, {"message": "Unprocessable Entity", "errors": [message], "documentation_url": DOCS, "status": "422"})
