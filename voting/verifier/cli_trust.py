"""The options every ``evote-verify`` command shares for a witness policy and trust anchors (section W).

    --witness KEY                 a witness's cosigner verifier key (repeatable)
    --witness-quorum K            how many of them must cosign [default: all listed]
    --anchors FILE                the election's signed trust anchors: board key, origin, trustees, policy
    --anchors-fingerprint FP      sha256:<hex> of the anchors (the voting card's), checked when given
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import click

from .anchors import ClientTrust, read_trust


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
