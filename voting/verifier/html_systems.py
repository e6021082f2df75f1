"""The parts of the HTML report that differ for another system's record (Helios, Belenios: systems.py):
the banner, the introduction and the verified result. Everything else is the same report."""

from __future__ import annotations

from html import escape

from .report import Report


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def system_banner(report: Report) -> str:
    failed = sum(v.status.value == "failed" for v in report.verifications)
    if report.outcome == "failed":
        return (
            f'<div class="banner failed"><strong>Not verified.</strong> {failed} of the {len(report.verifications)} '
            "sections failed; the details are below.</div>"
        )
    if report.outcome == "consistent":
        return (
            f'<div class="banner consistent"><strong>Consistent, not verified.</strong> No check failed; '
            f"{_e(report.weak_fiat_shamir)}: their challenges hash only the commitments, so a dishonest authority could "
            "have made proofs of false statements that check. This is not evidence of integrity against a malicious "
            "prover.</div>"
        )
    return '<div class="banner passed"><strong>Verified.</strong> Every check that applies to this record passed.</div>'


def system_intro(report: Report) -> str:
    notes = "".join(f"<li>{_e(n)}</li>" for n in report.notes)
    cannot = f"<p>What this record cannot prove, whatever the checks say:</p><ul>{notes}</ul>" if notes else ""
    return (
        "<p>This report was produced by <code>evote-verify</code>, an independent verifier. This record was written by "
        f"another system ({_e(report.format)}); it was checked against that system's own specification "
        f"({_e(report.specification)}), with every proof, hash and the tally recomputed from the published record. "
        f"The checks and what each system's own verifier does are mapped in docs/verification-checks.md.</p>{cannot}"
    )


def _ballots_table(number: int, question: dict) -> str:
    """A question counted after shuffles (Belenios): every decrypted ballot, one row each, in the last
    shuffle's order (anonymised: no row can be linked to a voter)."""
    ballots, names = question["ballots"], question.get("answer_names") or []
    width = max((len(b) for b in ballots), default=len(names))
    heads = names if len(names) == width else [f"value {i + 1}" for i in range(width)]
    header = "".join(f'<th scope="col" class="n">{_e(h)}</th>' for h in heads)
    rows = "".join(
        f'<tr><th scope="row">{n}</th>' + "".join(f'<td class="n">{_e(v)}</td>' for v in ballot) + "</tr>"
        for n, ballot in enumerate(ballots, start=1)
    )
    return (
        f"<table><caption>Question {number}: {_e(question.get('question'))}: {len(ballots)} ballot(s) decrypted "
        f'after the shuffles</caption><tr><th scope="col">ballot</th>{header}</tr>{rows}</table>'
    )


def system_result(report: Report) -> str:
    result = report.verified_result
    if result is None:
        return f'<h2 id="verified-result">Verified result</h2><p class="na">No result is stated: {_e(report.no_result_because)}.</p>'
    heading = "Result, consistent with the record" if report.outcome == "consistent" else "Verified result"
    parts = [f'<h2 id="verified-result">{heading}</h2>',
             "<p>Each count is the decryption of the homomorphic tally of the ballots, checked against the trustees' "
             "proofs of decryption (or, for a question counted after shuffles, the decrypted ballots).</p>"]  # fmt: skip
    for number, question in enumerate(result.get("questions", ()), start=1):
        if "answers" not in question:
            if "ballots" in question:
                parts.append(_ballots_table(number, question))
            continue
        rows = "".join(
            f'<tr><th scope="row">{_e(a.get("answer"))}</th><td class="n">{_e(a.get("count"))}</td></tr>'
            for a in question.get("answers", ())
        )
        parts.append(
            f"<table><caption>Question {number}: {_e(question.get('question'))}</caption>"
            f'<tr><th scope="col">Answer</th><th scope="col" class="n">count</th></tr>{rows}</table>'
        )
        if "ballots" in question:
            parts.append(_ballots_table(number, question))
        if question.get("winners"):
            method = f" ({_e(question['method'])})" if question.get("method") else ""
            parts.append(f"<p>Winner(s){method}: {_e(', '.join(str(w) for w in question['winners']))}</p>")
    return "\n".join(parts)
