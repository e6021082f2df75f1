"""A voter's whole visit to the booth, in English and in Arabic (right to left), at 1280 px and 390 px, in
Debian's Chromium against a real board: the election page, the credential, the marked ballot, the review, the
confirmation code, the receipt and the lookup of that receipt. At every step axe-core finds no violation, the
page is right-to-left in Arabic, and codes stay left-to-right inside it.

The same run makes the screenshots that docs/booth.md shows (issue 19):

    EVOTE_BOOTH_SCREENSHOTS=docs/screenshots .venv/bin/python -m pytest tests/test_booth_tour_browser.py

Without that setting they go to a temporary directory.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support.booth_board import live_board, open_election
from support.booth_js_support import axe_source

pytestmark = pytest.mark.browser

STEPS = ("election", "credential", "ballot", "review", "code", "receipt", "lookup")
ORGANIZER = {"name": "Springfield Elections Office", "contact": "elections@springfield.example",
             "help_url": "https://springfield.example/help", "privacy_url": "https://springfield.example/privacy"}
COPIED = {"en": "Link copied. Paste it on your other device.", "ar": "تم نسخ الرابط. الصقه على جهازك الآخر."}
MARKS = ("#contest-1-option-1", "#contest-2-option-2")  # a choice in each contest of support.booth_board.MANIFEST



@pytest.fixture(scope="module")
def board(tmp_path_factory):
    with live_board(tmp_path_factory.mktemp("tour-board")) as live:
        yield live


@pytest.fixture(scope="module")
def election(board):
    return open_election(board, "tour-2026", voters=4, organizer=ORGANIZER)


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    chosen = os.environ.get("EVOTE_BOOTH_SCREENSHOTS")
    directory = Path(chosen) if chosen else tmp_path_factory.mktemp("booth-screenshots")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.mark.parametrize(("lang", "width", "voter"), [("en", 1280, 0), ("en", 390, 1), ("ar", 1280, 2), ("ar", 390, 3)])
def test_a_whole_visit_reads_well_in_english_and_arabic_on_desktop_and_phone(chromium, board, election, screenshots, lang, width, voter):
    context = chromium.new_context(viewport={"width": width, "height": 844 if width < 600 else 900}, locale=lang)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=board.url)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    axe = axe_source()
    found: dict[str, list] = {}

    def visit(step: str) -> None:
        assert page.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr")
        page.wait_for_selector("#organizer:not([hidden])", timeout=10_000)  # who runs the election, on every page
        footer = page.text_content("#organizer") or ""
        assert ORGANIZER["name"] in footer and ORGANIZER["contact"] in footer, footer
        assert page.get_attribute("#organizer a >> nth=0", "href") == ORGANIZER["help_url"]
        assert page.get_attribute("html", "lang") == lang
        if not page.evaluate("typeof window.axe === 'object'"):
            page.evaluate(axe)
        found[step] = page.evaluate(
            """async () => (await axe.run(document, { rules: { 'color-contrast-enhanced': { enabled: true } } }))
                 .violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`)"""
        )
        page.screenshot(path=str(screenshots / f"booth-{lang}-{width}-{STEPS.index(step) + 1}-{step}.jpg"), full_page=True, quality=80)

    def step(name: str) -> None:
        page.wait_for_selector(f"#step-{name}:not([hidden])", timeout=60_000)
        visit(name)

    try:
        page.goto(f"{board.url}/booth/elections/{election.election_id}/?lang={lang}")
        page.wait_for_selector("#election-details:not([hidden])", timeout=30_000)
        visit("election")
        page.goto(f"{board.url}/booth/elections/{election.election_id}/vote?lang={lang}")
        page.wait_for_selector("#step-credential:not([hidden])", timeout=30_000)
        page.fill("#credential-input", election.credentials[voter])
        visit("credential")
        page.click("#credential-submit")
        page.wait_for_selector("#step-ballot:not([hidden])", timeout=30_000)
        for mark in MARKS:
            page.click(mark)
        visit("ballot")
        page.click("#ballot-submit")
        step("review")
        page.click("#review-encrypt")
        step("code")
        code = page.text_content("#step-code bdi") or ""
        assert page.get_attribute("#step-code bdi", "dir") == "ltr" and len(code.replace(" ", "").replace("-", "")) == 64
        page.click("#cast-button")
        step("receipt")
        lookup_url = page.get_attribute("#receipt-lookup-link", "href")
        page.click("#receipt-share")  # headless Chromium has no share sheet: the link goes to the clipboard
        status = ""
        for _ in range(50):
            status = page.text_content("#receipt-share-status") or ""
            if status:
                break
            page.wait_for_timeout(100)
        assert status == COPIED[lang]
        assert page.evaluate("navigator.clipboard.readText()") == page.evaluate(f"new URL({lookup_url!r}, location.href).href")
        page.goto(f"{board.url}/booth/elections/{election.election_id}/lookup?lang={lang}&code={code.replace(' ', '').replace('-', '')}")
        page.wait_for_load_state("networkidle")
        visit("lookup")
    finally:
        context.close()
    assert {where: v for where, v in found.items() if v} == {}
    assert problems == []
