"""Scale definitions for the fidelity tests."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from django.conf import settings

STANDARD = Path(settings.BASE_DIR) / "fidelity" / "scales" / "ips-se-2008.json"


def standard_definition() -> dict:
    """The shipped 25-item scale's definition (a fresh copy to change)."""
    return json.loads(STANDARD.read_text(encoding="utf-8"))


def small_scale(*, slug: str = "small", title: str = "A small adapted scale") -> dict:
    """A two-subscale scale of 2 + 2 items rated 1-3, in the shape of the IPS-Y: each
    subscale banded on its own, and the whole scale banded too."""

    def item(key: str) -> dict:
        return {
            "key": key,
            "name": f"Item {key}",
            "description": f"What {key} looks at.",
            "anchors": {"1": f"{key} low", "2": f"{key} middle", "3": f"{key} high"},
        }

    return copy.deepcopy(
        {
            "slug": slug,
            "version": 1,
            "title": title,
            "short_title": "Small",
            "rating_min": 1,
            "rating_max": 3,
            "good_fidelity_from": 9,
            "sections": [
                {
                    "key": "work",
                    "name": "Work",
                    "subscale": True,
                    "items": [item("w1"), item("w2")],
                },
                {
                    "key": "school",
                    "name": "School",
                    "subscale": True,
                    "items": [item("s1"), item("s2")],
                },
            ],
            "bands": [
                {"key": "high", "label": "High", "min_total": 9, "max_total": 12},
                {"key": "low", "label": "Low", "min_total": 4, "max_total": 8},
                {
                    "key": "ok",
                    "label": "Work fine",
                    "min_total": 4,
                    "max_total": 6,
                    "section": "work",
                },
                {
                    "key": "weak",
                    "label": "Work weak",
                    "min_total": 2,
                    "max_total": 3,
                    "section": "work",
                },
            ],
        }
    )
