"""Confirmation codes in Debian's Chromium (issue 15, item 7): the receipt shows the whole code in groups and
asks the voter to keep it; the first 8 characters read off the receipt find the ballot on the lookup page;
when several ballots share those characters the page lists them all and says that the beginning of a code
does not prove which is the voter's; the list of all codes pages through the board. axe-core on each."""

from __future__ import annotations

import sqlite3

import pytest
import test_booth_browser as shared
from support.booth_board import live_board, open_election

pytestmark = pytest.mark.browser
browser = shared.browser  # the same fixtures: one Chromium, fresh contexts with axe
open_tab = shared.open_tab
CAST_CHOICES, encrypt, mark, start_voting = shared.CAST_CHOICES, shared.encrypt, shared.mark, shared.start_voting


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    with live_board(tmp_path_factory.mktemp("codes-board")) as live:
        yield live


def add_twins(board, election_id: str, code: str) -> list[str]:
    """Index rows whose codes share the first 8 characters of ``code`` (a real board would need about 2^32
    signed ballots to get one): what the lookup sees when someone has made such ballots."""
    twins = [code[:8] + "0" * 56, code[:8] + "F" * 56]
    with sqlite3.connect(board.database) as db:
        db.executemany(
            "INSERT INTO ballot_index (election_id, confirmation_code, seq, credential, action, revealed) VALUES (?, ?, ?, ?, ?, 0)",
            [(election_id, twin, 1000 + i, "AB" * 32, "challenge") for i, twin in enumerate(twins)],
        )
    return twins


def test_a_voter_finds_the_ballot_by_the_first_8_characters_of_the_receipt(board, open_tab):
    election = open_election(board, "codes-2026", voters=2)
    tab = open_tab()
    page = tab.page
    start_voting(tab, board, election, election.credentials[0])
    mark(tab, CAST_CHOICES)
    code = encrypt(tab)
    advice = page.text_content("#step-code")
    assert page.locator("#step-code bdi[dir='ltr'] #code-value").count() == 1
    page.click("#cast-button")
    tab.step("receipt")
    page.wait_for_selector("#receipt-check.verdict")
    tab.check_axe("receipt")
    shown = page.text_content("#receipt-code")
    receipt_text = page.text_content("#step-receipt")
    # the voter reads the first two groups off the receipt, as printed, in lower case, and presses Enter
    first_eight = " ".join(shown.split(" ")[:2]).lower()
    page.goto(f"{board.url}/booth/elections/{election.election_id}/lookup")
    page.wait_for_selector("#page-status:empty", state="attached")
    page.fill("#lookup-code", first_eight)
    page.press("#lookup-code", "Enter")
    page.wait_for_selector("#lookup-result:not([hidden])")
    page.wait_for_selector("#lookup-checks li:nth-child(2)", state="attached")
    one = page.text_content("#lookup-verdict"), page.text_content("#lookup-note"), page.text_content("#lookup-facts")
    tab.check_axe("lookup by the first 8 characters")

    twins = add_twins(board, election.election_id, code)
    page.fill("#lookup-code", code[:8])
    page.click("#lookup-submit")
    page.wait_for_selector("#lookup-matches li:nth-child(3)")
    many = page.text_content("#lookup-verdict"), [li.text_content() for li in page.query_selector_all("#lookup-matches li bdi")]
    tab.check_axe("lookup with several matches")
    page.click(f"#lookup-matches a[href='?code={code}']")
    page.wait_for_selector("#lookup-checks li:nth-child(2)", state="attached")
    followed = page.text_content("#lookup-verdict")

    page.fill("#lookup-code", code[:7])
    page.click("#lookup-submit")
    page.wait_for_selector("#page-error:not([hidden])")
    too_short = page.text_content("#page-error")

    page.goto(f"{board.url}/booth/elections/{election.election_id}/ballots")
    page.wait_for_selector("#ballots-list:not([hidden])")
    rows = [[td.text_content() for td in tr.query_selector_all("td")] for tr in page.query_selector_all("#ballots-rows tr")]
    grouped = page.locator("#ballots-rows bdi[dir='ltr'] code").count()
    first_link_hidden = page.locator("#ballots-first-item").is_hidden()
    tab.check_axe("list of all codes")
    page.goto(f"{board.url}/booth/elections/{election.election_id}/ballots?start=1001")
    page.wait_for_selector("#ballots-list:not([hidden])")
    later = [tr.text_content() for tr in page.query_selector_all("#ballots-rows tr")]
    page.click("#ballots-first")
    page.wait_for_selector("#ballots-first-item[hidden]", state="attached")

    assert "keep it" in advice and "first 8 characters" in advice and "eight" not in advice
    assert shown.replace(" ", "") == code and [len(g) for g in shown.split(" ")] == [4] * 16
    assert "Keep this receipt" in receipt_text
    seq = election_receipt_seq(rows, code)
    assert one[0] == "This ballot is in the public ballot box. It is recorded, and it counts unless its voter votes again."
    assert "only the whole code shows that the ballot is yours" in one[1]
    assert shown in one[2]
    assert many[0].startswith("3 ballots in the public ballot box have a code that begins with these characters.")
    assert "does not show which one is yours" in many[0]
    assert sorted(m.replace(" ", "") for m in many[1]) == sorted([code, *twins])
    assert followed == one[0]
    assert "at least its first 8 characters" in too_short
    assert rows[0] == [str(seq), shown, "cast; it counts"] and grouped == len(rows) == 3
    assert rows[1:] == [["1000", " ".join(twins[0][i : i + 4] for i in range(0, 64, 4)), "challenged, never counted"],
                        ["1001", " ".join(twins[1][i : i + 4] for i in range(0, 64, 4)), "challenged, never counted"]]  # fmt: skip
    assert first_link_hidden and len(later) == 1 and later[0].startswith("1001")
    assert tab.errors == [] and tab.failed_responses == [] and tab.axe_violations() == {}


def election_receipt_seq(rows: list[list[str]], code: str) -> int:
    return int(next(row[0] for row in rows if row[1].replace(" ", "") == code))
