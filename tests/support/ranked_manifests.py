"""Manifests with ranked and graded contests (docs/record-format.md §12.1) for the booth's tests: an IRV
contest of four candidates, a majority-judgment contest of three with four grades, and a plain yes/no
question beside them, on one ballot style."""

from __future__ import annotations

RANKED_MANIFEST = {
    "label": "Harbour Town council 2026",
    "spec_version": "v2.0.0",
    "contests": [
        {"label": "mayor", "title": "Mayor", "counting": {"method": "irv"},
         "options": [{"label": "ada", "name": "Ada Lovelace"}, {"label": "ben", "name": "Ben Okri"},
                     {"label": "cyd", "name": "Cyd Charisse"}, {"label": "dev", "name": "Dev Patel"}]},
        {"label": "park", "title": "Which park project?", "counting": {"method": "majority_judgment", "grades": ["Reject", "Poor", "Good", "Excellent"]},
         "options": [{"label": "pond", "name": "A pond"}, {"label": "play", "name": "A playground"},
                     {"label": "trees", "name": "More trees"}]},
        {"label": "bridge", "title": "Rebuild the footbridge?", "votes_allowed": 1,
         "options": [{"label": "yes", "name": "Yes"}, {"label": "no", "name": "No"}]},
    ],
    "ballot_styles": [{"label": "town", "contests": ["mayor", "park", "bridge"]}],
}  # fmt: skip
