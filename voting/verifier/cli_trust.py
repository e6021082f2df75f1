"""The options every ``evote-verify`` command shares for a witness policy and trust anchors (section W).

    --witness KEY                 a witness's cosigner verifier key (repeatable)
    --witness-quorum K            how many of them must cosign [default: all listed]
    --anchors FILE                the election's signed trust anchors: board key, origin, trustees, policy
    --anchors-fingerprint FP      sha256:<hex> of the anchors (the voting card's), checked when given

and the credential authority's key pinned out of band (issue 17, E.9):

    --registrar-key HEX           the registrar's Ed25519 key, 64 hex digits; with --anchors it must be theirs
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

import click

from .anchors import ClientTrust, read_trust
from .model import RecordUnreadable

_HEX64 = re.compile(r"[0-9A-Fa-f]{64}")


def registrar_key_option(command: Callable) -> Callable:
    return click.option(
        "--registrar-key", "registrar_key", metavar="HEX",
        help="The credential authority's (registrar's) Ed25519 key, 64 hex digits, obtained out of band: the election "
        "must name it in election.created (E.9); with --anchors it must be the anchors' registrar.",
    )(command)  # fmt: skip


def registrar_key_from(value: str | None, trust: ClientTrust | None) -> tuple[str | None, str]:
    """The registrar key to require (upper-case hex, as election.created writes it) and where it comes from:
    --registrar-key, else the trust anchors' registrar line; raises RecordUnreadable (exit 2) for a value that
    is not a key or contradicts the anchors."""
    anchors = trust.anchors if trust is not None else None
    source = f"the trust anchors ({trust.anchors_file})" if trust is not None and anchors is not None else ""
    if value is None:
        if anchors is not None and anchors.registrar is not None:
            return anchors.registrar.upper(), source
        return None, ""
    value = value.strip()
    if not _HEX64.fullmatch(value):
        raise RecordUnreadable(f"--registrar-key {value[:80]!r} is not an Ed25519 key (64 hex digits)")
    if anchors is not None:
        if anchors.registrar is None:
            raise RecordUnreadable(f"--registrar-key {value} contradicts {source}, which name no registrar")
        if anchors.registrar != value.lower():
            raise RecordUnreadable(f"--registrar-key {value} contradicts {source}, which name the registrar key {anchors.registrar}")
        return value.upper(), f"--registrar-key, named by {source}"
    return value.upper(), "--registrar-key"


def trust_options(command: Callable) -> Callable:
    for option in reversed((
        click.option("--witness", "witnesses", multiple=True, metavar="KEY",
                     help="A witness the checkpoints must be cosigned by: its cosigner verifier key "
                     "(name+keyid+base64), repeatable; with --anchors it must be one of the anchors' witnesses."),
        click.option("--witness-quorum", type=click.IntRange(min=0), metavar="K",
                     help="How many distinct witnesses must cosign [default: every --witness, or the anchors' quorum]."),
        click.option("--anchors", "anchors_file", type=click.Path(dir_okay=False, path_type=Path),
                     help="The election's trust anchors (a note signed by the board): the board key, the origin, the "
                     "trustees' keys and the witness policy are taken from them (section W)."),
        click.option("--anchors-fingerprint", metavar="sha256:HEX",
                     help="The anchors' fingerprint published out of band (the voting card's): W.2 compares it."),
    )):  # fmt: skip
        command = option(command)
    return command


def trust_from(
    witnesses: tuple[str, ...], witness_quorum: int | None, anchors_file: Path | None, anchors_fingerprint: str | None,
    board_key: str | None,
) -> tuple[ClientTrust | None, str | None, str]:
    """The policy, the board key to require, and where that key comes from; raises RecordUnreadable."""
    trust, key = read_trust(witnesses, witness_quorum, anchors_file, anchors_fingerprint, board_key)
    origin = "--board-key"
    if trust is not None and trust.anchors is not None:
        origin = f"the trust anchors ({anchors_file})" if board_key is None else f"--board-key, named by the trust anchors ({anchors_file})"
    return trust, key, origin
