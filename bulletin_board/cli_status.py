"""The human form of `evote election status`: the object of :mod:`bulletin_board.election_status` as tables."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .election_status import COUNT_WORDS, STEP_WORDS

PHASE_WORDS = {
    "keygen": "key ceremony under way",
    "keygen_failed": "key ceremony failed: create a new election with a replacement trustee",
    "confirming": "trustees confirming the joint key",
    "ready": "ready to open",
    "open": "open for ballots",
    "closed": "closed, encrypted tally not posted yet",
    "tallying": "decryption under way",
    "tallied": "tallied: the result is published",
    "cancelled": "CANCELLED: nothing more is appended; its record still verifies",
}


def _when(step: dict[str, Any]) -> str:
    if step["at"] is None:
        return "not scheduled" if step["step"] in ("opens_at", "closes_at") else "-"
    at = step["at"].replace("T", " ").replace("Z", " UTC")
    return at if step["seq"] is None else f"{at}  (entry {step['seq']})"


def _yes(flag: bool) -> str:
    return "✓" if flag else "·"


def _trustee_table(status: dict[str, Any]) -> Table:
    table = Table(title="Trustees", title_justify="left")
    for column in ("#", "name", "commit", "shares", "checked", "confirmed"):
        table.add_column(column)
    decrypting = any(t["decryption"] for t in status["trustees"])
    if decrypting:
        table.add_column("decryption")
    for t in status["trustees"]:
        kc = t["key_ceremony"]
        checked = _yes(kc["checked"]) + (f" complaints: {', '.join(map(str, kc['complaints']))}" if kc["complaints"] else "")
        row = [str(t["index"]), t["name"], _yes(kc["commitments"]), _yes(kc["shares"]), checked, _yes(kc["confirmed"])]
        if decrypting:
            d = t["decryption"]
            if d["excluded"]:
                row.append(f"excluded: {d['excluded']}")
            else:
                row.append(f"round {d['round']}: " + ("answered" if d["response"] else "share posted" if d["share"] else "nothing yet"))
        table.add_row(*row)
    return table


def print_status(status: dict[str, Any], console: Console) -> None:
    need = status["trustees_needed"]
    console.print(f"[bold]{status['election_id']}[/]: {PHASE_WORDS.get(status['phase'], status['phase'])}"
                  f"  (phase {status['phase']}; {status['entries']} entries; k = {need['k']} of n = {need['n']} trustees)")  # fmt: skip
    timeline = Table(title="Timeline (the board's received_at)", title_justify="left")
    timeline.add_column("step")
    timeline.add_column("when")
    for step in status["timeline"]:
        timeline.add_row(STEP_WORDS[step["step"]], _when(step))
    console.print(timeline)
    schedule, cancelled = status.get("schedule"), status.get("cancelled")
    if schedule and schedule.get("not_opened"):
        console.print(f"[bold]Not opened at {schedule['opens_at'].replace('T', ' ').replace('Z', ' UTC')}[/]: {schedule['not_opened']}")
    if schedule and schedule.get("extended_at"):
        console.print(f"The close was moved by election.extended (entry {schedule['extended_at']['seq']})")
    if cancelled:
        console.print(f"[bold]Cancelled[/] {cancelled['at'].replace('T', ' ').replace('Z', ' UTC')} (entry {cancelled['seq']}): "
                      f"{escape(cancelled['reason'])}")  # fmt: skip
    counts = Table(title="Counts", title_justify="left", show_header=False)
    counts.add_column("")
    counts.add_column("", justify="right")
    for key, words in COUNT_WORDS.items():
        counts.add_row(words, str(status["counts"][key]))
    if status["phase"] == "open":
        counts.caption = "counted: the ballots that would count if the election closed now"
    console.print(counts)
    registrar = status["registrar"]
    if registrar is not None:
        roll = registrar["roll"]
        console.print(
            f"Credential authority {registrar['name']}: " + ("accepted the role" if registrar["accepted"] else "has not accepted the role yet")
            + (f"; roll of {roll['voters']} voters (total weight {roll['total_weight']})" if roll else "; no roll commitment yet")
            + f"; {registrar['credentials_listed']} credentials listed" + ("; erased its secrets" if registrar["erased"] else "")
        )  # fmt: skip
    console.print(_trustee_table(status))
    for contest in status.get("mix") or ():
        done = ", ".join(f"{m['position']}. trustee {m['trustee']} ({escape(m['name'])})" for m in contest["mixes"]) or "none yet"
        rows = "no mix input yet" if contest["rows"] is None else f"{contest['rows']} row(s)"
        console.print(f"Mix of contest {escape(contest['contest'])}: {rows}; mixed by {done}; awaiting {escape(contest['awaiting'])}")
    checkpoint = status["checkpoint"]
    agrees = {True: "matches the entries read", False: "DOES NOT MATCH the entries read", None: "newer than the entries read"}
    console.print(f"Latest checkpoint: origin {checkpoint['origin']}, size {checkpoint['size']}, root {checkpoint['root']}"
                  f" ({agrees[checkpoint['matches_entries']]})")  # fmt: skip
    cosigned = status["cosigned"]
    if cosigned is None:
        console.print("Latest cosigned checkpoint: none (no witness has cosigned a checkpoint of this election)")
    else:
        console.print(f"Latest cosigned checkpoint: size {cosigned['size']}, cosigned by {cosigned['cosignatures']} witness(es)"
                      f" ({', '.join(cosigned['witnesses'])}); evote-verify --anchors checks them")  # fmt: skip
