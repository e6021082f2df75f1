"""Error messages for people, shared by the command-line tools that talk to the board (`evote`, `evote-trustee`,
`evote vote`): no internal field tags, and a hint of what to do next.

The record layer names the place of a fault as a path (``payload.guardians.k: the quorum k must …``); that
path is for programs (the board's JSON error keeps it in ``field``). A person reads the reason first and,
where it helps, the option or field in plain words: ``the quorum k must satisfy 1 <= k <= n (--quorum)``.
"""

from __future__ import annotations

import re

from .log_format.client import BoardClientError

__all__ = ["plain", "next_step", "for_people"]

# tags that say nothing to a person: the reason alone is clearer
_SILENT = {"kind", "payload", "body", "entry", "request"}
# fields a person sets through an option or a file: name that
FIELD_WORDS = {
    "guardians.k": "--quorum",
    "guardians.n": "the trustees file",
    "guardians": "the trustees file",
    "trustees": "the trustees file",
    "election_id": "the election id",
    "manifest": "the manifest",
    "revote_rule": "--revote-rule",
    "max_weight": "--max-weight",
    "organizer": "--organizer/--contact",
    "registrar": "--registrar-key/--registrar-name",
    "credentials": "the credential list",
}
_PREFIX = re.compile(r"^(?P<lead>(?:the board refused: )?(?:entry \d+ \([\w.]+\): )?)(?P<field>[A-Za-z_][\w]*(?:\[\d+\])?(?:\.[\w]+(?:\[\d+\])?)*): ")


_PREDICATE = re.compile(r"(is|are|was|must|has|have|does|do|cannot|should|lists|names)\b")


def plain(message: str) -> str:
    """``message`` without its leading field tag; the field, in words, at the end where it helps."""
    match = _PREFIX.match(message)
    if match is None:
        return message
    field = match["field"]
    rest = message[match.end():]
    for tag in (field, f"payload.{field}"):  # BoardClient repeats the field at the end: once is enough
        if rest.endswith(f" ({tag})"):
            rest = rest[: -len(tag) - 3]
    path = field[len("payload."):] if field.startswith("payload.") else field
    if path in _SILENT:
        return match["lead"] + rest
    words = FIELD_WORDS.get(path) or f"field {path}"  # an item inside (credentials[5].style) keeps its exact place
    if path in FIELD_WORDS and _PREDICATE.match(rest):  # "is not this election's identifier": the field is its subject
        subject = words if not words.startswith("-") else f"{words} value"
        return f"{match['lead']}{subject[0].upper() + subject[1:] if not match['lead'] else subject} {rest}"
    return f"{match['lead']}{rest} ({words})"


def next_step(error: Exception) -> str:
    """What to try next after a failure of the board (empty when the message already says it)."""
    if not isinstance(error, BoardClientError):
        return ""
    if error.status is None:
        if "cannot reach" in str(error):
            return "Check --board (or EVOTE_BOARD_URL) and that the board is running."
        return ""
    if error.status in (401, 403):
        return "Check the administrator's token: EVOTE_ADMIN_TOKEN or --token-file."
    if error.status == 404 and error.code in ("unknown_election", "not_found"):
        return "Check the election id and --board (evote election status ID shows what the board holds)."
    if error.status == 409 and error.code == "rule_violation":
        return "See where the election stands: evote election status ID."
    if error.status == 429:
        return "The board is limiting requests: wait a minute, then run the same command again."
    if error.status >= 500:
        return "The board failed; run the same command again later, or ask the board's operator."
    return ""


def for_people(error: Exception) -> str:
    """The one line a command prints for ``error``: plain words, then what to do next."""
    hint = next_step(error)
    text = plain(str(error))
    return f"{text}. {hint}" if hint and not text.endswith(".") else f"{text} {hint}".rstrip()
