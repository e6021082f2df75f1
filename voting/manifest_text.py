"""Display texts of a manifest in several languages (docs/record-format.md §2, issue 18 item 3).

A manifest may declare ``"languages": ["en", "fr"]``; the first is its default language and every text's
fallback. A display text is then either a plain string (the same in every language, e.g. a person's name)
or a map ``{"en": "Mayor", "fr": "Maire"}`` over declared languages that includes the default. Without
``languages`` every text is a plain string, as in every manifest written before.

:class:`Text` is the parsed form: ``text.get("fr")`` is the French string, else the default language's.
A request for a regional tag falls back to its language first (``get("fr-CA")``: "fr-CA", then "fr", then
the default). Labels (identifiers) are never texts: they stay plain strings in every language.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .errors import ManifestError

MAX_TEXT = 2000
MAX_LANGUAGES = 50
LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(-([A-Z]{2}|[0-9]{3}))?")


@dataclass(frozen=True)
class Text:
    """One display text: ``default`` in the manifest's default language (or the one string of a plain text)
    and ``by_language``, the (tag, string) pairs of a map in the manifest's declared order (empty: plain)."""

    default: str
    by_language: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return self.default

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages this text has a string in (empty for a plain string, the same in every language)."""
        return tuple(tag for tag, _ in self.by_language)

    def pick(self, language: str | None = None) -> tuple[str | None, str]:
        """(the tag whose string is used, the string) for ``language``: its own string, else its primary
        language's (``fr`` for ``fr-CA``), else the default's. The tag is None for a plain string."""
        if not self.by_language:
            return None, self.default
        strings = dict(self.by_language)
        if language is not None:
            for tag in (language, language.split("-", 1)[0]):
                if tag in strings:
                    return tag, strings[tag]
        return self.by_language[0][0], self.default

    def get(self, language: str | None = None) -> str:
        """The string for ``language`` with the fallback of :meth:`pick`; None: the default language's."""
        return self.pick(language)[1]


@dataclass(frozen=True)
class InfoItem:
    """One entry of the manifest's ``info``: its key (an identifier, never shown), its label and its value.
    An entry given as a bare text has no label of its own: ``label`` is then the key made readable
    ("polling_place" reads "Polling place") and ``labelled`` is False."""

    key: str
    label: Text
    value: Text
    labelled: bool = True


def readable_key(key: str) -> str:
    words = key.replace("_", " ").replace("-", " ").replace(".", " ").strip()
    return words[:1].upper() + words[1:] if words else key


def parse_languages(value: object) -> tuple[str, ...]:
    """The top-level ``languages`` list: distinct tags (2-3 lower-case letters, optionally "-" and a region of
    2 upper-case letters or 3 digits), at least one; the first is the default language."""
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_LANGUAGES:
        raise ManifestError("languages", f"expected a list of 1 to {MAX_LANGUAGES} language tags, the default first")
    seen: set[str] = set()
    for position, tag in enumerate(value):
        if not isinstance(tag, str) or not LANGUAGE_TAG.fullmatch(tag):
            raise ManifestError(
                f"languages[{position}]",
                "a language tag is 2 or 3 lower-case letters, optionally '-' and a region (e.g. 'fr', 'fr-CA', 'es-419')",
            )
        if tag in seen:
            raise ManifestError(f"languages[{position}]", f"language {tag!r} is listed twice")
        seen.add(tag)
    return tuple(value)


def text_string(value: object, where: str) -> str:
    """One string of a text: at most MAX_TEXT characters, no control characters but line feeds."""
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise ManifestError(where, f"expected a string of at most {MAX_TEXT} characters")
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n" for ch in value):
        raise ManifestError(where, "contains control characters")
    return value


def parse_text(value: object, where: str, languages: tuple[str, ...]) -> Text:
    """A display text: a string, or (only when the manifest declares ``languages``) a map of declared
    language tags to strings that includes the default language."""
    if isinstance(value, dict):
        if not languages:
            raise ManifestError(where, 'a text is a string: a map of languages needs the manifest\'s "languages" list')
        for tag in value:
            if tag not in languages:
                raise ManifestError(f"{where}.{tag}", f"is not a language of the manifest (languages: {', '.join(languages)})")
        if languages[0] not in value:
            raise ManifestError(where, f"has no text in the default language {languages[0]!r}")
        pairs = tuple((tag, text_string(value[tag], f"{where}.{tag}")) for tag in languages if tag in value)
        return Text(pairs[0][1], pairs)
    if isinstance(value, str):
        return Text(text_string(value, where))
    if languages:
        raise ManifestError(where, f"expected a string of at most {MAX_TEXT} characters, or a map of language tags to strings")
    return Text(text_string(value, where))


def parse_info_item(key: str, value: object, where: str, languages: tuple[str, ...]) -> InfoItem:
    """An ``info`` entry: a text, or ``{"label": text, "value": text}``."""
    if isinstance(value, dict) and set(value) <= {"label", "value"} and ("label" in value or "value" in value):
        for part in ("label", "value"):
            if part not in value:
                raise ManifestError(f"{where}.{part}", "is missing")
        return InfoItem(
            key, parse_text(value["label"], f"{where}.label", languages), parse_text(value["value"], f"{where}.value", languages)
        )
    if value is None:  # accepted before languages existed: an empty value
        value = ""
    return InfoItem(key, Text(readable_key(key)), parse_text(value, where, languages), labelled=False)
