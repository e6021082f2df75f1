"""The election manifest: contests, options, selection limits and ballot styles (SPEC v2.0.0 §3.1.3).

The JSON form is given in docs/record-format.md §2. Contests, options and ballot styles are identified by
unique labels; the SPEC's indices ind_c(Λ), ind_o(λ) are their 1-based positions. The manifest file hashed
into H_M (eq. 6) is the RFC 8785 canonical form of the JSON object.

Display texts may be given in several languages (voting/manifest_text.py): ``contest.title``,
``option.name``, ``style.name`` and ``manifest.title`` are the default language's strings, as they always
were; ``contest.title_text``, ``option.name_text``, ``style.name_text``, ``manifest.title_text`` and
``manifest.info_items`` hold every language (``Text.get(language)`` falls back to the default).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import rfc8785

from .errors import ManifestError
from .manifest_counting import DERIVED_FIELDS, Counting, parse_counting
from .manifest_text import MAX_TEXT as MAX_TEXT  # re-exported: the limit of a text string
from .manifest_text import InfoItem, Text, parse_info_item, parse_languages, parse_text

SPEC_VERSION = "v2.0.0"
MAX_LABEL = 128
MAX_CONTESTS = 500
MAX_OPTIONS = 500
MAX_STYLES = 500
MAX_SELECTION_LIMIT = 1000


_UNSET = Text("")  # a *_text field not given: __post_init__ makes it the plain string of its str field


def _set_default(obj: object, name: str, plain: str) -> None:
    if getattr(obj, name) is _UNSET:
        object.__setattr__(obj, name, Text(plain))


@dataclass(frozen=True)
class Option:
    label: str
    index: int
    name: str  # in the default language
    name_text: Text = field(default=_UNSET, compare=False)
    description_text: Text | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        _set_default(self, "name_text", self.name)


@dataclass(frozen=True)
class Contest:
    label: str
    index: int
    title: str
    votes_allowed: int  # L, the contest selection limit
    option_limit: int  # R, the option selection limit
    options: tuple[Option, ...]
    number_elected: int | None = None  # seats: the winners are this many options with the most votes (None: no winner)
    title_text: Text = field(default=_UNSET, compare=False)
    description_text: Text | None = field(default=None, compare=False)
    counting: Counting | None = None  # a ranked or graded contest (record-format §12.1): L and R are derived

    def __post_init__(self) -> None:
        _set_default(self, "title_text", self.title)

    def option(self, label: str) -> Option | None:
        return next((o for o in self.options if o.label == label), None)


@dataclass(frozen=True)
class BallotStyle:
    label: str
    index: int
    contest_labels: tuple[str, ...]  # in increasing contest index
    name_text: Text = field(default=_UNSET, compare=False)  # display name; the label when the manifest gives none

    def __post_init__(self) -> None:
        _set_default(self, "name_text", self.label)

    @property
    def name(self) -> str:
        """The display name in the default language (the label when the manifest gives none)."""
        return self.name_text.default


@dataclass(frozen=True)
class Manifest:
    label: str
    contests: tuple[Contest, ...]
    ballot_styles: tuple[BallotStyle, ...]
    info: dict[str, str] = field(compare=False)  # key -> value in the default language (info_items has every language)
    document: dict[str, Any] = field(compare=False, repr=False)
    languages: tuple[str, ...] = ()  # declared languages, the default first; empty: one language, not named
    title_text: Text = field(default=_UNSET, compare=False)  # the election's title; the label when none is given
    info_items: tuple[InfoItem, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        _set_default(self, "title_text", self.label)

    @property
    def title(self) -> str:
        """The election's title in the default language (its label when the manifest gives none)."""
        return self.title_text.default

    @property
    def default_language(self) -> str | None:
        return self.languages[0] if self.languages else None

    def language_for(self, requested: str | None) -> str | None:
        """The declared language shown to someone asking for ``requested``: the tag itself, else its primary
        language (``fr`` for ``fr-CA``), else the default; None when the manifest declares no languages."""
        if not self.languages:
            return None
        if requested is not None:
            for tag in (requested, requested.split("-", 1)[0]):
                if tag in self.languages:
                    return tag
        return self.languages[0]

    @cached_property
    def canonical_bytes(self) -> bytes:
        """The manifest file for H_M: RFC 8785 canonical JSON (docs/record-format.md §2)."""
        return rfc8785.dumps(self.document)

    @cached_property
    def _contests_by_label(self) -> dict[str, Contest]:
        return {c.label: c for c in self.contests}

    def contest(self, label: str) -> Contest | None:
        return self._contests_by_label.get(label)

    def style(self, label: str) -> BallotStyle | None:
        return next((s for s in self.ballot_styles if s.label == label), None)

    def contests_of(self, style: BallotStyle) -> tuple[Contest, ...]:
        return tuple(self._contests_by_label[label] for label in style.contest_labels)


def _label(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise ManifestError(where, "a label is a string")
    if not 1 <= len(value) <= MAX_LABEL:
        raise ManifestError(where, f"a label has 1 to {MAX_LABEL} characters")
    if value != value.strip():
        raise ManifestError(where, "a label has no leading or trailing whitespace")
    if any(unicodedata.category(ch)[0] == "C" for ch in value):
        raise ManifestError(where, "a label contains no control, format or line-break characters")
    return value


def _text(value: object, where: str, default: str, languages: tuple[str, ...]) -> Text:
    """A display text (voting/manifest_text.py); absent or null: the plain ``default``."""
    return Text(default) if value is None else parse_text(value, where, languages)


def _optional_text(value: object, where: str, languages: tuple[str, ...]) -> Text | None:
    return None if value is None else parse_text(value, where, languages)


def _int(value: object, where: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ManifestError(where, f"expected an integer from {low} to {high}")
    return value


def _object(value: object, where: str, required: set[str], optional: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ManifestError(where, "expected a JSON object")
    for key in required:
        if key not in value:
            raise ManifestError(f"{where}.{key}" if where else key, "is missing")
    for key in value:
        if key not in required | optional:
            raise ManifestError(f"{where}.{key}" if where else key, "is not a known field")
    return value


def _list(value: object, where: str, high: int) -> list[Any]:
    if not isinstance(value, list) or not 1 <= len(value) <= high:
        raise ManifestError(where, f"expected a list of 1 to {high} items")
    return value


def _unique(labels: list[str], where: str, what: str) -> None:
    seen: set[str] = set()
    for position, label in enumerate(labels):
        if label in seen:
            raise ManifestError(f"{where}[{position}].label", f"duplicate {what} label {label!r}")
        seen.add(label)


def _parse_contest(raw: object, index: int, languages: tuple[str, ...]) -> Contest:
    where = f"contests[{index - 1}]"
    if isinstance(raw, dict) and "counting" in raw:
        required, optional = {"label", "options", "counting"}, {"title", "description", *DERIVED_FIELDS}
    else:
        required, optional = {"label", "votes_allowed", "options"}, {"title", "description", "option_limit", "number_elected"}
    obj = _object(raw, where, required, optional)
    label = _label(obj["label"], f"{where}.label")
    options_raw = _list(obj["options"], f"{where}.options", MAX_OPTIONS)
    options = []
    for position, option_raw in enumerate(options_raw):
        option_where = f"{where}.options[{position}]"
        option_obj = _object(option_raw, option_where, {"label"}, {"name", "description"})
        option_label = _label(option_obj["label"], f"{option_where}.label")
        name = _text(option_obj.get("name"), f"{option_where}.name", option_label, languages)
        description = _optional_text(option_obj.get("description"), f"{option_where}.description", languages)
        options.append(Option(option_label, position + 1, name.default, name, description))
    _unique([o.label for o in options], f"{where}.options", "option")
    counting = parse_counting(obj, where, len(options), languages) if "counting" in obj else None
    if counting is not None:
        votes_allowed, option_limit = counting.votes_allowed(len(options)), counting.option_limit(len(options))
        number_elected = None
    else:
        option_limit = _int(obj.get("option_limit", 1), f"{where}.option_limit", 1, MAX_SELECTION_LIMIT)
        votes_allowed = _int(
            obj["votes_allowed"], f"{where}.votes_allowed", 1, min(MAX_SELECTION_LIMIT, option_limit * len(options))
        )
        number_elected = obj.get("number_elected")
        if number_elected is not None:
            number_elected = _int(number_elected, f"{where}.number_elected", 1, len(options))
    title = _text(obj.get("title"), f"{where}.title", label, languages)
    description = _optional_text(obj.get("description"), f"{where}.description", languages)
    return Contest(
        label, index, title.default, votes_allowed, option_limit, tuple(options), number_elected, title, description, counting
    )


def parse_manifest(document: object) -> Manifest:
    """Validate a manifest JSON object (docs/record-format.md §2); raises :class:`ManifestError`."""
    obj = _object(document, "", {"label", "spec_version", "contests", "ballot_styles"}, {"info", "languages", "title"})
    if obj["spec_version"] != SPEC_VERSION:
        raise ManifestError("spec_version", f"must be {SPEC_VERSION!r}")
    languages = parse_languages(obj["languages"]) if "languages" in obj else ()
    label = _label(obj["label"], "label")
    title = _text(obj.get("title"), "title", label, languages)
    contests = tuple(
        _parse_contest(raw, position + 1, languages)
        for position, raw in enumerate(_list(obj["contests"], "contests", MAX_CONTESTS))
    )
    _unique([c.label for c in contests], "contests", "contest")
    by_label = {c.label: c for c in contests}
    styles = []
    for position, raw in enumerate(_list(obj["ballot_styles"], "ballot_styles", MAX_STYLES)):
        where = f"ballot_styles[{position}]"
        style_obj = _object(raw, where, {"label", "contests"}, {"name"})
        style_label = _label(style_obj["label"], f"{where}.label")
        style_name = _text(style_obj.get("name"), f"{where}.name", style_label, languages)
        names = _list(style_obj["contests"], f"{where}.contests", MAX_CONTESTS)
        for n, name in enumerate(names):
            if not isinstance(name, str) or name not in by_label:
                raise ManifestError(f"{where}.contests[{n}]", "names no contest of the manifest")
        if len(set(names)) != len(names):
            raise ManifestError(f"{where}.contests", "lists a contest twice")
        ordered = tuple(sorted(names, key=lambda name: by_label[name].index))
        styles.append(BallotStyle(style_label, position + 1, ordered, style_name))
    _unique([s.label for s in styles], "ballot_styles", "ballot style")
    info_raw = obj.get("info", {})
    if not isinstance(info_raw, dict):
        raise ManifestError("info", "expected a JSON object of texts")
    items = []
    for key, value in info_raw.items():
        _label(key, f"info.{key}")
        items.append(parse_info_item(key, value, f"info.{key}", languages))
    try:
        rfc8785.dumps(obj)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise ManifestError("", f"cannot be canonicalised: {exc}") from None
    info = {item.key: item.value.default for item in items}
    return Manifest(label, contests, tuple(styles), info, obj, languages, title, tuple(items))
