"""Hypothesis strategies shared by the property tests (toy group for speed, standard group where noted)."""

from __future__ import annotations

from hypothesis import strategies as st

from voting.group import STANDARD, ElementModQ, insecure_test_group

TOY = insecure_test_group()


def scalars(group=TOY, *, nonzero: bool = False):
    low = 1 if nonzero else 0
    return st.integers(min_value=low, max_value=int(group.q) - 1).map(lambda x: ElementModQ.parse(x, group))


def manifests(max_contests: int = 3, max_options: int = 4):
    """Small valid manifest documents with one or two ballot styles."""

    @st.composite
    def build(draw):
        n_contests = draw(st.integers(1, max_contests))
        contests = []
        for c in range(n_contests):
            n_options = draw(st.integers(1, max_options))
            option_limit = draw(st.integers(1, 2))
            contests.append(
                {
                    "label": f"contest-{c}",
                    "votes_allowed": draw(st.integers(1, n_options * option_limit)),
                    "option_limit": option_limit,
                    "options": [{"label": f"option-{c}-{o}"} for o in range(n_options)],
                }
            )
        labels = [c["label"] for c in contests]
        styles = [{"label": "all", "contests": labels}]
        if len(labels) > 1:
            styles.append({"label": "partial", "contests": labels[1:]})
        return {"label": "Property election", "spec_version": "v2.0.0", "contests": contests, "ballot_styles": styles}

    return build()


def choices_for(manifest, style_label: str):
    """Valid choices (value per option, respecting R and L) for every contest of the style."""

    @st.composite
    def build(draw):
        style = manifest.style(style_label)
        result = {}
        for contest in manifest.contests_of(style):
            remaining = contest.votes_allowed
            values = {}
            for option in contest.options:
                value = draw(st.integers(0, min(contest.option_limit, remaining)))
                remaining -= value
                values[option.label] = value
            result[contest.label] = values
        return result

    return build()


__all__ = ["TOY", "STANDARD", "scalars", "manifests", "choices_for"]
