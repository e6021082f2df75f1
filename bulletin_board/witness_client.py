"""The board's side of witnessing: its witness policy file and the HTTP client of C2SP ``add-checkpoint``.

The policy file (``EVOTE_WITNESS_POLICY_FILE``) is JSON::

    {"quorum": 2, "witnesses": [{"url": "http://127.0.0.1:9001", "key": "<witness vkey>"}, ...]}

``url`` is the witness's submission prefix (the request goes to ``<url>/add-checkpoint``), ``key`` its
cosigner verifier key (``log_format.cosignature.CosignerKey``). The board asks these witnesses and keeps only
their cosignatures; it serves the policy for information only: clients take theirs from the trust anchors.
"""

from __future__ import annotations

import http.client
import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .log_format.cosignature import CosignerKey
from .log_format.errors import InvalidInput
from .log_format.witness_policy import MAX_WITNESSES, WitnessPolicy
from .log_format.witness_protocol import AddCheckpoint

_URL = re.compile(r"https?://[A-Za-z0-9.\-\[\]:]+(/[A-Za-z0-9._~\-/%]*)?")
MAX_POLICY_BYTES = 256 * 1024
MAX_ANSWER_BYTES = 64 * 1024
USER_AGENT = "evote-board-cosigner/1"

__all__ = ["WitnessEndpoint", "BoardWitnessPolicy", "parse_witness_policy", "load_witness_policy_file",
           "WitnessAnswer", "add_checkpoint"]


@dataclass(frozen=True)
class WitnessEndpoint:
    url: str  # the submission prefix, without a trailing '/'
    key: CosignerKey

    @property
    def name(self) -> str:
        return self.key.name


@dataclass(frozen=True)
class BoardWitnessPolicy:
    """The witnesses this board asks for cosignatures and the quorum it aims for."""

    witnesses: tuple[WitnessEndpoint, ...]
    quorum: int

    @property
    def policy(self) -> WitnessPolicy:
        return WitnessPolicy(tuple(w.key for w in self.witnesses), self.quorum)

    def key(self, vkey: str) -> CosignerKey | None:
        return next((w.key for w in self.witnesses if w.key.to_string() == vkey), None)

    def to_json(self) -> dict:
        return {"quorum": self.quorum, "witnesses": [{"url": w.url, "key": w.key.to_string()} for w in self.witnesses]}


def parse_witness_policy(document: object) -> BoardWitnessPolicy:
    """A policy from its JSON value; ``InvalidInput`` names the field at fault (``witnesses[1].key``)."""
    if not isinstance(document, dict):
        raise InvalidInput("policy", "must be a JSON object {\"quorum\": k, \"witnesses\": [...]}")
    unknown = sorted(set(document) - {"quorum", "witnesses"})
    if unknown:
        raise InvalidInput(unknown[0], "unknown field (a policy has quorum and witnesses)")
    items = document.get("witnesses")
    if not isinstance(items, list) or len(items) > MAX_WITNESSES:
        raise InvalidInput("witnesses", f"must be a list of at most {MAX_WITNESSES} {{\"url\", \"key\"}} objects")
    witnesses = []
    for number, item in enumerate(items):
        field = f"witnesses[{number}]"
        if not isinstance(item, dict) or set(item) != {"url", "key"}:
            raise InvalidInput(field, "must be an object with exactly url and key")
        url = item["url"]
        if not isinstance(url, str) or not _URL.fullmatch(url):
            raise InvalidInput(f"{field}.url", "must be an http:// or https:// URL without query or fragment")
        witnesses.append(WitnessEndpoint(url.rstrip("/"), CosignerKey.from_string(item["key"], f"{field}.key")))
    quorum = document.get("quorum", len(witnesses))
    if isinstance(quorum, bool) or not isinstance(quorum, int) or not 0 <= quorum <= len(witnesses):
        raise InvalidInput("quorum", f"must be an integer from 0 to the number of witnesses ({len(witnesses)})")
    if len({w.url for w in witnesses}) != len(witnesses):
        raise InvalidInput("witnesses", "a witness URL is listed twice")
    policy = BoardWitnessPolicy(tuple(witnesses), quorum)
    policy.policy  # noqa: B018 — WitnessPolicy refuses a key or a name listed twice
    return policy


def load_witness_policy_file(path: str | Path) -> BoardWitnessPolicy:
    """Read and check the policy file; ``InvalidInput`` whose field is ``<setting>: <field>`` on any problem."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InvalidInput("EVOTE_WITNESS_POLICY_FILE", f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_POLICY_BYTES:
        raise InvalidInput("EVOTE_WITNESS_POLICY_FILE", f"{path} is larger than {MAX_POLICY_BYTES} bytes")
    try:
        document = json.loads(data)
    except ValueError as exc:
        raise InvalidInput("EVOTE_WITNESS_POLICY_FILE", f"{path} is not JSON: {exc}") from None
    try:
        return parse_witness_policy(document)
    except InvalidInput as exc:
        raise InvalidInput(f"EVOTE_WITNESS_POLICY_FILE: {exc.field}", exc.reason) from None


@dataclass(frozen=True)
class WitnessAnswer:
    status: int  # 0: no HTTP answer (refused, timed out, unreachable)
    body: bytes
    content_type: str
    error: str = ""  # why there was no answer


def add_checkpoint(witness: WitnessEndpoint, request: AddCheckpoint, timeout: float) -> WitnessAnswer:
    """POST the request to ``<url>/add-checkpoint``; any HTTP status is an answer, a network failure is status 0."""
    http_request = urllib.request.Request(witness.url + "/add-checkpoint", data=request.to_body(), method="POST",
                                          headers={"Content-Type": "text/plain; charset=utf-8", "User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(http_request, timeout=timeout) as response:
            return WitnessAnswer(response.status, response.read(MAX_ANSWER_BYTES), response.headers.get("Content-Type", ""))
    except urllib.error.HTTPError as answer:
        with answer:
            return WitnessAnswer(answer.code, answer.read(MAX_ANSWER_BYTES), answer.headers.get("Content-Type", ""))
    except (OSError, ValueError, http.client.HTTPException) as exc:  # URLError, timeouts, resets, broken answers
        reason = getattr(exc, "reason", exc)
        return WitnessAnswer(0, b"", "", f"{type(exc).__name__}: {str(reason)[:200]}")
