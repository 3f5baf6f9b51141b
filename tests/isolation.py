"""The machinery of the route-isolation sweep (DESIGN.md, "Tests").

``tests/route_fixtures.py`` says what the sweep does and holds the registry's contract; this
module does it. A :class:`World` is the victim collaborative (with every app's objects, see
the registry's ``build`` functions), another collaborative, and what the sweep knows about
the victim (:class:`Victim`: its markers, its rows). :meth:`World.sweep` calls one URL
pattern as every group of attackers (:class:`Group`) and returns every problem found, as
lines naming the route, the method, the attacker and the problem.
"""

from __future__ import annotations

import json
import operator
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import reduce
from urllib.parse import urlencode, urlsplit

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import Model, Q
from django.test import Client
from django.urls import NoReverseMatch, reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from agencies.models import Agency, Collaborative, Membership, Region, Role
from ipsportal.models import User
from tests.factories import Tenant, make_tenant
from tests.route_fixtures import (
    Concealment,
    Insider,
    Registry,
    Route,
    RouteFixture,
    declared,
    default_data,
    fixture_for,
    insider,
    load_registry,
    object_key,
    route_url,
)

METHODS = ("get", "post", "put", "patch", "delete")
TEXT_FIELDS = ("name", "slug", "email", "full_name")


# --------------------------------------------------------------------------------------------
# Markers: what a body must not show
# --------------------------------------------------------------------------------------------


def marker_pattern(markers: Iterable[str]) -> re.Pattern:
    """One regex for all text markers, matched as whole tokens (``person1@x`` is not found
    inside ``person12@x``, ``agency-3`` not inside ``agency-31``)."""
    alternatives = "|".join(re.escape(m) for m in sorted(markers, key=len, reverse=True))
    return re.compile(rf"(?<![\w@.+-])(?:{alternatives})(?![\w-])", re.IGNORECASE)


#: How a page may write a number's thousands: 4817, 4,817, 4&nbsp;817, 4 817 (no-break
#: spaces, as some locales do).
_GROUP_SEPARATORS = (",", "\u00a0", "\u202f", "&nbsp;", "&#160;", "&#8239;")


def number_pattern(numbers: Iterable[int]) -> re.Pattern:
    """One regex for all numeric markers, matched as whole numbers: 4817 is found in
    ``"version":4817,``, ``[6293,4817]`` and ``4,817 areas``, not in ``14817``, ``4817.5``,
    ``0.4817``, a UUID's ``-4817-`` group or ``v4817``."""
    alternatives = set()
    for number in numbers:
        alternatives.add(str(number))
        grouped = f"{number:,}"
        if grouped != str(number):
            alternatives |= {grouped.replace(",", sep) for sep in _GROUP_SEPARATORS}
    body = "|".join(re.escape(a) for a in sorted(alternatives, key=len, reverse=True))
    return re.compile(rf"(?<![\w.\-])(?:{body})(?![\w\-]|\.\d)")


def _as_number(found: str) -> int:
    for sep in _GROUP_SEPARATORS:
        found = found.replace(sep, "")
    return int(found)


@dataclass(frozen=True)
class Markers:
    """Texts and numbers a body must not show."""

    texts: frozenset[str] = frozenset()
    numbers: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        # Markers too short or too common to mean anything are dropped, not matched loosely.
        object.__setattr__(self, "texts", frozenset(m for m in self.texts if m and len(m) >= 5))
        texts = marker_pattern(self.texts) if self.texts else None
        numbers = number_pattern(self.numbers) if self.numbers else None
        object.__setattr__(self, "_texts", texts)
        object.__setattr__(self, "_numbers", numbers)

    def __or__(self, other: Markers) -> Markers:
        return Markers(self.texts | other.texts, self.numbers | other.numbers)

    def __bool__(self) -> bool:
        return bool(self.texts or self.numbers)

    def found(self, body: str, *, exempt: str = "") -> set[str]:
        """The markers ``body`` shows, except those the request itself carried in
        ``exempt``."""
        shown: set[str] = set()
        if self._texts is not None:
            lowered = exempt.lower()
            shown |= {
                m.group(0) for m in self._texts.finditer(body) if m.group(0).lower() not in lowered
            }
        if self._numbers is not None:
            echoed = {_as_number(m.group(0)) for m in self._numbers.finditer(exempt)}
            shown |= {
                m.group(0)
                for m in self._numbers.finditer(body)
                if _as_number(m.group(0)) not in echoed
            }
        return shown


def markers_in(body: str, pattern: re.Pattern | Markers, *, exempt: str = "") -> set[str]:
    """The markers a body shows, except those the request itself carried in ``exempt``."""
    if isinstance(pattern, Markers):
        return pattern.found(body, exempt=exempt)
    found = {m.group(0) for m in pattern.finditer(body)}
    exempt = exempt.lower()
    return {m for m in found if m.lower() not in exempt}


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


def _row_markers(qs) -> set[str]:
    """The names, slugs, emails and UUIDs of the rows of ``qs``."""
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


def _split(declared_markers: Iterable[str | int]) -> Markers:
    texts = {m for m in declared_markers if isinstance(m, str)}
    return Markers(frozenset(texts), frozenset(m for m in declared_markers if isinstance(m, int)))


def _integer_fields(model: type[Model]) -> list[str]:
    return [
        f.attname
        for f in model._meta.concrete_fields
        if isinstance(f, models.IntegerField | models.AutoField) and not f.is_relation
    ]


@dataclass
class Victim:
    """The victim tenant as the sweep sees it: its markers and its rows.

    ``markers`` are what no outsider may see; ``agency_markers`` what nobody of the
    collaborative outside ``tenant.agency`` may see; :meth:`concealed_markers` what the
    people an object is hidden from may not see.
    """

    tenant: Tenant
    user_ids: set = field(default_factory=set)
    emails: set = field(default_factory=set)
    markers: Markers = field(default_factory=Markers)
    agency_markers: Markers = field(default_factory=Markers)

    def __post_init__(self) -> None:
        collab = self.tenant.collaborative
        extra = declared(self.tenant)
        self.user_ids = set(
            Membership.objects.filter(collaborative=collab).values_list("user_id", flat=True)
        )
        users = list(User.objects.filter(pk__in=self.user_ids))
        base = {collab.name, collab.slug, str(collab.pk)}
        for user in users:
            base |= {user.email, user.full_name}
        self._base_texts = base
        rows = set()
        for model in tenant_models(history=False):
            rows |= _row_markers(model._base_manager.filter(collaborative_id=collab.pk))
        self.emails = {u.email for u in users} | {m for m in rows if "@" in m}

        agency = self.tenant.agency
        agency_texts = {agency.name, agency.slug, str(agency.pk)}
        staff = Membership.objects.filter(
            collaborative=collab, role__in=Role.agency_roles(), agencies=agency
        ).select_related("user")
        for membership in staff:
            agency_texts |= {membership.user.email, membership.user.full_name}
        self.agency_pks: set[str] = set()
        for _model, qs in self._agency_querysets(history=False):
            agency_texts |= _row_markers(qs)
            self.agency_pks |= {str(pk) for pk in qs.values_list("pk", flat=True)}
        # What belongs to the agency belongs to the collaborative too.
        self.agency_markers = Markers(frozenset(agency_texts)) | _split(extra.agency)
        self.markers = (
            Markers(frozenset(base | rows)) | _split(extra.collaborative) | self.agency_markers
        )
        self._concealed: dict[frozenset[str], Markers] = {}

    # -- objects hidden inside the scope ------------------------------------------------------

    def object_rows(self, objects: Iterable[Model]) -> dict[type[Model], set]:
        """The rows of ``objects`` and of their children (tenant rows with a foreign key to
        one of them), by model; history left out."""
        found: dict[type[Model], set] = {}
        for obj in objects:
            found.setdefault(type(obj), set()).add(obj.pk)
            for model in tenant_models(history=False):
                for f in model._meta.concrete_fields:
                    if f.is_relation and f.related_model is type(obj):
                        pks = model._base_manager.filter(**{f.attname: obj.pk}).values_list(
                            "pk", flat=True
                        )
                        found.setdefault(model, set()).update(pks)
        return found

    def concealed_markers(self, objects: Iterable[Model]) -> Markers:
        """What identifies ``objects`` and nothing else of the victim: the names, slugs,
        emails and UUIDs of their rows and their children's that no other victim row has,
        and what ``add_marker(of=...)`` declared for them."""
        objects = list(objects)
        key = frozenset(object_key(o) for o in objects)
        if key not in self._concealed:
            rows = self.object_rows(objects)
            own, others = set(), set(self._base_texts)
            collab = self.tenant.collaborative
            for model in tenant_models(history=False):
                qs = model._base_manager.filter(collaborative_id=collab.pk)
                pks = rows.get(model, set())
                if pks:
                    own |= _row_markers(qs.filter(pk__in=pks))
                others |= _row_markers(qs.exclude(pk__in=pks))
            extra = declared(self.tenant).objects
            mine = {m for k in key for m in extra.get(k, ())}
            # A text declared for another object too (an action step both visits have)
            # identifies neither.
            others |= {m for k, found in extra.items() if k not in key for m in found}
            self._concealed[key] = Markers(frozenset(own - others)) | _split(mine - others)
        return self._concealed[key]

    def object_snapshot(self, objects: Iterable[Model]) -> dict[str, list]:
        """The rows of ``objects``, of their children, and their history."""
        objects = list(objects)
        data: dict[str, list] = {}
        for model in apps.get_models(include_auto_created=True):
            condition = Q()
            for obj in objects:
                if model is type(obj) or (_is_history(model) and model.instance_type is type(obj)):
                    condition |= Q(**{"id" if model is not type(obj) else "pk": obj.pk})
                for f in model._meta.concrete_fields:
                    if f.is_relation and f.related_model is type(obj):
                        condition |= Q(**{f.attname: obj.pk})
            if condition:
                data[model._meta.label] = _rows(model._base_manager.filter(condition))
        return data

    # -- numbers ------------------------------------------------------------------------------

    def numbers_elsewhere(self) -> list[str]:
        """Rows outside the victim that carry one of its numeric markers: there the number
        would not give the victim away, so the sweep could not trust it."""
        numbers = self.markers.numbers
        if not numbers:
            return []
        collab = self.tenant.collaborative
        found = []
        for model in apps.get_models(include_auto_created=True):
            names = _attnames(model)
            outside = model._base_manager.all()
            if "collaborative_id" in names:
                outside = outside.exclude(collaborative_id=collab.pk)
            elif model is Collaborative:
                outside = outside.exclude(pk=collab.pk)
            elif model is User:
                outside = outside.exclude(pk__in=self.user_ids)
            for name in _integer_fields(model):
                if _is_history(model) and name == "history_id":
                    # The history's own counter: never shown, and in a long run it reaches
                    # the markers' range by itself.
                    continue
                for value in outside.filter(**{f"{name}__in": numbers}).values_list(
                    name, flat=True
                ):
                    found.append(f"{model._meta.label}.{name} = {value}")
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
            # Only the collaborative's own: a standard checklist every visit points at is
            # nobody's.
            collab = self.tenant.collaborative
            yield target, target._base_manager.filter(pk__in=ids, collaborative_id=collab.pk)

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


# --------------------------------------------------------------------------------------------
# Attackers
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
    """A logged-in client per user (``label`` then the role), and an anonymous one."""
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


def token_attackers(
    users: dict[Role, User], label: str, keys: dict | None = None
) -> list[Attacker]:
    """An API client per user with the user's token (from ``keys`` by user id, or new)."""
    attackers = []
    for role, user in users.items():
        key = (keys or {}).get(user.pk) or Token.objects.create(user=user).key
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
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
        # The test client closes the response once its content is read, as a WSGI server
        # would; closing it again would fire request_finished, whose handler closes the
        # database connection in the middle of the test's transaction.
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return content.decode("utf-8", errors="replace")


#: What an attacker may get back, beyond a fixture's kinds: ``"denied"`` is a 403 (or
#: 404/405) for someone in scope without the right; ``"any"`` anything but a 5xx.
EXPECTATIONS = {"tenant", "scoped_list", "public", "staff_only", "denied", "any"}


def status_problem(expect: str, response, *, anonymous: bool) -> str | None:
    """Why this status is wrong for what the attacker may get (a fixture kind, ``denied``
    or ``any``), or None."""
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    if expect in ("public", "scoped_list", "any"):
        return None
    if 200 <= status < 300:
        return f"got {status}: it must not succeed"
    if expect == "tenant" and not anonymous:
        return None if status in (404, 405) else f"got {status}, not 404"
    if expect == "denied" and not anonymous:
        return None if status in (403, 404, 405) else f"got {status}, not 403 or 404"
    if 300 <= status < 400:
        target = urlsplit(response["Location"]).path
        # The admin's logout sends non-staff back to the admin, which sends them to its login.
        if _is_login_redirect(response) or (
            expect == "staff_only" and target.startswith("/" + settings.ADMIN_URL)
        ):
            return None
        return f"redirect to {response['Location']}"
    return None if status in (401, 403, 404, 405) else f"got {status}"


# --------------------------------------------------------------------------------------------
# Calling one route
# --------------------------------------------------------------------------------------------


@dataclass
class Call:
    """One route's request, built from its fixture: what every attacker sends."""

    route: Route
    fixture: RouteFixture
    url: str
    body: dict
    exempt: str  # the request's own text: markers it carries are not counted
    api: bool
    subjects: frozenset[str]  # the URL's arguments (primary keys of the objects it names)
    objects: tuple[Model, ...] = ()  # the objects the fixture's kwargs gave as objects


def prepare(
    route: Route, fixture: RouteFixture, tenant: Tenant, parameters: dict | None = None
) -> Call | str:
    """The request for ``route``, or why the fixture cannot make one."""
    kwargs = {
        name: default(tenant)
        for name, default in (parameters or {}).items()
        if name in route.params
    }
    kwargs.update(fixture.kwargs(tenant))
    if "format" in route.params:
        kwargs.setdefault("format", "json")
    lacking = route.params - set(kwargs)
    if lacking:
        return f"{route}: the fixture gives no {sorted(lacking)}"
    used = {k: v.pk if isinstance(v, Model) else v for k, v in kwargs.items() if k in route.params}
    url = route_url(route, used)
    query = fixture.query(tenant) if fixture.query else {}
    if query:
        url += "?" + urlencode(query, doseq=True)
    body = fixture.data(tenant) if fixture.data else default_data(tenant)
    exempt = json.dumps(body, default=str) + json.dumps(query, default=str)
    subjects = frozenset(str(v) for v in used.values())
    objects = tuple(v for k, v in kwargs.items() if k in route.params and isinstance(v, Model))
    return Call(
        route, fixture, url, body, exempt, route.route.startswith("api/"), subjects, objects
    )


@dataclass
class Sweep:
    """Calls one route as groups of attackers and collects every problem."""

    call: Call
    failures: list[str] = field(default_factory=list)

    def send(self, attacker: Attacker, method: str):
        client, url, body = attacker.client, self.call.url, self.call.body
        if method == "get" or body is None:
            return getattr(client, method)(url)
        if self.call.api:
            return getattr(client, method)(
                url, data=json.dumps(body), content_type="application/json"
            )
        if method == "post":
            return client.post(url, data=body)
        return getattr(client, method)(
            url, data=urlencode(body, doseq=True), content_type="application/x-www-form-urlencoded"
        )

    def attack(self, attacker: Attacker, expect: str, markers: Markers) -> None:
        for method in METHODS:
            where = f"{self.call.route} {method.upper()} as {attacker.label}"
            try:
                response = self.send(attacker, method)
            except Exception as exc:  # a crash is a finding too; keep looking
                self.failures.append(f"{where}: raised {type(exc).__name__}: {exc}")
                attacker.login()
                continue
            problem = status_problem(expect, response, anonymous=attacker.user is None)
            if problem:
                self.failures.append(f"{where}: {problem}")
            self.check_body(where, response, markers)
            self.follow(where, attacker, response, markers)
            if settings.SESSION_COOKIE_NAME in response.cookies:
                # The route logged the attacker out or in: start again as them.
                attacker.login()

    def check_body(self, where: str, response, markers: Markers) -> None:
        shown = markers.found(_body(response), exempt=self.call.exempt)
        if shown:
            self.failures.append(
                f"{where}: status {response.status_code} shows {sorted(shown)[:5]}"
            )

    def follow(self, where: str, attacker: Attacker, response, markers: Markers) -> None:
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
        self.check_body(f"{where} -> {location.path}", target, markers)


def _row_changes(before: list[tuple], after: list[tuple]) -> str:
    old, new = {repr(r) for r in before}, {repr(r) for r in after}
    return f"gone {sorted(old - new)[:2]}, new {sorted(new - old)[:2]}"


@dataclass
class Group:
    """Attackers who may get the same answers (``expect``: a fixture kind, ``denied`` or
    ``any``), must not see the same ``markers`` and must not change the same rows.

    ``attackers`` makes the group's clients, logged in; :meth:`run` calls it inside the
    group's savepoint, so their logins leave nothing behind. ``snapshot`` reads the rows they
    must not change and ``before`` is what it read before any attack (read anew when None);
    ``references`` also lists rows of another collaborative that now point at the victim.
    """

    name: str
    attackers: Callable[[], list[Attacker]]
    expect: str
    markers: Markers
    snapshot: Callable[[], dict[str, list]]
    before: dict[str, list] | None = None
    references: Callable[[], list[str]] | None = None

    def run(self, sweep: Sweep) -> None:
        """Attack, check the rows, and roll the database back to where it was, so the next
        group (and the next route) starts from the same rows."""
        with transaction.atomic():
            before = self.before if self.before is not None else self.snapshot()
            for attacker in self.attackers():
                sweep.attack(attacker, self.expect, self.markers)
            after = self.snapshot()
            changed = sorted(k for k in before if before[k] != after.get(k))
            if changed:
                sweep.failures.append(
                    f"{sweep.call.route}: {self.name} changed rows in {changed}: "
                    + "; ".join(_row_changes(before[k], after.get(k, [])) for k in changed)
                )
            for reference in self.references() if self.references else ():
                sweep.failures.append(f"{sweep.call.route}: after {self.name}, {reference}")
            transaction.set_rollback(True)


# --------------------------------------------------------------------------------------------
# The world: the victim, the attackers, and a sweep per route
# --------------------------------------------------------------------------------------------


@dataclass
class Hidden:
    """A person inside the scope and the objects hidden from them."""

    insider: Insider
    user: User
    concealments: list[Concealment] = field(default_factory=list)

    def attacker(self) -> Attacker:
        attacker = Attacker(self.insider.label, self.user, Client(enforce_csrf_checks=False))
        attacker.login()
        return attacker


def _pks(objects: Iterable[Model]) -> frozenset[str]:
    return frozenset(str(o.pk) for o in objects)


@dataclass
class World:
    """The victim collaborative with every app's objects, another collaborative, and the
    attackers the sweep sends at every route.

    Build it once (:func:`build_world`, inside a transaction): each route's sweep runs every
    group in a savepoint that it rolls back, so every route meets the same rows.
    """

    registry: Registry
    tenant: Tenant
    other_tenant: Tenant
    victim: Victim
    tokens: dict  # user id -> API token key, for the other collaborative's users
    hidden: dict[str, Hidden]  # insider label -> what they must not see
    before: dict[str, dict]

    # -- who attacks --------------------------------------------------------------------------

    def outsiders(self, kind: str, *, api: bool) -> list[Attacker]:
        """Anonymous visitors and the other collaborative's people (with tokens too on the
        API)."""
        users = self.other_tenant.users
        if kind == "staff_only":
            # The admin lets in staff only, whatever their roles: an anonymous visitor and
            # the most privileged attacker stand for all (and keep the run short).
            users = {Role.STATE_ADMIN: users[Role.STATE_ADMIN]}
        attackers = session_attackers(users, "other collaborative's", anonymous=True)
        if api and kind != "staff_only":
            attackers += token_attackers(users, "other collaborative's", self.tokens)
        return attackers

    def collaborative_outsiders(self) -> list[Attacker]:
        """People of the victim collaborative outside ``tenant.agency``: the other agency's
        staff, and the trainer, reviewer and VR liaison assigned to it only."""
        return [
            *session_attackers(self.tenant.other_agency_users, "other agency's", anonymous=False),
            *session_attackers(
                self.tenant.elsewhere_users, "other agency's assigned", anonymous=False
            ),
        ]

    def attacker_labels(self) -> dict[str, list[str]]:
        """Who the sweep sends, by group."""
        return {
            "outsiders": [a.label for a in self.outsiders("tenant", api=True)],
            "the collaborative outside the agency": [
                a.label for a in self.collaborative_outsiders()
            ],
            "inside the scope": list(self.hidden),
        }

    def agency_scoped(self, call: Call) -> bool:
        if call.fixture.agency_scoped is not None:
            return call.fixture.agency_scoped
        if call.fixture.kind == "scoped_list":
            return True
        return call.fixture.kind == "tenant" and bool(call.subjects & self.victim.agency_pks)

    def hidden_on(self, call: Call) -> list[tuple[Hidden, str, list[Model]]]:
        """The people inside the scope who attack this route: (who, what they may get back,
        the objects they must not see)."""
        fixture = call.fixture
        # label -> (who, [(objects, answer, whether the URL names one of them)])
        plan: dict[str, tuple[Hidden, list[tuple[tuple[Model, ...], int, bool]]]] = {
            label: (
                hidden,
                [
                    (c.objects, c.answer, bool(_pks(c.objects) & call.subjects))
                    for c in hidden.concealments
                ],
            )
            for label, hidden in self.hidden.items()
        }
        if fixture.hidden_from:
            objects = fixture.hidden(self.tenant) if fixture.hidden else call.objects
            objects = (objects,) if isinstance(objects, Model) else tuple(objects)
            if not objects:
                raise ValueError(
                    f"{call.route}: hidden_from, but no object: give hidden=, or objects "
                    "(not their ids) in kwargs"
                )
            for who in fixture.hidden_from:
                person = insider(who)
                hidden, items = plan.setdefault(
                    person.label, (Hidden(person, person.user(self.tenant)), [])
                )
                items.append((objects, 404, True))
        attacks = []
        for hidden, items in plan.values():
            answers = {answer for _objects, answer, named in items if named}
            if answers:
                expect = "tenant" if 404 in answers else "denied"
            elif fixture.kind in ("tenant", "scoped_list"):
                expect = "any"
            else:
                continue
            attacks.append((hidden, expect, [o for objects, _a, _n in items for o in objects]))
        return attacks

    def groups(self, call: Call) -> list[Group]:
        """The groups of attackers this route meets."""
        kind = call.fixture.kind
        victim = self.victim
        groups = [
            Group(
                "outsiders",
                lambda: self.outsiders(kind, api=call.api),
                kind,
                victim.markers,
                victim.snapshot,
                before=self.before["victim"],
                references=victim.foreign_references,
            )
        ]
        if kind == "staff_only":
            return groups
        if self.agency_scoped(call):
            groups.append(
                Group(
                    "the collaborative outside the agency",
                    self.collaborative_outsiders,
                    kind,
                    victim.agency_markers,
                    # Within one collaborative, rows pointing at each other are normal:
                    # only the agency's rows must stay as they were.
                    victim.agency_snapshot,
                    before=self.before["agency"],
                )
            )
        for hidden, expect, objects in self.hidden_on(call):
            groups.append(
                Group(
                    f"{hidden.insider.label} (kept from {len(objects)} object(s))",
                    lambda hidden=hidden: [hidden.attacker()],
                    expect,
                    victim.concealed_markers(objects),
                    lambda objects=objects: victim.object_snapshot(objects),
                )
            )
        return groups

    # -- the sweep ----------------------------------------------------------------------------

    def sweep(self, route: Route) -> list[str]:
        """Every problem of ``route``: no fixture, a fixture that cannot build the URL, or
        what any attacker got, saw or changed."""
        fixture = fixture_for(route, self.registry)
        if fixture is None:
            return [
                f"{route}: no route fixture (add one to tests/route_fixtures.py or "
                "tests/<app>/route_fixtures.py)"
            ]
        call = prepare(route, fixture, self.tenant, self.registry.parameters)
        if isinstance(call, str):
            return [call]
        sweep = Sweep(call)
        for group in self.groups(call):
            group.run(sweep)
        return sweep.failures


def build_world(
    registry: Registry | None = None,
    *,
    tenant: Tenant | None = None,
    other_tenant: Tenant | None = None,
) -> World:
    """The victim (``make_tenant`` and every registry ``build``), another collaborative with
    API tokens, and what the sweep must know before it starts. Call it inside a transaction
    that is rolled back afterwards."""
    registry = registry or load_registry()
    tenant = tenant or make_tenant("Home")
    other = other_tenant or make_tenant("Outside")
    for build in registry.builds:
        build(tenant)
    victim = Victim(tenant)
    elsewhere = victim.numbers_elsewhere()
    if elsewhere:
        raise AssertionError(f"rows outside the victim carry its numeric markers: {elsewhere}")
    tokens = {u.pk: Token.objects.create(user=u).key for u in other.users.values()}
    hidden: dict[str, Hidden] = {}
    for concealment in declared(tenant).hidden:
        for person in concealment.insiders:
            entry = hidden.setdefault(person.label, Hidden(person, person.user(tenant)))
            entry.concealments.append(concealment)
    before = {"victim": victim.snapshot(), "agency": victim.agency_snapshot()}
    return World(registry, tenant, other, victim, tokens, hidden, before)


def report(failures: list[str]) -> str:
    return f"{len(failures)} leak(s) or wrong answer(s):\n" + "\n".join(failures)
