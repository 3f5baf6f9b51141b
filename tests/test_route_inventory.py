"""The route inventory (DESIGN.md, "Tests"), and the tests of the isolation sweep's machinery.

:func:`test_it_has_a_fixture_for_every_url_pattern` lists every URL pattern without a route
fixture at once (each also fails its own item of ``tests/test_route_isolation.py``). The
other tests show that the sweep can fail: each plants a bug (a route that leaks, a dashboard
adding up every tenant's numbers, a list that forgets that drafts are hidden from final-only
roles) and checks that the sweep reports it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Sum
from django.http import Http404, HttpResponse
from django.urls import URLPattern, path, resolve, reverse
from django.urls.resolvers import RoutePattern

from agencies.models import Agency, Membership, Role
from readiness.models import ReadinessVisit, VisitStatus
from tests.factories import grant, make_user
from tests.isolation import (  # noqa: F401 (also the names other tests import from here)
    Attacker,
    Markers,
    Victim,
    build_world,
    marker_pattern,
    markers_in,
    number_pattern,
    prepare,
    report,
    session_attackers,
    token_attackers,
)
from tests.readiness.helpers import make_visit
from tests.route_fixtures import (
    Insider,
    Route,
    RouteFixture,
    add_marker,
    fixture_for,
    hide,
    iter_routes,
    load_registry,
    missing_fixtures,
    stale_fixtures,
)

# --------------------------------------------------------------------------------------------
# The inventory
# --------------------------------------------------------------------------------------------


def test_it_has_a_fixture_for_every_url_pattern():
    registry = load_registry()
    routes = list(iter_routes())
    missing = missing_fixtures(routes, registry)
    stale = stale_fixtures(routes, registry)
    assert not missing, (
        "URL patterns without a route fixture (add them to tests/route_fixtures.py or "
        "tests/<app>/route_fixtures.py):\n" + "\n".join(str(r) for r in missing)
    )
    assert not stale, f"route fixtures that match no URL pattern: {stale}"


def test_it_finds_every_kind_of_pattern_in_the_inventory():
    # The walk must reach into included resolvers, or the test above proves nothing.
    keys = {r.key for r in iter_routes()}
    assert {"home", "agencies:detail", "account_login", "agency-detail", "admin:index"} <= keys
    assert "api_schema" in keys
    assert any(r.name is None and r.route.startswith(settings.ADMIN_URL) for r in iter_routes())


def test_it_gives_every_pattern_an_item_id_of_its_own():
    routes = list(iter_routes())
    ids = [r.test_id for r in routes]
    assert len(ids) == len(set(ids))
    assert {"agency-detail", "readiness:visit_edit", "home"} <= set(ids)
    # A format variant (an API route's ".json") shares its name, not its id.
    for route in routes:
        assert route.test_id == route.key + (".json" if "format" in route.params else "")


def test_it_flags_a_pattern_without_a_fixture():
    registry = load_registry()
    extra = URLPattern(RoutePattern("secret/<uuid:thing_id>/"), lambda request: None, name="x")
    routes = list(iter_routes())
    secret = Route("secret/<uuid:thing_id>/", "secret", None, (extra.pattern,), extra)
    already = missing_fixtures(routes, registry)
    assert missing_fixtures([*routes, secret], registry) == [*already, secret]
    # An unnamed pattern is keyed by its route string.
    extra = URLPattern(RoutePattern("hidden/"), lambda request: None)
    hidden = Route("hidden/", None, None, (extra.pattern,), extra)
    assert missing_fixtures([hidden], registry) == [hidden]
    registry.routes["hidden/"] = RouteFixture("public")
    assert missing_fixtures([hidden], registry) == []


def test_it_fails_the_item_of_a_pattern_without_a_fixture(tenant, other_tenant):
    world = build_world(tenant=tenant, other_tenant=other_tenant)
    extra = URLPattern(RoutePattern("secret/<uuid:thing_id>/"), lambda request: None, name="x")
    secret = Route("secret/<uuid:thing_id>/", "secret", None, (extra.pattern,), extra)
    assert world.sweep(secret) == [
        "secret (secret/<uuid:thing_id>/): no route fixture (add one to "
        "tests/route_fixtures.py or tests/<app>/route_fixtures.py)"
    ]
    # A fixture that cannot fill the URL fails too.
    world.registry.routes["secret"] = RouteFixture("tenant")
    assert world.sweep(secret) == [
        "secret (secret/<uuid:thing_id>/): the fixture gives no ['thing_id']"
    ]


def test_it_builds_the_url_of_every_pattern_so_that_it_resolves_back_to_it(tenant):
    registry = load_registry()
    for build in registry.builds:
        build(tenant)
    wrong = []
    for route in iter_routes():
        call = prepare(route, fixture_for(route, registry), tenant, registry.parameters)
        if isinstance(call, str):
            wrong.append(call)
            continue
        match = resolve(urlsplit(call.url).path)
        if match.func is not route.pattern.callback or (match.url_name or None) != (
            route.pattern.name or None
        ):
            wrong.append(f"{route}: {call.url} resolves to {match.route}")
    assert not wrong, "\n".join(wrong)


def test_it_fills_url_parameters_from_their_defaults(tenant):
    registry = load_registry()
    for build in registry.builds:
        build(tenant)
    (route,) = [r for r in iter_routes() if r.key == "readiness:visit_detail"]
    call = prepare(route, RouteFixture("tenant"), tenant, registry.parameters)
    assert call.url == reverse("readiness:visit_detail", args=[tenant.visit.pk])
    assert call.objects == (tenant.visit,)
    # The fixture's own kwargs win over the defaults, as ids or as objects.
    fixture = RouteFixture("tenant", kwargs=lambda t: {"visit_id": t.visit_draft.pk})
    call = prepare(route, fixture, tenant, registry.parameters)
    assert call.url == reverse("readiness:visit_detail", args=[tenant.visit_draft.pk])
    assert call.subjects == {str(tenant.visit_draft.pk)}


def test_it_sends_the_collaborative_and_the_insiders_at_the_routes_they_concern(
    tenant, other_tenant
):
    world = build_world(tenant=tenant, other_tenant=other_tenant)
    routes = {r.test_id: r for r in iter_routes()}

    def groups(key: str) -> list[str]:
        route = routes[key]
        call = prepare(route, fixture_for(route, world.registry), tenant, world.registry.parameters)
        return [g.name for g in world.groups(call)]

    final_only = ["VR liaison", "IPS supervisor", "Agency leader"]
    assert groups("admin:index") == ["outsiders"]
    assert groups("account_login") == ["outsiders"]  # public: no tenant data to hide
    # The region is the collaborative's, not the agency's: only outsiders.
    assert groups("agencies:region_edit")[:1] == ["outsiders"]
    assert "the collaborative outside the agency" not in groups("agencies:region_edit")
    on_draft = groups("readiness:visit_edit")
    assert on_draft[:2] == ["outsiders", "the collaborative outside the agency"]
    for role in [*final_only, "Employment specialist"]:
        assert any(name.startswith(f"the agency's {role} ") for name in on_draft), role
    # A list may show people inside the scope anything but what is hidden from them.
    assert len(groups("readiness:overview")) == len(on_draft)

    labels = world.attacker_labels()
    assert len(labels["outsiders"]) == 1 + 2 * len(Role)  # anonymous, sessions, tokens
    assert len(labels["the collaborative outside the agency"]) == 6
    assert {label.removeprefix("the agency's ") for label in labels["inside the scope"]} == {
        *final_only,
        "Employment specialist",
        # A reviewer's own ratings are hidden from the review's other reviewer, the admins
        # and a trainer of the agency who is not on the review (the fidelity fixtures).
        "Fidelity reviewer",
        "State admin",
        "a trainer of the agency not on the review",
    }


# --------------------------------------------------------------------------------------------
# Markers, rows, references
# --------------------------------------------------------------------------------------------


def test_it_spots_a_marker_in_a_body_but_not_an_echo_of_the_request(tenant):
    victim = Victim(tenant)
    pattern = marker_pattern(victim.markers.texts)
    agency_id = str(tenant.agency.pk)
    assert markers_in(f"<td>{tenant.agency.name}</td>", pattern)
    assert markers_in(f'<a href="/agencies/{agency_id}/">', pattern)
    assert markers_in(f"id {tenant.agency.pk.hex}", pattern)
    assert not markers_in(f"{agency_id} is not one of the choices", pattern, exempt=agency_id)
    email = tenant.user(Role.STATE_ADMIN).email
    local, domain = email.split("@")
    assert not markers_in(f"{local}7@{domain}", pattern)  # another person's address
    assert markers_in(f"<td>{tenant.agency.name}</td>", victim.markers)


def test_it_spots_a_number_as_a_whole_number_in_its_usual_renderings():
    markers = Markers(numbers=frozenset({4817}))
    for body in (
        "4817",
        '{"version":4817,"x":1}',
        "[6293,4817]",
        "<td>4,817</td>",
        "4&nbsp;817 areas",
        "4\u00a0817",
        "total: 4817.",
        "(4817)",
    ):
        assert markers.found(body), body
    for body in (
        "14817",
        "48170",
        "4817.5",
        "0.4817",
        "v4817",
        "b7c1e2a4-9f3d-4817-a1b2-c3d4e5f60718",
        "44,817",
        "4,8170",
    ):
        assert not markers.found(body), body
    # A number the request itself sent is an echo, found as a whole number there too.
    assert not markers.found('"version": 4817', exempt='{"version": "4817"}')
    assert markers.found('"version": 4817', exempt='{"agency": "a4817b"}')
    assert number_pattern([4817]).search("4,817")


def test_it_spots_a_change_of_the_victims_rows_and_a_reference_from_outside(tenant, other_tenant):
    victim = Victim(tenant)
    before, before_agency = victim.snapshot(), victim.agency_snapshot()
    assert not victim.foreign_references()

    Agency.objects.filter(pk=tenant.agency.pk).update(city="Changed")
    assert victim.snapshot() != before
    assert victim.agency_snapshot() != before_agency

    Agency.objects.filter(pk=other_tenant.agency.pk).update(region=tenant.region)
    assert victim.foreign_references() == ["1 agencies.Agency row(s) point at it by region"]


def test_it_keeps_an_objects_markers_to_what_only_that_object_has(tenant):
    draft = make_visit(tenant, label="only in the draft")
    final = make_visit(tenant, final=True, label="only in the final")
    add_marker(tenant, 4817, of=draft)
    victim = Victim(tenant)
    markers = victim.concealed_markers([draft])
    assert str(draft.pk) in markers.texts
    assert {str(r.pk) for r in draft.ratings.all()} <= markers.texts
    assert str(final.pk) not in markers.texts
    # Shared with the final visit, or the agency's: not the draft's own.
    assert "dana.director@example.org" not in markers.texts
    assert tenant.agency.name not in markers.texts
    assert markers.numbers == {4817}
    # What is the draft's is the agency's and the collaborative's too.
    assert 4817 in victim.agency_markers.numbers and 4817 in victim.markers.numbers


def test_it_refuses_numbers_that_rows_outside_the_victim_carry(tenant, other_tenant):
    draft = make_visit(tenant)
    add_marker(tenant, 4817, of=draft)
    assert Victim(tenant).numbers_elsewhere() == []
    theirs = make_visit(other_tenant, user=other_tenant.user(Role.STATE_TRAINER))
    ReadinessVisit.objects.filter(pk=theirs.pk).update(rated_count=4817)
    assert Victim(tenant).numbers_elsewhere() == ["readiness.ReadinessVisit.rated_count = 4817"]


def test_it_does_not_echo_the_url_uuid_on_a_404_page(client, tenant, other_tenant):
    client.force_login(other_tenant.user(Role.STATE_ADMIN))
    for url in (
        reverse("agencies:detail", args=[tenant.agency.pk]),
        f"/no-such-page/{tenant.agency.pk}/",
        reverse("agency-detail", args=[tenant.agency.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert str(tenant.agency.pk) not in response.content.decode()


# --------------------------------------------------------------------------------------------
# Planted bugs: the sweep must report each
# --------------------------------------------------------------------------------------------


def _leaky_agency(request, agency_id):
    # No scope in the query, and a write on any method.
    agency = Agency.objects.get(pk=agency_id)
    if request.method != "GET":
        Agency.objects.filter(pk=agency.pk).update(city="Leaked")
        Agency.objects.filter(collaborative=request.user.memberships.get().collaborative).update(
            region=agency.region
        )
    return HttpResponse(f"<h1>{agency.name}</h1>")


def _leaky_dashboard(request):
    # Adds up every tenant's drafts: the number is a victim's as soon as it is the only one.
    totals = ReadinessVisit.objects.filter(status=VisitStatus.DRAFT).aggregate(Sum("rated_count"))
    return HttpResponse(f"<p>Areas rated in drafts: {totals['rated_count__sum'] or 0:,}</p>")


def _own_agency_ids(user):
    return Membership.objects.filter(user=user).values_list("agencies", flat=True)


def _leaky_visit_list(request):
    # The agencies are in scope, but drafts are listed to roles that read final visits only.
    visits = ReadinessVisit.objects.filter(agency__in=_own_agency_ids(request.user))
    return HttpResponse("".join(f"<li>{v.pk} v{v.version} ({v.version})</li>" for v in visits))


def _leaky_visit(request, visit_id):
    visit = ReadinessVisit.objects.filter(
        pk=visit_id, agency__in=_own_agency_ids(request.user)
    ).first()
    if visit is None:
        raise Http404
    return HttpResponse(f"<p>{visit.barriers}</p>")


#: The URLconf of the tests below (set once their world is built): routes that leak.
urlpatterns = [
    path("leaky/<uuid:agency_id>/", _leaky_agency, name="leaky"),
    path("dashboard/", _leaky_dashboard, name="dashboard"),
    path("visits/", _leaky_visit_list, name="visits"),
    path("visits/<uuid:visit_id>/", _leaky_visit, name="visit"),
]


def _planted(key: str) -> Route:
    (route,) = [r for r in iter_routes() if r.key == key]
    return route


def _world(settings, tenant, other_tenant, registry=None, **fixtures):
    """The world of the sweep, then this module's routes in place of the project's (the
    builds need the project's, e.g. to write an invitation's link)."""
    registry = registry or load_registry()
    registry.routes.update(fixtures)
    world = build_world(registry, tenant=tenant, other_tenant=other_tenant)
    settings.ROOT_URLCONF = __name__
    return world


def test_it_reports_a_route_that_leaks(settings, tenant, other_tenant):
    world = _world(settings, tenant, other_tenant, leaky=RouteFixture("tenant"))
    found = "\n".join(world.sweep(_planted("leaky")))
    assert (
        "leaky (leaky/<uuid:agency_id>/) GET as other collaborative's State admin: "
        "got 200: it must not succeed" in found
    )
    assert f"status 200 shows ['{tenant.agency.name}']" in found
    assert "outsiders changed rows in ['agencies.Agency']" in found
    assert "agencies.Agency row(s) point at it by region" in found
    # People of the collaborative outside the agency, the assigned state roles included.
    for who in ("other agency's IPS supervisor", "other agency's assigned State trainer"):
        assert f"GET as {who}: got 200: it must not succeed" in found, who
        assert f"GET as {who}: status 200 shows ['{tenant.agency.name}']" in found, who
    assert "the collaborative outside the agency changed rows in ['agencies.Agency']" in found


def test_it_reports_a_dashboard_that_adds_up_other_tenants_numbers(settings, tenant, other_tenant):
    world = _world(settings, tenant, other_tenant, dashboard=RouteFixture("scoped_list"))
    rated = tenant.visit_draft.rated_count
    assert rated in world.victim.markers.numbers
    found = "\n".join(world.sweep(_planted("dashboard")))
    assert (
        f"dashboard (dashboard/) GET as other collaborative's State admin: status 200 shows "
        f"['{rated:,}']" in found
    )
    assert f"GET as anonymous: status 200 shows ['{rated:,}']" in found


def test_it_reports_drafts_shown_to_people_who_read_final_visits_only(
    settings, tenant, other_tenant
):
    # Two more people who must not see the draft, named the way later kinds will be: the
    # agency's other employment specialist (hidden in a build), a reviewer of the
    # collaborative who is not on a review (hidden by the fixture).
    tenant.second_es = make_user(full_name="Second specialist")
    grant(tenant.second_es, tenant.collaborative, Role.EMPLOYMENT_SPECIALIST, [tenant.agency])
    tenant.unassigned = make_user(full_name="Unassigned reviewer")
    grant(tenant.unassigned, tenant.collaborative, Role.FIDELITY_REVIEWER, [tenant.agency])
    second_es = Insider("the agency's second employment specialist", lambda t: t.second_es)
    unassigned = Insider("a reviewer not on the review", lambda t: t.unassigned)
    registry = load_registry()
    registry.builds.append(lambda t: hide(t, t.visit_draft, from_=[second_es]))
    registry.routes["visits"] = RouteFixture("scoped_list")
    registry.routes["visit"] = RouteFixture(
        "tenant", kwargs=lambda t: {"visit_id": t.visit_draft}, hidden_from=(unassigned,)
    )
    world = _world(settings, tenant, other_tenant, registry)
    draft = tenant.visit_draft

    listed = world.sweep(_planted("visits"))
    opened = "\n".join(world.sweep(_planted("visit")))
    for role in ("VR liaison", "IPS supervisor", "Agency leader", "Employment specialist"):
        who = f"the agency's {role}"
        mine = "\n".join(line for line in listed if f" as {who}:" in line)
        assert "GET as" in mine and "status 200 shows" in mine, role
        assert str(draft.pk) in mine or str(draft.version) in mine, role
        assert f"GET as {who}: got 200: it must not succeed" in opened, role
        if role != "Employment specialist":
            # The final visit is theirs to see, and so is the agency's name.
            assert str(tenant.visit.pk) not in mine, role
            assert str(tenant.visit.version) not in mine, role
        assert tenant.agency.name not in mine, role
    listed = "\n".join(listed)
    assert f"'{draft.version}'" in listed
    assert "GET as the agency's second employment specialist: status 200 shows" in listed
    assert "GET as a reviewer not on the review: got 200: it must not succeed" in opened
    # Nobody else inside the scope was kept from the draft: the trainer may see it.
    assert "the agency's State trainer" not in listed


def test_it_builds_the_victim_when_history_counters_elsewhere_stand_at_its_numbers(
    settings, tenant, other_tenant
):
    # In a long run the histories' own counters reach the markers' range; they are never
    # shown, so a row of another collaborative at a marker's number spoils nothing.
    from agencies.models import Region
    from tests.route_fixtures import _NUMBERS

    history = Region.history.model
    for n, number in enumerate(_NUMBERS):
        region = Region.objects.create(
            collaborative=other_tenant.collaborative, name=f"Counted region {n}"
        )
        history.objects.filter(id=region.pk).update(history_id=number)
    assert history.objects.filter(history_id__in=_NUMBERS).count() == len(_NUMBERS)
    world = _world(settings, tenant, other_tenant)
    assert world.victim.markers.numbers
