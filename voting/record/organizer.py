"""Who runs the election, for voters to read and reach: the ``organizer`` object of ``election.created``
(record-format §8.2, issue 18 item 4).

``{"name": ..., "contact": ..., "help_url": ..., "privacy_url": ...}``: ``name`` and ``contact`` (an e-mail
address, a telephone number or a postal address, as text) are required; the two links are optional and use
https. The booth shows them at the foot of every page of the election and on its election page. The texts
are display text only, never markup.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from .common import RecordError, exact

MAX_TEXT = 200
MAX_URL = 500


@dataclass(frozen=True)
class Organizer:
    name: str
    contact: str
    help_url: str | None = None
    privacy_url: str | None = None

    def to_json(self) -> dict[str, str]:
        links = {key: value for key, value in (("help_url", self.help_url), ("privacy_url", self.privacy_url)) if value}
        return {"name": self.name, "contact": self.contact, **links}


def parse_organizer(value: object, field: str = "organizer") -> Organizer:
    obj = exact(value, field, {"name", "contact"}, frozenset({"help_url", "privacy_url"}))
    return Organizer(
        _text(obj["name"], f"{field}.name"),
        _text(obj["contact"], f"{field}.contact"),
        _url(obj["help_url"], f"{field}.help_url") if "help_url" in obj else None,
        _url(obj["privacy_url"], f"{field}.privacy_url") if "privacy_url" in obj else None,
    )


def _text(value: object, field: str) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_TEXT or value != value.strip():
        raise RecordError(field, f"1 to {MAX_TEXT} characters, without surrounding spaces")
    if any(unicodedata.category(ch)[0] == "C" for ch in value):
        raise RecordError(field, "contains no control, format or line-break characters")
    return value


def _url(value: object, field: str) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_URL or not value.isascii() or any(ch in value for ch in " \"'<>\\`"):
        raise RecordError(field, f"an https address of at most {MAX_URL} ASCII characters, without spaces or quotes")
    try:
        parts = urlsplit(value)
    except ValueError:
        raise RecordError(field, "is not an address (URL)") from None
    if parts.scheme != "https" or not parts.hostname or parts.username is not None or parts.password is not None:
        raise RecordError(field, "an https address with a host name and no user name or password")
    return value
