"""Manifests written in egk's schema (electionguard-kotlin-multiplatform ``ManifestJson.kt``), SPEC v2.0.0 §3.1.3.

egk hashes its own manifest file into H_M: H_M = H(H_P; 0x01, b(len, 4) ∥ the bytes of ``manifest.json``
as written) (eq. 6; checked against egk's sample in tests/test_export_egk.py). An election whose H_M must
equal egk's therefore keeps that file's exact text (:class:`ManifestFile`), and evote's own manifest
(record-format §2) is its translation (:func:`evote_manifest_document`), which the booth and the tally use.

egk's schema, as far as the ballot is concerned: ``contests[]`` with ``object_id``, ``sequence_order`` (the
SPEC's index ind_c), ``electoral_district_id``, ``votes_allowed`` (L), ``option_selection_limit`` (R, 1 when
absent), ``number_elected``, ``name`` and ``ballot_selections[]`` (``object_id``, ``sequence_order`` = ind_o,
``candidate_id``); ``ballot_styles[]`` with ``object_id`` and ``geopolitical_unit_ids``: a style's contests
are those whose district is one of its units; ``candidates[]`` give the options' names.

:func:`read_egk_manifest` reads any egk manifest into :class:`~voting.manifest.Manifest` with egk's indices
(for a verifier of egk's records); :func:`evote_manifest_document` additionally requires the indices to be
1..m in order, as evote numbers contests and options by position (record-format §2).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .errors import ManifestError
from .manifest import SPEC_VERSION, BallotStyle, Contest, Manifest, Option

EGK_SCHEMA = "egk"
MAX_MANIFEST_TEXT = 512 * 1024  # characters of an egk manifest file kept in election.created


@dataclass(frozen=True)
class ManifestFile:
    """The manifest file whose bytes are hashed into H_M when they are not evote's canonical manifest
    (record-format §2.2): its schema (``egk``) and its exact text, UTF-8 encoded for the hash."""

    schema: str
    text: str

    @property
    def hashed_bytes(self) -> bytes:
        return self.text.encode("utf-8")

    def to_json(self) -> dict[str, str]:
        return {"schema": self.schema, "text": self.text}


def egk_manifest_file(text: object, field: str = "text") -> tuple[ManifestFile, dict[str, Any]]:
    """An egk manifest file's text, and the evote manifest document it describes (see the module docstring).

    The text is strict JSON (no duplicate keys, no NaN or Infinity) of at most :data:`MAX_MANIFEST_TEXT`
    characters; errors are :class:`ManifestError` naming ``field`` or the egk field at fault.
    """
    if not isinstance(text, str):
        raise ManifestError(field, "expected the manifest file's text as a string")
    if len(text) > MAX_MANIFEST_TEXT:
        raise ManifestError(field, f"an egk manifest has at most {MAX_MANIFEST_TEXT} characters")
    try:
        document = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except ValueError as exc:
        raise ManifestError(field, f"is not strict JSON: {exc}") from None
    if not is_egk_manifest(document):
        raise ManifestError(field, "is not an egk manifest (a JSON object with election_scope_id)")
    return ManifestFile(EGK_SCHEMA, text), evote_manifest_document(document)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the key {key!r} appears twice in one object")
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def is_egk_manifest(document: object) -> bool:
    """Whether a manifest document is in egk's schema (it has ``election_scope_id`` and no evote ``label``)."""
    return isinstance(document, dict) and "election_scope_id" in document and "label" not in document


def _get(obj: Any, key: str, where: str) -> Any:
    if not isinstance(obj, dict):
        raise ManifestError(where or "(document)", "expected a JSON object")
    if key not in obj:
        raise ManifestError(f"{where}.{key}" if where else key, "is missing")
    return obj[key]


def _text(obj: Any, key: str, where: str) -> str:
    value = _get(obj, key, where)
    if not isinstance(value, str):
        raise ManifestError(f"{where}.{key}" if where else key, "expected a string")
    return value


def _items(obj: Any, key: str, where: str) -> list[Any]:
    value = _get(obj, key, where)
    if not isinstance(value, list):
        raise ManifestError(f"{where}.{key}" if where else key, "expected a JSON array")
    return value


def _int(obj: Any, key: str, where: str, minimum: int) -> int:
    value = _get(obj, key, where)
    if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value < 2**31:
        raise ManifestError(f"{where}.{key}", f"expected an integer from {minimum} to 2^31 - 1")
    return value


def _distinct(values: list[Any], where: str, what: str) -> None:
    if len(set(values)) != len(values):
        raise ManifestError(where, f"a {what} appears twice")


def _candidate_names(doc: dict[str, Any]) -> dict[str, str]:
    names = {}
    for candidate in doc.get("candidates") or []:
        if isinstance(candidate, dict) and isinstance(candidate.get("object_id"), str):
            name = candidate.get("name")
            if isinstance(name, str) and name.strip():
                names[candidate["object_id"]] = name
    return names


def read_egk_manifest(document: object) -> Manifest:
    """egk's manifest as a :class:`Manifest` whose indices are egk's ``sequence_order`` values.

    Contests are ordered by index, options by index; a ballot style's contests are those whose
    ``electoral_district_id`` is one of the style's ``geopolitical_unit_ids`` (egk ``Manifest.kt``). An
    option's name is its candidate's name, else its ``candidate_id``, else its ``object_id``.
    """
    if not isinstance(document, dict):
        raise ManifestError("", "expected a JSON object")
    names = _candidate_names(document)
    contests = []
    districts: dict[str, list[str]] = {}
    for n, raw in enumerate(_items(document, "contests", "")):
        where = f"contests[{n}]"
        options = []
        for m, raw_option in enumerate(_items(raw, "ballot_selections", where)):
            option_where = f"{where}.ballot_selections[{m}]"
            label = _text(raw_option, "object_id", option_where)
            candidate = raw_option.get("candidate_id")
            name = names.get(candidate, candidate) if isinstance(candidate, str) and candidate else label
            options.append(Option(label, _int(raw_option, "sequence_order", option_where, 0), name))
        options.sort(key=lambda o: o.index)
        _distinct([o.label for o in options], f"{where}.ballot_selections", "selection object_id")
        _distinct([o.index for o in options], f"{where}.ballot_selections", "sequence_order")
        if not options:
            raise ManifestError(f"{where}.ballot_selections", "a contest has at least one selection")
        label = _text(raw, "object_id", where)
        option_limit = _int(raw, "option_selection_limit", where, 1) if "option_selection_limit" in raw else 1
        seats = raw.get("number_elected")
        contests.append(
            Contest(
                label,
                _int(raw, "sequence_order", where, 0),
                raw["name"] if isinstance(raw.get("name"), str) and raw["name"].strip() else label,
                _int(raw, "votes_allowed", where, 1),
                option_limit,
                tuple(options),
                seats if isinstance(seats, int) and not isinstance(seats, bool) and 1 <= seats <= len(options) else None,
            )
        )
        districts.setdefault(_text(raw, "electoral_district_id", where), []).append(label)
    contests.sort(key=lambda c: c.index)
    _distinct([c.label for c in contests], "contests", "contest object_id")
    _distinct([c.index for c in contests], "contests", "sequence_order")
    order = {c.label: c.index for c in contests}
    styles = []
    for n, raw in enumerate(_items(document, "ballot_styles", "")):
        where = f"ballot_styles[{n}]"
        units = _items(raw, "geopolitical_unit_ids", where)
        labels = {label for unit in units if isinstance(unit, str) for label in districts.get(unit, [])}
        styles.append(BallotStyle(_text(raw, "object_id", where), n + 1, tuple(sorted(labels, key=order.__getitem__))))
    _distinct([s.label for s in styles], "ballot_styles", "ballot style object_id")
    scope = document.get("election_scope_id")
    return Manifest(scope if isinstance(scope, str) else "egk election", tuple(contests), tuple(styles), {}, document)


def evote_manifest_document(document: object) -> dict[str, Any]:
    """The evote manifest (record-format §2) that an egk manifest describes: same labels, limits, styles.

    evote's ind_c and ind_o are positions (record-format §2), so egk's ``sequence_order`` values must be
    1..m for the contests and 1..n for each contest's selections (in any order in the file); else
    :class:`ManifestError` names the first that is not. The result still has to pass
    :func:`voting.manifest.parse_manifest` (labels, limits, non-empty styles).
    """
    manifest = read_egk_manifest(document)
    if not isinstance(document, dict) or document.get("spec_version") != SPEC_VERSION:
        raise ManifestError("spec_version", f"must be {SPEC_VERSION!r}")
    for position, contest in enumerate(manifest.contests, 1):
        if contest.index != position:
            raise ManifestError(
                f"contests[{contest.label}].sequence_order",
                f"is {contest.index}: evote numbers contests 1..m by position, so the sequence_order values must be 1..{len(manifest.contests)}",
            )
        for n, option in enumerate(contest.options, 1):
            if option.index != n:
                raise ManifestError(
                    f"contests[{contest.label}].ballot_selections[{option.label}].sequence_order",
                    f"is {option.index}: the sequence_order values of a contest's selections must be 1..{len(contest.options)}",
                )
    return {
        "label": manifest.label,
        "spec_version": SPEC_VERSION,
        "contests": [_contest_document(c) for c in manifest.contests],
        "ballot_styles": [{"label": s.label, "contests": list(s.contest_labels)} for s in manifest.ballot_styles],
    }


def _contest_document(contest: Contest) -> dict[str, Any]:
    doc: dict[str, Any] = {"label": contest.label}
    if contest.title != contest.label:
        doc["title"] = contest.title
    doc["votes_allowed"] = contest.votes_allowed
    if contest.option_limit != 1:
        doc["option_limit"] = contest.option_limit
    if contest.number_elected is not None:
        doc["number_elected"] = contest.number_elected
    doc["options"] = [{"label": o.label, **({"name": o.name} if o.name != o.label else {})} for o in contest.options]
    return doc
