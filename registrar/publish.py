"""The seam to the board: what the registrar signs and posts (the second step of issue 17).

The signed-statement format is voting/record/registrar.py (record-format §11: ``{"body", "signature"}``, the
signature by the registrar's identity key under the domain ``evote/registrar-message/v1``). The board's
endpoint and the command that posts come in the next step; until then this module assembles what is signed: :func:`bodies_to_sign` (the roll commitment and the version-2 credential list body, as
``evote-registrar issue`` wrote them) and :func:`erasure_body`. :func:`publish` takes the signed
payload and posts it; it refuses, saying why, until the format and the board's endpoint exist.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from voting.record.registrar import CREDENTIALS, ERASED, ROLL

from .issuing import COMMITMENT_FILE, ERASED_FILE, LIST_FILE, read_json


class NotYetAvailable(Exception):
    """Signing and posting wait for voting/record/registrar.py and the board's registrar endpoint."""


def bodies_to_sign(directory: Path) -> list[tuple[str, dict[str, Any]]]:
    """The entries the registrar signs after ``issue``, in order, as (kind, body): the roll commitment, then the
    version-2 credential list (the kinds ``registrar.roll`` and ``registrar.credentials``)."""
    return [(ROLL, read_json(directory / COMMITMENT_FILE)), (CREDENTIALS, read_json(directory / LIST_FILE))]


def erasure_body(directory: Path) -> tuple[str, dict[str, Any]]:
    """After ``erase``: (``registrar.erased``, ``{"statement": <one line>}``) from erased.json."""
    return ERASED, {"statement": read_json(directory / ERASED_FILE)["statement"]}


def publish(board_url: str, election_id: str, kind: str, signed_payload: dict[str, Any]) -> None:
    """Post ``signed_payload`` (``{"body", "signature"}``: a body of :func:`bodies_to_sign` signed with the
    registrar's identity key, ``Vault.signing_key``, in the format of voting/record/registrar.py) as an entry
    of ``kind`` on the election's log at ``board_url``."""
    raise NotYetAvailable(
        "posting to the board comes in the registrar tool's next step (sign with voting.record.registrar.sign_registrar_message, "
        f"post to /registrar-messages); until then give the administrator {LIST_FILE} and {COMMITMENT_FILE}"
    )
