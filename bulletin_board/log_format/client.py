"""An HTTP client for the board, used by the administrator's, trustees' and voters' tools.

It never trusts what it downloads: entries are checked link by link as they stream in
(:class:`bulletin_board.log_format.chain.ChainChecker`), and the election's state is replayed from them with the same
rules the board applies (:func:`voting.record.lifecycle.replay`).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Callable, Generator

import rfc8785

from .chain import ChainChecker
from .entry import Entry, parse_hash
from .errors import ChainBroken

PAGE = 500
TIMEOUT_SECONDS = 120
CHECK_TIMEOUT_SECONDS = 3600.0  # how long a client waits for the board to check an entry (a proof of shuffle)


class BoardClientError(Exception):
    """The board refused a request or could not be reached; the message is meant for a person."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None, field: str | None = None,
                 details: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.field = status, code, field
        self.details = details or {}  # the refusal's other top-level fields (e.g. a login code's "tries_left")


class BoardClient:
    def __init__(self, url: str, *, admin_token: str | None = None, retries: int = 3) -> None:
        parsed = urllib.parse.urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise BoardClientError(f"the board URL must be http(s)://host[:port], not {url!r}")
        self.base = url.rstrip("/") + "/api/v1"
        self.admin_token = admin_token
        self.retries = retries

    def _request(self, method: str, path: str, body: Any = None, *, admin: bool = False, session: str | None = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body, separators=(",", ":")).encode()
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if admin:
            if not self.admin_token:
                raise BoardClientError("this command needs the administrator's token (EVOTE_ADMIN_TOKEN or --token-file)")
            headers["Authorization"] = f"Bearer {self.admin_token}"
        elif session is not None:
            headers["Authorization"] = f"Voter {session}"  # a voter's login session (record-format §11), never in a URL
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        for attempt in range(self.retries + 1):
            try:
                with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                    return response.status, json.loads(response.read() or b"null")
            except urllib.error.HTTPError as exc:
                try:
                    refusal = json.loads(exc.read())
                    error = refusal.get("error", {})
                except (ValueError, AttributeError):
                    refusal, error = {}, {}
                field = error.get("field")
                where = f" ({field})" if field else ""
                raise BoardClientError(
                    f"the board refused: {error.get('message', exc.reason)}{where}", status=exc.code, code=error.get("code"), field=field,
                    details={k: v for k, v in refusal.items() if k != "error"} if isinstance(refusal, dict) else None,
                ) from None
            except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
                if attempt == self.retries:
                    raise BoardClientError(f"cannot reach the board at {self.base}: {getattr(exc, 'reason', exc)}") from None
                time.sleep(0.5 * (attempt + 1))
        raise AssertionError("unreachable")  # pragma: no cover

    def get(self, path: str) -> Any:
        return self._request("GET", path)[1]

    # --- reading ------------------------------------------------------------------------------------

    def board_info(self) -> dict:
        return self.get("/board")

    def context(self, election_id: str) -> dict:
        return self.get(f"/elections/{urllib.parse.quote(election_id)}/context")

    def entries(self, election_id: str, start: int = 0, checker: ChainChecker | None = None) -> Generator[Entry, None, None]:
        """Every entry from ``start`` on, each checked against its predecessor as it arrives.

        From seq 0 a fresh checker is used; a caller continuing a walk passes its own ``checker``.
        """
        if checker is None and start == 0:
            checker = ChainChecker(election_id)
        seq = start
        while True:
            page = self.get(f"/elections/{urllib.parse.quote(election_id)}/entries?start={seq}&limit={PAGE}")
            items = page.get("entries", []) if isinstance(page, dict) else []
            for item in items:
                try:
                    entry = Entry(
                        election_id,
                        item["seq"],
                        item["kind"],
                        rfc8785.dumps(item["payload"]),  # the canonical bytes that were hashed
                        parse_hash(item["prev_hash"], "prev_hash"),  # strict: bytes.fromhex skips whitespace
                        parse_hash(item["entry_hash"], "entry_hash"),
                        item["received_at"],
                    )
                except (KeyError, TypeError, ValueError) as exc:  # a malformed entry (rfc8785's errors are ValueErrors)
                    raise ChainBroken(seq, "entry", "an entry object as the board's API serves it", str(item)[:64],
                                      detail=f"{type(exc).__name__}: {exc}"[:200]) from None  # fmt: skip
                if checker is not None:
                    checker.feed(entry)
                yield entry
                seq += 1
            if len(items) < PAGE:
                return

    def anchors(self, election_id: str) -> str | None:
        """The election's latest published trust anchors (a signed note), or None when it has none."""
        url = f"{self.base}/elections/{urllib.parse.quote(election_id)}/anchors"
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "text/plain"}), timeout=TIMEOUT_SECONDS) as response:
                return response.read(64 * 1024 + 1).decode("utf-8")
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise BoardClientError(f"the board refused to serve the trust anchors ({exc.code})", status=exc.code) from None
        except (urllib.error.URLError, ConnectionError, TimeoutError, UnicodeDecodeError) as exc:
            raise BoardClientError(f"cannot read the trust anchors from {self.base}: {getattr(exc, 'reason', exc)}") from None

    def lookup(self, election_id: str, code: str) -> dict:
        return self.get(f"/elections/{urllib.parse.quote(election_id)}/ballots/{code}")

    # --- writing ------------------------------------------------------------------------------------

    def create_election(self, payload: dict) -> dict:
        return self._request("POST", "/admin/elections", payload, admin=True)[1]

    def post_admin(self, election_id: str, kind: str, payload: dict) -> dict:
        return self._request("POST", f"/admin/elections/{urllib.parse.quote(election_id)}/entries", {"kind": kind, "payload": payload}, admin=True)[1]

    def publish_anchors(self, election_id: str, request: dict) -> dict:
        return self._request("POST", f"/admin/elections/{urllib.parse.quote(election_id)}/anchors", request, admin=True)[1]

    def post_registrar(self, election_id: str, kind: str, payload: dict) -> dict:
        return self._request("POST", f"/elections/{urllib.parse.quote(election_id)}/registrar-messages", {"kind": kind, "payload": payload})[1]

    def post_trustee(self, election_id: str, kind: str, payload: dict) -> dict:
        return self._request("POST", f"/elections/{urllib.parse.quote(election_id)}/trustee-messages", {"kind": kind, "payload": payload})[1]

    def check(self, election_id: str, check: str) -> dict:
        """An entry the board checks outside the request (record-format §12.2): ``{"check", "kind", "status"}`` with
        ``seq`` once appended, ``error`` once refused."""
        return self.get(f"/elections/{urllib.parse.quote(election_id)}/checks/{urllib.parse.quote(check)}")

    def wait_for_check(self, election_id: str, answer: Any, *, poll_seconds: float = 1.0, timeout: float = CHECK_TIMEOUT_SECONDS,
                       progress: Callable[[float], None] | None = None) -> int:  # fmt: skip
        """The seq of an entry the board answered ``answer`` for: at once when it appended it (201), else, for a
        ``{"status": "checking", "check"}`` (202), once the check is decided; ``progress(seconds waited)`` is called
        at each poll. A refusal raises :class:`BoardClientError` with the board's code and field."""
        waited, started = 0.0, time.monotonic()
        while True:
            status = answer.get("status") if isinstance(answer, dict) else None
            if isinstance(answer, dict) and (status is None or status == "appended") and isinstance(answer.get("seq"), int):
                return answer["seq"]
            if status == "refused":
                error = answer.get("error") if isinstance(answer.get("error"), dict) else {}
                field = error.get("field")
                where = f" ({field})" if field else ""
                raise BoardClientError(f"the board refused: {error.get('message', 'no reason given')}{where}", code=error.get("code"),
                                       field=field)  # fmt: skip
            check = answer.get("check") if isinstance(answer, dict) else None
            if status != "checking" or not isinstance(check, str) or not check:
                raise BoardClientError(f"the board's answer is neither an entry nor a check: {str(answer)[:200]}")
            if waited >= timeout:
                raise BoardClientError(f"the board did not finish check {check} within {timeout:.0f} s; ask again later")
            time.sleep(poll_seconds)
            waited = time.monotonic() - started
            if progress is not None:
                progress(waited)
            answer = self.check(election_id, check)

    def submit_ballot(self, election_id: str, submission: dict, session: str | None = None) -> tuple[int, dict]:
        """Post a ballot; in a voter-login election with the voter's ``session`` (``Authorization: Voter``)."""
        return self._request("POST", f"/elections/{urllib.parse.quote(election_id)}/ballots", submission, session=session)

    # --- voter login (record-format §11; docs/board.md, "Voter login") ---------------------------------

    def upload_logins(self, election_id: str, logins: list[dict]) -> dict:
        """The roll's logins ({voter_id, email, style, weight, language?}, never a credential), admin token;
        the board answers {added, replaced, unchanged, logins}."""
        return self._request("POST", f"/admin/elections/{urllib.parse.quote(election_id)}/logins", {"logins": logins}, admin=True)[1]

    def request_login_code(self, election_id: str, voter_id: str) -> dict:
        """Ask the board to e-mail ``voter_id`` a one-time code (the same 202 answer for every voter id)."""
        return self._request("POST", f"/elections/{urllib.parse.quote(election_id)}/login", {"voter_id": voter_id})[1]

    def verify_login_code(self, election_id: str, voter_id: str, code: str) -> str:
        """Trade the e-mailed code for a session token (kept by the caller, never shown). A wrong code raises a
        BoardClientError with ``code`` wrong_code and ``details["tries_left"]``; code_locked, code_expired too."""
        answer = self._request("POST", f"/elections/{urllib.parse.quote(election_id)}/login/verify", {"voter_id": voter_id, "code": code})[1]
        session = answer.get("session") if isinstance(answer, dict) else None
        if not isinstance(session, str) or not session:
            raise BoardClientError("the board's answer to the login code holds no session")
        return session
