"""Fidelity scales as data: the shipped 25-item scale, the installer's checks (every problem
named by where it is, nothing written), adapted scales of a collaborative, and the command."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from fidelity.models import FidelityScale, ItemAnchor, ScaleItem, ScaleSection, ScoreBand
from fidelity.scale_install import ScaleDefinitionError, check_definition, install_scale
from tests.fidelity.helpers import small_scale, standard_definition

pytestmark = pytest.mark.django_db


@pytest.fixture
def standard():
    return FidelityScale.objects.get(collaborative=None, slug="ips-se", version=1)


def test_it_installs_the_25_item_scale_in_three_sections(standard):
    sections = {s.key: s.items.count() for s in standard.sections.all()}
    assert sections == {"staffing": 3, "organization": 8, "services": 14}
    assert list(standard.items.values_list("number", flat=True)) == list(range(1, 26))
    first = standard.items.get(number=1)
    assert (first.key, first.section.key, first.number_in_section) == (
        "caseload_size",
        "staffing",
        1,
    )
    assert first.label == "Staffing 1. Caseload size"
    assert standard.items.get(number=25).label.startswith("Services 14.")


def test_it_gives_every_item_an_anchor_for_each_rating_1_to_5(standard):
    counts = set(
        ItemAnchor.objects.filter(item__scale=standard)
        .values("item")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    )
    assert counts == {5}
    caseload = standard.items.get(key="caseload_size")
    anchors = {a.rating: a.description for a in caseload.anchors.all()}
    assert "20 people or fewer" in anchors[5] and "21 to 25" in anchors[4]
    assert "41 or more" in anchors[1]


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (125, "exemplary"),
        (115, "exemplary"),
        (114, "good"),
        (100, "good"),
        (99, "fair"),
        (74, "fair"),
        (73, "not_se"),
        (25, "not_se"),
    ],
)
def test_it_bands_totals_at_their_boundaries(standard, total, band):
    assert standard.band_for(total).key == band


def test_it_has_no_band_without_a_total_or_outside_the_range(standard):
    assert standard.band_for(None) is None
    assert standard.band_for(24) is None
    assert standard.band_for(126) is None
    assert standard.good_fidelity_from == 100


def test_it_finds_the_shipped_definition_sound():
    assert check_definition(standard_definition()) == []


def test_it_names_each_problem_of_a_definition_by_where_it_is():
    d = standard_definition()
    del d["sections"][0]["items"][0]["anchors"]["3"]
    d["sections"][1]["items"][1]["key"] = "caseload_size"
    d["sections"][2]["items"][0]["anchors"]["6"] = "too high"
    d["bands"][1]["min_total"] = 98  # overlaps fair
    d["bands"][3]["min_total"] = 30  # leaves 25-29 uncovered
    problems = check_definition(d)
    assert "section 1, item 1 (caseload_size), anchors: “3” is missing or empty" in problems
    assert "section 2, item 2: the key “caseload_size” is used twice" in problems
    assert any("anchors for ratings outside the scale: 6" in p for p in problems)
    assert "bands of the scale: bands overlap at the total 98" in problems
    assert "bands of the scale: no band covers the totals 25-29" in problems


def test_it_writes_nothing_when_a_definition_is_refused():
    d = small_scale(slug="broken")
    d["bands"].pop()  # the work subscale's 2-3 are not covered
    before = (FidelityScale.objects.count(), ScaleItem.objects.count())
    with pytest.raises(ScaleDefinitionError) as refused:
        install_scale(d)
    assert refused.value.problems == ["bands of the subscale work: no band covers the totals 2-3"]
    assert (FidelityScale.objects.count(), ScaleItem.objects.count()) == before


def test_it_refuses_a_band_of_a_section_that_is_not_a_subscale():
    d = small_scale()
    d["sections"][1]["subscale"] = False
    d["bands"].append(
        {"key": "x", "label": "X", "min_total": 2, "max_total": 6, "section": "school"}
    )
    assert "band 5: “section” must name a subscale (got 'school')" in check_definition(d)


def test_it_installs_an_adapted_scale_with_subscales_for_a_collaborative(tenant):
    scale = install_scale(small_scale(), collaborative=tenant.collaborative)
    assert scale.collaborative == tenant.collaborative
    for model in (ScaleSection, ScaleItem, ItemAnchor, ScoreBand):
        rows = model.objects.filter(collaborative=tenant.collaborative)
        assert rows.exists() and not rows.exclude(collaborative=tenant.collaborative).exists()
    assert scale.band_for(9).label == "High" and scale.band_for(8).label == "Low"
    work = scale.sections.get(key="work")
    assert work.is_subscale
    assert sorted(b.label for b in work.bands.all()) == ["Work fine", "Work weak"]
    # Installing the same slug and version again changes nothing.
    assert install_scale(small_scale(), collaborative=tenant.collaborative) == scale
    assert FidelityScale.objects.filter(collaborative=tenant.collaborative).count() == 1


def test_it_lets_two_collaboratives_adapt_under_the_same_slug(tenant, other_tenant):
    mine = install_scale(small_scale(), collaborative=tenant.collaborative)
    theirs = install_scale(small_scale(), collaborative=other_tenant.collaborative)
    assert mine != theirs


def test_it_installs_a_scale_from_a_file_with_the_command(tmp_path, tenant):
    path = tmp_path / "small.json"
    path.write_text(json.dumps(small_scale()), encoding="utf-8")
    out = io.StringIO()
    call_command(
        "install_fidelity_scale", str(path), collaborative=tenant.collaborative.slug, stdout=out
    )
    assert "Installed A small adapted scale (version 1) with 4 items" in out.getvalue()
    out = io.StringIO()
    call_command(
        "install_fidelity_scale", str(path), collaborative=tenant.collaborative.slug, stdout=out
    )
    assert out.getvalue().startswith("Already installed:")


def test_it_refuses_a_bad_file_with_the_command_and_lists_the_problems(tmp_path):
    d = small_scale()
    d["rating_min"] = 3
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(d), encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("install_fidelity_scale", str(path))
    assert "“rating_min” must be below “rating_max”" in str(refused.value)
    assert not FidelityScale.objects.filter(slug="small").exists()
    with pytest.raises(CommandError, match="No collaborative"):
        call_command("install_fidelity_scale", str(path), collaborative="nowhere")


def test_it_installs_the_standard_scale_again_where_the_database_lost_it(standard):
    from fidelity.scale_install import install_standard_scales

    assert install_standard_scales() == [standard]
    standard.delete()
    (again,) = install_standard_scales()
    assert (again.slug, again.version, again.items.count()) == ("ips-se", 1, 25)
    assert FidelityScale.objects.filter(collaborative=None, slug="ips-se").count() == 1
