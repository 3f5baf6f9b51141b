"""Installing a fidelity scale from its definition (a JSON document, as the files in
``fidelity/scales/`` are): checked first as a whole, every problem named by where it is, then
written as rows in one transaction. A new scale, or a state's adapted one, is a new file and
a run of ``manage.py install_fidelity_scale``, not new code.

The definition::

    {"slug": "ips-se", "version": 1, "title": ..., "short_title": ..., "edition": ...,
     "rating_min": 1, "rating_max": 5, "good_fidelity_from": 100,
     "sections": [{"key": ..., "name": ..., "subscale": false,
                   "items": [{"key": ..., "name": ..., "description": ...,
                              "allows_not_rated": false,
                              "anchors": {"1": ..., ..., "5": ...}}]}],
     "bands": [{"key": ..., "label": ..., "min_total": ..., "max_total": ...,
                "section": <a subscale's key, for its own bands>}]}

The scale-wide bands must cover every possible total exactly once (no gap, no overlap), and
so must the bands of each subscale that has any.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

#: The standard scales shipped with the portal (installed by the migrations too).
STANDARD_SCALES = (Path(__file__).resolve().parent / "scales" / "ips-se-2008.json",)

_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")


class ScaleDefinitionError(ValueError):
    """A definition that cannot be installed; ``problems`` lists each one with its place."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class ScaleModels:
    """The models to write through: the app's own, or a migration's historical ones."""

    scale: Any
    section: Any
    item: Any
    anchor: Any
    band: Any

    @classmethod
    def from_apps(cls, apps) -> ScaleModels:
        def get(name: str):
            return apps.get_model("fidelity", name)

        return cls(
            get("FidelityScale"),
            get("ScaleSection"),
            get("ScaleItem"),
            get("ItemAnchor"),
            get("ScoreBand"),
        )


def _text(d: dict, name: str, where: str, problems: list[str], *, limit: int) -> str:
    value = d.get(name)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: “{name}” is missing or empty")
        return ""
    if len(value) > limit:
        problems.append(f"{where}: “{name}” is {len(value)} characters long (at most {limit})")
    return value.strip()


def _whole(d: dict, name: str, where: str, problems: list[str], *, minimum: int = 0) -> int:
    value = d.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        problems.append(f"{where}: “{name}” must be a whole number of {minimum} or more")
        return minimum
    return value


def _key(d: dict, where: str, problems: list[str], seen: set[str]) -> str:
    key = d.get("key")
    if not isinstance(key, str) or not _KEY.match(key):
        problems.append(
            f"{where}: “key” must be lower-case letters, digits, '-' or '_' (got {key!r})"
        )
        return ""
    if key in seen:
        problems.append(f"{where}: the key “{key}” is used twice")
    seen.add(key)
    return key


def _check_cover(bands: list[dict], low: int, high: int, where: str, problems: list[str]) -> None:
    """``bands`` cover ``low``..``high`` exactly once."""
    spans = sorted((b["min_total"], b["max_total"]) for b in bands)
    expected = low
    for start, end in spans:
        if start > expected:
            problems.append(f"{where}: no band covers the totals {expected}-{start - 1}")
        elif start < expected:
            problems.append(f"{where}: bands overlap at the total {start}")
        expected = max(expected, end + 1)
    if expected <= high:
        problems.append(f"{where}: no band covers the totals {expected}-{high}")
    if spans and spans[-1][1] > high:
        problems.append(f"{where}: a band goes past the highest possible total {high}")


def check_definition(d: Any) -> list[str]:
    """Every problem of the definition ``d``, each saying where it is; empty when it can be
    installed."""
    if not isinstance(d, dict):
        return ["the definition must be a JSON object"]
    problems: list[str] = []
    _key({"key": d.get("slug")}, "scale “slug”", problems, set())
    _whole(d, "version", "scale", problems, minimum=1)
    _text(d, "title", "scale", problems, limit=200)
    _text(d, "short_title", "scale", problems, limit=40)
    low = _whole(d, "rating_min", "scale", problems)
    high = _whole(d, "rating_max", "scale", problems, minimum=1)
    if low >= high:
        problems.append("scale: “rating_min” must be below “rating_max”")
    ratings = [str(r) for r in range(low, high + 1)]
    sections = d.get("sections")
    if not isinstance(sections, list) or not sections:
        return [*problems, "scale: “sections” must be a non-empty list"]
    section_keys: set[str] = set()
    item_keys: set[str] = set()
    subscales: dict[str, int] = {}
    for s_index, section in enumerate(sections, start=1):
        where = f"section {s_index}"
        if not isinstance(section, dict):
            problems.append(f"{where}: must be an object")
            continue
        key = _key(section, where, problems, section_keys)
        _text(section, "name", where, problems, limit=200)
        items = section.get("items")
        if not isinstance(items, list) or not items:
            problems.append(f"{where}: “items” must be a non-empty list")
            continue
        if section.get("subscale"):
            subscales[key] = len(items)
        for i_index, item in enumerate(items, start=1):
            at = f"{where}, item {i_index}"
            if not isinstance(item, dict):
                problems.append(f"{at}: must be an object")
                continue
            item_key = _key(item, at, problems, item_keys)
            at = f"{where}, item {i_index} ({item_key or 'no key'})"
            _text(item, "name", at, problems, limit=200)
            _text(item, "description", at, problems, limit=2000)
            anchors = item.get("anchors")
            if not isinstance(anchors, dict):
                problems.append(f"{at}: “anchors” must say what each rating means")
                continue
            for rating in ratings:
                _text(anchors, rating, f"{at}, anchors", problems, limit=1000)
            extra = sorted(set(anchors) - set(ratings))
            if extra:
                problems.append(f"{at}: anchors for ratings outside the scale: {', '.join(extra)}")
    item_count = sum(len(s.get("items") or []) for s in sections if isinstance(s, dict))
    bands = d.get("bands")
    if not isinstance(bands, list) or not bands:
        return [*problems, "scale: “bands” must be a non-empty list"]
    by_section: dict[str | None, list[dict]] = {}
    band_keys: dict[str | None, set[str]] = {}
    for b_index, band in enumerate(bands, start=1):
        where = f"band {b_index}"
        if not isinstance(band, dict):
            problems.append(f"{where}: must be an object")
            continue
        section = band.get("section")
        if section is not None and section not in subscales:
            problems.append(f"{where}: “section” must name a subscale (got {section!r})")
            continue
        _key(band, where, problems, band_keys.setdefault(section, set()))
        _text(band, "label", where, problems, limit=100)
        start = _whole(band, "min_total", where, problems)
        end = _whole(band, "max_total", where, problems)
        if start > end:
            problems.append(f"{where}: “min_total” is above “max_total”")
            continue
        by_section.setdefault(section, []).append(band)
    if None not in by_section:
        problems.append("scale: no band for the whole scale")
    for section, found in by_section.items():
        count = item_count if section is None else subscales[section]
        where = "bands of the scale" if section is None else f"bands of the subscale {section}"
        _check_cover(found, count * low, count * high, where, problems)
    good = d.get("good_fidelity_from")
    if good is not None and (
        not isinstance(good, int) or not item_count * low <= good <= item_count * high
    ):
        problems.append("scale: “good_fidelity_from” must be a possible total")
    return problems


def install_scale(d: dict, *, collaborative=None, models: ScaleModels | None = None):
    """Install the definition ``d`` (for ``collaborative``, or as a standard scale), or return
    the scale already installed under its slug and version. Raises
    :class:`ScaleDefinitionError` listing every problem; nothing is written then."""
    problems = check_definition(d)
    if problems:
        raise ScaleDefinitionError(problems)
    if models is None:
        from fidelity import models as app_models

        models = ScaleModels(
            app_models.FidelityScale,
            app_models.ScaleSection,
            app_models.ScaleItem,
            app_models.ItemAnchor,
            app_models.ScoreBand,
        )
    owner = {"collaborative": collaborative}
    with transaction.atomic():
        existing = models.scale.objects.filter(
            **owner, slug=d["slug"], version=d["version"]
        ).first()
        if existing is not None:
            return existing
        scale = models.scale.objects.create(
            **owner,
            slug=d["slug"],
            version=d["version"],
            title=d["title"].strip(),
            short_title=d["short_title"].strip(),
            edition=(d.get("edition") or "").strip(),
            rating_min=d["rating_min"],
            rating_max=d["rating_max"],
            good_fidelity_from=d.get("good_fidelity_from"),
        )
        sections = {}
        number = 0
        anchors = []
        for position, s in enumerate(d["sections"], start=1):
            section = models.section.objects.create(
                **owner,
                scale=scale,
                key=s["key"],
                name=s["name"].strip(),
                position=position,
                is_subscale=bool(s.get("subscale")),
            )
            sections[s["key"]] = section
            for in_section, i in enumerate(s["items"], start=1):
                number += 1
                item = models.item.objects.create(
                    **owner,
                    scale=scale,
                    section=section,
                    key=i["key"],
                    number=number,
                    number_in_section=in_section,
                    name=i["name"].strip(),
                    description=i["description"].strip(),
                    allows_not_rated=bool(i.get("allows_not_rated")),
                )
                anchors.extend(
                    models.anchor(**owner, item=item, rating=int(r), description=text.strip())
                    for r, text in i["anchors"].items()
                )
        models.anchor.objects.bulk_create(anchors)
        models.band.objects.bulk_create(
            models.band(
                **owner,
                scale=scale,
                section=sections.get(b.get("section")),
                key=b["key"],
                label=b["label"].strip(),
                min_total=b["min_total"],
                max_total=b["max_total"],
            )
            for b in d["bands"]
        )
    return scale


def install_standard_scales() -> list:
    """Install the standard scales shipped with the portal where they are missing (a
    database emptied after the migrations ran, such as a fresh demo); idempotent."""
    return [install_scale(json.loads(path.read_text(encoding="utf-8"))) for path in STANDARD_SCALES]
