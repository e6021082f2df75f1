"""The booth's languages: Flask-Babel for the pages, the same catalogue as JSON for the scripts.

Catalogues are the committed ``translations/<lang>/LC_MESSAGES/messages.po`` files, compiled in memory
when the booth is registered (no ``.mo`` files, so no manual compile step anywhere). English is the source
language. The language of a request is, in order: ``?lang=``, the ``evote_lang`` cookie set by the
language form, the best match of ``Accept-Language``, English.

Adding a language: ``pybabel init -i voting/booth/translations/messages.pot -d voting/booth/translations
-l xx``, translate, add it to LANGUAGES. ``tests/test_booth_i18n.py`` fails while any string is missing.
"""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask import Flask, request
from flask_babel import Babel, Domain, get_locale

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
SOURCE_LANGUAGE = "en"
# Language code -> its own name (the switcher shows each language in itself).
LANGUAGES = {
    "en": "English", "fr": "Français", "de": "Deutsch", "es": "Español", "it": "Italiano", "pt": "Português",
    "nl": "Nederlands", "pl": "Polski", "uk": "Українська", "ar": "العربية",
}  # fmt: skip
RIGHT_TO_LEFT = frozenset({"ar"})  # pages in these languages get dir="rtl"; codes stay in <bdi dir="ltr">
COOKIE = "evote_lang"


def load_catalogues(directory: Path = TRANSLATIONS) -> dict[str, Translations]:
    """Every ``<lang>/LC_MESSAGES/messages.po`` under ``directory`` compiled in memory (fuzzy entries skipped)."""
    catalogues = {}
    for language in LANGUAGES:
        if language == SOURCE_LANGUAGE:
            continue
        po_file = directory / language / "LC_MESSAGES" / "messages.po"
        with po_file.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        buffer.seek(0)
        catalogues[language] = Translations(buffer)
    return catalogues


class _CatalogueDomain(Domain):
    """Flask-Babel domain answering from the in-memory catalogues instead of .mo files on disk."""

    def __init__(self, catalogues: dict[str, Translations]) -> None:
        super().__init__()
        self._catalogues = catalogues

    def get_translations(self):  # noqa: D401 - Flask-Babel's hook
        locale = get_locale()
        if locale is None:
            return NullTranslations()
        return self._catalogues.get(locale.language, NullTranslations())


def select_language() -> str:
    """The request's language: ?lang=, then the cookie, then Accept-Language, then English."""
    for candidate in (request.args.get("lang"), request.cookies.get(COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    return request.accept_languages.best_match(list(LANGUAGES), default=SOURCE_LANGUAGE) or SOURCE_LANGUAGE


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LANGUAGES else SOURCE_LANGUAGE


def install_babel(app: Flask) -> None:
    """Flask-Babel on ``app`` with the booth's catalogues and language selection."""
    if "babel" in app.extensions:
        raise RuntimeError("the app already has Flask-Babel; register the booth before any other Babel setup")
    babel = Babel(app, default_locale=SOURCE_LANGUAGE, locale_selector=select_language)
    babel.domain_instance = _CatalogueDomain(load_catalogues())
