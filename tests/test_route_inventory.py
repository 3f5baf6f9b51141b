"""The route-inventory isolation test (DESIGN.md, "Tests").

Every URL pattern of the project is called with GET, POST, PUT, PATCH and DELETE by people who
must not reach the victim's data: every role of another collaborative and anonymous visitors,
and, for routes about one agency, the staff of another agency of the same collaborative. For
each call the test asserts the answer the route's fixture allows (see ``tests/route_fixtures.py``
for the registry and its contract), that no body shows a victim marker, that the victim's rows
did not change, and that no row of another collaborative points at a victim row. A pattern
without a fixture fails :func:`test_it_has_a_fixture_for_every_url_pattern`.

All offending (route, method, attacker, problem) lines are collected and reported together.
"""

from __future__ import annotations

import json
import operator
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import reduce
from urllib.parse import urlencode, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.db.models import Model, Q
from django.http import HttpResponse
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.urls.resolvers import RoutePattern
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from agencies.models import Agency, Collaborative, Membership, Region, Role
from ipsportal.models import User
from tests.factories import Tenant
from tests.route_fixtures import (
    Registry,
    Route,
    RouteFixture,
    default_data,
    fixture_for,
    iter_routes,
    load_registry,
    missing_fixtures,
    route_url,
    stale_fixtures,
)

METHODS = ("get", "post", "put", "patch", "delete")
TEXT_FIELDS = ("name", "slug", "email", "full_name")


# --------------------------------------------------------------------------------------------
# What belongs to the victim
# --------------------------------------------------------------------------------------------


def _attnames(model: type[Model]) -> set[str]:
    return {f.attname for f in model._meta.concrete_fields}


def _is_history(model: type[Model]) -> bool:
    # simple-history's Historical* classes point back at the model they record.
    return hasattr(model, "instance_type")


def tenant_models(*, history: bool = True) -> list[type[Model]]:
    """Every model whose rows carry a collaborative."""
    return [
        m
        for m in apps.get_models(include_auto_created=True)
        if "collaborative_id" in _attnames(m) and (history or not _is_history(m))
    ]


def _rows(qs) -> list[tuple]:
    return list(qs.order_by("pk").values_list())


@dataclass
class Victim:
    """The victim tenant as the test sees it: its markers and its rows."""

    tenant: Tenant
    user_ids: set = field(default_factory=set)
    emails: set = field(default_factory=set)
    markers: set = field(default_factory=set)
    agency_markers: set = field(default_factory=set)

    def __post_init__(self) -> None:
        collab = self.tenant.collaborative
        self.user_ids = set(
            Membership.objects.filter(collaborative=collab).values_list("user_id", flat=True)
        )
        users = list(User.objects.filter(pk__in=self.user_ids))
        markers = {collab.name, collab.slug, str(collab.pk)}
        for user in users:
            markers |= {user.email, user.full_name}
        for model in tenant_models(history=False):
            markers |= self._row_markers(model._base_manager.filter(collaborative_id=collab.pk))
        self.emails = {u.email for u in users} | {m for m in markers if "@" in m}
        self.markers = markers | getattr(self.tenant, "extra_markers", set())

        agency = self.tenant.agency
        agency_markers = {agency.name, agency.slug, str(agency.pk)}
        staff = Membership.objects.filter(
            collaborative=collab, role__in=Role.agency_roles(), agencies=agency
        ).select_related("user")
        for membership in staff:
            agency_markers |= {membership.user.email, membership.user.full_name}
        for _model, qs in self._agency_querysets(history=False):
            agency_markers |= self._row_markers(qs)
        self.agency_markers = agency_markers | getattr(self.tenant, "extra_agency_markers", set())
        # Markers too short or too common to mean anything are dropped, not matched loosely.
        self.markers = {m for m in self.markers if m and len(m) >= 5}
        self.agency_markers = {m for m in self.agency_markers if m and len(m) >= 5}

    @staticmethod
    def _row_markers(qs) -> set[str]:
        model = qs.model
        texts = [f.attname for f in model._meta.concrete_fields if f.name in TEXT_FIELDS]
        uuids = [
            f.attname
            for f in model._meta.concrete_fields
            if f.get_internal_type() == "UUIDField" and not f.is_relation
        ]
        found: set[str] = set()
        for row in qs.values(*texts, *uuids):
            for value in row.values():
                if value:
                    found.add(str(value))
                    if isinstance(value, uuid.UUID):
                        found.add(value.hex)
        return found

    # -- rows ---------------------------------------------------------------------------------

    def snapshot(self) -> dict[str, list]:
        """Every row of the victim: its collaborative, every row carrying it (history too),
        its users and the rows pointing at them, rows with its email addresses."""
        collab = self.tenant.collaborative
        data: dict[str, list] = {"Collaborative": _rows(Collaborative.objects.filter(pk=collab.pk))}
        for model in apps.get_models(include_auto_created=True):
            names = _attnames(model)
            label = model._meta.label
            if "collaborative_id" in names:
                data[label] = _rows(model._base_manager.filter(collaborative_id=collab.pk))
                continue
            condition = Q()
            if model is User:
                condition |= Q(pk__in=self.user_ids)
            for f in model._meta.concrete_fields:
                if f.is_relation and f.related_model is User:
                    condition |= Q(**{f"{f.attname}__in": self.user_ids})
            if "email" in names:
                condition |= Q(email__in=self.emails)
            if condition:
                data[label] = _rows(model._base_manager.filter(condition))
        return data

    def _agency_querysets(self, *, history: bool = True):
        agency = self.tenant.agency
        hop: dict[type[Model], set] = {}
        for model in tenant_models(history=history):
            names = _attnames(model)
            if model is Agency or (_is_history(model) and model.instance_type is Agency):
                field_name = "pk" if model is Agency else "id"
                yield model, model._base_manager.filter(**{field_name: agency.pk})
            elif "agency_id" in names:
                qs = model._base_manager.filter(agency_id=agency.pk)
                yield model, qs
                if _is_history(model):
                    continue
                # One hop further: the rows these rows belong to (a membership, an
                # invitation, a plan) are the agency's too.
                for f in model._meta.concrete_fields:
                    target = f.related_model if f.is_relation else None
                    if (
                        target is None
                        or target in (Agency, Collaborative, Region)
                        or "collaborative_id" not in _attnames(target)
                    ):
                        continue
                    hop.setdefault(target, set()).update(qs.values_list(f.attname, flat=True))
        for target, ids in hop.items():
            yield target, target._base_manager.filter(pk__in=ids)

    def agency_snapshot(self) -> dict[str, list]:
        """The rows of ``tenant.agency``: its own row and history, every row whose agency it
        is, and the rows those point at."""
        data: dict[str, list] = {}
        for model, qs in self._agency_querysets():
            data.setdefault(model._meta.label, []).extend(_rows(qs))
        return data

    def foreign_references(self) -> list[str]:
        """Rows of another collaborative that point at a row of the victim."""
        collab = self.tenant.collaborative
        found = []
        for model in tenant_models(history=False):
            conditions = {}
            for f in model._meta.concrete_fields:
                target = f.related_model if f.is_relation else None
                if f.name == "collaborative" or target is None:
                    continue
                if target is Collaborative:
                    conditions[f.name] = Q(**{f.attname: collab.pk})
                elif "collaborative_id" in _attnames(target):
                    victim_rows = target._base_manager.filter(collaborative_id=collab.pk)
                    conditions[f.name] = Q(**{f"{f.attname}__in": victim_rows.values("pk")})
            if not conditions:
                continue
            outside = model._base_manager.exclude(collaborative_id=collab.pk)
            # One query per model; the breakdown only when there is something to explain.
            if not outside.filter(reduce(operator.or_, conditions.values())).exists():
                continue
            for name, condition in conditions.items():
                count = outside.filter(condition).count()
                if count:
                    found.append(f"{count} {model._meta.label} row(s) point at it by {name}")
        return found


def marker_pattern(markers: Iterable[str]) -> re.Pattern:
    """One regex for all markers, matched as whole tokens (``person1@x`` is not found inside
    ``person12@x``, ``agency-3`` not inside ``agency-31``)."""
    alternatives = "|".join(re.escape(m) for m in sorted(markers, key=len, reverse=True))
    return re.compile(rf"(?<![\w@.+-])(?:{alternatives})(?![\w-])", re.IGNORECASE)


def markers_in(body: str, pattern: re.Pattern, *, exempt: str = "") -> set[str]:
    """The markers a body shows, except those the request itself carried in ``exempt``."""
    found = {m.group(0) for m in pattern.finditer(body)}
    exempt = exempt.lower()
    return {m for m in found if m.lower() not in exempt}


# --------------------------------------------------------------------------------------------
# Attacking
# --------------------------------------------------------------------------------------------


@dataclass
class Attacker:
    label: str
    user: User | None  # None: anonymous
    client: Client
    token: bool = False  # authenticated by an API token, not a session
    role: Role | None = None

    def login(self) -> None:
        if self.user is not None and not self.token:
            self.client.force_login(self.user)


def session_attackers(users: dict[Role, User], label: str, *, anonymous: bool) -> list[Attacker]:
    attackers = (
        [Attacker("anonymous", None, Client(enforce_csrf_checks=False))] if anonymous else []
    )
    for role, user in users.items():
        attacker = Attacker(
            f"{label} {role.label}", user, Client(enforce_csrf_checks=False), role=role
        )
        attacker.login()
        attackers.append(attacker)
    return attackers


def token_attackers(users: dict[Role, User], label: str) -> list[Attacker]:
    attackers = []
    for role, user in users.items():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        attackers.append(
            Attacker(f"{label} {role.label} (token)", user, client, token=True, role=role)
        )
    return attackers


def _login_paths() -> set[str]:
    try:
        return {settings.LOGIN_URL, reverse("admin:login")}
    except NoReverseMatch:  # a test URLconf without the admin
        return {settings.LOGIN_URL}


def _is_login_redirect(response) -> bool:
    return 300 <= response.status_code < 400 and (
        urlsplit(response.get("Location", "")).path in _login_paths()
    )


def _body(response) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
        response.close()
    else:
        content = response.content
    return content.decode("utf-8", errors="replace")


def _status_problem(kind: str, response, *, anonymous: bool) -> str | None:
    """Why this status is wrong for this kind of route, or None."""
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    if kind in ("public", "scoped_list"):
        return None
    if 200 <= status < 300:
        return f"got {status}: it must not succeed"
    if kind == "tenant" and not anonymous:
        return None if status in (404, 405) else f"got {status}, not 404"
    if 300 <= status < 400:
        target = urlsplit(response["Location"]).path
        # The admin's logout sends non-staff back to the admin, which sends them to its login.
        if _is_login_redirect(response) or (
            kind == "staff_only" and target.startswith("/" + settings.ADMIN_URL)
        ):
            return None
        return f"redirect to {response['Location']}"
    return None if status in (401, 403, 404, 405) else f"got {status}"


@dataclass
class Attack:
    """Calls routes as a set of attackers and collects every problem."""

    victim: Victim
    markers: re.Pattern
    failures: list[str] = field(default_factory=list)

    def call(self, attacker: Attacker, method: str, url: str, body: dict | None, api: bool):
        client = attacker.client
        if method == "get" or body is None:
            return getattr(client, method)(url)
        if api:
            return getattr(client, method)(
                url, data=json.dumps(body), content_type="application/json"
            )
        if method == "post":
            return client.post(url, data=body)
        return getattr(client, method)(
            url, data=urlencode(body, doseq=True), content_type="application/x-www-form-urlencoded"
        )

    def route(self, route: Route, fixture: RouteFixture, attackers: list[Attacker]) -> None:
        tenant = self.victim.tenant
        kwargs = dict(fixture.kwargs(tenant))
        if "format" in route.params:
            kwargs.setdefault("format", "json")
        lacking = route.params - set(kwargs)
        if lacking:
            self.failures.append(f"{route}: the fixture gives no {sorted(lacking)}")
            return
        url = route_url(route, {k: v for k, v in kwargs.items() if k in route.params})
        query = fixture.query(tenant) if fixture.query else {}
        if query:
            url += "?" + urlencode(query, doseq=True)
        body = fixture.data(tenant) if fixture.data else default_data(tenant)
        exempt = json.dumps(body, default=str) + json.dumps(query, default=str)
        api = route.route.startswith("api/")
        if fixture.kind == "staff_only":
            # The admin lets in staff only, whatever their roles: an anonymous visitor and
            # the most privileged attacker stand for all (and keep the run short).
            attackers = [a for a in attackers if a.user is None or a.role == Role.STATE_ADMIN]
        for attacker in attackers:
            for method in METHODS:
                where = f"{route} {method.upper()} as {attacker.label}"
                try:
                    response = self.call(attacker, method, url, body, api)
                except Exception as exc:  # a crash is a finding too; keep looking
                    self.failures.append(f"{where}: raised {type(exc).__name__}: {exc}")
                    attacker.login()
                    continue
                problem = _status_problem(fixture.kind, response, anonymous=attacker.user is None)
                if problem:
                    self.failures.append(f"{where}: {problem}")
                self.check_body(where, response, exempt)
                self.follow(where, attacker, response, exempt)
                if settings.SESSION_COOKIE_NAME in response.cookies:
                    # The route logged the attacker out or in: start again as them.
                    attacker.login()

    def check_body(self, where: str, response, exempt: str) -> None:
        shown = markers_in(_body(response), self.markers, exempt=exempt)
        if shown:
            self.failures.append(
                f"{where}: status {response.status_code} shows {sorted(shown)[:5]}"
            )

    def follow(self, where: str, attacker: Attacker, response, exempt: str) -> None:
        """A redirect elsewhere than a login page may lead to a page that shows what the
        route did (a flashed message naming the object): look at that page too."""
        if not (300 <= response.status_code < 400) or _is_login_redirect(response):
            return
        location = urlsplit(response["Location"])
        if location.netloc and location.netloc != "testserver":
            return
        target = attacker.client.get(
            location.path + (f"?{location.query}" if location.query else "")
        )
        if target.status_code >= 500:
            self.failures.append(f"{where}: the redirect leads to a server error")
        self.check_body(f"{where} -> {location.path}", target, exempt)


def _prepare(tenant: Tenant) -> tuple[Registry, list[tuple[Route, RouteFixture]]]:
    registry = load_registry()
    for build in registry.builds:
        build(tenant)
    pairs = [(r, fixture_for(r, registry)) for r in iter_routes()]
    return registry, [(r, f) for r, f in pairs if f is not None]


def _report(failures: list[str]) -> str:
    return f"{len(failures)} leak(s) or wrong answer(s):\n" + "\n".join(failures)


# --------------------------------------------------------------------------------------------
# The tests
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


def test_it_builds_the_url_of_every_pattern_so_that_it_resolves_back_to_it(tenant):
    from django.urls import resolve

    registry, pairs = _prepare(tenant)
    wrong = []
    for route, fixture in pairs:
        kwargs = dict(fixture.kwargs(tenant))
        kwargs.setdefault("format", "json")
        url = route_url(route, {k: v for k, v in kwargs.items() if k in route.params})
        match = resolve(urlsplit(url).path)
        if match.func is not route.pattern.callback or (match.url_name or None) != (
            route.pattern.name or None
        ):
            wrong.append(f"{route}: {url} resolves to {match.route}")
    assert not wrong, "\n".join(wrong)


def test_it_spots_a_marker_in_a_body_but_not_an_echo_of_the_request(tenant):
    victim = Victim(tenant)
    pattern = marker_pattern(victim.markers)
    agency_id = str(tenant.agency.pk)
    assert markers_in(f"<td>{tenant.agency.name}</td>", pattern)
    assert markers_in(f'<a href="/agencies/{agency_id}/">', pattern)
    assert markers_in(f"id {tenant.agency.pk.hex}", pattern)
    assert not markers_in(f"{agency_id} is not one of the choices", pattern, exempt=agency_id)
    email = tenant.user(Role.STATE_ADMIN).email
    local, domain = email.split("@")
    assert not markers_in(f"{local}7@{domain}", pattern)  # another person's address


def test_it_spots_a_change_of_the_victims_rows_and_a_reference_from_outside(tenant, other_tenant):
    victim = Victim(tenant)
    before, before_agency = victim.snapshot(), victim.agency_snapshot()
    assert not victim.foreign_references()

    Agency.objects.filter(pk=tenant.agency.pk).update(city="Changed")
    assert victim.snapshot() != before
    assert victim.agency_snapshot() != before_agency

    Agency.objects.filter(pk=other_tenant.agency.pk).update(region=tenant.region)
    assert victim.foreign_references() == ["1 agencies.Agency row(s) point at it by region"]


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


def _row_changes(before: list[tuple], after: list[tuple]) -> str:
    old, new = {repr(r) for r in before}, {repr(r) for r in after}
    return f"gone {sorted(old - new)[:2]}, new {sorted(new - old)[:2]}"


def _attack_all(
    attack: Attack,
    pairs: list[tuple[Route, RouteFixture]],
    attackers: list[Attacker],
    snapshot,
    *,
    references: bool = True,
) -> None:
    before = snapshot()
    for route, fixture in pairs:
        attack.route(route, fixture, attackers)
        after = snapshot()
        changed = sorted(k for k in before if before[k] != after.get(k))
        if changed:
            attack.failures.append(
                f"{route}: the victim's rows changed in {changed}: "
                + "; ".join(_row_changes(before[k], after.get(k, [])) for k in changed)
            )
        if references:
            for reference in attack.victim.foreign_references():
                attack.failures.append(f"{route}: {reference}")
        before = after


def test_it_lets_no_user_of_another_collaborative_reach_the_victim(tenant, other_tenant):
    registry, pairs = _prepare(tenant)
    victim = Victim(tenant)
    attack = Attack(victim, marker_pattern(victim.markers))
    attackers = session_attackers(other_tenant.users, "other collaborative's", anonymous=True)
    _attack_all(attack, pairs, attackers, victim.snapshot)
    assert len(pairs) > 20
    assert not attack.failures, _report(attack.failures)


def test_it_lets_no_staff_of_another_agency_reach_the_agency(tenant):
    registry, pairs = _prepare(tenant)
    victim = Victim(tenant)
    attack = Attack(victim, marker_pattern(victim.agency_markers))
    attackers = session_attackers(tenant.other_agency_users, "other agency's", anonymous=False)
    scoped = [(r, f) for r, f in pairs if f.agency_scoped]
    # Within one collaborative, rows pointing at each other are normal: only agency one's
    # rows must stay as they were.
    _attack_all(attack, scoped, attackers, victim.agency_snapshot, references=False)
    assert len(scoped) > 5
    assert not attack.failures, _report(attack.failures)


def test_it_lets_no_api_token_of_another_collaborative_reach_the_victim(tenant, other_tenant):
    registry, pairs = _prepare(tenant)
    victim = Victim(tenant)
    attack = Attack(victim, marker_pattern(victim.markers))
    attackers = token_attackers(other_tenant.users, "other collaborative's")
    api = [(r, f) for r, f in pairs if r.route.startswith("api/v1/")]
    _attack_all(attack, api, attackers, victim.snapshot)
    assert len(api) >= 4
    assert not attack.failures, _report(attack.failures)


def _leaky_agency(request, agency_id):
    # The bug planted for the test below: no scope in the query, and a write on any method.
    agency = Agency.objects.get(pk=agency_id)
    if request.method != "GET":
        Agency.objects.filter(pk=agency.pk).update(city="Leaked")
        Agency.objects.filter(collaborative=request.user.memberships.get().collaborative).update(
            region=agency.region
        )
    return HttpResponse(f"<h1>{agency.name}</h1>")


#: The URLconf of the test below (``pytest.mark.urls``): one route that leaks.
urlpatterns = [path("leaky/<uuid:agency_id>/", _leaky_agency, name="leaky")]


@pytest.mark.urls(__name__)
def test_it_reports_a_route_that_leaks(tenant, other_tenant):
    victim = Victim(tenant)
    attack = Attack(victim, marker_pattern(victim.markers))
    admin = {Role.STATE_ADMIN: other_tenant.user(Role.STATE_ADMIN)}
    attackers = session_attackers(admin, "other", anonymous=False)
    (route,) = iter_routes()
    fixture = RouteFixture("tenant", kwargs=lambda t: {"agency_id": t.agency.pk})
    _attack_all(attack, [(route, fixture)], attackers, victim.snapshot)
    found = "\n".join(attack.failures)
    assert (
        "leaky (leaky/<uuid:agency_id>/) GET as other State admin: got 200: it must not succeed"
        in found
    )
    assert f"status 200 shows ['{tenant.agency.name}']" in found
    assert "the victim's rows changed in ['agencies.Agency']" in found
    assert "agencies.Agency row(s) point at it by region" in found
