"""Charts: inline SVG made on the server, with a table alternative, safe with any label."""

import pytest
from django.urls import reverse

from agencies.models import Role
from ipsportal.charts import Bar, BarChart
from tests.readiness.helpers import make_visit


def _chart(label="Oct 16, 2018") -> BarChart:
    return BarChart(
        title="Areas ready",
        description="One bar per visit.",
        bars=(Bar(label, 7, 10, "7 of 10"), Bar("May 14, 2019", 9, 10, "9 of 10")),
        label_heading="Visit",
        value_heading="Areas rated ready",
        chart_id="c1",
    )


def test_it_draws_a_labelled_svg_with_a_bar_per_value_and_a_table_alternative():
    chart = _chart()
    svg = str(chart.svg)
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert 'aria-labelledby="c1-title c1-desc"' in svg
    assert '<title id="c1-title">Areas ready</title>' in svg
    assert svg.count('fill="#1f5fa8"') == 2  # one filled bar per value
    assert "7 of 10" in svg and "9 of 10" in svg
    assert "style=" not in svg  # presentation attributes only (a strict CSP allows them)
    # 7 of 10 fills 70% of the plot's height (180 px), 9 of 10 fills 90%.
    assert 'height="126.0" fill="#1f5fa8"' in svg and 'height="162.0" fill="#1f5fa8"' in svg
    table = str(chart.table)
    assert "<caption>Areas ready</caption>" in table
    assert "<td>Oct 16, 2018</td><td>7 of 10</td>" in table
    assert chart.table_rows() == [("Oct 16, 2018", "7 of 10"), ("May 14, 2019", "9 of 10")]


def test_it_escapes_labels_in_the_svg_and_the_table():
    chart = _chart(label='<script>alert("x")</script>')
    assert "<script>" not in str(chart.svg) and "<script>" not in str(chart.table)
    assert "&lt;script&gt;" in str(chart.svg)


@pytest.mark.django_db
def test_it_shows_the_readiness_chart_on_the_agency_page_to_readers_of_final_visits(client, tenant):
    make_visit(tenant, final=True)
    make_visit(tenant, label="draft")  # drafts are not charted
    client.force_login(tenant.user(Role.IPS_SUPERVISOR))
    page = client.get(reverse("agencies:detail", args=[tenant.agency.pk])).content.decode()
    assert page.count('role="img"') == 1
    assert "The same figures as a table" in page
    client.force_login(tenant.user(Role.EMPLOYMENT_SPECIALIST))
    page = client.get(reverse("agencies:detail", args=[tenant.agency.pk])).content.decode()
    assert 'role="img"' not in page
