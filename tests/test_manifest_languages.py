"""Many languages in one manifest (issue 18 item 3, docs/record-format.md §2): declared languages, texts as a
string or a map over them, refusals naming their field, H_M over every language and unchanged for every
older manifest, the fallback to the default language, and results stated in the language asked for."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from support.board_world import make_app
from support.evote_world import EvoteWorld
from support.processes import serve_board

from bulletin_board.cli_election import election as election_cli
from evote.demo.run import SAMPLE_MANIFEST
from registrar.texts import election_title, style_name
from voting.election import ElectionParameters
from voting.errors import ManifestError
from voting.manifest import Contest, Option, parse_manifest
from voting.manifest_text import Text
from voting.record.lifecycle import BALLOT_KINDS, ElectionState, apply_entry
from voting.record.results import election_result, result_text
from voting.verifier.cli import main as verify_main

GOLDEN = Path(__file__).parent / "golden"
# H_M of manifests frozen before languages existed (and of the first bilingual one, tests/golden/README.md):
# parsing must never change the bytes hashed, so these stay as they are.
PINNED_H_M = {
    "evote-record-v1-rich": "ad3847a601bf1b60c92faafdc658ecd45153b9ace60322740c0cf0a9a02192fa",
    "manifests/riverton-2026-en.json": "95797a47e2a189beca0577b260fcad538e4cbb11e64c210fb716481b2ad74e03",
    "manifests/riverton-2026-en-fr.json": "27ee08f2dd945c55fc282565c7431b7f687c0bc42ea556d6fef03be24afb0b53",
}

BILINGUAL = {
    "label": "Bilingual test election",
    "spec_version": "v2.0.0",
    "languages": ["en", "fr"],
    "title": {"en": "Town election", "fr": "Élection communale"},
    "info": {
        "place": {"label": {"en": "Polling place", "fr": "Bureau de vote"}, "value": {"en": "Town hall", "fr": "Mairie"}},
        "date": "2026-11-03",
    },
    "contests": [
        {"label": "mayor", "title": {"en": "Mayor", "fr": "Maire"}, "votes_allowed": 1, "number_elected": 1,
         "options": [{"label": "alice", "name": "Alice Adams"}, {"label": "bob", "name": "Bob Brown"}]},
        {"label": "council", "title": "Council", "votes_allowed": 1,
         "options": [{"label": "dan", "name": "Dan"}, {"label": "eve", "name": "Eve"}]},
        {"label": "measure", "title": {"en": "Measure A", "fr": "Mesure A"}, "votes_allowed": 1,
         "description": {"en": "Rebuild the bridge?", "fr": "Reconstruire le pont ?"},
         "options": [{"label": "yes", "name": {"en": "Yes", "fr": "Oui"}, "description": {"en": "Build it", "fr": "La construire"}},
                     {"label": "no", "name": {"en": "No", "fr": "Non"}}]},
    ],
    "ballot_styles": [{"label": "all", "name": {"en": "Whole town", "fr": "Toute la commune"}, "contests": ["mayor", "council", "measure"]}],
}  # fmt: skip


def _h_m(document: object) -> str:
    return ElectionParameters(parse_manifest(document), 1, 1).H_M.hex()


def _golden_manifest(name: str) -> object:
    if name.endswith(".json"):
        return json.loads((GOLDEN / name).read_text())
    for line in (GOLDEN / name / "entries.jsonl").read_text().splitlines():
        entry = json.loads(line)
        if entry["kind"] == "election.created":
            return entry["payload"]["manifest"]
    raise AssertionError("no election.created")


# --- parsing, the old API, H_M --------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PINNED_H_M))
def test_frozen_manifests_hash_as_before(name):
    assert _h_m(_golden_manifest(name)) == PINNED_H_M[name]


def test_the_old_api_reads_the_default_language_and_the_texts_hold_every_one():
    m = parse_manifest(BILINGUAL)
    assert m.languages == ("en", "fr") and m.default_language == "en"
    mayor, council, measure = m.contests
    assert (m.title, mayor.title, council.title, measure.options[0].name) == ("Town election", "Mayor", "Council", "Yes")
    assert measure.title_text.get("fr") == "Mesure A" and measure.options[0].name_text.get("fr") == "Oui"
    assert measure.description_text is not None and measure.description_text.get("fr") == "Reconstruire le pont ?"
    assert measure.options[0].description_text == Text("Build it", (("en", "Build it"), ("fr", "La construire")))
    assert mayor.description_text is None and measure.options[1].description_text is None
    assert m.ballot_styles[0].name == "Whole town" and m.ballot_styles[0].name_text.get("fr") == "Toute la commune"
    assert m.info == {"place": "Town hall", "date": "2026-11-03"}  # key -> the default language's value, as before
    place, date = m.info_items
    assert (place.key, place.label.get("fr"), place.value.get("fr"), place.labelled) == (
        "place",
        "Bureau de vote",
        "Mairie",
        True,
    )
    assert (date.label.get("fr"), date.value.get("fr"), date.labelled) == ("Date", "2026-11-03", False)
    # built by hand as before (egk's reader, test worlds): the texts are the plain strings
    option = Option("x", 1, "X")
    contest = Contest("c", 1, "C", 1, 1, (option,))
    assert option.name_text == Text("X") and contest.title_text.get("fr") == "C"


def test_a_manifest_without_languages_has_plain_texts():
    m = parse_manifest(json.loads((GOLDEN / "manifests/riverton-2026-en.json").read_text()))
    assert m.languages == () and m.default_language is None and m.language_for("fr") is None
    assert m.title == m.label and m.contests[0].title_text == Text("Mayor")
    assert m.ballot_styles[0].name == "north-ward" and m.info_items[0].label.get() == "Jurisdiction"


def test_the_fallback_is_per_text_then_the_default():
    m = parse_manifest(BILINGUAL)
    mayor, council, measure = m.contests
    assert measure.title_text.pick("fr-CA") == ("fr", "Mesure A")  # a region falls back to its language
    assert measure.title_text.pick("de") == ("en", "Measure A")  # an undeclared language to the default
    assert council.title_text.pick("fr") == (None, "Council")  # a plain string is the same in every language
    assert mayor.options[0].name_text.get("fr") == "Alice Adams"
    assert (m.language_for("fr-CA"), m.language_for("de"), m.language_for(None)) == ("fr", "en", "en")
    partial = copy.deepcopy(BILINGUAL)
    partial["languages"] = ["en", "fr", "de"]
    assert parse_manifest(partial).contests[0].title_text.pick("de") == ("en", "Mayor")  # a map may leave one out


def _set(document: dict, path: str, value: object) -> dict:
    copied = copy.deepcopy(document)
    *parents, last = path.split("/")
    node = copied
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return copied


@pytest.mark.parametrize(
    "path, value, field",
    [
        ("contests/2/options/1/name", {"en": "No", "fr": "Non", "de": "Nein"}, "contests[2].options[1].name.de"),
        ("contests/2/options/1/name", {"fr": "Non"}, "contests[2].options[1].name"),
        ("contests/2/options/1/name", {"en": "No", "fr": "N\x07on"}, "contests[2].options[1].name.fr"),
        ("contests/2/options/1/name", {"en": "No", "fr": "x" * 2001}, "contests[2].options[1].name.fr"),
        ("contests/2/options/1/name", {"en": "No", "fr": 7}, "contests[2].options[1].name.fr"),
        ("contests/2/options/1/name", 7, "contests[2].options[1].name"),
        ("contests/2/description", ["Rebuild"], "contests[2].description"),
        ("contests/0/options/0/description", {"en": "x", "fr": "y\x00"}, "contests[0].options[0].description.fr"),
        ("title", {"en": "T", "es": "T"}, "title.es"),
        ("info/place", {"label": {"en": "Place"}}, "info.place.value"),
        ("info/place", {"label": {"en": "Place", "it": "Luogo"}, "value": "x"}, "info.place.label.it"),
        ("info/place", {"value": {"fr": "Mairie"}, "label": "Place"}, "info.place.value"),
        ("ballot_styles/0/name", {"fr": "Toute la commune"}, "ballot_styles[0].name"),
        ("languages", [], "languages"),
        ("languages", "en", "languages"),
        ("languages", ["EN", "fr"], "languages[0]"),
        ("languages", ["en", "fr-ca"], "languages[1]"),
        ("languages", ["en", "fr", "en"], "languages[2]"),
        ("languages", ["en", "français"], "languages[1]"),
        ("contests/0/languages", ["en"], "contests[0].languages"),
    ],
)  # fmt: skip
def test_a_bad_text_or_language_is_refused_naming_its_field(path, value, field):
    with pytest.raises(ManifestError) as refused:
        parse_manifest(_set(BILINGUAL, path, value))
    assert refused.value.field == field


def test_without_languages_a_map_is_refused():
    document = json.loads((GOLDEN / "manifests/riverton-2026-en.json").read_text())
    with pytest.raises(ManifestError) as refused:
        parse_manifest(_set(document, "contests/0/options/1/name", {"en": "Erik"}))
    assert refused.value.field == "contests[0].options[1].name" and "languages" in refused.value.reason


TEXT_PATHS = ["title", "contests/0/title", "contests/2/description", "contests/2/options/0/name",
              "contests/2/options/0/description", "info/place/label", "info/place/value", "ballot_styles/0/name"]  # fmt: skip
strings = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=40)


@settings(max_examples=60, deadline=None)
@given(path=st.sampled_from(TEXT_PATHS), english=strings, french=strings, other=strings)
def test_every_language_of_every_text_is_covered_by_h_m(path, english, french, other):
    """A map of the declared languages parses; get() gives each language its own string; changing only the
    French string changes the manifest bytes hashed into H_M."""
    document = _set(BILINGUAL, path, {"en": english, "fr": french})
    changed = _set(BILINGUAL, path, {"en": english, "fr": french + other + "!"})
    first, second = parse_manifest(document), parse_manifest(changed)
    assert first.canonical_bytes != second.canonical_bytes
    text = {
        "title": first.title_text, "contests/0/title": first.contests[0].title_text,
        "contests/2/description": first.contests[2].description_text, "contests/2/options/0/name": first.contests[2].options[0].name_text,
        "contests/2/options/0/description": first.contests[2].options[0].description_text,
        "info/place/label": first.info_items[0].label, "info/place/value": first.info_items[0].value,
        "ballot_styles/0/name": first.ballot_styles[0].name_text,
    }[path]  # fmt: skip
    assert text is not None and (text.get("en"), text.get("fr"), text.get("nl")) == (english, french, english)


def test_changing_one_french_string_changes_h_m():
    changed = _set(BILINGUAL, "contests/0/title", {"en": "Mayor", "fr": "Mairesse"})
    assert _h_m(BILINGUAL) != _h_m(changed)


@settings(max_examples=40, deadline=None)
@given(languages=st.lists(st.from_regex(r"[a-z]{2,3}(-[A-Z]{2}|-[0-9]{3})?", fullmatch=True), min_size=1, max_size=5, unique=True),
       data=st.data())  # fmt: skip
def test_a_map_must_hold_the_default_and_only_declared_languages(languages, data):
    document = dict(copy.deepcopy(BILINGUAL), languages=languages)
    document = _set(document, "contests/2/options/1/name", {languages[0]: "No"})  # the maps of BILINGUAL name en, fr
    for path in ("title", "contests/0/title", "contests/2/title", "contests/2/description", "contests/2/options/0/name",
                 "contests/2/options/0/description", "info/place/label", "info/place/value", "ballot_styles/0/name"):  # fmt: skip
        document = _set(document, path, "plain")
    keys = data.draw(st.lists(st.sampled_from(languages), unique=True))
    document = _set(document, "contests/0/title", {tag: tag for tag in keys})
    if languages[0] in keys:
        assert parse_manifest(document).contests[0].title_text.get(keys[-1]) == keys[-1]
    else:
        with pytest.raises(ManifestError) as refused:
            parse_manifest(document)
        assert refused.value.field == "contests[0].title"


def test_the_demo_manifest_is_bilingual_in_every_text():
    m = parse_manifest(json.loads(SAMPLE_MANIFEST.read_text()))
    assert m.languages == ("en", "fr")
    texts = [m.title_text, *(c.title_text for c in m.contests), *(s.name_text for s in m.ballot_styles)]
    texts += [c.description_text for c in m.contests if c.description_text is not None]
    texts += [item.label for item in m.info_items] + [item.value for item in m.info_items if item.key != "date"]
    assert all(t.languages == ("en", "fr") and t.get("fr") != t.get("en") for t in texts)
    assert all(item.labelled for item in m.info_items)
    people = [o.name_text for c in m.contests if c.label != "measure-a" for o in c.options]
    assert all(t.languages == () for t in people)  # a person's name is the same in every language: a plain string


def test_cards_take_the_title_and_style_names_in_the_voters_language():
    m = parse_manifest(BILINGUAL)
    assert (election_title(m, "fr"), election_title(m, "de"), style_name(m, "all", "fr")) == (
        "Élection communale",
        "Town election",
        "Toute la commune",
    )
    old = parse_manifest(dict(copy.deepcopy(BILINGUAL), ballot_styles=[{"label": "all", "contests": ["mayor"]}],
                              info={"style.all": {"en": "Everyone", "fr": "Tout le monde"}}))  # fmt: skip
    assert style_name(old, "all", "fr") == "Tout le monde"  # the older info entry still names a style
    assert (
        style_name(parse_manifest(_set(BILINGUAL, "ballot_styles/0", {"label": "all", "contests": ["mayor"]})), "all", "fr")
        is None
    )


# --- results in French, computed by the board and by the verifier ----------------------------------------


@pytest.fixture(scope="module")
def bilingual_election(tmp_path_factory):
    """n = k = 1, three voters; exported. Yields (board's data directory, export)."""
    directory = tmp_path_factory.mktemp("bilingual")
    app = make_app(directory)
    world = EvoteWorld(app.test_client(), election_id="bilingual", n=1, k=1, voters=3, manifest=copy.deepcopy(BILINGUAL))
    world.keygen()
    world.open()
    c = world.credentials
    world.cast(c[0], {"mayor": ["alice"], "council": ["dan"], "measure": ["yes"]})
    world.cast(c[1], {"mayor": ["bob"], "council": ["eve"], "measure": ["yes"]})
    world.cast(c[2], {"mayor": ["bob"], "council": ["eve"], "measure": ["no"]})
    world.close_and_tally()
    world.decrypt(available={1})
    return directory, world.export(app, directory / "record")


def _board_result(record: Path, language: str | None):
    entries = [json.loads(line) for line in (record / "entries.jsonl").read_text().splitlines()]
    state = ElectionState()
    for e in entries:
        apply_entry(state, e["seq"], e["kind"], e["payload"], bytes.fromhex(e["entry_hash"]), lambda seq: entries[seq]["payload"])
    return election_result(state, ((e["seq"], e["kind"], e["payload"]) for e in entries if e["kind"] in BALLOT_KINDS), language)


def test_the_result_in_french_falls_back_per_text(bilingual_election):
    _, record = bilingual_election
    french = _board_result(record, "fr")
    assert [c.title for c in french.contests] == ["Maire", "Council", "Mesure A"]
    assert [o.name for o in french.contests[2].options] == ["Oui", "Non"]
    text = result_text(french)
    assert "Maire (3 votes)" in text and "  Bob Brown: 2 votes, 66.7%  elected" in text and "  Oui: 2 votes, 66.7%" in text
    english = _board_result(record, None)
    assert (
        [c.title for c in english.contests]
        == ["Mayor", "Council", "Measure A"]
        == [c.title for c in _board_result(record, "de").contests]
    )


def test_the_verifier_states_the_result_in_the_language_asked_for(bilingual_election, tmp_path):
    _, record = bilingual_election
    reports = {}
    for language in (None, "fr"):
        out = tmp_path / f"report-{language}.json"
        args = [str(record), "--workers", "1", "--json", str(out), *(["--language", language] if language else [])]
        outcome = CliRunner().invoke(verify_main, args)
        assert outcome.exit_code == 0, outcome.output
        reports[language] = json.loads(out.read_text())["verified_result"]
        if language == "fr":
            assert "Maire (3 votes)" in outcome.output and "Oui: 2 votes, 66.7%" in outcome.output
    assert reports[None] == _board_result(record, None).to_json()
    assert reports["fr"] == _board_result(record, "fr").to_json()


def test_evote_election_result_language_option(bilingual_election):
    directory, _ = bilingual_election
    with serve_board(directory) as board:
        french = CliRunner().invoke(
            election_cli, ["result", "bilingual", "--board", str(board), "--language", "fr", "--format", "json"]
        )
        german = CliRunner().invoke(election_cli, ["result", "bilingual", "--board", str(board), "--language", "de"])
    assert french.exit_code == 0, french.output
    assert [c["title"] for c in json.loads(french.output)["contests"]] == ["Maire", "Council", "Mesure A"]
    assert german.exit_code == 0 and "Mayor (3 votes)" in german.output
    assert "note: the manifest has no texts in 'de' (its languages: en, fr); they are shown in en" in german.output
