"""The strings the booth's scripts show, by key, for the JSON catalogue each page carries.

They are translated through the same .po files as the templates (Flask-Babel), so translators see one
catalogue. Placeholders are ``%(name)s``; the scripts insert their values as text (static/js/booth/i18n.js).
``tests/test_booth_i18n.py`` checks that every key a script uses is defined here.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

JS_STRINGS = {
    "page.loading": _l("Loading the election from the board…"),
    "error.unreachable": _l("The board could not be reached. Check your connection and try again."),
    "error.refused": _l("The board refused the request: %(message)s"),
    "code.invalid": _l("A confirmation code has 64 characters, digits 0-9 and letters A-F."),
    "index.none": _l("There is no election on this board yet."),
    # election information
    "election.title": _l("Election information"),
    "election.identifier": _l("Identifier"),
    "election.phase": _l("Status"),
    "election.ballots_cast": _l("Ballots cast"),
    "election.ballots_challenged": _l("Ballots challenged"),
    "election.credentials": _l("Voting credentials issued"),
    "board.origin": _l("Board"),
    "board.key_name": _l("Board key name"),
    "board.public_key": _l("Board public key"),
    "phase.keygen": _l("Key ceremony under way"),
    "phase.keygen_failed": _l("Key ceremony failed"),
    "phase.confirming": _l("Trustees confirming the election key"),
    "phase.ready": _l("Ready, not yet open"),
    "phase.open": _l("Open for voting"),
    "phase.closed": _l("Closed"),
    "phase.tallying": _l("Counting"),
    "phase.tallied": _l("Results published"),
    # the booth
    "vote.title": _l("Vote"),
    "vote.closed": _l("This election is not open for voting. Its status is: %(phase)s."),
    "credential.empty": _l("Please type your voting credential."),
    "credential.length": _l("A credential has 28 letters and digits; you typed %(count)s. Dashes and spaces do not count."),
    "credential.typo": _l("This credential has a typing mistake. Please compare it with your voting card."),
    "ballot.rule_one": _l("Vote for one."),
    "ballot.rule_up_to": _l("Vote for up to %(allowed)s."),
    "ballot.rule_cumulative": _l("Give up to %(allowed)s votes in all, at most %(per_option)s to one option."),
    "ballot.votes_for": _l("Votes for %(name)s"),
    "ballot.count": _l("Chosen: %(chosen)s of %(allowed)s."),
    "ballot.overvote": _l("You can choose at most %(allowed)s in “%(contest)s”. Remove a choice before adding another."),
    "ballot.option_limit": _l("An option can receive at most %(per_option)s votes."),
    "review.blank": _l("No choice: this contest is left blank."),
    "review.undervote": _l("You chose %(chosen)s of %(allowed)s possible."),
    "review.votes": _l("%(name)s: %(votes)s votes"),
    "encrypt.preparing": _l("Preparing the election key…"),
    "encrypt.running": _l("Encrypting your choices and computing the proofs…"),
    "encrypt.done": _l("Your ballot is encrypted."),
    "post.casting": _l("Signing and casting your ballot…"),
    "post.challenging": _l("Signing and publishing the challenged ballot…"),
    "post.retry": _l("You can try again with the same button, or reload the page to start over."),
    # refusals that pressing the button again cannot cure (static/js/booth/errors_text.js, refusalText)
    "limit.casts": _l("This voting card has been used for too many ballots in a short time. Please wait a while and try again, or contact the election's organizers."),
    "limit.challenges": _l("This voting card has been used to challenge too many ballots in a short time. You can still cast your ballot. To challenge again, please wait a while."),
    "limit.address": _l("The board is receiving too many ballots from your network right now. Please wait a few minutes and try again."),
    "post.closed": _l("This election is closed: the board no longer accepts ballots, and this ballot was not recorded."),
    # receipts
    "receipt.election": _l("Election"),
    "receipt.code": _l("Confirmation code"),
    "receipt.kind": _l("Entry kind"),
    "receipt.seq": _l("Position on the board"),
    "receipt.entry_hash": _l("Entry hash"),
    "receipt.checkpoint": _l("Signed checkpoint"),
    "receipt.checkpoint_size": _l("covers the first %(size)s entries"),
    "receipt.checking": _l("Checking the board's proof…"),
    "receipt.verified": _l("Checked: the board's signed checkpoint contains your ballot."),
    "receipt.not_verified": _l("Warning: the board's proof for this receipt does not check (%(reason)s). Keep the receipt and report this to the election officials."),
    # lookup page
    "lookup.title": _l("Look up a ballot"),
    "lookup.running": _l("Looking up the ballot and checking the board's proofs…"),
    "lookup.finished": _l("Look-up finished."),
    "lookup.bad_receipt": _l("This is not an evote receipt: paste the whole JSON file."),
    "lookup.not_found": _l("No ballot with this confirmation code is on the board."),
    "lookup.missing_with_receipt": _l("The board does not show this ballot, although the receipt carries the board's signature. Keep the receipt and report this to the election officials."),
    "lookup.found": _l("The ballot is on the board: %(status)s, at position %(seq)s."),
    "lookup.found_unverified": _l("The board lists this ballot, but a check failed (see below). Keep your receipt and report this to the election officials."),
    "lookup.status": _l("Status"),
    "lookup.status_cast": _l("cast, and counted"),
    "lookup.status_superseded": _l("cast, then replaced by a later ballot with the same credential"),
    "lookup.status_challenged": _l("challenged, never counted"),
    "lookup.received_at": _l("Received (UTC)"),
    "lookup.check_ok": _l("✓ %(check)s"),
    "lookup.check_failed": _l("✗ %(check)s: %(reason)s"),
    "lookup.check_pasted_receipt": _l("Your receipt is signed by this board and proves its entry"),
    "lookup.check_inclusion": _l("The board's signed checkpoint includes the entry"),
    "lookup.check_entry": _l("The entry's content matches its hash and holds this ballot"),
    "lookup.check_same_entry": _l("Your receipt names the same entry, and the log still extends its checkpoint"),
    "lookup.entry_hash_differs": _l("the entry does not hash to the entry hash of the receipt"),
    "lookup.entry_other_ballot": _l("the entry holds another ballot"),
    "lookup.receipt_differs": _l("the receipt names another entry"),
    # check page
    "check.title": _l("Check a challenged ballot"),
    "check.running": _l("Fetching the ballot and encrypting the revealed choices again…"),
    "check.finished": _l("Check finished."),
    "check.bad_json": _l("This is not a posted ballot: paste the submission or the board entry as JSON."),
    "check.not_from_board": _l("not given (pasted JSON)"),
    "check.is_cast": _l("This ballot was cast, not challenged. A cast ballot is never opened, so there is nothing to check here."),
    "check.no_reveal": _l("This challenged ballot carries no revealed choices: the trustees decrypt it after the election."),
    "check.ok": _l("Correct: the revealed choices, encrypted again, give exactly the ballot on the board, and its proofs and signature are valid."),
    "check.failed": _l("The check FAILED (%(reason)s). The ballot does not match the revealed choices. Keep this page and report it to the election officials."),
}


def js_strings() -> dict[str, str]:
    """The catalogue in the request's language."""
    return {key: str(text) for key, text in JS_STRINGS.items()}
