"""The booth's layout in Debian's Chromium, on a 390 px phone and a 1280 px desktop (issue 19): facts stack
on a phone and never break a word, codes wrap between their groups, the header takes one line; disabled
buttons look unlike enabled ones; a heading focused by script shows a focus outline after a key press only;
the board's key is shown in the form `evote-verify --board-key` accepts, and it is accepted against the live
board; axe-core finds no violation at either width. Screenshots go to /tmp/booth19-layout-*.png."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import pytest
from nacl.signing import SigningKey
from support.booth_board import MANIFEST, live_board, open_election
from support.booth_js_support import axe_source

from bulletin_board.log_format.note import NoteSigner

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# Long values in the facts table: "Greenfiel d" was how a phone showed them before.
LAYOUT_MANIFEST = copy.deepcopy(MANIFEST)
LAYOUT_MANIFEST["info"] = {"jurisdiction": "Greenfield County Electoral Commission", "date": "2026-11-03",
                           "organizer": "Greenfield Returning Officer, Electoral Services"}
EVOTE_VERIFY = Path(sys.executable).parent / "evote-verify"
AXE_RUN = """async () => (await axe.run(document, { rules: { 'color-contrast-enhanced': { enabled: true } } }))
  .violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`) }))"""


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    with live_board(tmp_path_factory.mktemp("layout-board")) as live:
        yield live


@pytest.fixture(scope="module")
def election(board):
    return open_election(board, "greenfield-2026", LAYOUT_MANIFEST, voters=2)


@pytest.fixture(scope="module")
def open_page(chromium):
    contexts = []

    def make(viewport: dict, **options):
        context = chromium.new_context(viewport=viewport, locale="en-US", **options)
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        return page

    yield make
    for context in contexts:
        context.close()


def _url(board, election, page: str = "") -> str:
    return f"{board.url}/booth/elections/{election.election_id}/{page}"


def _election_page(open_page, board, election, viewport: dict):
    page = open_page(viewport)
    page.goto(_url(board, election))
    page.wait_for_selector("#election-details:not([hidden])", timeout=30_000)
    page.click("#board-details summary")
    return page


def _axe(page) -> list:
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    return page.evaluate(AXE_RUN)


BROKEN_WORDS = """(selector) => {
  // Every word of every matching element must lie on one line: a Range over a word broken across lines
  // has two client rectangles.
  const broken = [];
  for (const node of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
      for (const match of text.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(text, match.index);
        range.setEnd(text, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (lines.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}"""


def test_on_a_phone_facts_stack_words_stay_whole_and_the_header_is_one_line(open_page, board, election):
    page = _election_page(open_page, board, election, PHONE)
    assert page.evaluate(BROKEN_WORDS, "#election-facts dd, #election-facts dt") == []
    # Stacked: each value starts below its label, at the same left edge.
    label, value = (page.locator("#election-facts > dt").nth(2).bounding_box(), page.locator("#election-facts > dd").nth(2).bounding_box())
    assert value["y"] >= label["y"] + label["height"] - 1 and abs(value["x"] - label["x"]) < 1
    assert page.locator("#election-facts > dd").nth(2).inner_text() == "Greenfield County Electoral Commission"
    # The header is one line (name and language menu side by side), and with the page menu it takes at most
    # a sixth of the screen.
    name, select = page.locator(".site-name").bounding_box(), page.locator("#language-select").bounding_box()
    assert select["y"] < name["y"] + name["height"] and name["y"] < select["y"] + select["height"]
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= 64, header
    nav = page.locator(".page-nav-narrow").bounding_box()
    assert nav["y"] + nav["height"] <= PHONE["height"] / 6, nav
    assert not page.locator(".page-nav-wide").is_visible()
    page.click(".page-nav-menu summary")
    assert page.get_by_role("link", name="Look up a ballot").is_visible()
    page.screenshot(path="/tmp/booth19-layout-election-menu-390.png")
    # On a desktop the same facts sit side by side, and the page links are one row.
    wide = _election_page(open_page, board, election, DESKTOP)
    label, value = (wide.locator("#election-facts > dt").nth(2).bounding_box(), wide.locator("#election-facts > dd").nth(2).bounding_box())
    assert abs(value["y"] - label["y"]) < 2 and value["x"] >= label["x"] + label["width"]
    links = wide.locator(".page-nav-wide a")
    assert links.count() == 5 and len({round(links.nth(i).bounding_box()["y"]) for i in range(5)}) == 1
    assert not wide.locator(".page-nav-narrow").is_visible()
    assert page.errors == [] and wide.errors == []


def test_on_a_phone_a_confirmation_code_wraps_between_its_groups(open_page, board, election):
    page = open_page(PHONE)
    page.goto(_url(board, election, "lookup"))
    page.fill("#lookup-code", "ABCD" * 15 + "ABC")  # the beginning of a code no ballot has
    page.click("#lookup-submit")
    page.wait_for_selector("#lookup-facts bdi code", timeout=30_000)
    code = page.locator("#lookup-facts bdi code").first
    assert code.bounding_box()["height"] > 2 * float(code.evaluate("(n) => parseFloat(getComputedStyle(n).lineHeight)")) - 1  # wrapped
    assert page.evaluate(BROKEN_WORDS, "main bdi code") == []
    page.screenshot(path="/tmp/booth19-layout-lookup-code-390.png", full_page=True)


def test_disabled_buttons_look_unlike_enabled_ones(open_page, board, election):
    page = open_page(DESKTOP)
    page.goto(_url(board, election, "lookup"))
    look = "(n) => { const s = getComputedStyle(n); return [s.backgroundColor, s.color, s.borderStyle, s.cursor, s.boxShadow]; }"
    enabled = page.locator("#lookup-submit").evaluate(look)
    page.locator("#lookup-submit").screenshot(path="/tmp/booth19-layout-button-enabled.png")
    page.locator("#lookup-submit").evaluate("(n) => { n.disabled = true; }")
    disabled = page.locator("#lookup-submit").evaluate(look)
    page.locator("#lookup-submit").screenshot(path="/tmp/booth19-layout-button-disabled.png")
    assert enabled[0] != disabled[0] and enabled[1] != disabled[1]  # colours
    assert (enabled[2], enabled[3]) == ("solid", "pointer") and (disabled[2], disabled[3]) == ("dashed", "not-allowed")
    assert enabled[4] != "none" and disabled[4] == "none"  # an enabled button stands out; a disabled one is flat


def test_a_heading_focused_by_script_shows_focus_after_a_key_press_only(open_page, board, election):
    outline = "(n) => [n === document.activeElement, n.matches(':focus-visible'), getComputedStyle(n).outlineStyle]"
    mouse = open_page(DESKTOP)
    mouse.goto(_url(board, election, "vote"))
    mouse.wait_for_selector("#step-credential:not([hidden])", timeout=30_000)
    mouse.fill("#credential-input", election.credentials[0])
    mouse.click("#credential-submit")
    mouse.wait_for_selector("#step-ballot:not([hidden])", timeout=30_000)
    assert mouse.locator("#step-ballot-heading").evaluate(outline) == [True, False, "none"]
    mouse.screenshot(path="/tmp/booth19-layout-vote-1280.png")

    keyboard = open_page(PHONE)
    keyboard.goto(_url(board, election, "vote"))
    keyboard.wait_for_selector("#step-credential:not([hidden])", timeout=30_000)
    keyboard.fill("#credential-input", election.credentials[1])
    keyboard.press("#credential-input", "Enter")
    keyboard.wait_for_selector("#step-ballot:not([hidden])", timeout=30_000)
    assert keyboard.locator("#step-ballot-heading").evaluate(outline) == [True, True, "solid"]
    keyboard.screenshot(path="/tmp/booth19-layout-vote-390.png")
    keyboard.check("#contest-1-option-2")
    keyboard.check("#contest-2-option-1")
    keyboard.keyboard.press("Tab")  # to the next option: the focus ring on a checkbox
    keyboard.screenshot(path="/tmp/booth19-layout-vote-marked-390.png", full_page=True)
    # Step 5's confirmation code wraps between its groups of four.
    keyboard.click("#ballot-submit")
    keyboard.wait_for_selector("#step-review:not([hidden])", timeout=30_000)
    keyboard.click("#review-encrypt")
    keyboard.wait_for_selector("#step-code:not([hidden])", timeout=60_000)
    code = keyboard.locator("#code-value")
    assert len(code.inner_text().split()) == 16 and code.bounding_box()["height"] > 40  # 16 groups, on several lines
    assert keyboard.evaluate(BROKEN_WORDS, "#code-value") == []
    keyboard.screenshot(path="/tmp/booth19-layout-vote-code-390.png")
    # The step indicator: a bar above "Step 2 of 5", two of its five parts filled.
    bar = keyboard.locator("#step-ballot-heading").evaluate("(n) => getComputedStyle(n, '::before').backgroundImage")
    assert "linear-gradient" in bar and "40%" in bar
    assert mouse.errors == [] and keyboard.errors == []


def test_the_board_key_shown_is_accepted_by_evote_verify(open_page, board, election, tmp_path):
    page = _election_page(open_page, board, election, DESKTOP)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=board.url)
    key = page.locator("#board-verifier-key").inner_text()
    board_info = board.app.test_client().get("/api/v1/board").get_json()
    assert key == board_info["verifier_key"]
    command = page.locator("#board-key-command").inner_text().split()
    assert command == ["evote-verify", "--board-key", key, f"{board.url}/{election.election_id}"]
    page.click("#board-key-copy")
    page.wait_for_selector("#board-key-copy-status:not(:empty)")
    assert page.evaluate("navigator.clipboard.readText()") == key

    def verify(board_key: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(EVOTE_VERIFY), *command[1:2], board_key, *command[3:], "--workers", "1"],
                              capture_output=True, text=True, timeout=300, cwd=tmp_path)

    accepted = verify(key)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    # The key matters: another board's key (same name, other public key) is refused.
    other = NoteSigner(board_info["key_name"], SigningKey.generate()).verifier.to_string()
    refused = verify(other)
    assert refused.returncode != 0, refused.stdout
    assert page.errors == []


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_no_axe_violation_and_screenshots(open_page, board, election, viewport):
    width = viewport["width"]
    page = _election_page(open_page, board, election, viewport)
    found = {"election": _axe(page)}
    page.screenshot(path=f"/tmp/booth19-layout-election-{width}.png", full_page=True)
    page.goto(_url(board, election, "vote"))
    page.wait_for_selector("#step-credential:not([hidden])", timeout=30_000)
    found["vote"] = _axe(page)
    page.goto(_url(board, election, "lookup"))
    page.wait_for_selector("#lookup-form")
    found["lookup"] = _axe(page)
    page.screenshot(path=f"/tmp/booth19-layout-lookup-{width}.png", full_page=True)
    page.goto(f"{board.url}/booth/")
    page.wait_for_selector("#elections-list li")
    found["index"] = _axe(page)
    page.screenshot(path=f"/tmp/booth19-layout-index-{width}.png", full_page=True)
    assert {where: violations for where, violations in found.items() if violations} == {}
    assert page.errors == []
