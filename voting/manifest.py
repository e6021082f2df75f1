"""The election manifest: contests, options, selection limits and ballot styles (SPEC v2.0.0 §3.1.3).

The JSON form is given in docs/record-format.md §2. Contests, options and ballot styles are identified by
unique labels; the SPEC's indices ind_c(Λ), ind_o(λ) are their 1-based positions. The manifest file hashed
into H_M (eq. 6) is the RFC 8785 canonical form of the JSON object.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import rfc8785

from .errors import ManifestError

SPEC_VERSION = "v2.0.0"
MAX_LABEL = 128
MAX_TEXT = 2000
MAX_CONTESTS = 500
MAX_OPTIONS = 500
MAX_STYLES = 500
MAX_SELECTION_LIMIT = 1000


@dataclass(frozen=True)
class Option:
    label: str
    index: int
    name: str


@dataclass(frozen=True)
class Contest:
    label: str
    index: int
    title: str
    votes_allowed: int  # L, the contest selection limit
    option_limit: int  # R, the option selection limit
    options: tuple[Option, ...]
    number_elected: int | None = None  # seats: the winners are this many options with the most votes (None: no winner)

    def option(self, label: str) -> Option | None:
        return next((o for o in self.options if o.label == label), None)


@dataclass(frozen=True)
class BallotStyle:
    label: str
    index: int
    contest_labels: tuple[str, ...]  # in increasing contest index


@dataclass(frozen=True)
class Manifest:
    label: str
    contests: tuple[Contest, ...]
    ballot_styles: tuple[BallotStyle, ...]
    info: dict[str, str] = field(compare=False)
    document: dict[str, Any] = field(compare=False, repr=False)

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


def _text(value: object, where: str, default: str) -> str:
    if value is None:
        return default
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise ManifestError(where, f"expected a string of at most {MAX_TEXT} characters")
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n" for ch in value):
        raise ManifestError(where, "contains control characters")
    return value


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


def _parse_contest(raw: object, index: int) -> Contest:
    where = f"contests[{index - 1}]"
    obj = _object(raw, where, {"label", "votes_allowed", "options"}, {"title", "option_limit", "number_elected"})
    label = _label(obj["label"], f"{where}.label")
    options_raw = _list(obj["options"], f"{where}.options", MAX_OPTIONS)
    options = []
    for position, option_raw in enumerate(options_raw):
        option_where = f"{where}.options[{position}]"
        option_obj = _object(option_raw, option_where, {"label"}, {"name"})
        option_label = _label(option_obj["label"], f"{option_where}.label")
        options.append(Option(option_label, position + 1, _text(option_obj.get("name"), f"{option_where}.name", option_label)))
    _unique([o.label for o in options], f"{where}.options", "option")
    option_limit = _int(obj.get("option_limit", 1), f"{where}.option_limit", 1, MAX_SELECTION_LIMIT)
    votes_allowed = _int(obj["votes_allowed"], f"{where}.votes_allowed", 1, min(MAX_SELECTION_LIMIT, option_limit * len(options)))
    number_elected = obj.get("number_elected")
    if number_elected is not None:
        number_elected = _int(number_elected, f"{where}.number_elected", 1, len(options))
    title = _text(obj.get("title"), f"{where}.title", label)
    return Contest(label, index, title, votes_allowed, option_limit, tuple(options), number_elected)


def parse_manifest(document: object) -> Manifest:
    """Validate a manifest JSON object (docs/record-format.md §2); raises :class:`ManifestError`."""
    obj = _object(document, "", {"label", "spec_version", "contests", "ballot_styles"}, {"info"})
    if obj["spec_version"] != SPEC_VERSION:
        raise ManifestError("spec_version", f"must be {SPEC_VERSION!r}")
    label = _label(obj["label"], "label")
    contests = tuple(
        _parse_contest(raw, position + 1) for position, raw in enumerate(_list(obj["contests"], "contests", MAX_CONTESTS))
    )
    _unique([c.label for c in contests], "contests", "contest")
    by_label = {c.label: c for c in contests}
    styles = []
    for position, raw in enumerate(_list(obj["ballot_styles"], "ballot_styles", MAX_STYLES)):
        where = f"ballot_styles[{position}]"
        style_obj = _object(raw, where, {"label", "contests"}, set())
        style_label = _label(style_obj["label"], f"{where}.label")
        names = _list(style_obj["contests"], f"{where}.contests", MAX_CONTESTS)
        for n, name in enumerate(names):
            if not isinstance(name, str) or name not in by_label:
                raise ManifestError(f"{where}.contests[{n}]", "names no contest of the manifest")
        if len(set(names)) != len(names):
            raise ManifestError(f"{where}.contests", "lists a contest twice")
        ordered = tuple(sorted(names, key=lambda name: by_label[name].index))
        styles.append(BallotStyle(style_label, position + 1, ordered))
    _unique([s.label for s in styles], "ballot_styles", "ballot style")
    info_raw = obj.get("info", {})
    if not isinstance(info_raw, dict):
        raise ManifestError("info", "expected a JSON object of strings")
    info = {}
    for key, value in info_raw.items():
        _label(key, f"info.{key}")
        info[key] = _text(value, f"info.{key}", "")
    try:
        rfc8785.dumps(obj)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise ManifestError("", f"cannot be canonicalised: {exc}") from None
    return Manifest(label, contests, tuple(styles), info, obj)
