"""A self-contained HTML report that anyone can open: no scripts, no external resources, all text escaped."""

from __future__ import annotations

from html import escape

from .findings import Finding, Status
from .html_systems import system_banner, system_intro, system_result
from .report import Report, StepResult, VerificationResult
from .result import (
    TURNOUT_WORDS,
    counted_heading,
    counting_lines,
    share_text,
    shows_weights,
    tie_text,
    votes_text,
    weighted_text,
)
from .systems import RUN_STATISTICS

STYLE = """
body { font: 16px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1b1b1b; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
.banner { padding: 1rem 1.25rem; border-radius: .5rem; font-size: 1.15rem; }
.passed { background: #e4f4e4; border: 1px solid #5a9a5a; } .failed { background: #fbe3e3; border: 1px solid #b84a4a; }
.consistent { background: #fff4d6; border: 1px solid #b8962e; } .na { color: #555; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #ddd; vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.tag { display: inline-block; padding: 0 .45rem; border-radius: .3rem; font-size: .85rem; font-weight: 600; }
.tag.passed { background: #d2ecd2; border: 0; } .tag.failed { background: #f6c9c9; border: 0; } .tag.na { background: #eee; }
.tag.consistent { background: #fde9b0; border: 0; }
details { margin: .5rem 0; border: 1px solid #ddd; border-radius: .4rem; padding: .4rem .8rem; }
summary { cursor: pointer; font-weight: 600; }
.warning { margin: .4rem 0 .4rem 1rem; padding: .4rem .6rem; background: #fffbe6; border-left: 3px solid #b8962e; }
.finding { margin: .4rem 0 .4rem 1rem; padding: .4rem .6rem; background: #fff7f7; border-left: 3px solid #b84a4a; }
code, .hex { font-family: ui-monospace, monospace; font-size: .85rem; word-break: break-all; }
.spec { color: #333; font-style: italic; }
.bar { display: block; height: .9rem; background: #2f5f8f; min-width: 1px; }
.bar-cell { width: 40%; }
caption { text-align: left; font-weight: 600; padding: .4rem 0; }
"""


def render_html(report: Report) -> str:
    e = _e
    failed = [v for v in report.verifications if v.status is Status.FAILED]
    if report.passed:
        banner = (
            '<div class="banner passed"><strong>Verified.</strong> Every check of the ElectionGuard 2.0 '
            "verification that applies to this record passed.</div>"
        )
    else:
        banner = (
            f'<div class="banner failed"><strong>Not verified.</strong> {len(failed)} of the '
            f"{len(report.verifications)} verifications failed; the details are below.</div>"
        )
    if report.specification is not None:  # another system's record (systems.py)
        banner = system_banner(report)
    stats = report.statistics
    rows = "".join(_row(v) for v in report.verifications)
    notes = "".join(f"<li>{e(n)}</li>" for n in report.notes)
    departures = (
        "<p>Where this record's producer departs from the specification's byte layouts, the verifier follows the "
        f"producer:</p><ul>{notes}</ul>"
        if notes
        else ""
    )
    sections = "".join(_section(v) for v in report.verifications)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Election verification report</title>
<style>{STYLE}</style></head>
<body>
<h1>Election verification report</h1>
{banner}
{system_intro(report) if report.specification is not None else _intro(report)}
<table>
<tr><th>Record</th><td><code>{e(report.record)}</code></td></tr>
<tr><th>Format</th><td>{e(report.format)} (conventions: {e(report.conventions)})</td></tr>
{_ballots_row(report)}
<tr><th>Time</th><td>{e(stats.get("seconds"))} s</td></tr>
{_credentials_row(stats)}</table>
{"" if report.specification is not None else departures}
{system_result(report) if report.specification is not None else _result_section(report)}
<h2>Summary</h2>
<table><tr><th>#</th><th>Verification</th><th>Specification</th><th>Result</th>
<th class="n">passed</th><th class="n">failed</th></tr>
{rows}</table>
<h2>Details</h2>
{sections}
</body></html>
"""


def _result_section(report: Report) -> str:
    """The "Verified result" section: per contest a table with a bar per option (CSS widths, no script), then the turnout."""
    result = report.verified_result
    if result is None:
        return (
            f'<h2 id="verified-result">Verified result</h2><p class="na">No result is stated: {_e(report.no_result_because)}.</p>'
        )
    parts = ['<h2 id="verified-result">Verified result</h2>',
             "<p>The totals below are the decrypted totals of the record, each checked by Verifications 9 and 10; "
             "the turnout is counted from the record's entries (docs/record-format.md §8.5).</p>"]  # fmt: skip
    if shows_weights(result):
        parts.append(f"<p>{_e(weighted_text(result['total_weight']))}</p>")
    for c in result["contests"]:
        if "counting" in c:
            items = "".join(f"<li>{_e(line.strip())}</li>" for line in counting_lines(c))
            parts.append(f"<h3>{_e(counted_heading(c))}</h3><ul>{items}</ul>")
            continue
        names = {o["option"]: o["name"] for o in c["options"]}
        rows = "".join(
            f'<tr><th scope="row">{_e(o["name"])}</th><td class="n">{o["votes"]}</td><td class="n">{share_text(o["share"])}</td>'
            f"<td>{_mark(o['option'], c)}</td>"
            f'<td class="bar-cell" aria-hidden="true"><span class="bar" style="width: {o["share"] * 100:.1f}%"></span></td></tr>'
            for o in c["options"]
        )
        if c["tie"] is not None:
            note = f"<p><strong>{_e(tie_text(c['tie'], names))}</strong>: not broken, no winner declared for it.</p>"
        elif c["number_elected"] is None:
            note = "<p>No winner declared: the manifest does not say how many are elected.</p>"
        else:
            note = ""
        parts.append(
            f"<table><caption>{_e(c['title'])} ({votes_text(c['votes'])})</caption>"
            '<tr><th scope="col">Option</th><th scope="col" class="n">votes</th><th scope="col" class="n">share</th>'
            f'<th scope="col">elected</th><th scope="col">chart</th></tr>{rows}</table>{note}'
        )
    turnout = "".join(
        f'<tr><th scope="row">{_e(words)}</th><td class="n">{result["turnout"][key]}</td></tr>' for key, words in TURNOUT_WORDS
    )
    parts.append(f"<table><caption>Turnout</caption>{turnout}</table>")
    return "\n".join(parts)


def _mark(option: str, contest: dict) -> str:
    if contest["tie"] is not None and option in contest["tie"]["options"]:
        return "tied"
    return "elected" if option in contest["winners"] else ""


def _intro(report: Report) -> str:
    spec = (
        "<p>This report was produced by <code>evote-verify</code>, an independent verifier of election records that "
        "follow the ElectionGuard Design Specification v2.0.0. It recomputes every cryptographic proof and hash listed "
        "in the specification's §6.2 (Verifications 1 to 14) from the published record. "
    )
    if report.format != "evote":
        return (
            spec + '"Passed" means the published numbers are consistent with an honest count of the published encrypted '
            "ballots; it does not say anything about who was allowed to vote.</p>"
        )
    stats = report.statistics
    return (
        spec + "Before those, it checks evote's own record: that the record is the bulletin board's signed, append-only "
        "log of the election (B), that every entry was allowed by the election's rules when it was appended (L), and "
        "that every ballot was signed by a voter on the published credential list, counted once under the revoting "
        'rule (E). "Passed" means the published numbers are consistent with an honest count of the ballots of eligible '
        "credentials, as the board published them; it says nothing about who holds which credential.</p>"
        f"<p>Election <code>{_e(stats.get('election_id'))}</code>: {_e(stats.get('entries'))} board entries, "
        f"{_e(stats.get('stage'))}. Board key: {_e(stats.get('board_key'))}.</p>"
    )


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _tag(status: Status) -> str:
    css = {Status.PASSED: "passed", Status.FAILED: "failed", Status.NOT_APPLICABLE: "na", Status.CONSISTENT: "consistent"}[status]
    words = "consistent under weak Fiat-Shamir" if status is Status.CONSISTENT else status.value
    return f'<span class="tag {css}">{_e(words)}</span>'


def _ballots_row(report: Report) -> str:
    stats = report.statistics
    if report.specification is not None:
        own = "".join(
            f"<tr><th>{_e(_label(key))}</th><td><code>{_e(value)}</code></td></tr>"
            for key, value in stats.items()
            if key not in RUN_STATISTICS and value is not None
        )
        return f"<tr><th>Ballots</th><td>{_e(stats.get('ballots'))} verified</td></tr>{own}"
    counted = "counted" if report.format == "evote" else "cast"
    return (
        f"<tr><th>Ballots</th><td>{_e(stats.get('ballots'))} ({_e(stats.get('cast'))} {counted}, "
        f"{_e(stats.get('challenged'))} challenged), {_e(stats.get('selections'))} encrypted selections</td></tr>"
    )


def _label(key: str) -> str:
    """A statistic's name as a row heading: "credential_fingerprint" -> "Credential fingerprint", "uuid" -> "UUID"."""
    words = key.replace("_", " ")
    return words.upper() if words == "uuid" else words.capitalize()


def _credentials_row(stats: dict) -> str:
    """evote: who issued how many credentials (E.9, E.10), when the report says."""
    text = stats.get("credentials")
    return f"<tr><th>Credentials</th><td>{_e(text)}</td></tr>\n" if text else ""


def _row(v: VerificationResult) -> str:
    return (
        f'<tr><td>{v.number}</td><td><a href="#v{v.number}">{_e(v.title)}</a></td><td>{_e(v.section)}</td>'
        f'<td>{_tag(v.status)}</td><td class="n">{v.passed}</td><td class="n">{v.failed}</td></tr>'
    )


def _section(v: VerificationResult) -> str:
    opened = " open" if v.status is Status.FAILED else ""
    steps = "".join(_step(s) for s in v.steps)
    return (
        f'<details id="v{v.number}"{opened}><summary>{"Verification" if isinstance(v.number, int) else "Section"} {v.number}: '
        f"{_e(v.title)} {_tag(v.status)}</summary>"
        f'<table><tr><th>Step</th><th>What is checked</th><th>Result</th><th class="n">passed</th>'
        f'<th class="n">failed</th></tr>{steps}</table></details>'
    )


def _step(s: StepResult) -> str:
    label = s.id if "." in s.id else f"{s.id} (preconditions)"
    extra = ""
    if s.status is Status.NOT_APPLICABLE and s.count.reasons:
        extra = '<div class="na">Does not apply: ' + "; ".join(_e(r) for r in s.count.reasons) + "</div>"
    failures = "".join(
        f'<div class="warning"><strong>Warning, {_e(f.subject)}</strong>: {_e(f.message)}</div>' for f in s.count.warnings
    )
    failures += "".join(_finding(f) for f in s.count.failures)
    if s.count.omitted:
        failures += f'<div class="na">… and {s.count.omitted} more failure(s) of this step (see the JSON report).</div>'
    return (
        f'<tr><td>{_e(label)}</td><td><span class="spec">{_e(s.text)}</span>{extra}{failures}</td>'
        f'<td>{_tag(s.status)}</td><td class="n">{s.count.passed}</td><td class="n">{s.count.failed}</td></tr>'
    )


def _finding(f: Finding) -> str:
    parts = [f"<div><strong>{_e(f.subject)}</strong>: {_e(f.message)}</div>"]
    if f.origin:
        parts.append(f"<div>in <code>{_e(f.origin)}</code></div>")
    if f.expected is not None:
        parts.append(f'<div>expected <span class="hex">{_e(f.expected)}</span></div>')
    if f.found is not None:
        parts.append(f'<div>found <span class="hex">{_e(f.found)}</span></div>')
    return '<div class="finding">' + "".join(parts) + "</div>"


def render_refusal_html(record: str, finding: Finding) -> str:
    """The page of an incremental verification that was refused (B.5): the evidence, nothing else."""
    evidence = "".join(f'<pre class="hex">{_e(text)}</pre>' for text in (finding.expected, finding.found) if text)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Election verification refused</title>
<style>{STYLE}</style></head>
<body>
<h1>Election verification refused</h1>
<div class="banner failed"><strong>Refused.</strong> The board's log is not an extension of the one verified before
(a fork, or a rewritten history): nothing else was verified.</div>
<p>Record: <code>{_e(record)}</code></p>
<p>{_e(finding.message)}</p>
<h2>Evidence: both checkpoints and the consistency proof</h2>
{evidence}
</body></html>
"""
