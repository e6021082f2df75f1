"""Issue 17 end to end, each role in its own process: the registrar (``python -m registrar.cli``), the board (a
real ``evote board serve``, tests/support/processes.py), the administrator (``python -m evote.cli election``), a
trustee (``evote-trustee``) and, for one voter, ``evote vote``; the other voters in Debian's Chromium.

A roll of 30 voters in two languages (en, fr) and two wards → the election names the registrar's key and turns
on the voter login (cards by post) → key ceremony → the registrar accepts, issues and publishes → the cards'
PDF read back (each card holds its credential, ward and the booth's URL) → the cards e-mailed through a real
SMTP server in this process (aiosmtpd): the sending process is SIGKILLed after the server took its 5th message,
and the resumed run sends the other 25, none twice → the registrar erases the private credentials → the
administrator uploads the roll's logins → open → voters sign in with the codes the board e-mails and vote →
close, tally, decrypt → export → ``evote-verify --registrar-key`` passes and reports the 30 credentials issued
against the roll of 30.

Attacks the issue names, and where each is tested: the administrator cannot publish a credential list
(tests/test_registrar_entries.py, tests/registrar/test_registrar_publish.py) nor extend the registrar's (here,
with its own ``evote election credentials``); a registrar's credential without the voter's login code is refused
(tests/test_voter_login.py, and here over HTTP); a login cannot cast with two credentials
(tests/test_voter_login.py, tests/test_booth_login_browser.py); a record whose credential list lacks the
registrar's signature fails the verifier (tests/verifier/test_registrar_verifier.py).
"""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader
from support.login_world import code_of
from support.processes import PASSPHRASE as TRUSTEE_PASSPHRASE
from support.processes import env, evote, finish, serve_board, trustee, trustee_run
from support.registrar_processes import cast
from support.smtp_inbox import smtp_server
from test_booth_login_browser import Device, mark_and_encrypt, sign_in, wait_for_text

from bulletin_board import admin_ops
from bulletin_board.election_follower import election_state
from bulletin_board.log_format.client import BoardClient, BoardClientError
from registrar.issuing import Holder, load
from registrar.vault import Vault
from voting.credentials import derive_voter_key
from voting.voter_roll import RollError

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ELECTION = "riverton-2026"
REGISTRAR_NAME = "Riverton Credential Office"
REGISTRAR_PASSPHRASE = "registrar passphrase for the end-to-end test"
MANIFEST = {
    "label": "Riverton municipal election 2026",
    "spec_version": "v2.0.0",
    "contests": [
        {"label": "council-north", "title": "North council", "votes_allowed": 1, "options": [{"label": "ann"}, {"label": "bo"}]},
        {"label": "council-south", "title": "South council", "votes_allowed": 1, "options": [{"label": "cy"}, {"label": "di"}]},
    ],
    "ballot_styles": [{"label": "north", "contests": ["council-north"]}, {"label": "south", "contests": ["council-south"]}],
    "info": {"style.north": "North Ward", "style.south": "South Ward", "organizer": "City of Riverton"},
}
WARD = {"north": "North Ward", "south": "South Ward"}
BROWSER_VOTERS = ("V001", "V002")  # North Ward in English, South Ward in French: each picks the contest's 2nd option
CLI_VOTER = "V003"  # North Ward, votes ann with `evote vote`


def roll_text(count: int = 30) -> str:
    """Odd voter ids in English and the North Ward, even ids in French and the South Ward; a postal address each."""
    lines = ["voter_id,style,weight,email,language,name,address,postcode,city"]
    for n in range(1, count + 1):
        style, language = ("north", "en") if n % 2 else ("south", "fr")
        lines.append(f'V{n:03d},{style},1,voter{n}@example.org,{language},Voter {n},"{n} River Street",10{n:02d},Riverton')
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def smtp():
    with smtp_server() as server:
        yield server


def registrar_env() -> dict[str, str]:
    """The registrar's machine: its own passphrase, neither the administrator's token nor SMTP credentials."""
    environment = env(EVOTE_REGISTRAR_PASSPHRASE=REGISTRAR_PASSPHRASE)
    for name in ("EVOTE_ADMIN_TOKEN", "EVOTE_TRUSTEE_PASSPHRASE", "EVOTE_SMTP_USER", "EVOTE_SMTP_PASSWORD"):
        environment.pop(name, None)
    return environment


def registrar(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "registrar.cli", *args], cwd=cwd, env=registrar_env(), capture_output=True,
                            text=True, timeout=120)  # fmt: skip
    if check and result.returncode != 0:
        raise AssertionError(f"evote-registrar {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def squeezed(text: str) -> str:
    return "".join(text.split())


def wait_until(predicate, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.3)


@dataclass
class World:
    base: Path
    url: str
    registrar_key: str
    holders: dict[str, Holder]  # by voter id: the registrar's private view, the test's oracle
    booth_url: str

    @property
    def logins(self) -> list[dict]:  # for test_booth_login_browser.sign_in
        return [{"voter_id": h.voter.voter_id, "email": h.voter.email} for h in self.holders.values()]

    def index(self, voter_id: str) -> int:
        return list(self.holders).index(voter_id)


@pytest.fixture(scope="module")
def world(tmp_path_factory, smtp):
    """The board process, and the election up to the registrar's published list and e-mailed cards (steps
    checked in the tests below, in file order)."""
    inbox, smtp_url = smtp
    base = tmp_path_factory.mktemp("registrar-e2e")
    (base / "manifest.json").write_text(json.dumps(MANIFEST))
    (base / "roll.csv").write_text(roll_text())
    trustee_run("init", "--dir", "trustee", "--name", "Trustee 1", "--kdf", "interactive", cwd=base)
    identity = json.loads((base / "trustee" / "public.json").read_text())
    (base / "trustees.json").write_text(json.dumps([{"name": identity["name"], "identity_key": identity["identity_key"]}]))
    registrar("init", "--dir", "registrar", "--name", REGISTRAR_NAME, "--kdf", "interactive", cwd=base)
    key = registrar("key", "--dir", "registrar", cwd=base).stdout.strip()
    settings = {"EVOTE_SMTP_URL": smtp_url, "EVOTE_SMTP_FROM": "codes@board.example", "EVOTE_SECRET_KEY": "registrar-e2e-secret"}
    with serve_board(base, extra_env=settings) as server:
        yield World(base, server.url, key, {}, f"{server.url}/booth/elections/{ELECTION}/")
    assert TRUSTEE_PASSPHRASE  # the trustee's passphrase reaches only the trustee's processes (support.processes.env)


def admin(world: World, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return evote("election", *args, "--board", world.url, cwd=world.base, check=check)


def test_the_administrator_creates_the_election_naming_the_registrar_and_the_trustee_makes_the_key(world):
    created = admin(world, "create", "manifest.json", "--id", ELECTION, "--trustees", "trustees.json", "--quorum", "1",
                    "--registrar-key", world.registrar_key, "--registrar-name", REGISTRAR_NAME, "--voter-login", "post")  # fmt: skip
    assert created.stdout.startswith(f"created {ELECTION}: n = 1, k = 1")
    ceremony = trustee("keygen", "--dir", "trustee", "--board", world.url, "--election", ELECTION, "--poll", "0.3", "--wait", "120", cwd=world.base)
    client = BoardClient(world.url)
    wait_until(lambda: 1 in election_state(client, ELECTION)[0].checked, "the trustee's share checks")
    admin(world, "keygen-result", ELECTION)
    assert "key ceremony complete" in finish(ceremony, timeout=120)
    context = client.context(ELECTION)
    assert context["voter_login"] == {"method": "email-code", "cards_by": "post", "logins": 0}


def test_the_registrar_accepts_issues_publishes_and_prints_thirty_cards(world):
    base = world.base
    assert "Accepted the registrar's role" in registrar("accept", "--dir", "registrar", "--board", world.url, "--election", ELECTION, cwd=base).stderr
    issued = registrar("issue", "--dir", "registrar", "--roll", "roll.csv", "--election", ELECTION, "--manifest", "manifest.json", cwd=base)
    assert "30 credentials issued for riverton-2026 (north 15, south 15; total weight 30)" in issued.stderr
    published = registrar("publish", "--dir", "registrar", "--board", world.url, cwd=base)
    assert "posted the roll commitment (registrar.roll); posted 30 credential(s) in 1 entry" in published.stderr
    cards = registrar("cards", "--dir", "registrar", "--out", "cards.pdf", "--booth-url", world.booth_url,
                      "--closes-at", "3 November 2026, 20:00 CET", cwd=base)  # fmt: skip
    assert "30 cards written to cards.pdf (mode 0600)" in cards.stderr
    vault = Vault(base / "registrar")
    vault.open(REGISTRAR_PASSPHRASE)
    world.holders.update((h.voter.voter_id, h) for h in load(vault).holders)
    assert [h.voter.language for h in world.holders.values()].count("fr") == 15

    pages = PdfReader(base / "cards.pdf").pages
    assert len(pages) == 30 and (base / "cards.pdf").stat().st_mode & 0o077 == 0
    credentials = {squeezed(h.credential.replace("-", "")) for h in world.holders.values()}
    for page, holder in zip(pages, world.holders.values(), strict=True):
        flat = squeezed(page.extract_text())
        assert [c for c in credentials if c in flat] == [squeezed(holder.credential.replace("-", ""))]  # its own, no other
        assert WARD[holder.voter.style].replace(" ", "") in flat and world.booth_url in flat and holder.voter.voter_id in flat

    # the administrator (board key and admin token, no registrar key) cannot add credentials of its own
    evote("credentials", "generate", "--election", ELECTION, "--manifest", "manifest.json", "--count", "1", "--style", "north",
          "--out", "stuffed", cwd=base)  # fmt: skip
    extended = admin(world, "credentials", ELECTION, "stuffed/credentials-public.json", check=False)
    assert extended.returncode == 1 and "registrar only" in extended.stderr and "Traceback" not in extended.stderr
    listed = [e for e in BoardClient(world.url).entries(ELECTION) if e.kind in ("credentials.published", "registrar.credentials")]
    assert [e.kind for e in listed] == ["registrar.credentials"]


def test_the_cards_are_emailed_once_each_even_when_the_sender_is_killed(world, smtp):
    inbox, smtp_url = smtp
    send = ["send", "--dir", "registrar", "--smtp", smtp_url, "--from", "cards@registrar.example", "--rate", "6000/min"]
    first = subprocess.Popen([sys.executable, "-m", "registrar.cli", *send], cwd=world.base, env=registrar_env(), text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    inbox.kill = (first.pid, 5)
    first.communicate(timeout=60)
    assert first.returncode == -signal.SIGKILL and len(inbox.messages) == 5
    inbox.kill = None
    resumed = registrar(*send, "--resume", cwd=world.base, check=False)
    assert resumed.returncode == 1 and "25 card(s) sent; 4 sent before" in resumed.stderr  # the 5th is "uncertain", not re-sent
    recipients = [to for tos, _ in inbox.messages for to in tos]
    assert len(recipients) == 30 and set(recipients) == {h.voter.email for h in world.holders.values()}
    by_address = {h.voter.email: h for h in world.holders.values()}
    for tos, message in inbox.messages:
        holder = by_address[tos[0]]
        assert message["Content-Language"] == holder.voter.language
        (card,) = list(message.iter_attachments())
        (page,) = PdfReader(io.BytesIO(card.get_content())).pages
        assert squeezed(holder.credential.replace("-", "")) in squeezed(page.extract_text())
        assert squeezed(holder.credential.replace("-", "")) not in squeezed(message.get_body(("plain",)).get_content()).replace("-", "")
    erased = registrar("erase", "--dir", "registrar", "--board", world.url, "--yes", cwd=world.base)
    assert "The signed statement is on the board (registrar.erased)" in erased.stderr
    assert not (world.base / "registrar" / "credentials.vault").exists()


def test_the_administrator_uploads_the_logins_and_never_a_credential(world):
    base = world.base
    with_credentials = roll_text(2).splitlines()
    (base / "secret-roll.csv").write_text("\n".join([with_credentials[0] + ",credential"] + [line + ",X" for line in with_credentials[1:]]) + "\n")
    refused = admin(world, "logins", ELECTION, "secret-roll.csv", check=False)
    assert refused.returncode == 1 and "line 1, column credential: a roll with credentials never goes to the board" in refused.stderr
    (base / "no-address.csv").write_text(roll_text(3).replace("voter2@example.org", ""))
    missing = admin(world, "logins", ELECTION, "no-address.csv", check=False)
    assert missing.returncode == 1 and "line 3, column email: is empty" in missing.stderr
    assert BoardClient(world.url).context(ELECTION)["voter_login"]["logins"] == 0  # nothing was posted

    uploaded = admin(world, "logins", ELECTION, "roll.csv")
    assert uploaded.stdout.strip() == f"{ELECTION}: 30 login(s) added, 0 replaced, 0 unchanged (in 1 request(s)); the board now holds 30"
    client = BoardClient(world.url, admin_token=env()["EVOTE_ADMIN_TOKEN"])
    again = admin_ops.upload_logins(client, ELECTION, (base / "roll.csv").read_bytes(), batch=8)
    assert (again.added, again.replaced, again.unchanged, again.logins, again.batches) == (0, 0, 30, 30, [8, 8, 8, 6])
    admin(world, "open", ELECTION)
    # while open a voter's address cannot change: the board's refusal names the roll's line and column
    (base / "moved.csv").write_text(roll_text().replace("voter7@example.org", "elsewhere@example.org"))
    with pytest.raises(RollError) as moved:
        admin_ops.upload_logins(client, ELECTION, (base / "moved.csv").read_bytes(), batch=4)
    assert "line 8, column voter_id: the board refused it: this voter id already has a different login" in str(moved.value)
    assert "The 4 login(s) before it are on the board" in str(moved.value)


@pytest.fixture(scope="module")
def browser_votes(world, smtp, chromium):
    """V001 (en) and V002 (fr) sign in with the e-mailed code and vote in the booth at the board's URL."""
    inbox, _ = smtp
    codes = {}
    for voter_id, locale in zip(BROWSER_VOTERS, ("en-US", "fr-FR")):
        context = chromium.new_context(locale=locale)
        try:
            device = Device(context, context.new_page())
            device.page.goto(world.booth_url + "vote")
            device.step("login")
            sign_in(device, world, inbox, world.index(voter_id))
            device.step("credential")
            code = mark_and_encrypt(device, world.holders[voter_id].credential)
            device.page.click("#cast-button")
            device.step("receipt")
            assert wait_for_text(device.page, "#receipt-code", code[:4]).replace(" ", "") == code
            codes[voter_id] = code
        finally:
            context.close()
    return codes


def test_voters_sign_in_with_emailed_codes_and_vote_in_the_browser_and_with_evote_vote(world, smtp, browser_votes):
    inbox, _ = smtp
    holder = world.holders[CLI_VOTER]
    # the registrar's credential without the voter's login code: refused before anything is appended
    with pytest.raises(BoardClientError) as unsigned:
        cast(world.url, ELECTION, holder.credential, "north", {"council-north": ["ann"]})
    assert unsigned.value.status == 401 and unsigned.value.code == "login_required"

    (world.base / "card.txt").write_text(holder.credential + "\n")
    before = len(inbox.to(holder.voter.email))
    voter = subprocess.Popen([sys.executable, "-m", "evote.cli", "vote", "--board", world.url, "--election", ELECTION, "--voter-id",
                              CLI_VOTER, "--credential-file", "card.txt", "--choice", "council-north=ann"], cwd=world.base, env=env(),
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    code = code_of(inbox.wait_for(holder.voter.email, before + 1, timeout=60))
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    out, err = voter.communicate(f"{wrong}\n{code[:4]} {code[4:]}\n", timeout=120)
    assert voter.returncode == 0, err
    assert "This is not the code we sent. Check the e-mail and type it again: you can try 4 more times." in err
    assert out.startswith("confirmation code: ") and "receipt checked" in out
    session_lines = [line for line in (out + err).splitlines() if "session" in line.lower()]
    assert session_lines == []  # the session is never shown

    # the same login with another North Ward card (V005's): refused in the booth's words, and nothing is appended
    (world.base / "other-card.txt").write_text(world.holders["V005"].credential + "\n")
    size = len(list(BoardClient(world.url).entries(ELECTION)))
    again = subprocess.Popen([sys.executable, "-m", "evote.cli", "vote", "--board", world.url, "--election", ELECTION,
                              "--credential-file", "other-card.txt", "--choice", "council-north=bo"], cwd=world.base,
                             env=env(EVOTE_VOTER_ID=CLI_VOTER), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)  # fmt: skip
    code = code_of(inbox.wait_for(holder.voter.email, before + 2, timeout=60))
    out, err = again.communicate(f"{code}\n", timeout=120)
    assert again.returncode == 1 and out == ""
    assert err.rstrip().endswith("error: you have already voted with another voting card. Each voter votes with one card only: "
                                 "to vote again, use the card you voted with first")  # after the prompt: no newline typed
    assert len(list(BoardClient(world.url).entries(ELECTION))) == size

    client = BoardClient(world.url)
    for voter_id, confirmation in browser_votes.items():
        public_key = derive_voter_key(world.holders[voter_id].credential, ELECTION).public_key_hex
        listed = client.get(f"/elections/{ELECTION}/credentials/{public_key}")
        assert [(b["confirmation_code"], b["status"]) for b in listed["ballots"]] == [(confirmation, "cast")]


def test_close_tally_decrypt_export_and_the_verifier_checks_the_registrar(world, browser_votes):
    base = world.base
    admin(world, "close", ELECTION)
    assert "encrypted tally of 3 counted ballot(s)" in admin(world, "tally", ELECTION).stdout
    decryptor = trustee("decrypt", "--dir", "trustee", "--board", world.url, "--election", ELECTION, "--poll", "0.3", "--wait", "120", cwd=base)
    result = admin(world, "decrypt", ELECTION, "--wait", "120", "--quorum-wait", "0").stdout
    assert "decrypted" in finish(decryptor, timeout=120)
    assert "ann: 1" in result and "bo: 1" in result and "cy: 0" in result and "di: 1" in result
    evote("record", "export", ELECTION, "--board", world.url, "--out", "record", cwd=base)
    verify = subprocess.run([sys.executable, "-m", "voting.verifier.cli", "record", "--registrar-key", world.registrar_key, "--workers", "1",
                             "--json", "report.json"], capture_output=True, text=True, timeout=300, cwd=base, env=env())  # fmt: skip
    assert verify.returncode == 0 and "VERIFIED" in verify.stdout, verify.stdout[-3000:] + verify.stderr[-2000:]
    report = json.loads((base / "report.json").read_text())
    steps = {s["id"]: s for v in report["verifications"] for s in v["steps"]}
    assert steps["E.9"]["status"] == "passed" and steps["E.10"]["status"] == "passed"
    issued = report["statistics"]["credentials"]
    assert f"30 credentials issued by the registrar {REGISTRAR_NAME!r} for a roll of 30 voters" in issued
    assert "per style: north 15/15, south 15/15" in issued and "erased the private credentials" in issued
