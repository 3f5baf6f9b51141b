"""How long the agency list takes for a collaborative with 500 agencies."""

from django.urls import reverse

from agencies.models import Agency, ImplementationPhase, Role

PHASES = ImplementationPhase.values


def test_it_lists_500_agencies_quickly(benchmark, client, tenant):
    Agency.objects.bulk_create(
        Agency(
            collaborative=tenant.collaborative,
            name=f"Bench Agency {n:03d}",
            slug=f"bench-agency-{n:03d}",
            city="Springfield" if n % 3 else "Joplin",
            region=tenant.region if n % 2 else None,
            implementation_phase=PHASES[n % len(PHASES)],
        )
        for n in range(498)
    )
    client.force_login(tenant.user(Role.STATE_ADMIN))
    url = reverse("agencies:list")

    response = benchmark(client.get, url, {"q": "springfield", "page": "3"})

    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 332
    assert response.context["page_obj"].number == 3
    # A page should render well under a quarter of a second even on a small machine.
    assert benchmark.stats.stats.median < 0.25
