"""`evote vote`: the command-line voter, with the Python core doing what the web booth does in the browser.

    evote vote --board http://127.0.0.1:8000 --election town-2026 --credential-file card.txt \\
               --choice mayor=alice --choice council=dan --choice council=eve [--style north] [--challenge]
               [--voter-id A-0001]

In a ranked contest (record-format §12.1) the ``--choice`` options of the contest, in the order given, are the
ranking (``--choice city=ada --choice city=cyd``: Ada 1st, Cyd 2nd); in a graded one each is
``CONTEST=OPTION=GRADE`` with a grade as the manifest writes it.

Reads the election's context from the board (docs/record-format.md §9), looks up the one credential's
public key on the board's list (GET …/credentials/<public key>): a credential that is not on the list, was
revoked, or (revote rule "first") already cast a ballot is refused before anything is encrypted. In an
election whose list is version 2 (election.created's "eligibility", record format §4.1) the ballot style is
the credential's, and the ballot is signed under evote/ballot/v3; a version-1 list binds no style (--style,
or the only one that fits) and signs under evote/ballot/v2. Then it checks the choices against the manifest,
encrypts with every proof (voting.encrypt), signs with the key derived from the credential (record format
§4-5), posts, and checks the receipt's signed checkpoint and inclusion proof against the board's key. The credential comes from a file or a hidden prompt, never from the command line, and is never
printed. Every failure is one line on stderr and exit status 1.

In an election with voter login (the context's ``voter_login``, record-format §11; docs/board.md, "Voter
login") the voter first signs in: ``--voter-id`` (or EVOTE_VOTER_ID, else asked), then the one-time code the
board e-mails is asked for on the terminal (wrong codes are told how many tries are left); the session the
board gives back goes with the ballot in ``Authorization: Voter`` and is never printed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Callable, NoReturn
from urllib.parse import quote

import click


class VoteError(Exception):
    """A failure explained in one line for the voter."""


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def parse_choices(pairs: tuple[str, ...]) -> dict[str, list[str]]:
    """``("mayor=alice", "council=dan", "council=eve")`` -> ``{"mayor": ["alice"], "council": ["dan", "eve"]}``."""
    choices: dict[str, list[str]] = {}
    for pair in pairs:
        contest, sep, option = pair.partition("=")
        if not sep or not contest or not option:
            raise click.BadParameter("expected CONTEST=OPTION (contest and option labels of the manifest)", param_hint="--choice")
        choices.setdefault(contest, []).append(option)
    return choices


def counted_choices(manifest, choices: dict[str, list[str]]) -> dict[str, list[str] | dict[str, int]]:
    """The choices of ranked and graded contests (record-format §12.1) as {option: value}, the others as given.

    A ranked contest's ``--choice`` options, in the order given, are the voter's ranking: the first named is
    the 1st choice. A graded contest's are ``OPTION=GRADE``, GRADE one of the contest's grades as the manifest
    writes it (any of its languages; letter case does not matter); an option not named keeps the lowest grade.
    """
    out: dict[str, list[str] | dict[str, int]] = {}
    for label, chosen in choices.items():
        contest = manifest.contest(label)
        if contest is None or contest.counting is None:
            out[label] = chosen
        elif contest.counting.ranked:
            out[label] = _ranking(contest, chosen)
        else:
            out[label] = _grading(contest, chosen)
    return out


def _ranking(contest, chosen: list[str]) -> dict[str, int]:
    limit = contest.counting.max_rank(len(contest.options))
    if len(chosen) > limit:
        raise VoteError(f"--choice {contest.label}: you may rank at most {limit} candidates, in order of preference")
    if len(set(chosen)) != len(chosen):
        twice = next(label for label in chosen if chosen.count(label) > 1)
        raise VoteError(f"--choice {contest.label}: {twice!r} is ranked twice; name each candidate once, your 1st choice first")
    return {label: rank for rank, label in enumerate(chosen, 1)}


def _grading(contest, chosen: list[str]) -> dict[str, int]:
    grades = contest.counting.grades
    names = {}
    for position, text in enumerate(grades):
        for string in (text.default, *(s for _, s in text.by_language)):
            names[string.casefold()] = position
    given: dict[str, int] = {}
    for item in chosen:
        option, sep, grade = item.rpartition("=")
        if not sep or not option:
            raise VoteError(f"--choice {contest.label}={item}: give a grade for each option, as {contest.label}=OPTION=GRADE")
        if grade.casefold() not in names:
            raise VoteError(f"--choice {contest.label}={item}: {grade!r} is not a grade of this contest "
                            f"(grades, lowest first: {', '.join(text.default for text in grades)})")  # fmt: skip
        if option in given:
            raise VoteError(f"--choice {contest.label}: {option!r} is graded twice")
        given[option] = names[grade.casefold()]
    graded = {option.label: given.pop(option.label, 0) for option in contest.options}
    return graded | given  # what is left names no option of the contest: make_ballot refuses it by name


def choose_style(manifest, requested: str | None, choices: dict[str, list[str]]) -> str:
    """The ballot style: the one requested, the only one, or the only one whose contests hold all choices."""
    labels = [style.label for style in manifest.ballot_styles]
    if requested is not None:
        if requested not in labels:
            raise VoteError(f"--style {requested!r} is not a ballot style of this election (styles: {', '.join(labels)})")
        return requested
    if len(labels) == 1:
        return labels[0]
    fitting = [style.label for style in manifest.ballot_styles if set(choices) <= set(style.contest_labels)]
    if len(fitting) == 1:
        return fitting[0]
    raise VoteError(f"this election has several ballot styles; choose one with --style ({', '.join(labels)})")


def credential_list_version(created: dict) -> int:
    """1 or 2: the version of the election's credential list, from its election.created payload (record
    format §4.1; no ``eligibility`` means version 1)."""
    from voting.credential_list import parse_eligibility

    if not isinstance(created, dict):
        raise VoteError("the board's election.created entry is not a JSON object")
    return 1 if "eligibility" not in created else parse_eligibility(created["eligibility"]).version


def listed_style(client, election_id: str, public_key: str, version: int, revote_rule: str, casting: bool) -> str | None:
    """The ballot style the board's list binds this credential to (None on a version-1 list), after checking
    that it may vote: on the list, not revoked, and, under the revote rule "first", no cast ballot yet."""
    from bulletin_board.log_format.client import BoardClientError

    try:
        listed = client.get(f"/elections/{election_id}/credentials/{public_key}")
    except BoardClientError as exc:
        if exc.status == 404 and exc.code == "unknown_credential":
            raise VoteError("this credential is not on the election's published list of voters: check the election "
                            "identifier and compare the credential with the voting card") from None  # fmt: skip
        raise
    if not isinstance(listed, dict):
        raise VoteError("the board's answer about this credential is not a JSON object")
    if listed.get("status") != "eligible":
        raise VoteError("this credential was revoked by the election's organizers: it can no longer vote")
    if casting and revote_rule == "first" and any(b.get("kind") == "ballot.cast" for b in listed.get("ballots", [])):
        raise VoteError("a ballot was already cast with this credential, and this election counts only the first ballot of each voter")
    if version == 2 and not isinstance(listed.get("style"), str):
        raise VoteError("the board's list gives this credential no ballot style")
    return listed.get("style") if version == 2 else None


def _ask(what: str) -> str:
    try:
        return click.prompt(what, err=True)
    except click.Abort:
        raise VoteError(f"nothing was typed for: {what.split(' (')[0].lower()}") from None


def read_credential(path: str | None) -> str:
    if path is None:
        return click.prompt("Voting credential", hide_input=True, err=True)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise VoteError(f"cannot read the credential file {path}: {getattr(exc, 'strerror', None) or exc.__class__.__name__}") from None
    return text.strip()


def election_inputs(context: dict):
    """The manifest and the election's (K, H_E) from a /context answer."""
    from voting.context import ElectionContext
    from voting.encoding import parse_digest, parse_p
    from voting.errors import EncodingError
    from voting.manifest import parse_manifest

    if context.get("phase") != "open":
        raise VoteError(f"the election is not open for voting (phase {context.get('phase')!r})")
    if not context.get("K") or not context.get("H_E"):
        raise VoteError("the board gives no election key for this election")
    manifest = parse_manifest(context["manifest"])
    try:
        H_E = parse_digest(context["H_E"], "H_E")
    except EncodingError:
        raise VoteError("the board's H_E is not 64 upper-case hex digits") from None
    return manifest, ElectionContext(parse_p(context["K"], "K"), H_E)


def check_receipt(receipt: dict, context: dict, election_id: str, code_hex: str, kind: str) -> None:
    """The receipt is for this ballot, recorded as ``kind`` (a cast must not be kept as a challenge), and the
    board's key signs a checkpoint that includes its entry."""
    from bulletin_board.log_format.checkpoint import election_origin
    from bulletin_board.log_format.client_checks import check_entry_included
    from bulletin_board.log_format.note import NoteVerifier
    from voting.encoding import parse_digest, parse_fixed_bytes

    board = context["board"]
    if not isinstance(receipt, dict):
        raise VoteError("the board's receipt is not a JSON object")
    if receipt.get("confirmation_code") != code_hex or receipt.get("election_id") != election_id:
        raise VoteError("the board's receipt is for another ballot")
    if receipt.get("kind") != kind:
        raise VoteError(f"the board's receipt records the ballot as {str(receipt.get('kind'))[:40]!r}, not {kind!r}")
    if receipt.get("board") != board:
        raise VoteError("the receipt names another board key than the election's context")
    proof = receipt["inclusion_proof"]
    entry_hash = parse_digest(receipt["entry_hash"], "receipt.entry_hash")  # EncodingError names the field
    hashes = [parse_digest(h, "receipt.inclusion_proof.hashes") for h in proof["hashes"]]
    if proof["leaf_index"] != receipt["seq"]:
        raise VoteError("the receipt's inclusion proof is for another entry")
    checkpoint = check_entry_included(
        receipt["checkpoint"], [NoteVerifier(board["key_name"], parse_fixed_bytes(board["public_key"], "board.public_key", 32))],
        election_origin(board["origin"], election_id), receipt["seq"], entry_hash, hashes,
    )
    if checkpoint.size != proof["tree_size"]:
        raise VoteError("the receipt's inclusion proof is for another checkpoint")


# what the board's voter-login refusals mean to a voter (the booth's words, voting/booth/strings.py "login.*")
LOGIN_WORDS = {
    "login_required": "the board needs you to sign in again before it takes this ballot: run evote vote again "
                      "(a new code is e-mailed)",
    "login_bound_to_other_credential": "you have already voted with another voting card. Each voter votes with one "
                                       "card only: to vote again, use the card you voted with first",
    "credential_bound_to_other_login": "this voting card has already been used by another voter. If this card is yours, "
                                       "contact the election's organizers at once: someone else may have it",
    "login_style_mismatch": "this voting card is not for the ballot the voter roll gives your voter id. Check that you "
                            "gave your own voter id and the credential from your own card; if they are yours, contact "
                            "the election's organizers",
    "code_locked": "too many wrong codes: this code no longer works. Run evote vote again to get a new code",
    "code_expired": "this code no longer works: codes are valid for 10 minutes, and only the newest one works. Check "
                    "the voter id, then run evote vote again to get a new code",
    "rate_limited": "too many codes have been asked for or tried, for this voter id or from your network. Please wait "
                    "a few minutes, then try again",
    "mail_not_configured": "the board cannot send e-mail at the moment, so no login code can reach you: tell the "
                           "election's organizers",
    "no_voter_login": "this election has no voter login",
    "election_not_open": "the election is not open for voting",
}
WRONG_CODE_TRIES = 5  # the board's MAX_TRIES: a wrong code is asked again until the board locks it


def login_refusal(exc) -> VoteError:
    """A voter-login refusal of the board in the booth's words; any other refusal as the board said it."""
    words = LOGIN_WORDS.get(exc.code or "")
    return VoteError(words if words else str(exc))


def sign_in(client, election_id: str, voter_id: str, ask_code: Callable[[], str], say: Callable[[str], None]) -> str:
    """Ask the board for a login code for ``voter_id``, read it with ``ask_code`` (again after a wrong code, while
    the board allows), and return the session token (never shown)."""
    from bulletin_board.log_format.client import BoardClientError

    try:
        client.request_login_code(election_id, voter_id)
    except BoardClientError as exc:
        raise login_refusal(exc) from None
    say(f"A login code has been e-mailed to the address the voter roll gives for voter id {voter_id} (if it is on "
        "the roll). It is valid for 10 minutes.")  # fmt: skip
    for _ in range(WRONG_CODE_TRIES):
        code = ask_code()
        try:
            return client.verify_login_code(election_id, voter_id, code)
        except BoardClientError as exc:
            if exc.code == "invalid_input" and exc.field == "code":
                say("A code has 8 digits. Type the 8 digits from the e-mail.")
                continue
            tries = exc.details.get("tries_left")
            if exc.code != "wrong_code" or not tries:
                raise login_refusal(exc) from None
            say("This is not the code we sent. Check the e-mail and type it again: "
                + ("you can try once more." if tries == 1 else f"you can try {tries} more times."))  # fmt: skip
    raise VoteError(LOGIN_WORDS["code_locked"])


def cast_or_challenge(board_url: str, election_id: str, credential: str, choices: dict, style: str | None,
                      challenge: bool, reveal: bool = True, login: Callable[[object], str] | None = None) -> tuple[dict, int, dict | None]:
    """Encrypt, sign, post and check; returns (receipt, HTTP status, reveal or None).

    A challenge normally reveals ξ_B and the choices (Benaloh); with ``reveal=False`` the challenged
    ballot is posted sealed and the trustees decrypt it with the tally (SPEC §3.6.5). In a voter-login
    election ``login(client)`` signs the voter in (after the credential's checks, before encrypting) and
    returns the session the ballot is posted with.
    """
    from bulletin_board.log_format.client import BoardClient, BoardClientError
    from voting.ballot import make_ballot
    from voting.credentials import derive_voter_key
    from voting.encrypt import encrypt_ballot
    from voting.record.submission import CAST, CHALLENGE, KIND_OF_ACTION, build_submission

    client = BoardClient(board_url)
    context = client.context(election_id)
    manifest, election = election_inputs(context)
    choices = counted_choices(manifest, choices)
    created = client.get(f"/elections/{quote(election_id)}/entries/0")
    version = credential_list_version(created.get("payload") if isinstance(created, dict) else None)
    voter = derive_voter_key(credential, election_id)
    bound = listed_style(client, quote(election_id), voter.public_key_hex, version, context.get("revote_rule"), not challenge)
    if bound is not None and style is not None and style != bound:
        raise VoteError(f"this credential votes the ballot style {bound!r}, not {style!r} (leave out --style)")
    session = None
    if context.get("voter_login"):
        if login is None:
            raise VoteError("this election asks each voter to sign in with a code it e-mails: give your voter id (--voter-id)")
        session = login(client)
    ballot = make_ballot(manifest, bound or choose_style(manifest, style, choices), choices)
    result = encrypt_ballot(election, ballot)
    action = CHALLENGE if challenge else CAST
    payload = build_submission(
        result.ballot, voter, election_id, election.H_E, action,
        reveal_nonce=result.ballot_nonce if challenge and reveal else None,
        reveal_choices=choices if challenge and reveal else None,
        style_signed=version == 2,  # evote/ballot/v3 covers the style (record format §5)
    )  # fmt: skip
    try:
        status, answer = client.submit_ballot(election_id, payload, session=session)
    except BoardClientError as exc:
        if exc.code in LOGIN_WORDS:
            raise login_refusal(exc) from None
        raise
    receipt = answer["receipt"]
    check_receipt(receipt, context, election_id, result.ballot.confirmation_code.hex().upper(), KIND_OF_ACTION[action])
    return receipt, status, payload.get("reveal")


@click.command("vote")
@click.option("--board", "board_url", required=True, metavar="URL", envvar="EVOTE_BOARD_URL", show_envvar=True, help="the board, e.g. http://127.0.0.1:8000")
@click.option("--election", "election_id", required=True, metavar="ID", help="the election identifier")
@click.option("--credential-file", type=click.Path(dir_okay=False), default=None,
              help="file holding the voting credential; without it the credential is asked for, hidden")
@click.option("--choice", "choice_pairs", multiple=True, metavar="CONTEST=OPTION",
              help="a vote (repeat it; naming an option twice gives it two votes); contests not named are left blank. "
                   "In a ranked contest, name the candidates in order of preference (the first is your 1st choice); "
                   "in a graded one, give CONTEST=OPTION=GRADE (options not graded keep the lowest grade)")
@click.option("--style", default=None,
              help="ballot style label, when the election has several and its list binds none (version 1); "
                   "otherwise the credential's own style")
@click.option("--challenge", is_flag=True, help="challenge instead of casting: publish the ballot with its nonce and choices")
@click.option("--receipt-out", type=click.Path(dir_okay=False), default=None, help="also write the receipt (JSON) to this file")
@click.option("--voter-id", default=None, envvar="EVOTE_VOTER_ID", show_envvar=True,
              help="in an election with voter login: your voter id (asked for when missing); the code the board "
                   "e-mails is then asked for")
def vote(board_url: str, election_id: str, credential_file: str | None, choice_pairs: tuple[str, ...], style: str | None,
         challenge: bool, receipt_out: str | None, voter_id: str | None) -> None:
    """Encrypt, sign and cast (or challenge) a ballot; print the confirmation code and the receipt."""
    from bulletin_board.log_format.client import BoardClientError
    from bulletin_board.log_format.errors import BoardError
    from voting.errors import VotingError

    choices = parse_choices(choice_pairs)
    try:
        credential = read_credential(credential_file)

        def login(client) -> str:
            who = (voter_id or _ask("Voter id (as the voter roll gives it)")).strip()
            return sign_in(client, election_id, who, lambda: _ask("Login code from the e-mail"), lambda m: click.echo(m, err=True))

        receipt, status, reveal = cast_or_challenge(board_url, election_id, credential, choices, style, challenge, login=login)
        if receipt_out is not None:
            Path(receipt_out).write_text(json.dumps(receipt, indent=2) + "\n", encoding="utf-8")
    except (VoteError, BoardClientError) as exc:
        _fail(str(exc))
    except VotingError as exc:  # a choice, credential or manifest problem, named without secrets
        _fail(str(exc))
    except BoardError as exc:  # the receipt's proof does not check
        _fail(f"the board's receipt does not check: {exc.message}")
    except OSError as exc:
        _fail(f"{exc.strerror or exc.__class__.__name__}" + (f": {exc.filename}" if exc.filename else ""))
    except (KeyError, TypeError, ValueError) as exc:
        _fail(f"the board's answer is malformed ({exc.__class__.__name__})")
    code = receipt["confirmation_code"]
    what = "challenged (never counted)" if challenge else "cast"
    again = "" if status == 201 else " (already on the board: same receipt)"
    click.echo(f"confirmation code: {code}")
    click.echo(f"{what}: entry {receipt['seq']} on the board of {election_id}{again}")
    click.echo(f"receipt checked: the board's signed checkpoint of {receipt['inclusion_proof']['tree_size']} entries includes it")
    if reveal is not None:
        click.echo("reveal (anyone can re-encrypt these choices with this nonce and compare): " + json.dumps(reveal, sort_keys=True))
    click.echo(json.dumps(receipt, indent=2))
