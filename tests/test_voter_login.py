"""Voter login, the board's second factor (bulletin_board/voter_login.py; docs/board.md, "Voter login"): the
roll's logins uploaded by the administrator, codes e-mailed through a real SMTP server (aiosmtpd), sessions,
and the binding of a login to the one credential it casts with, on a registrar election."""

from __future__ import annotations

import json
import logging
import threading
import urllib.error
import urllib.request

import pytest
from support.board_world import make_app
from support.evote_support import serve_app
from support.login_world import LoginWorld, code_of, smtp_server
from support.styled_world import ROLL

from bulletin_board import voter_login
from bulletin_board.log_format.errors import InvalidInput
from bulletin_board.login_texts import TEXTS
from bulletin_board.mail import MailQueue, plain_message, smtp_settings
from bulletin_board.web.config import load_settings

# (style, weight) per voter: the wards' roll and eight more, so each test has voters of its own
LONG_ROLL = ROLL + (("north", 1), ("north", 1), ("south", 1), ("south", 1), ("east", 2), ("east", 2), ("north", 2), ("south", 2),
                    ("east", 1), ("east", 1), ("north", 3), ("south", 3), ("east", 3), ("east", 3), ("south", 2), ("south", 2))  # fmt: skip


@pytest.fixture(scope="module")
def smtp():
    with smtp_server() as server:
        yield server


@pytest.fixture(scope="module")
def board(tmp_path_factory, smtp):
    _, url = smtp
    app = make_app(tmp_path_factory.mktemp("login-board"), EVOTE_SMTP_URL=url, EVOTE_SMTP_FROM="vote@board.example",
                   EVOTE_RATELIMIT_LOGIN_PER_CLIENT="1000 per minute", EVOTE_RATELIMIT_LOGIN_PER_VOTER="20 per minute")  # fmt: skip
    world = LoginWorld(app.test_client(), n=1, k=1, roll=LONG_ROLL)
    world.keygen()
    world.upload_logins()
    world.open()
    world.app = app
    return world


def entries_text(world) -> str:
    return json.dumps(world.entries())


def test_the_full_path_logins_code_by_mail_session_cast_receipt(board, smtp):
    inbox, _ = smtp
    context = board.expect(board.client.get(f"/api/v1/elections/{board.election_id}/context"), 200)
    assert context["voter_login"] == {"method": "email-code", "cards_by": "post", "logins": len(LONG_ROLL)}

    login = board.logins[1]  # V001, fr
    answer = board.request_code(login["voter_id"])
    assert answer.status_code == 202
    message = inbox.wait_for(login["email"], 1)
    assert message["From"] == "vote@board.example" and message["Content-Language"] == "fr"
    assert message["Subject"] == TEXTS["fr"]["subject"].format(title="Riverside municipal election")
    body = message.get_body(("plain",)).get_content()
    assert "Riverside municipal election" in body and "10 minutes" in body and "UTC" in body and "ignorez ce message" in body
    code = code_of(message)

    verified = board.verify(login["voter_id"], code[:4] + " " + code[4:])  # as the e-mail shows it
    assert verified.headers["Cache-Control"] == "no-store"
    signed = board.expect(verified, 200)
    assert set(signed) == {"session", "expires_at", "style", "weight"} and len(signed["session"]) == 43
    assert (signed["style"], signed["weight"]) == (login["style"], login["weight"])
    receipt = board.cast_as(signed["session"], 1)["receipt"]
    assert receipt["kind"] == "ballot.cast"
    assert board.cast_as(signed["session"], 1, {"mayor": ["bob"]})["receipt"]["seq"] > receipt["seq"]  # a revote
    assert board.verify(login["voter_id"], code).get_json()["error"]["code"] == "code_expired"  # used: once

    public = entries_text(board) + json.dumps(board.client.get(f"/api/v1/elections/{board.election_id}/context").get_json())
    assert login["voter_id"] not in public and login["email"] not in public  # the binding is private


def test_a_registrars_credential_without_the_voters_login_is_refused(board):
    before = board.size()
    for session in (None, "x" * 43, "not a token"):
        error = board.cast_as(session, 0, status=401)["error"]
        assert (error["code"], error["field"]) == ("login_required", "session")
    payload, _ = board.submission(board.credentials[0], {"mayor": ["alice"]})
    response = board.client.post(f"/api/v1/elections/{board.election_id}/ballots", json=payload, headers={"Authorization": "Bearer x"})
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "login_required"
    assert board.size() == before


def test_a_login_cannot_cast_with_two_credentials(board, smtp):
    inbox, _ = smtp
    session = board.sign_in(inbox, 6)  # east, 2
    board.cast_as(session, 6)
    error = board.cast_as(session, 7, status=403)["error"]  # east, 2 too: same style and weight, another card
    assert (error["code"], error["field"]) == ("login_bound_to_other_credential", "credential")


def test_without_the_binding_a_login_would_cast_with_two_credentials(board, smtp, monkeypatch):
    """The defence removed (the ballot hook's check_cast a no-op): the second card is taken, as a stuffer needs."""
    inbox, _ = smtp
    monkeypatch.setattr(voter_login, "check_cast", lambda *args: None)
    session = board.sign_in(inbox, 22)  # south, 2, with V023's card as well
    board.cast_as(session, 22)
    board.cast_as(session, 23)


def test_a_credential_cannot_be_used_by_two_logins(board, smtp):
    inbox, _ = smtp
    board.cast_as(board.sign_in(inbox, 12), 12)  # east, 2
    error = board.cast_as(board.sign_in(inbox, 13), 12, status=403)["error"]  # another east-2 voter, with V012's card
    assert error["code"] == "credential_bound_to_other_login"


def test_a_credential_of_another_style_or_weight_than_the_logins_is_refused(board, smtp):
    inbox, _ = smtp
    session = board.sign_in(inbox, 8)  # north, 1
    before = board.size()
    for other in (3, 2):  # south 1 (another style), north 3 (another weight)
        assert board.cast_as(session, other, status=403)["error"]["code"] == "login_style_mismatch"
    assert board.size() == before
    board.cast_as(session, 9)  # north, 1: the login's own kind of card, unbound so far


def test_a_challenge_needs_a_login_and_binds_nothing(board, smtp):
    inbox, _ = smtp
    assert board.cast_as(None, 10, action="challenge", reveal=True, status=401)["error"]["code"] == "login_required"
    session = board.sign_in(inbox, 10)  # south, 1
    board.cast_as(session, 11, action="challenge", reveal=True)  # another south-1 card: a challenge binds nothing
    board.cast_as(session, 10)
    board.cast_as(board.sign_in(inbox, 11), 11)  # V011's card is still free for V011


def test_five_wrong_codes_lock_the_code_until_a_new_one(board, smtp):
    inbox, _ = smtp
    login = board.logins[4]
    assert board.request_code(login["voter_id"]).status_code == 202
    code = code_of(inbox.wait_for(login["email"], 1))
    wrong = f"{(int(code) + 1) % 10**8:08d}"
    for left in (4, 3, 2, 1):
        response = board.verify(login["voter_id"], wrong)
        assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Voter")
        assert (response.get_json()["error"]["code"], response.get_json()["tries_left"]) == ("wrong_code", left)
    assert board.verify(login["voter_id"], wrong).get_json() == {
        "error": {"code": "code_locked", "field": "code", "message": "wrong code, and no try is left: ask for a new one"}, "tries_left": 0}
    assert board.verify(login["voter_id"], code).get_json()["error"]["code"] == "code_locked"  # even the right one
    assert board.request_code(login["voter_id"]).status_code == 202  # a new code replaces the old
    assert board.verify(login["voter_id"], code_of(inbox.wait_for(login["email"], 2))).status_code == 200


def test_an_expired_code_and_an_expired_session_are_refused(board, smtp, monkeypatch):
    inbox, _ = smtp
    login = board.logins[5]
    assert board.request_code(login["voter_id"]).status_code == 202
    code = code_of(inbox.wait_for(login["email"], 1))
    now = voter_login.clock()
    monkeypatch.setattr(voter_login, "clock", lambda: now + (voter_login.CODE_SECONDS + 1) * 1_000_000)
    assert board.verify(login["voter_id"], code).get_json()["error"]["code"] == "code_expired"
    monkeypatch.setattr(voter_login, "clock", lambda: now)
    session = board.sign_in(inbox, 5)
    monkeypatch.setattr(voter_login, "clock", lambda: now + (voter_login.SESSION_SECONDS + 1) * 1_000_000)
    assert board.cast_as(session, 5, status=401)["error"]["code"] == "login_required"


def test_unknown_voter_ids_get_the_same_answers(board, smtp):
    inbox, _ = smtp
    known, unknown = board.request_code(board.logins[14]["voter_id"]), board.request_code("V999")
    assert (known.status_code, known.get_json(), known.headers.get("Content-Length")) == (
        unknown.status_code, unknown.get_json(), unknown.headers.get("Content-Length"))  # fmt: skip
    inbox.wait_for(board.logins[14]["email"], 1)
    with inbox.lock:
        assert not any("V999" in str(m) for _, m in inbox.messages)
    for voter_id in (board.logins[14]["voter_id"], "V999"):
        answer = board.verify(voter_id, "00000000").get_json()  # wrong for both (or one in 10^8)
        assert answer["error"]["code"] == "wrong_code" and answer["tries_left"] == 4
    assert board.verify("V998", "12345678").get_json()["error"]["code"] == "code_expired"  # never asked, known or not
    assert board.verify(board.logins[15]["voter_id"], "12345678").get_json()["error"]["code"] == "code_expired"


def test_logins_are_checked_where_they_enter_and_hold_no_credential(board, tmp_path):
    bad = [{"voter_id": " V1", "email": "secret-address@example.org", "style": "west", "weight": 9},
           {"voter_id": "V2", "email": "not-an-address", "style": "north"},
           {"voter_id": "V3", "email": "a@example.org", "style": "north", "credential": "AB" * 32}]  # fmt: skip
    error = board.upload_logins(bad, status=400)["error"]
    assert error["code"] == "invalid_logins" and error["field"] == "logins[0].voter_id"
    for named in ("logins[0].style", "logins[0].weight", "logins[1].email", "logins[2].credential"):
        assert named in error["message"]
    assert "secret-address" not in error["message"] and "not-an-address" not in error["message"]
    changed = dict(board.logins[0], email="other@example.org")
    assert board.upload_logins([changed], status=409)["error"]["code"] == "login_exists"  # open: no change
    assert board.upload_logins([board.logins[0], {"voter_id": "V100", "email": "new@example.org", "style": "east"}]) == {
        "added": 1, "replaced": 0, "unchanged": 1, "logins": len(LONG_ROLL) + 1}  # fmt: skip
    response = board.client.post(f"/api/v1/admin/elections/{board.election_id}/logins", json={"logins": board.logins})
    assert response.status_code == 401

    plain = make_app(tmp_path, EVOTE_SMTP_URL="smtp://127.0.0.1:1", EVOTE_SMTP_FROM="vote@board.example")
    world = LoginWorld(plain.test_client(), election_id="before-opening", n=1, k=1)
    assert world.upload_logins()["added"] == len(ROLL)
    assert world.upload_logins([dict(world.logins[0], email="fixed@example.org")])["replaced"] == 1  # before opening: a correction
    assert world.request_code("V000").get_json()["error"]["code"] == "election_not_open"


def test_rate_limits_per_voter_id_and_per_client_hide_nothing(tmp_path, smtp):
    _, url = smtp
    app = make_app(tmp_path, EVOTE_SMTP_URL=url, EVOTE_SMTP_FROM="vote@board.example", EVOTE_RATELIMIT_LOGIN_PER_VOTER="2 per 10 minutes",
                   EVOTE_RATELIMIT_LOGIN_PER_CLIENT="5 per minute")  # fmt: skip
    world = LoginWorld(app.test_client(), election_id="limited", n=1, k=1)
    world.keygen()
    world.upload_logins()
    world.open()
    for voter_id in ("V000", "V404"):  # on the roll and not: the same limit
        answers = [world.request_code(voter_id) for _ in range(3)]
        assert [a.status_code for a in answers] == [202, 202, 429]
        assert "EVOTE_RATELIMIT_LOGIN_PER_VOTER" in answers[2].get_json()["error"]["message"]
    statuses = [world.request_code(f"V00{i}").status_code for i in range(1, 7)]
    assert 429 in statuses
    response = world.request_code("V007")
    assert response.status_code == 429 and "EVOTE_RATELIMIT_LOGIN_PER_CLIENT" in response.get_json()["error"]["message"]
    assert int(response.headers["Retry-After"]) >= 1


def test_no_code_address_or_session_in_any_log_line_or_error(board, smtp, caplog):
    inbox, _ = smtp
    caplog.set_level(logging.DEBUG)
    secrets_seen, answers = [], []
    login = board.logins[16]
    session = board.sign_in(inbox, 16)
    code = code_of(inbox.wait_for(login["email"], 1))
    secrets_seen += [code, code[:4] + " " + code[4:], session, login["email"]]
    answers.append(board.verify(login["voter_id"], code).get_data(as_text=True))  # used
    answers.append(board.cast_as(session, 0, status=403)["error"]["message"])  # another's card (north 1 vs north 3)
    board.cast_as(session, 16)
    answers.append(json.dumps(board.cast_as(session, 17, status=403)))
    answers.append(board.upload_logins([{"voter_id": "V1", "email": login["email"] + "x", "style": "x"}], status=400)["error"]["message"])
    # every logger of the process but aiosmtpd's ("mail.log"): the test's SMTP server is the voter's mailbox
    logged = "\n".join(record.getMessage() + str(record.args) for record in caplog.records if not record.name.startswith("mail.log"))
    assert any(record.name.startswith("mail.log") and code[:4] + " " + code[4:] in record.getMessage() for record in caplog.records)  # the grep has teeth
    for secret in secrets_seen:
        assert secret not in logged
        assert all(secret not in answer for answer in answers)
    assert session not in entries_text(board)


def test_over_real_http_two_casts_at_once_bind_one_credential(board, smtp):
    """The Flask development server (a thread per request): sign in and cast over HTTP; two casts of one login
    with two cards at the same instant bind exactly one, under the log's lock."""
    inbox, _ = smtp
    login = board.logins[20]  # east, 3 (and V021 is east 3 too)
    with serve_app(board.app) as url:
        def post(path, body, headers=None):
            request = urllib.request.Request(url + path, json.dumps(body).encode(), {"Content-Type": "application/json", **(headers or {})})
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    return response.status, json.loads(response.read())
            except urllib.error.HTTPError as error:
                return error.code, json.loads(error.read())

        base = f"/api/v1/elections/{board.election_id}"
        assert post(base + "/login", {"voter_id": login["voter_id"]})[0] == 202
        status, signed = post(base + "/login/verify", {"voter_id": login["voter_id"], "code": code_of(inbox.wait_for(login["email"], 1))})
        assert status == 200
        ballots = [board.submission(board.credentials[i], {"mayor": ["alice"]})[0] for i in (20, 21)]
        results: list = [None, None]
        start = threading.Barrier(2)

        def cast(i):
            start.wait()
            results[i] = post(base + "/ballots", ballots[i], {"Authorization": f"Voter {signed['session']}"})

        threads = [threading.Thread(target=cast, args=(i,)) for i in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    statuses = sorted(status for status, _ in results)
    assert statuses == [201, 403], results
    assert next(body for status, body in results if status == 403)["error"]["code"] == "login_bound_to_other_credential"


@pytest.mark.parametrize("settings, environ, named", [
    ({"EVOTE_SMTP_URL": "http://mail.example"}, {}, "EVOTE_SMTP_URL"),
    ({"EVOTE_SMTP_URL": "smtp://user:pw@mail.example"}, {}, "EVOTE_SMTP_URL"),
    ({"EVOTE_SMTP_URL": "smtps://mail.example", "EVOTE_SMTP_STARTTLS": "1"}, {}, "EVOTE_SMTP_STARTTLS"),
    ({"EVOTE_SMTP_URL": "smtp://mail.example"}, {}, "EVOTE_SMTP_FROM"),
    ({"EVOTE_SMTP_URL": "smtp://mail.example", "EVOTE_SMTP_FROM": "v@b.example"}, {"EVOTE_SMTP_USER": "u", "EVOTE_SMTP_PASSWORD": "p"},
     "EVOTE_SMTP_URL"),  # a password in clear to another machine
    ({"EVOTE_RATELIMIT_LOGIN_PER_VOTER": "often"}, {}, "EVOTE_RATELIMIT_LOGIN_PER_VOTER"),
])  # fmt: skip
def test_bad_mail_settings_stop_the_board_naming_the_setting(settings, environ, named):
    with pytest.raises(InvalidInput) as raised:
        load_settings(settings, environ=environ)
    assert raised.value.field == named
    mail = load_settings({"EVOTE_SMTP_URL": "smtps://mail.example", "EVOTE_SMTP_FROM": "v@b.example"},
                         environ={"EVOTE_SMTP_USER": "u", "EVOTE_SMTP_PASSWORD": "secret-pw"}).mail
    assert mail is not None and mail.password == "secret-pw" and "secret-pw" not in repr(mail)  # never shown


def test_a_relay_that_is_down_costs_a_log_line_without_the_address(caplog):
    settings = smtp_settings("smtp://127.0.0.1:1", starttls=False, sender="vote@board.example", user=None, password=None, ca_file=None)
    queue = MailQueue(settings)
    queue.submit(plain_message(settings, "someone@example.org", "Your login code", "    1234 5678\n", "en"))
    queue.join()
    lines = [r.getMessage() for r in caplog.records if r.name == "evote.board.mail"]
    assert len(lines) == 1 and "could not be sent" in lines[0] and "someone@" not in lines[0] and "1234" not in lines[0]
