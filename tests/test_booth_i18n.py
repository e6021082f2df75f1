"""The booth's translations: the committed catalogue template matches the sources, French is complete and
keeps every placeholder, the scripts use only defined string keys, and a page is served in the language
chosen by ?lang=, the language cookie or Accept-Language."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from babel.messages.checkers import python_format
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po
from support.booth_board import booth_app

from voting.booth.i18n import LANGUAGES, SOURCE_LANGUAGE, TRANSLATIONS, load_catalogues
from voting.booth.strings import JS_STRINGS

BOOTH = Path(__file__).resolve().parent.parent / "voting" / "booth"
SCRIPTS = BOOTH / "static" / "js" / "booth"


@pytest.fixture
def booth_client(tmp_path):
    return booth_app(tmp_path).test_client()


def extracted_messages() -> set[str]:
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2"), ("static/**", "ignore")]
    messages = set()
    for _file, _line, message, _comments, _context in extract_from_dir(BOOTH, method_map, keywords=keywords):
        messages.add(message if isinstance(message, str) else message[0])
    return messages


def read_catalogue(path: Path, locale: str | None = None):
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def test_template_is_up_to_date_with_the_sources():
    """messages.pot lists exactly the strings of the templates and Python modules (re-extract when it fails:
    see voting/booth/translations/README.md)."""
    template = {m.id for m in read_catalogue(TRANSLATIONS / "messages.pot") if m.id}
    found = extracted_messages()
    assert found - template == set(), "strings missing from messages.pot"
    assert template - found == set(), "strings in messages.pot that no source uses"
    assert len(found) > 100


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE])
def test_every_string_is_translated_with_the_same_placeholders(language):
    catalogue = read_catalogue(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", language)
    template = {m.id for m in read_catalogue(TRANSLATIONS / "messages.pot") if m.id}
    translated = {m.id: m for m in catalogue if m.id}
    assert set(translated) == template, "the .po file is not updated from messages.pot"
    for message in translated.values():
        assert message.string, f"{language}: no translation for {message.id!r}"
        assert "fuzzy" not in message.flags, f"{language}: fuzzy translation for {message.id!r}"
        python_format(catalogue, message)  # raises TranslationError when the %(name)s placeholders differ
        assert set(re.findall(r"%\((\w+)\)s", message.id)) == set(re.findall(r"%\((\w+)\)s", message.string))


def test_catalogues_compile_in_memory():
    catalogues = load_catalogues()
    assert catalogues["fr"].gettext("Cast this ballot") == "Déposer ce bulletin"


def test_scripts_use_only_defined_keys_and_every_key_is_used():
    source = "\n".join(path.read_text() for path in SCRIPTS.glob("*.js"))
    used = set(re.findall(r"\bt\('([a-z_]+\.[a-z_]+)'", source))
    used |= {f"phase.{p}" for p in re.findall(r"'(\w+)'", re.search(r"const PHASES = \[(.*?)\]", source).group(1))}
    used |= set(re.findall(r"'(lookup\.status_\w+)'", source))
    assert used - set(JS_STRINGS) == set(), "keys used by scripts but missing from voting/booth/strings.py"
    assert set(JS_STRINGS) - used == set(), "keys defined but never used"


@pytest.mark.parametrize(
    ("query", "cookie", "accept", "expected"),
    [
        ("", None, "fr-FR,fr;q=0.9,en;q=0.5", "fr"),
        ("", None, "sv-SE,sv;q=0.9", "en"),
        ("", None, "de-DE,de;q=0.9", "de"),
        ("", None, "ar-EG,ar;q=0.9", "ar"),
        ("", None, None, "en"),
        ("?lang=fr", None, "en", "fr"),
        ("?lang=en", "fr", "fr", "en"),
        ("", "fr", "en", "fr"),
        ("?lang=xx", None, "en", "en"),
    ],
)
def test_language_selection(booth_client, query, cookie, accept, expected):
    if cookie:
        booth_client.set_cookie("evote_lang", cookie)
    headers = {"Accept-Language": accept} if accept else {}
    page = booth_client.get(f"/booth/elections/e1/vote{query}", headers=headers).get_data(as_text=True)
    assert f'<html lang="{expected}" dir="{"rtl" if expected == "ar" else "ltr"}">' in page
    catalogue = load_catalogues().get(expected)
    say = catalogue.gettext if catalogue is not None else (lambda text: text)
    assert say("Cast this ballot") in page
    # the scripts' catalogue is in the same language
    assert json.dumps(say("Vote for one."))[1:-1] in page  # as the page's JSON catalogue writes it
