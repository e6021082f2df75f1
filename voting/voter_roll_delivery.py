"""The voter roll's delivery columns: voter_roll.py's columns plus e-mail, language, postal address.

Read by the registrar (registrar/issuing.py: the voting cards and e-mails) and by the board's voter login
(bulletin_board/admin_ops.py: `evote election logins`), so it lives in the core both may import.

A CSV file in UTF-8 as voting/voter_roll.py reads it (``voter_id``, ``style``, optional ``weight``), with
these optional columns checked here, every problem naming its line and column:

- ``email``: one address per voter (``name@host.domain``); empty for a voter who gets the printed card only;
  two voters may not share an address (each card goes to its own voter).
- ``language``: the cards' and e-mails' language, one of the booth's tags (en fr de es it pt nl pl uk ar);
  empty for the election's default language.
- ``name``, ``address`` (several lines allowed), ``postcode``, ``city``, ``country``: printed in the card's
  address block for a window envelope; display text without control characters.

Any other column is kept and never printed. The roll's bytes are what the registrar commits to
(registrar/issuing.py), so the file is read once, as bytes.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from .voter_roll import VOTER_ID, RollEntry, RollError, RollProblem, VoterRoll, parse_roll

# The languages voting cards and e-mails are written in (registrar/texts.py holds a text for each).
LANGUAGES = ("en", "fr", "de", "es", "it", "pt", "nl", "pl", "uk", "ar")

EMAIL, LANGUAGE = "email", "language"
POSTAL = ("name", "address", "postcode", "city", "country")
MAX_EMAIL = 254
MAX_POSTAL = 200
EMAIL_PATTERN = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")


@dataclass(frozen=True)
class Voter:
    """One voter as the registrar delivers to them (the credential comes later, from issuing)."""

    voter_id: str
    style: str
    weight: int
    email: str  # "" when the voter has no e-mail address
    language: str
    postal: tuple[str, ...]  # the non-empty postal lines, in print order


def parse_registrar_roll(data: bytes, styles: Iterable[str], max_weight: int, default_language: str = "en") -> VoterRoll:
    """voting.voter_roll's roll of ``data``, with the registrar's columns checked too. Raises RollError naming
    every problem (the base roll's and the registrar's, in line order)."""
    known = tuple(styles)
    try:
        roll = parse_roll(data, known, max_weight)
        base_problems: tuple[RollProblem, ...] = ()
    except RollError as exc:
        roll, base_problems = None, exc.problems
    if any(p.line in (None, 1) for p in base_problems):  # the header or the file itself: nothing more to check
        raise RollError(base_problems)
    problems = list(base_problems) + _column_problems(data, default_language)
    if problems:
        raise RollError(sorted(problems, key=lambda p: (p.line or 0, p.column or "")))
    assert roll is not None
    return roll


def voter_of(entry: RollEntry, default_language: str = "en") -> Voter:
    extra = entry.extra
    postal = tuple(line for field in POSTAL for line in extra.get(field, "").splitlines() if line.strip())
    return Voter(entry.voter_id, entry.style, entry.weight, extra.get(EMAIL, ""), extra.get(LANGUAGE, "") or default_language, postal)


def _column_problems(data: bytes, default_language: str) -> list[RollProblem]:
    problems: list[RollProblem] = []
    try:
        reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
        header = [cell.strip() for cell in next(reader)]
    except (UnicodeDecodeError, csv.Error, StopIteration):
        return problems  # the base roll names these problems
    if default_language not in LANGUAGES:
        problems.append(RollProblem(None, LANGUAGE, f"the default language {default_language!r} is not one of {' '.join(LANGUAGES)}"))
    first_with: dict[str, int] = {}
    line = reader.line_num
    try:
        for row in reader:
            start, line = line + 1, reader.line_num
            if len(row) != len(header) or not any(cell.strip() for cell in row):
                continue  # the base roll names that problem
            cells = dict(zip(header, (cell.strip() for cell in row)))
            email = cells.get(EMAIL, "")
            if email:
                if len(email) > MAX_EMAIL or not EMAIL_PATTERN.fullmatch(email):
                    problems.append(RollProblem(start, EMAIL, f"{_shown(email)} is not an e-mail address (name@host.domain)"))
                elif email.lower() in first_with:
                    problems.append(RollProblem(start, EMAIL, f"{_shown(email)} is already the address on line {first_with[email.lower()]}"))
                else:
                    first_with[email.lower()] = start
            language = cells.get(LANGUAGE, "")
            if language and language not in LANGUAGES:
                hint = f" (write {language.lower()!r})" if language.lower() in LANGUAGES else ""
                problems.append(RollProblem(start, LANGUAGE, f"{_shown(language)} is not one of the booth's languages {' '.join(LANGUAGES)}{hint}"))
            for field in POSTAL:
                value = cells.get(field, "")
                if len(value) > MAX_POSTAL or any(unicodedata.category(ch)[0] == "C" and ch not in "\r\n" for ch in value):
                    problems.append(RollProblem(start, field, f"at most {MAX_POSTAL} characters without control characters"))
    except csv.Error:
        pass  # the base roll names the line
    return problems


def _shown(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:40] + "…")


__all__ = ["EMAIL", "LANGUAGE", "POSTAL", "VOTER_ID", "Voter", "parse_registrar_roll", "voter_of"]
