"""How long the condition-bearing queries take: the readiness overview and the visits API
for a final-only reader (a VR liaison) assigned to 300 of 500 agencies with 2,000 visits."""

import datetime

from django.urls import reverse
from rest_framework.test import APIClient

from agencies.models import Agency, Role
from readiness.models import ReadinessVisit
from readiness.services import checklist_current
from tests.factories import grant, make_user


def _build(tenant):
    agencies = Agency.objects.bulk_create(
        Agency(collaborative=tenant.collaborative, name=f"Bench {n:03d}", slug=f"bench-{n:03d}")
        for n in range(500)
    )
    checklist = checklist_current(collaborative=tenant.collaborative)
    now = tenant.collaborative.local_now()
    ReadinessVisit.objects.bulk_create(
        ReadinessVisit(
            collaborative=tenant.collaborative,
            agency=agencies[n % 500],
            checklist=checklist,
            status="final" if n % 3 else "draft",
            finalized_at=now if n % 3 else None,
            visit_date=datetime.date(2024, 1, 1) + datetime.timedelta(days=n % 600),
            ready_count=n % 10,
            rated_count=10,
            applicable_count=10,
        )
        for n in range(2000)
    )
    liaison = make_user()
    grant(liaison, tenant.collaborative, Role.VR_LIAISON, agencies[:300])
    return liaison


def test_it_shows_the_overview_to_a_final_only_reader_quickly(benchmark, client, tenant):
    liaison = _build(tenant)
    client.force_login(liaison)
    response = benchmark(client.get, reverse("readiness:overview"), {"page": "2"})
    assert response.status_code == 200
    assert response.context["counts"]["total"] == 300
    median_ms = benchmark.stats.stats.median * 1000
    print(f"\noverview, 300 of 500 agencies, 2,000 visits: median {median_ms:.1f} ms")


def test_it_lists_a_final_only_readers_visits_through_the_api_quickly(benchmark, tenant):
    liaison = _build(tenant)
    api = APIClient()
    api.force_authenticate(liaison)
    response = benchmark(api.get, reverse("readinessvisit-list"), {"page": "3"})
    assert response.status_code == 200
    # Finalized visits of the 300 assigned agencies only: two of every three of 1,200.
    assert response.json()["count"] == 800
    print(
        f"\nvisits API page, final-only reader: median {benchmark.stats.stats.median * 1000:.1f} ms"
    )
