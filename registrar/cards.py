"""Voting cards: one page per voter, in the voter's language, made with fpdf2 (issue 17 item 2).

Each card shows who runs the election, its title, the booth's address with a QR code of it, the voter's
ballot style in words, the credential in large monospace type (seven blocks of four characters from the
Crockford alphabet of voting/credentials.py, which has no I, L, O or U), the closing time and the trust
anchors' fingerprint when given, the voter's postal address for a window envelope (DIN 5008 position) when
the roll has one, and short instructions: how to vote, how to challenge, how to check a receipt, and how a
voter who did not vote checks that nothing was cast in their name. The credential is printed on the page
only: never in the QR code, a link, the document's metadata or a file name.

Fonts: fpdf2 needs a TrueType font for anything beyond Latin-1. DejaVu Sans (Latin, Cyrillic, Arabic) and
DejaVu Sans Mono are looked for in EVOTE_REGISTRAR_FONT_DIR, then in Debian's fonts-dejavu-core directory.
Arabic needs shaping and right-to-left ordering: fpdf2 does both with uharfbuzz; without it an Arabic card
is printed in English and :func:`render_cards` says so in its warnings.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .issuing import Holder, Issued
from .texts import RIGHT_TO_LEFT, STEPS, TEXTS, election_title, style_name

FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/local/share/fonts/dejavu")
FONTS = {("sans", ""): "DejaVuSans.ttf", ("sans", "B"): "DejaVuSans-Bold.ttf", ("mono", ""): "DejaVuSansMono.ttf", ("mono", "B"): "DejaVuSansMono-Bold.ttf"}
FINGERPRINT = re.compile(r"sha256:[0-9a-f]{64}")
MAX_TEXT = 200


class CardError(Exception):
    """The cards cannot be made; the message says why in one sentence."""


@dataclass(frozen=True)
class CardSettings:
    """What every card of an election shows besides the voter's own lines (saved as cards.json)."""

    booth_url: str
    organizer: str
    closes_at: str | None = None
    anchors_fingerprint: str | None = None
    style_names: Mapping[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "booth_url": self.booth_url, "organizer": self.organizer, "closes_at": self.closes_at,
            "anchors_fingerprint": self.anchors_fingerprint, "style_names": dict(self.style_names),
        }  # fmt: skip

    @classmethod
    def from_json(cls, obj: Any) -> CardSettings:
        try:
            return check_settings(cls(obj["booth_url"], obj["organizer"], obj["closes_at"], obj["anchors_fingerprint"], obj["style_names"]))
        except (KeyError, TypeError):
            raise CardError("cards.json is damaged: make the cards again with 'evote-registrar cards'") from None


def check_settings(settings: CardSettings) -> CardSettings:
    """Raise CardError naming the first setting that cannot go on a card."""
    url = settings.booth_url
    try:
        parts = urlsplit(url)
    except ValueError:
        raise CardError(f"--booth-url {url!r} is not an address") from None
    local = parts.hostname in ("localhost", "127.0.0.1", "::1")
    if not url.isascii() or " " in url or not parts.hostname or parts.username or parts.password or len(url) > 300:
        raise CardError("--booth-url is an https address of at most 300 characters, with a host name and no user name or password")
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        raise CardError("--booth-url is an https address (http only for a booth on this machine, for tests)")
    if parts.query or parts.fragment:
        raise CardError("--booth-url has no query or fragment: a card's address is the same for every voter")
    for name, value in (("--organizer", settings.organizer), ("--closes-at", settings.closes_at or "x")):
        if not 0 < len(value) <= MAX_TEXT or not value.isprintable():
            raise CardError(f"{name} has 1 to {MAX_TEXT} printable characters")
    if settings.anchors_fingerprint is not None and not FINGERPRINT.fullmatch(settings.anchors_fingerprint):
        raise CardError("--anchors-fingerprint is 'sha256:' and 64 lower-case hex digits, as 'evote anchors show' prints it")
    for label, words in settings.style_names.items():
        if not isinstance(words, str) or not 0 < len(words) <= MAX_TEXT or not words.isprintable():
            raise CardError(f"the name of style {label!r} has 1 to {MAX_TEXT} printable characters")
    return settings


def style_words(issued: Issued, settings: CardSettings, style: str, language: str | None = None) -> str:
    """The style in words: --style-name, else the manifest's name of the style in the voter's language (its
    ``name``, else its ``info`` entry ``style.<label>``; registrar/texts.py), else its label."""
    return settings.style_names.get(style) or style_name(issued.manifest, style, language) or style


def spaced_credential(credential: str) -> str:
    """The credential in blocks of four separated by spaces (the booth ignores spaces and dashes)."""
    return " ".join(credential.split("-"))


def shaping_available() -> bool:
    try:
        import uharfbuzz  # noqa: F401
    except ImportError:
        return False
    return True


def render_cards(issued: Issued, settings: CardSettings, holders: Iterable[Holder]) -> tuple[bytes, list[str]]:
    """One PDF with one page per holder; returns its bytes and warnings (e.g. an Arabic card in English)."""
    from fpdf import FPDF  # only the commands that print load fpdf2

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_creator("evote-registrar")
    pdf.set_title(f"{issued.manifest.label}: voting cards")  # never a voter's name or credential
    _add_fonts(pdf)
    shaping = shaping_available()
    warnings: list[str] = []
    qr = _qr_png(settings.booth_url)
    for holder in holders:
        language = holder.voter.language
        if language in RIGHT_TO_LEFT and not shaping:
            warnings.append(f"voter {holder.voter.voter_id}: card printed in English (Arabic needs uharfbuzz for shaping)")
            language = "en"
        _card(pdf, issued, settings, holder, language, qr)
    return bytes(pdf.output()), warnings


def _add_fonts(pdf: Any) -> None:
    for directory in _font_dirs():
        paths = {key: directory / name for key, name in FONTS.items()}
        if all(p.is_file() for p in paths.values()):
            for (family, style), path in paths.items():
                pdf.add_font(family, style, str(path))
            return
    raise CardError(
        "no DejaVu fonts found (DejaVuSans.ttf, DejaVuSansMono.ttf and their bold faces): install Debian's "
        "fonts-dejavu-core, or set EVOTE_REGISTRAR_FONT_DIR to a directory holding them"
    )


def _font_dirs() -> list[Path]:
    chosen = os.environ.get("EVOTE_REGISTRAR_FONT_DIR")
    return [Path(chosen)] if chosen else [Path(d) for d in FONT_DIRS]


def _qr_png(url: str) -> bytes:
    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=8, border=2)
    return buffer.getvalue()


def _card(pdf: Any, issued: Issued, settings: CardSettings, holder: Holder, language: str, qr: bytes) -> None:
    t = TEXTS[language]
    rtl = language in RIGHT_TO_LEFT
    align = "R" if rtl else "L"

    def value(v: str) -> str:  # a Latin value inside a right-to-left line keeps its own order (left-to-right marks)
        return f"\u200e{v}\u200e" if rtl else v

    pdf.add_page()
    if rtl:
        pdf.set_text_shaping(use_shaping_engine=True, direction="rtl", script="arab", language="ara")
    else:
        pdf.set_text_shaping(False)
    margin = 18
    width = pdf.w - 2 * margin
    pdf.set_margins(margin, margin, margin)
    pdf.set_xy(margin, margin)

    def words(size: float, text: str, style: str = "", gap: float = 1.5, family: str = "sans", w: float = width, al: str | None = None) -> None:
        pdf.set_font(family, style, size)
        pdf.multi_cell(w, size * 0.45, text, align=al or align, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    def literal(size: float, text: str, style: str = "", w: float = width) -> None:  # URLs, codes: left to right always
        pdf.set_text_shaping(False)
        words(size, text, style, family="mono", w=w, al="R" if rtl else "L")
        if rtl:
            pdf.set_text_shaping(use_shaping_engine=True, direction="rtl", script="arab", language="ara")

    pdf.set_text_color(90, 90, 90)
    words(10, f"{t['organizer']}: {value(settings.organizer)}", gap=0.5)
    pdf.set_text_color(0, 0, 0)
    words(20, t["card_title"], "B", gap=1)
    words(14, election_title(issued.manifest, language), "B", gap=3)

    # the address block where a window envelope shows it (DIN 5008: 20 mm from the left, 45 mm from the top)
    # and the booth's address with its QR code opposite it
    top = max(pdf.get_y(), 45)
    qr_size = 38
    qr_x = margin if rtl else pdf.w - margin - qr_size
    pdf.image(io.BytesIO(qr), x=qr_x, y=top, w=qr_size, h=qr_size)
    text_x = margin + qr_size + 4 if rtl else (20 if holder.voter.postal else margin)
    block_width = width - qr_size - 6
    pdf.set_xy(text_x, top + 1)
    if holder.voter.postal:
        pdf.set_text_shaping(False)  # addresses are written as the roll writes them
        pdf.set_font("sans", "", 11)
        for line in holder.voter.postal[:6]:
            pdf.set_x(text_x)
            pdf.cell(block_width - (text_x - margin), 5, line, new_x="LEFT", new_y="NEXT")
        if rtl:
            pdf.set_text_shaping(use_shaping_engine=True, direction="rtl", script="arab", language="ara")
    pdf.set_text_color(90, 90, 90)
    pdf.set_xy(qr_x, top + qr_size)
    pdf.set_font("sans", "", 8)
    pdf.cell(qr_size, 4, t["scan"], align="C")
    pdf.set_text_color(0, 0, 0)
    pdf.set_xy(margin, top + qr_size + 4 + 4)

    words(11, f"{t['vote_at']}:", "B", gap=0.5)
    literal(12, settings.booth_url, "B")
    pdf.ln(1)
    words(11, f"{t['ballot']}: {value(style_words(issued, settings, holder.voter.style, language))}", "B", gap=0.5)
    words(10, f"{t['voter_id']}: {value(holder.voter.voter_id)}", gap=2)
    if settings.closes_at:
        words(11, f"{t['closes']}: {value(settings.closes_at)}", "B", gap=2)

    # the credential, boxed, in large monospace type
    box_top = pdf.get_y() + 1
    pdf.set_xy(margin + 4, box_top + 3)
    words(11, t["credential"], "B", gap=1.5, w=width - 8)
    pdf.set_x(margin)
    pdf.set_text_shaping(False)
    pdf.set_font("mono", "B", 22)
    pdf.cell(width, 12, spaced_credential(holder.credential), align="C", new_x="LMARGIN", new_y="NEXT")
    if rtl:
        pdf.set_text_shaping(use_shaping_engine=True, direction="rtl", script="arab", language="ara")
    pdf.ln(1.5)
    pdf.set_x(margin + 4)
    words(9, t["credential_note"], gap=1, w=width - 8)
    pdf.set_line_width(0.6)
    pdf.rect(margin, box_top, width, pdf.get_y() - box_top + 2)
    pdf.set_xy(margin, pdf.get_y() + 6)

    words(13, t["how"], "B", gap=1.5)
    for number, step in enumerate(STEPS, start=1):
        words(10, f"{number}. {t[step]}", gap=1.5)
    pdf.ln(2)
    words(10, t["private"], "B", gap=2)
    if settings.anchors_fingerprint:
        pdf.set_text_color(90, 90, 90)
        words(8, f"{t['anchors']}:", gap=0.3)
        literal(8, settings.anchors_fingerprint)
        pdf.set_text_color(0, 0, 0)
    if pdf.get_y() > pdf.h - 8:
        raise CardError(f"the card of voter {holder.voter.voter_id} does not fit on one A4 page: shorten the organizer, title or style names")
