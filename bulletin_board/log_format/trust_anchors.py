"""An election's trust anchors: the one small file a client needs to trust nothing the board says about itself.

Published out of band (the organizer's website, the voting card's fingerprint, the newspaper), it names:
the election's log origin, the board's verifier key (and any later board key a signed key transition
introduced), the trustees' identity keys, the credential authority's key once the election has one, the
witness policy (witness keys and quorum) and the hash of the booth's code. It is a signed note (``note.py``):

    evote trust anchors v1
    origin <election origin>
    board <board verifier key>
    trustee <index> <Ed25519 identity key, 64 lowercase hex digits>
    registrar <Ed25519 key, 64 lowercase hex digits>
    witness <cosigner verifier key>
    witness-quorum <k>
    booth sha256:<64 hex digits>

(``board`` may repeat, oldest first, after a key transition; ``trustee`` and ``witness`` repeat, ``registrar``
is optional.) The board's key signs it; trustees and witnesses may add their signatures. The
**fingerprint** is SHA-256 of the text (signatures excluded, so adding one does not change it), written as
``sha256:<hex>``; a voter compares it with the one printed on the voting card.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from .checkpoint import check_origin
from .errors import InvalidInput, VerificationError
from .note import NoteSigner, NoteVerifier, open_note, parse_note, sign_note
from .witness_policy import WitnessPolicy

HEADER = "evote trust anchors v1"
_HEX64 = re.compile(r"[0-9a-f]{64}")

__all__ = ["TrustAnchors", "parse_anchors", "open_anchors", "fingerprint"]


@dataclass(frozen=True)
class TrustAnchors:
    origin: str
    board_keys: tuple[NoteVerifier, ...]
    trustees: tuple[tuple[int, str], ...]  # (guardian index 1..n, identity key as 64 lowercase hex digits)
    policy: WitnessPolicy
    booth_sha256: str  # 64 lowercase hex digits
    registrar: str | None = None  # the credential authority's key as 64 lowercase hex digits (record-format §11)

    def text(self) -> str:
        lines = [HEADER, f"origin {self.origin}"]
        lines += [f"board {key.to_string()}" for key in self.board_keys]
        lines += [f"trustee {index} {key}" for index, key in self.trustees]
        if self.registrar is not None:
            lines.append(f"registrar {self.registrar}")
        lines += [f"witness {w.to_string()}" for w in self.policy.witnesses]
        lines.append(f"witness-quorum {self.policy.quorum}")
        lines.append(f"booth sha256:{self.booth_sha256}")
        return "\n".join(lines) + "\n"

    def sign(self, board_signer: NoteSigner, *others: NoteSigner) -> str:
        return sign_note(self.text(), board_signer, *others)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.text())

    @property
    def board_key(self) -> NoteVerifier:
        """The board's current key (the last one listed)."""
        return self.board_keys[-1]


def fingerprint(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_anchors(text: str) -> TrustAnchors:
    """Parse the anchors' text (no signature checked); ``InvalidInput`` names the first bad line."""
    lines = text.split("\n")
    if lines[-1] != "" or lines[0] != HEADER:
        raise InvalidInput("anchors", f"must start with '{HEADER}' and end with a newline")
    origin = None
    boards: list[NoteVerifier] = []
    trustees: list[tuple[int, str]] = []
    witnesses: list[str] = []
    quorum = None
    booth = None
    registrar = None
    for number, line in enumerate(lines[1:-1], 2):
        word, _, rest = line.partition(" ")
        where = f"anchors line {number}"
        if word == "origin" and origin is None:
            origin = check_origin(rest, where)
        elif word == "board":
            boards.append(NoteVerifier.from_string(rest))
        elif word == "trustee":
            index, _, key = rest.partition(" ")
            if not re.fullmatch(r"[1-9][0-9]{0,2}", index) or not _HEX64.fullmatch(key):
                raise InvalidInput(where, "a trustee line is 'trustee <index> <64 lowercase hex digits>'")
            trustees.append((int(index), key))
        elif word == "registrar" and registrar is None:
            if not _HEX64.fullmatch(rest):
                raise InvalidInput(where, "the registrar line is 'registrar <64 lowercase hex digits>'")
            registrar = rest
        elif word == "witness":
            witnesses.append(rest)
        elif word == "witness-quorum" and quorum is None:
            if not re.fullmatch(r"0|[1-9][0-9]{0,2}", rest):
                raise InvalidInput(where, "the witness quorum is a small decimal number")
            quorum = int(rest)
        elif word == "booth" and booth is None:
            if not rest.startswith("sha256:") or not _HEX64.fullmatch(rest[7:]):
                raise InvalidInput(where, "the booth line is 'booth sha256:<64 lowercase hex digits>'")
            booth = rest[7:]
        else:
            raise InvalidInput(where, f"unexpected or repeated line {word[:40]!r}")
    if origin is None or not boards or quorum is None or booth is None:
        raise InvalidInput("anchors", "must name the origin, the board key, the witness quorum and the booth's hash")
    policy = WitnessPolicy.from_strings(witnesses, quorum)
    return TrustAnchors(origin, tuple(boards), tuple(trustees), policy, booth, registrar)


def open_anchors(note: str, *, expected_fingerprint: str | None = None) -> tuple[TrustAnchors, tuple[NoteVerifier, ...]]:
    """Parse a signed anchors file, check that its board key signed it and, if given, its fingerprint.

    Returns the anchors and every listed board key whose signature verified. A wrong fingerprint or a missing board signature raises."""
    parsed = parse_note(note)
    anchors = parse_anchors(parsed.text)
    if expected_fingerprint is not None and anchors.fingerprint != expected_fingerprint.strip().lower():
        raise VerificationError(f"the anchors' fingerprint is {anchors.fingerprint}, not the expected {expected_fingerprint.strip()}")
    opened = open_note(note, anchors.board_keys)
    return anchors, opened.verified_by
