"""Shared machinery of the fuzzers (issue 9, item 3): Hypothesis profiles, structured mutations of valid JSON
documents, fully random JSON, and the properties every parser of outside input must keep.

Profiles: ``evote-fuzz-ci`` is the default (bounded: the whole of tests/fuzz/ runs in about two minutes on
two cores); ``EVOTE_FUZZ_EXAMPLES=N`` selects ``evote-fuzz-long`` with N examples for the in-process HTTP
targets (the slower file and process targets run a fixed fraction of N, their ``weight``). Examples are never
derandomised (this is real fuzzing), every example has a deadline (a hang fails), and a failure prints the
blob that reproduces it (``@reproduce_failure``).

Mutations follow the valid document field by field: drop a key or item, duplicate an item, retype a value,
truncate a string or list, flip a hex digit, change a hex string's case, put an out-of-range number, a huge
or unicode string, or a few levels of nesting in its place, add an unknown key; or replace the whole
document with random JSON. :func:`raw_mutations` then works on the serialised bytes (truncation, a flipped
byte, a duplicated key). A mutation is never a no-op: the strategies never return the document again (nor,
for a reader that treats some encodings as one value, an equivalent one), so a fuzzer demands a refusal for
every example instead of skipping some with ``assume``; and each fuzzer counts the examples that reached the
code it claims to test (reach.py). Deeply nested bodies, integers beyond Python's 4300-digit limit and
oversized bodies are left to the web-hardening tests (tests/attacks), which own those cases.
"""

from __future__ import annotations

import json
import os
import re
from datetime import timedelta
from typing import Any, Callable

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from support.evote_support import serve_app  # noqa: E402, F401  (re-exported for the fuzzers)
from support.evote_world import EvoteWorld  # noqa: E402, F401

from evote.demo.server import DEMO_RATE_LIMITS  # noqa: E402
from voting.group import STANDARD  # noqa: E402

EXAMPLES_ENV = "EVOTE_FUZZ_EXAMPLES"
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|File \"[^\"]+\", line \d+")

settings.register_profile(
    "evote-fuzz-ci",
    derandomize=False,
    print_blob=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],  # never filter_too_much: see reach.py
)
settings.register_profile("evote-fuzz-long", settings.get_profile("evote-fuzz-ci"))

# The fuzzers send thousands of requests a minute from one address. With the board's per-address limits
# (web/limits.py) on, every example after the first hundred would test the limiter (429) instead of the
# parser, and a long run fails on reads refused with 429. Their boards lift those limits, as an operator
# would for a known load generator; the limits themselves are attacked in tests/attacks/test_rate_limits.py.
# The per-credential limit, which counts only appended ballots, stays on. Beyond the demo's settings (one
# address for every simulated voter), refused admin tokens are not counted either: the fuzzers send them.
PER_ADDRESS_LIMITS_OFF = {**DEMO_RATE_LIMITS, "EVOTE_RATELIMIT_ADMIN_FAILURES_PER_CLIENT": "off"}


def fuzz_board_app(directory, **extra):
    """A board application in ``directory`` (board_world.make_app) without per-address rate limits."""
    from support.board_world import make_app

    return make_app(directory, **PER_ADDRESS_LIMITS_OFF, **extra)


def open_election(directory, election_id: str):
    """A board in ``directory`` (:func:`fuzz_board_app`) with an open election of one trustee and two voters."""
    app = fuzz_board_app(directory)
    world = EvoteWorld(app.test_client(), election_id=election_id, n=1, k=1, voters=2)
    world.keygen()
    world.open()
    return app, world


def fuzz_settings(examples: int, *, deadline_seconds: float, weight: float = 1.0) -> settings:
    """Settings for one fuzzer: ``examples`` under the CI profile; with EVOTE_FUZZ_EXAMPLES=N, ``N * weight``."""
    requested = os.environ.get(EXAMPLES_ENV, "").strip()
    if requested:
        count = max(1, round(int(requested) * weight))
        return settings(settings.get_profile("evote-fuzz-long"), max_examples=count, deadline=timedelta(seconds=deadline_seconds))
    return settings(settings.get_profile("evote-fuzz-ci"), max_examples=examples, deadline=timedelta(seconds=deadline_seconds))


# --- values --------------------------------------------------------------------------------------------

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.text(max_size=40),
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.text(max_size=12), children, max_size=4)),
    max_leaves=12,
)


def paths_of(document: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path (tuple of keys and indices) in a JSON document, the root included."""
    found = [prefix]
    if isinstance(document, dict):
        for key, value in document.items():
            found.extend(paths_of(value, prefix + (key,)))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found.extend(paths_of(value, prefix + (index,)))
    return found


def _get(document: Any, path: tuple) -> Any:
    for step in path:
        document = document[step]
    return document


def _flip_hex(value: str, position: int) -> str | None:
    hexes = [i for i, ch in enumerate(value) if ch in "0123456789abcdefABCDEF"]
    if not hexes:
        return None
    i = hexes[position % len(hexes)]
    replacement = "0" if value[i] not in "0" else "1"
    return value[:i] + replacement + value[i + 1 :]


_OF_TYPE = {
    type(None): st.none(),
    bool: st.booleans(),
    int: st.integers(min_value=-(2**80), max_value=2**80),
    str: st.text(max_size=40),
    list: st.lists(json_values, max_size=4),
    dict: st.dictionaries(st.text(max_size=12), json_values, max_size=4),
}
_STRANGE_NUMBERS = [-1, 0, 1, 2**53, -(2**53), 2**63, 2**64, 2**256, 2**4096 - 1, -(2**600)]
_STRANGE_STRINGS = [
    "",
    " ",
    "\x00",
    "00",
    "0" * 1024,
    "Z" * 64,
    "\u202e",
    "\ud7ff",
    "é",
    "A" * 20_000,
    "<script>",
    "../..",
    "%00",
]


def _other_type(value: Any) -> st.SearchStrategy:
    """A JSON value of any type but ``value``'s (never equal to it, without a filter)."""
    return st.one_of([strategy for kind, strategy in _OF_TYPE.items() if kind is not type(value)])


def _hexlike(value: Any) -> bool:
    return isinstance(value, str) and bool(_HEX.fullmatch(value))


@st.composite
def mutated(
    draw,
    document: Any,
    *,
    same: Callable[[Any, Any], bool] | None = None,
    unknown_keys: bool = True,
    hex_encodings: bool = True,
    skip: Callable[[tuple], bool] = lambda path: False,
) -> Any:
    """``document`` (a JSON value) with one structured change at one path (a deep copy; the input is kept).

    The change is never a no-op: the result is never ``same`` as the document (strict JSON equality by
    default; a fuzzer whose reader treats some encodings as one value passes that equivalence instead). For
    such readers ``unknown_keys=False`` adds no unknown key (a reader that ignores them) and
    ``hex_encodings=False`` neither changes a hex string's case nor appends whitespace to it (a reader that
    decodes hex with bytes.fromhex). Paths for which ``skip(path)`` holds are left alone.
    """
    same = same or strictly_equal
    doc = json.loads(json.dumps(document))
    path = draw(st.sampled_from([p for p in paths_of(doc) if not skip(p)]))
    value = _get(doc, path)
    operations = ["retype", "number", "string", "nest", "random"]
    if path:
        operations += ["drop"]
    if isinstance(value, dict) and unknown_keys:
        operations += ["unknown_key"]
    if isinstance(value, list) and value:
        operations += ["duplicate_item", "truncate_list"]
    if isinstance(value, str):
        operations += ["flip_hex", "extend_string"] + (["truncate_string"] if value else [])
        operations += ["case"] if hex_encodings or not _hexlike(value) else []
    operation = draw(st.sampled_from(operations))
    changed = _apply(draw, doc, path, value, operation, hex_encodings)
    if same(changed, document):  # e.g. a random value that happens to be the old one
        changed = _apply(draw, json.loads(json.dumps(document)), path, value, "retype", hex_encodings)
    return changed


def _apply(draw, doc: Any, path: tuple, value: Any, operation: str, hex_encodings: bool) -> Any:
    if operation == "drop":
        del _get(doc, path[:-1])[path[-1]]
        return doc
    if operation == "unknown_key":
        value[draw(st.text(min_size=1, max_size=12).filter(lambda k: k not in value))] = draw(json_values)
        return doc
    if operation == "duplicate_item":
        value.insert(draw(st.integers(0, len(value))), json.loads(json.dumps(value[draw(st.integers(0, len(value) - 1))])))
        return doc
    if operation == "truncate_list":
        new = value[: draw(st.integers(0, len(value) - 1))]
    elif operation == "truncate_string":
        new = value[: draw(st.integers(0, len(value) - 1))]
    elif operation == "flip_hex":
        new = _flip_hex(value, draw(st.integers(0, 10_000))) or value + "0"
    elif operation == "case":
        new = value.lower() if value != value.lower() else value.upper()
        new = new if new != value else value + "g"
    elif operation == "extend_string":
        tails = ["0", "00", "G", "ζ"] + ([" ", "\n"] if hex_encodings or not _hexlike(value) else []) + ([value] if value else [])
        new = value + draw(st.sampled_from(tails))
    elif operation == "retype":
        new = draw(_other_type(value))
    elif operation == "number":
        new = draw(st.sampled_from([n for n in _STRANGE_NUMBERS if not strictly_equal(n, value)]))
    elif operation == "string":
        new = draw(st.one_of(st.text(max_size=64), st.sampled_from(_STRANGE_STRINGS)).filter(lambda v: v != value))
    elif operation == "nest":
        new = value
        for _ in range(draw(st.integers(1, 4))):
            new = draw(st.sampled_from([[new], {"value": new}]))
    else:
        new = draw(json_values.filter(lambda v: not strictly_equal(v, value)))
    if not path:
        return new
    _get(doc, path[:-1])[path[-1]] = new
    return doc


@st.composite
def raw_mutations(draw, document: Any, *, same: Callable[[Any, Any], bool] | None = None, **flags: Any) -> bytes:
    """The bytes of a structurally mutated document (:func:`mutated`, ``flags`` passed on) or of random JSON,
    then maybe one change to the bytes; or the document's own bytes with a change that alters its value.

    Never the document again: the decoded result is never ``same`` as the document (the bytes of an
    unchanged document are truncated, flipped or replaced, never left alone or given a duplicated key).
    """
    same = same or strictly_equal
    unchanged = draw(st.sampled_from([True, False, False, False]))
    doc = (
        document
        if unchanged
        else draw(st.one_of(mutated(document, same=same, **flags), mutated(document, same=same, **flags), json_values))
    )
    data = json.dumps(doc, ensure_ascii=draw(st.booleans())).encode("utf-8")
    changes = (
        ["truncate", "flip_byte", "garbage"]
        if unchanged
        else ["none", "none", "truncate", "flip_byte", "duplicate_key", "garbage"]
    )
    change = draw(st.sampled_from(changes))
    raw = data
    if change == "truncate" and data:
        raw = data[: draw(st.integers(0, len(data) - 1))]
    elif change == "flip_byte" and data:
        i = draw(st.integers(0, len(data) - 1))
        raw = data[:i] + bytes([data[i] ^ (1 << draw(st.integers(0, 7)))]) + data[i + 1 :]
    elif change == "duplicate_key" and isinstance(doc, dict) and doc:
        key = draw(st.sampled_from(sorted(doc)))
        raw = b"{" + json.dumps(key).encode() + b":" + json.dumps(doc[key]).encode() + b"," + data[1:]
    elif change == "garbage":
        raw = draw(st.binary(max_size=200))
    if same(decoded(raw), document):  # a flipped bit that only changed an encoding (the case of a \u escape)
        raw = data[: len(data) // 2]
    return raw


_P, _Q, _G = int(STANDARD.p), int(STANDARD.q), int(STANDARD.g)
_ELEMENT_DIGITS, _SCALAR_DIGITS = 2 * STANDARD.p_bytes, 64


def _reencodable(value: Any) -> bool:
    return isinstance(value, str) and len(value) in (_ELEMENT_DIGITS, _SCALAR_DIGITS) and bool(_UPPER_HEX.fullmatch(value))


def reencodable(document: Any) -> bool:
    """Whether :func:`reencoded` has a value of ``document`` to change."""
    return any(_reencodable(_get(document, path)) for path in paths_of(document))


@st.composite
def reencoded(draw, document: Any, *, skip: Callable[[tuple], bool] = lambda path: False) -> Any:
    """``document`` with one value replaced by another of the same encoding: a group element (b(x, 512)) by
    another element of Z_p^r (times g), a 256-bit value (a scalar, a hash) by another below q. The document
    still parses, so the change reaches the checks behind the parser: signatures, proofs, the rules.
    Never a no-op. Paths for which ``skip(path)`` holds are left alone."""
    doc = json.loads(json.dumps(document))
    path = draw(st.sampled_from([p for p in paths_of(doc) if not skip(p) and _reencodable(_get(doc, p))]))
    value = _get(doc, path)
    if len(value) == _ELEMENT_DIGITS:
        new = f"{int(value, 16) * pow(_G, draw(st.integers(1, 2**16)), _P) % _P:0{_ELEMENT_DIGITS}X}"
    else:
        new = f"{(int(value, 16) + draw(st.integers(1, 2**16))) % _Q:0{_SCALAR_DIGITS}X}"
    _get(doc, path[:-1])[path[-1]] = new
    return doc


def strictly_equal(a: Any, b: Any) -> bool:
    """JSON equality that tells 1 from 1.0 and True (Python's == does not)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(strictly_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(strictly_equal(x, y) for x, y in zip(a, b))
    return a == b


def differences(a: Any, b: Any, path: str = "$") -> list[str]:
    """Where two JSON values differ (for failure messages)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [
            d
            for k in sorted(set(a) | set(b), key=str)
            for d in differences(a.get(k, _NOT_JSON), b.get(k, _NOT_JSON), f"{path}.{k}")
        ]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, f"{path}[{i}]")]
    return [] if strictly_equal(a, b) else [f"{path}: {str(a)[:80]!r} -> {str(b)[:80]!r}"]


def known_part(value: Any, like: Any) -> Any:
    """``value`` without the object keys ``like`` does not have: for readers that ignore unknown fields,
    where an added field is not a changed value."""
    if isinstance(value, dict) and isinstance(like, dict):
        return {k: known_part(v, like[k]) for k, v in value.items() if k in like}
    if isinstance(value, list) and isinstance(like, list) and len(value) == len(like):
        return [known_part(v, w) for v, w in zip(value, like)]
    return value


_HEX = re.compile(r"(?:[0-9A-Fa-f]{2})+")
_UPPER_HEX = re.compile(r"[0-9A-F]+")


def hex_upper(value: Any) -> Any:
    """``value`` with every even-length hex string upper-cased: for parsers that read hex with bytes.fromhex,
    where the case of a digit is an encoding, not a value."""
    if isinstance(value, dict):
        return {k: hex_upper(v) for k, v in value.items()}
    if isinstance(value, list):
        return [hex_upper(v) for v in value]
    return value.upper() if isinstance(value, str) and _HEX.fullmatch(value) else value


def decoded(data: bytes) -> Any:
    """The JSON value of ``data``, or a sentinel that equals nothing when it is not JSON."""
    try:
        return json.loads(data)
    except ValueError:
        return _NOT_JSON


_NOT_JSON = object()


# --- properties ----------------------------------------------------------------------------------------


def assert_no_traceback(*texts: str) -> None:
    for text in texts:
        assert not TRACEBACK.search(text or ""), f"a traceback reached the user:\n{text[-3000:]}"


def assert_clean_refusal(response) -> dict:
    """A 4xx in the board's error shape ``{"error": {"code", "field", "message"}}`` (docs/record-format.md §9)."""
    text = response.get_data(as_text=True)
    assert response.status_code < 500, f"HTTP {response.status_code}: {text[:2000]}"
    assert_no_traceback(text)
    assert 400 <= response.status_code < 500, f"expected a refusal, got HTTP {response.status_code}: {text[:500]}"
    assert response.mimetype == "application/json", response.mimetype
    error = response.get_json()["error"]
    assert set(error) == {"code", "field", "message"}, error
    assert isinstance(error["code"], str) and error["code"], error
    assert isinstance(error["message"], str) and error["message"], error
    assert error["field"] is None or isinstance(error["field"], str), error
    return error


def is_redirect(response) -> bool:
    """Werkzeug's routing redirect (308 to the URL with merged slashes): no view ran, nothing was read."""
    return response.status_code in (301, 308) and bool(response.headers.get("Location"))


def board_head(app, election_id: str) -> tuple[int, bytes]:
    """The election's log size and head hash, read from the board's own log (no HTTP)."""
    info = app.extensions["evote_board"].log.election(election_id)
    return info.size, info.head_hash


def post_raw(client, path: str, data: bytes, **headers):
    return client.post(path, data=data, headers={"Content-Type": "application/json", **headers})
