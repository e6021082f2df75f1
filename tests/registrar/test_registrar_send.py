"""E-mail delivery through a real SMTP server in this process (aiosmtpd): every voter their own card, in their
language, at most once, even when the sending process is killed between the server's acceptance and the log."""

from __future__ import annotations

import email
import email.policy
import io
import json
import signal
import stat

import pytest
import registrar_support
from pypdf import PdfReader
from registrar_support import PASSPHRASE, issued_in, registrar_process, run
from support.smtp_inbox import smtp_server

from registrar.texts import TEXTS

issued_dir, state_copy = registrar_support.issued_dir, registrar_support.state_copy


@pytest.fixture
def smtp():
    with smtp_server() as server:
        yield server


def card_text(message: email.message.EmailMessage) -> str:
    attachments = list(message.iter_attachments())
    assert len(attachments) == 1 and attachments[0].get_content_type() == "application/pdf"
    pages = PdfReader(io.BytesIO(attachments[0].get_content())).pages
    assert len(pages) == 1  # the voter's own card, never the whole file
    return "".join(pages[0].extract_text().split())


def test_thirty_cards_killed_mid_send_resumed_without_a_duplicate(state_copy, smtp):
    inbox, url = smtp
    holders = {h.voter.email: h for h in issued_in(state_copy).holders}
    send = ["send", "--dir", str(state_copy), "--smtp", url, "--from", "cards@registrar.example", "--rate", "6000/min"]

    first = registrar_process(*send)
    inbox.kill = (first.pid, 5)
    first.communicate(timeout=60)
    assert first.returncode == -signal.SIGKILL and len(inbox.messages) == 5

    again = run(*send)
    assert again.exit_code == 1 and "already records deliveries" in again.output and "--resume" in again.output
    resumed = run(*send, "--resume")
    assert resumed.exit_code == 1, resumed.output
    assert "uncertain" in resumed.output and "V005" in resumed.output and "25 card(s) sent; 4 sent before" in resumed.output
    recipients = [to for tos, _ in inbox.messages for to in tos]
    assert len(recipients) == 30 and set(recipients) == set(holders)  # each voter exactly once, V005 included

    for tos, message in inbox.messages:
        holder = holders[tos[0]]
        language = holder.voter.language
        assert message["To"] == holder.voter.email and message["Content-Language"] == language
        assert message["Subject"] == TEXTS[language]["subject"].format(title="Riverton municipal election 2026")
        body = message.get_body(("plain",)).get_content()
        assert TEXTS[language]["intro"] in body and registrar_support.BOOTH_URL in body
        credential = holder.credential.replace("-", "")
        assert credential not in "".join(body.split()).replace("-", "")  # the credential travels on the card only
        assert credential in card_text(message)

    idle = run(*send, "--resume")  # nothing left but the uncertain voter: nothing is sent
    assert idle.exit_code == 1 and "0 card(s) sent" in idle.output and len(inbox.messages) == 30
    chosen = run(*send, "--resume", "--resend", "V005")  # the operator checked and names the voter
    assert chosen.exit_code == 0, chosen.output
    assert len(inbox.messages) == 31 and inbox.messages[-1][0] == [holders["voter5@example.org"].voter.email]

    log = (state_copy / "delivery.jsonl").read_text()
    assert stat.S_IMODE((state_copy / "delivery.jsonl").stat().st_mode) == 0o600
    assert not any(h.credential in log or h.credential.replace("-", "") in log or h.voter.email in log for h in holders.values())
    statuses = [json.loads(line)["status"] for line in log.splitlines() if json.loads(line)["voter_id"] == "V005"]
    assert statuses == ["sending", "resend", "sending", "sent"]
    assert PASSPHRASE not in log


def test_dry_run_sends_and_logs_nothing(state_copy, smtp):
    inbox, url = smtp
    dry = run("send", "--dir", str(state_copy), "--smtp", url, "--from", "cards@registrar.example", "--dry-run")
    assert dry.exit_code == 0 and "would send 30 message(s) (en 15, fr 15)" in dry.output
    assert inbox.messages == [] and not (state_copy / "delivery.jsonl").exists()
