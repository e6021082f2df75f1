"""The manifest's texts in the voter's language (issue 18), in Debian's Chromium: a bilingual (en, fr) election
shown in French with its French texts (title, contest, descriptions, info labels and values, ballot style names:
"Votre bulletin : Quartier sud."), in German with the stated English fallback, and in Arabic with the English
texts bidi-isolated and marked lang="en"; an old manifest's info keys become translated labels, never raw keys.
axe-core finds no violation on any page. The choice itself (fallback rules) is tested under Node
(tests/js/booth_texts.test.mjs)."""

from __future__ import annotations

import copy

import pytest
from support.booth_board import MANIFEST, live_board, open_election
from support.booth_js_support import axe_source

pytestmark = pytest.mark.browser

BILINGUAL = {
    "label": "riverton-2026",
    "spec_version": "v2.0.0",
    "languages": ["en", "fr"],
    "title": {"en": "Riverton city election", "fr": "Élection municipale de Riverton"},
    "contests": [
        {"label": "mayor", "title": {"en": "Mayor", "fr": "Maire"},
         "description": {"en": "Choose the mayor for four years.", "fr": "Élisez le maire pour quatre ans."}, "votes_allowed": 1,
         "options": [{"label": "alice", "name": "Alice Martin", "description": {"en": "Teacher", "fr": "Enseignante"}},
                     {"label": "bob", "name": "Bob Durand"}]},
    ],
    "ballot_styles": [{"label": "south", "name": {"en": "South Ward", "fr": "Quartier sud"}, "contests": ["mayor"]},
                      {"label": "north", "name": {"en": "North Ward", "fr": "Quartier nord"}, "contests": ["mayor"]}],
    "info": {"jurisdiction": {"en": "City of Riverton", "fr": "Ville de Riverton"},
             "polling": {"label": {"en": "How to vote", "fr": "Comment voter"}, "value": {"en": "Online only", "fr": "En ligne uniquement"}}},
}
AXE_RUN = """async () => (await axe.run(document, { rules: { 'color-contrast-enhanced': { enabled: true } } }))
  .violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`) }))"""
FACTS = """() => [...document.querySelectorAll('#election-facts > dt')].map((dt) => [dt.textContent, dt.nextElementSibling.textContent])"""


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    with live_board(tmp_path_factory.mktemp("languages-board")) as live:
        yield live


@pytest.fixture(scope="module")
def riverton(board):
    return open_election(board, "riverton-2026", copy.deepcopy(BILINGUAL), voters=2)


@pytest.fixture(scope="module")
def page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.axe = {}
    yield page
    context.close()


def check_axe(page, where: str) -> None:
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    page.axe[where] = page.evaluate(AXE_RUN)


def election_page(page, board, election_id: str, lang: str) -> None:
    page.goto(f"{board.url}/booth/elections/{election_id}/?lang={lang}")
    page.wait_for_selector("#election-details:not([hidden])", timeout=30_000)


def test_in_french_the_french_texts_and_the_ballot_styles_name(board, riverton, page):
    election_page(page, board, riverton.election_id, "fr")
    assert page.text_content("#election-title") == "Élection municipale de Riverton"
    assert page.title().endswith("Élection municipale de Riverton")
    assert dict(page.evaluate(FACTS)[1:3]) == {"Comment voter": "En ligne uniquement", "Circonscription": "Ville de Riverton"}
    contests = page.inner_text("#contests")
    for text in ("Maire", "Élisez le maire pour quatre ans.", "Alice Martin", "Enseignante", "Bob Durand"):
        assert text in contests
    assert "Mayor" not in contests and "polling" not in page.inner_text("main") and "jurisdiction" not in page.inner_text("main")
    assert not page.is_visible("#texts-notice")
    check_axe(page, "fr election page")

    page.goto(f"{board.url}/booth/elections/{riverton.election_id}/vote?lang=fr")
    page.wait_for_selector("#step-credential:not([hidden])", timeout=30_000)
    assert [page.text_content(f"label[for=style-{i}]") for i in (1, 2)] == ["Quartier sud", "Quartier nord"]
    page.fill("#credential-input", riverton.credentials[0])
    page.click("#credential-submit")
    page.wait_for_selector("#step-ballot:not([hidden])", timeout=30_000)
    assert page.text_content("#ballot-style") == "Votre bulletin : Quartier sud."
    assert page.text_content("#contest-1 legend") == "Maire"
    assert page.text_content("#contest-1-option-1-description") == "Enseignante"
    check_axe(page, "fr ballot")
    assert page.errors == [] and {k: v for k, v in page.axe.items() if v} == {}


def test_in_german_the_default_english_with_the_fallback_stated(board, riverton, page):
    election_page(page, board, riverton.election_id, "de")
    assert page.text_content("#texts-notice") == "Die Texte dieser Wahl gibt es nicht auf Deutsch; sie werden auf Englisch angezeigt."
    assert page.text_content("#election-title") == "Riverton city election"
    assert page.get_attribute("#election-title bdi", "lang") == "en"  # read out in English
    assert dict(page.evaluate(FACTS)[1:3]) == {"How to vote": "Online only", "Wahlgebiet": "City of Riverton"}
    assert "Mayor" in page.inner_text("#contests") and "Maire" not in page.inner_text("#contests")
    check_axe(page, "de election page")
    assert page.errors == [] and {k: v for k, v in page.axe.items() if v} == {}


def test_in_arabic_english_texts_are_isolated_and_old_info_keys_are_labels(board, riverton, page):
    election_page(page, board, riverton.election_id, "ar")
    assert page.is_visible("#texts-notice")
    mayor = page.locator("#contests h3 bdi")
    assert mayor.text_content() == "Mayor" and mayor.get_attribute("lang") == "en"  # <bdi>: its own direction
    check_axe(page, "ar election page")

    old = open_election(board, "springfield-2026", voters=1)  # MANIFEST: info {"jurisdiction", "date"}, plain strings
    election_page(page, board, old.election_id, "en")
    assert dict(page.evaluate(FACTS)[1:3]) == {"Election date": "November 3, 2026", "Jurisdiction": "Springfield"}
    assert not page.is_visible("#texts-notice") and MANIFEST["info"]["jurisdiction"] == "Springfield"
    check_axe(page, "en election page, old manifest")
    assert page.errors == [] and {k: v for k, v in page.axe.items() if v} == {}
