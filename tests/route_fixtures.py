"""The route-fixture registry of the route-isolation sweep.

``tests/test_route_isolation.py`` walks every URL pattern of the project and makes **one test
item per pattern** (its id is the pattern's key, below). Each item calls its URL with GET,
POST, PUT, PATCH and DELETE as people who must not reach the victim's data, in three groups:

outsiders
    Anonymous visitors, every role of another collaborative, and (for ``/api/`` routes) the
    same people with an API token. They must see nothing of the victim collaborative.
people of the collaborative outside the agency
    For routes about one agency (``agency_scoped``): the agency staff of
    ``tenant.other_agency`` (``tenant.other_agency_users``) and the trainer, reviewer and VR
    liaison assigned to ``tenant.other_agency`` only (``tenant.elsewhere_users``). They must
    see nothing of ``tenant.agency``.
people inside the scope who must not see one object
    Roles that reach ``tenant.agency`` but not some of its objects: the final-only roles
    (VR liaison, IPS supervisor, agency leader) and the employment specialist against the
    draft readiness visit, say. An object is hidden from them with :func:`hide` (in
    ``build``) or by a fixture's ``hidden_from``. A route whose URL names the object answers
    them 404 (or 403 where :func:`hide` says so); every other route that can show tenant data
    (kinds ``tenant`` and ``scoped_list``) may answer them anything but a 5xx, and no answer
    shows the object's own markers (they may see the agency's name, not the draft's notes).
    The mechanism takes any person, not only a role of ``tenant.users``: an :class:`Insider`
    names one (the agency's other employment specialist against another's own records, a
    reviewer of the collaborative not assigned to a review).

To do that the sweep needs, for each pattern, the URL arguments that point at the victim's
objects and what answer is acceptable. That is what this registry holds. **A pattern without
a fixture fails its item** (and ``tests/test_route_inventory.py`` lists every such pattern),
so no new route escapes.

The contract, for the module of each app
----------------------------------------
An app may have ``tests/<app>/route_fixtures.py`` (this file holds the fixtures of the core:
``ipsportal``, ``agencies``, allauth, the admin site, the API root and its docs). The sweep
finds these modules by globbing ``tests/*/route_fixtures.py``. Each module exposes:

``ROUTES: dict[str, RouteFixture]``
    Keyed by the pattern's full name as used in ``reverse()``: ``"agencies:detail"``,
    ``"account_login"``, ``"agency-detail"`` for a DRF router route (its ``.json`` format
    variant shares the name and the fixture; the sweep adds ``format``, and the variant's item
    id ends in ``.json``). A pattern without a name is keyed by its full route string, e.g.
    ``"api/v1/^things/$"``. A key that matches no pattern fails the inventory (a stale fixture
    hides nothing, but it misleads).

``PARAMETERS: dict[str, Callable[[Tenant], Any]]`` (optional)
    The default value of a URL parameter, by its name: ``"agency_id": lambda t: t.agency``,
    ``"visit_id": lambda t: t.visit``. A fixture's ``kwargs`` are laid over these defaults, so
    a route whose parameters all have defaults needs no ``kwargs``: a new route usually costs
    one line, ``"readiness:visit_thing": RouteFixture("tenant")``. ``pk`` (DRF's lookup)
    names a different object on every router route and has no default. A parameter name
    defined twice is an error.

``def build(tenant) -> None`` (optional)
    Creates the app's victim objects in ``tenant`` (a ``tests.factories.Tenant``: the victim
    collaborative with ``agency``, ``other_agency``, ``region`` and a user per role) and stashes
    them on it, e.g. ``tenant.visit = ...``, so the ``kwargs`` and ``PARAMETERS`` callables
    can point at them. Create every object of the app's features, drafts and final ones, so a
    leak of any has something to show. ``build`` functions run after the core's, in the order
    of the app directories' names. Use the app's services where they exist (they are what real
    rows go through) or the ORM.

    Call :func:`add_marker` for what identifies the victim and that the sweep cannot guess: a
    text (a client code, a note) or a **number** (a count, a version: an ``int``, found as a
    whole number, also written ``4,817``). Give the victim's objects distinctive numbers where
    the data allows (:func:`distinctive_number`; a queryset ``.update()`` sets a count or a
    version without going through the services), so that a dashboard adding up every
    tenant's rows shows a number that gives it away. The sweep already treats as markers the
    names, slugs and emails of every victim row, the users of the victim collaborative, and
    the UUIDs of every victim row (rows whose ``collaborative`` is the victim's). Call
    :func:`hide` for an object some people inside the scope must not see.

``NAMESPACES: dict[str, RouteFixture]`` (optional)
    A fixture for every pattern of a URL namespace that has no fixture of its own. Only the
    admin site uses it (below): everything there answers the same way to people who are not
    staff, and a newly registered ``ModelAdmin`` must not need a fixture of its own.

:class:`RouteFixture`
---------------------
``kind`` says what the attackers may get back:

``"tenant"``
    The URL names a victim object. An authenticated attacker gets **404** (or 405 for a
    method the view does not support), never 2xx, 3xx or 403 (a 403 would tell that the
    object exists); an anonymous visitor gets a redirect to the login page (or 401/403 from
    the API, or 404/405).
``"scoped_list"``
    No victim object in the URL (a list, a dashboard, a "new" form, an endpoint that takes
    ids in the body or the query string). Any status but 5xx, but the body shows no victim
    marker.
``"public"``
    No tenant data at all (login, password reset, health check, the OpenAPI schema). Any
    status but 5xx, and no victim marker.
``"staff_only"``
    The operators' admin site. None of the attackers is staff, so every answer is a redirect
    to a login page (the admin's or the portal's) or back into the admin, 403, 404 or 405;
    never 2xx. The admin checks ``is_staff`` alone, which no role changes, so these routes
    are called by anonymous visitors and the other collaborative's state admin only.

For every kind and every attacker the sweep also asserts that the rows the attacker must not
touch did not change (the whole victim for outsiders, ``tenant.agency``'s rows for people of
the collaborative, the hidden object's rows for people inside the scope), that no row of
another collaborative now points at a victim row, that no response is a 5xx, and that no
body (2xx or not, including 404 pages and the page a non-login redirect leads to) shows a
marker the attacker must not see. A response may echo what the attacker put in the request
(a form saying "X is not one of the available choices"): that tells the attacker nothing, so
markers the request itself carries are not counted.

The other fields are optional:

``kwargs(tenant)``
    The URL arguments, laid over the ``PARAMETERS`` defaults: UUIDs of the victim's objects
    or the objects themselves (their ``pk`` goes into the URL), a bogus key for token routes;
    a regex pattern's positional groups are named ``_0``, ``_1``... there.
``data(tenant)``
    The body of POST/PUT/PATCH/DELETE: make it a plausible change (the form's fields with new
    values, or ids of victim objects in foreign-key fields) so that a missing check would
    actually change something. It is sent form-encoded to pages and as JSON to ``/api/``
    routes; without it the sweep sends :func:`default_data`.
``query(tenant)``
    A query string added to every method (filters naming victim ids).
``agency_scoped``
    The route concerns ``tenant.agency``, so the people of the collaborative outside it
    attack it too. Left unset, it is true for ``"scoped_list"`` routes and for ``"tenant"``
    routes whose URL names ``tenant.agency`` or one of its rows, false otherwise.
``hidden_from``, ``hidden(tenant)``
    People inside the scope (:class:`Role` values, standing for ``tenant.users[role]``, or
    :class:`Insider`) who must get 404 from this route and see none of the markers of its
    objects: ``hidden(tenant)`` (a model instance or several), else the objects the URL names.
    Prefer :func:`hide` in ``build``, which covers every route naming the object and every
    list at once; ``hidden_from`` is for a route whose object the URL cannot name.
``note``
    Why the fixture is what it is, for the next reader.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from django.core.files.base import ContentFile
from django.db.models import Model
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils import timezone
from django.utils.http import int_to_base36
from django.utils.regex_helper import normalize

from agencies.models import Role

if TYPE_CHECKING:
    from ipsportal.models import User
    from tests.factories import Tenant

Kind = Literal["tenant", "scoped_list", "public", "staff_only"]
KINDS: frozenset[str] = frozenset({"tenant", "scoped_list", "public", "staff_only"})


def no_kwargs(tenant: Tenant) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Insider:
    """A person of the victim collaborative, inside the scope of ``tenant.agency``, who must
    not see some of its objects. ``user(tenant)`` finds them among the objects a ``build``
    made, e.g. ``Insider("another employment specialist of the agency", lambda t: t.es2)``."""

    label: str
    user: Callable[[Tenant], User]


def insider(who: Role | Insider) -> Insider:
    """``who`` as an :class:`Insider`: a role stands for ``tenant.users[role]``, the user of
    that role in ``tenant.agency`` (or assigned to it)."""
    if isinstance(who, Insider):
        return who
    role = Role(who)
    return Insider(f"the agency's {role.label}", lambda tenant: tenant.user(role))


@dataclass(frozen=True)
class RouteFixture:
    """How the route-isolation sweep calls one URL pattern and what it may answer."""

    kind: Kind
    kwargs: Callable[[Tenant], dict[str, Any]] = no_kwargs
    data: Callable[[Tenant], dict[str, Any]] | None = None
    query: Callable[[Tenant], dict[str, Any]] | None = None
    agency_scoped: bool | None = None
    note: str = ""
    hidden_from: tuple[Role | Insider, ...] = ()
    hidden: Callable[[Tenant], Model | Iterable[Model]] | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown route fixture kind {self.kind!r}")
        if self.hidden is not None and not self.hidden_from:
            raise ValueError("hidden= says what is hidden; hidden_from= must say from whom")


def default_data(tenant: Tenant) -> dict[str, Any]:
    """The body sent when a fixture gives none: a name change and victim ids in the usual
    foreign-key fields."""
    return {
        "name": "Hacked",
        "collaborative": str(tenant.collaborative.pk),
        "agency": str(tenant.agency.pk),
        "region": str(tenant.region.pk),
    }


# --------------------------------------------------------------------------------------------
# What identifies the victim, and what people inside the scope must not see
# --------------------------------------------------------------------------------------------


@dataclass
class Declared:
    """What ``build`` functions declared about the victim (kept on ``tenant.declared``)."""

    collaborative: set[str | int] = field(default_factory=set)
    agency: set[str | int] = field(default_factory=set)
    # "app_label.model:pk" -> markers of that object alone
    objects: dict[str, set[str | int]] = field(default_factory=dict)
    hidden: list[Concealment] = field(default_factory=list)
    numbers: set[int] = field(default_factory=set)  # handed out or declared: not to reuse


@dataclass(frozen=True)
class Concealment:
    """``objects`` are hidden from ``insiders``: a route naming one of them answers them
    ``answer`` (404: outside their scope; 403: in their scope, without the right)."""

    objects: tuple[Model, ...]
    insiders: tuple[Insider, ...]
    answer: int = 404


def object_key(obj: Model) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def declared(tenant: Tenant) -> Declared:
    """The markers and hidden objects declared about ``tenant`` so far."""
    if not hasattr(tenant, "declared"):
        tenant.declared = Declared()
    return tenant.declared


def add_marker(
    tenant: Tenant, marker: str | int, *, agency: bool = False, of: Model | None = None
) -> None:
    """Declare ``marker`` (a text, or an ``int`` matched as a whole number) as identifying
    the victim: no outsider may see it. With ``agency``, it belongs to ``tenant.agency``, and
    people of the collaborative outside the agency may not see it either. With ``of``, it
    belongs to that object: whoever the object is hidden from (:func:`hide`) may not see it
    either (and it counts for the agency when the object is the agency's)."""
    if isinstance(marker, bool) or not isinstance(marker, str | int):
        raise TypeError(f"a marker is a text or an int, not {marker!r}")
    found = declared(tenant)
    if isinstance(marker, int):
        found.numbers.add(marker)
    if of is not None:
        found.objects.setdefault(object_key(of), set()).add(marker)
        agency = agency or of == tenant.agency or getattr(of, "agency_id", None) == tenant.agency.pk
    (found.agency if agency else found.collaborative).add(marker)


def hide(
    tenant: Tenant,
    obj: Model | Iterable[Model],
    *,
    from_: Iterable[Role | Insider],
    answer: int = 404,
) -> None:
    """Hide ``obj`` (an object of ``tenant.agency``, or several) from people inside the scope:
    every route whose URL names it answers them ``answer`` (404 by default; 403 for a role
    that sees the object exists but may not open it), and no route shows them its markers
    (its UUID, its children's, its texts and numbers declared with ``add_marker(of=...)``,
    less whatever other rows of the victim share)."""
    if answer not in (403, 404):
        raise ValueError("a hidden object answers 404 (out of scope) or 403 (no right)")
    objects = (obj,) if isinstance(obj, Model) else tuple(obj)
    insiders = tuple(insider(who) for who in from_)
    if not objects or not insiders:
        raise ValueError("hide() needs an object and someone to hide it from")
    declared(tenant).hidden.append(Concealment(objects, insiders, answer))


#: Distinctive 4-digit numbers: no repeated digit, not a year, not round.
_NUMBERS = (4817, 6293, 7351, 5749, 8162, 3968, 9425, 2687, 6534, 7816, 3479, 5862, 8437, 9271)


def distinctive_number(tenant: Tenant) -> int:
    """A number for a victim object (a count, a version) that no other number of the victim
    and no user id has; declare it with :func:`add_marker` after setting it."""
    from ipsportal.models import User

    taken = declared(tenant).numbers | set(
        User.objects.filter(pk__in=_NUMBERS).values_list("pk", flat=True)
    )
    for number in _NUMBERS:
        if number not in taken:
            declared(tenant).numbers.add(number)
            return number
    raise RuntimeError("no distinctive number left: add some to _NUMBERS")


# --------------------------------------------------------------------------------------------
# Walking the URL patterns
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One URL pattern of the project, with the chain of patterns that leads to it."""

    route: str  # the full route string, e.g. "agencies/<uuid:agency_id>/"
    name: str | None  # the full name for reverse(), e.g. "agencies:detail"
    namespace: str | None
    chain: tuple  # the resolvers' patterns and the final pattern, outermost first
    pattern: URLPattern

    @property
    def key(self) -> str:
        return self.name or self.route

    @property
    def params(self) -> set[str]:
        names: set[str] = set()
        for part in self.chain:
            names |= _pattern_params(part)
        return names

    @property
    def test_id(self) -> str:
        """The id of the route's test item: its key, with ``.json`` for the format variant of
        an API route (which shares the name)."""
        return f"{self.key}.json" if "format" in self.params else self.key

    def __str__(self) -> str:
        return f"{self.key} ({self.route})" if self.name else self.route


def _pattern_params(pattern) -> set[str]:
    if isinstance(pattern, RoutePattern):
        return set(pattern.converters)
    if pattern.regex.groupindex:
        return set(pattern.regex.groupindex)
    # A regex with positional groups only (Django ignores them when named ones exist):
    # named ``_0``, ``_1``... as django.utils.regex_helper.normalize names them.
    return {f"_{i}" for i in range(pattern.regex.groups)}


def _join(route1: str, route2: str) -> str:
    # As Django joins the routes it reports in ResolverMatch.route.
    if not route1:
        return route2
    return route1 + (route2[1:] if route2.startswith("^") else route2)


def iter_routes(patterns=None, prefix: str = "", namespace: str | None = None, chain=()):
    """Every URL pattern of the project, included resolvers (allauth, admin, the API router)
    walked recursively."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from iter_routes(
                p.url_patterns, _join(prefix, str(p.pattern)), ns, (*chain, p.pattern)
            )
        else:
            name = (f"{namespace}:{p.name}" if namespace else p.name) if p.name else None
            yield Route(_join(prefix, str(p.pattern)), name, namespace, (*chain, p.pattern), p)


_CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")


def route_url(route: Route, kwargs: dict[str, Any]) -> str:
    """The URL of exactly this pattern with these arguments (``reverse()`` cannot reach
    unnamed patterns, and picks among patterns sharing a name by the arguments' names)."""
    parts = []
    for pattern in route.chain:
        if isinstance(pattern, RoutePattern):
            text = str(pattern)

            def convert(match, pattern=pattern):
                name = match["parameter"]
                return str(pattern.converters[name].to_url(kwargs[name]))

            parts.append(_CONVERTER.sub(convert, text))
        elif isinstance(pattern, RegexPattern):
            wanted = _pattern_params(pattern)
            for template, params in normalize(pattern.regex.pattern):
                if set(params) == wanted:
                    parts.append(template % {k: str(kwargs[k]) for k in params})
                    break
            else:
                raise ValueError(f"cannot build a URL for {pattern.regex.pattern!r}")
        else:  # pragma: no cover - Django has only the two kinds
            raise TypeError(pattern)
    return "/" + "".join(parts)


# --------------------------------------------------------------------------------------------
# Collecting the registries
# --------------------------------------------------------------------------------------------


@dataclass
class Registry:
    routes: dict[str, RouteFixture]
    namespaces: dict[str, RouteFixture]
    builds: list[Callable[[Tenant], None]]
    sources: dict[str, str]  # key -> module that defined it
    parameters: dict[str, Callable[[Tenant], Any]] = field(default_factory=dict)


def registry_modules() -> list[str]:
    """This module and every ``tests/<app>/route_fixtures.py``."""
    here = Path(__file__).resolve().parent
    found = sorted(p.parent.name for p in here.glob("*/route_fixtures.py"))
    return [__name__, *(f"tests.{app}.route_fixtures" for app in found)]


def load_registry() -> Registry:
    """Merge the registries of all modules; a key defined twice is an error."""
    registry = Registry({}, {}, [], {})
    for module_name in registry_modules():
        module = importlib.import_module(module_name)
        for attr, target in (("ROUTES", registry.routes), ("NAMESPACES", registry.namespaces)):
            for key, fixture in getattr(module, attr, {}).items():
                if key in registry.sources:
                    raise ValueError(
                        f"route fixture {key!r} is defined in {registry.sources[key]} "
                        f"and in {module_name}"
                    )
                if not isinstance(fixture, RouteFixture):
                    raise TypeError(f"{module_name}.{attr}[{key!r}] is not a RouteFixture")
                registry.sources[key] = module_name
                target[key] = fixture
        for name, default in getattr(module, "PARAMETERS", {}).items():
            if name in registry.parameters:
                raise ValueError(f"URL parameter {name!r} has a default in two modules")
            if not callable(default):
                raise TypeError(f"{module_name}.PARAMETERS[{name!r}] is not callable")
            registry.parameters[name] = default
        if callable(getattr(module, "build", None)):
            registry.builds.append(module.build)
    return registry


def fixture_for(route: Route, registry: Registry) -> RouteFixture | None:
    """The route's own fixture, else its namespace's (the innermost that has one)."""
    if route.key in registry.routes:
        return registry.routes[route.key]
    namespace = route.namespace
    while namespace:
        if namespace in registry.namespaces:
            return registry.namespaces[namespace]
        namespace = namespace.rpartition(":")[0] or None
    return None


def missing_fixtures(routes: list[Route], registry: Registry) -> list[Route]:
    """The patterns that have no fixture."""
    return [r for r in routes if fixture_for(r, registry) is None]


def stale_fixtures(routes: list[Route], registry: Registry) -> list[str]:
    """Fixture keys that match no pattern (and namespaces with no pattern)."""
    keys = {r.key for r in routes}
    namespaces = {r.namespace for r in routes if r.namespace}
    return sorted(
        [k for k in registry.routes if k not in keys]
        + [n for n in registry.namespaces if n not in namespaces]
    )


# --------------------------------------------------------------------------------------------
# The core's victim objects
# --------------------------------------------------------------------------------------------


def build(tenant: Tenant) -> None:
    """Victim objects of the core: pending invitations (one into agency one, one into a state
    role), a rendered report about agency one, an implementation plan with a step."""
    from allauth.account.models import EmailAddress

    from agencies import services
    from agencies.models import ImplementationArea
    from ipsportal.models import Document
    from ipsportal.notifications.models import Delivery

    admin = tenant.user(Role.STATE_ADMIN)
    supervisor = tenant.user(Role.IPS_SUPERVISOR)
    slug = tenant.collaborative.slug

    # allauth records a user's own address the first time it deals with them (a login, a
    # reset request); record it up front, as for any person who has logged in, so the
    # inventory sees only changes an attacker causes.
    people = [
        *tenant.users.values(),
        *tenant.other_agency_users.values(),
        *tenant.elsewhere_users.values(),
    ]
    for user in people:
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"primary": True, "verified": True}
        )

    tenant.invitation = services.invitation_create(
        invited_by=supervisor,
        collaborative=tenant.collaborative,
        email=f"invitee.{slug}@example.org",
        full_name=f"Invitee of {tenant.collaborative.name}",
        role=Role.EMPLOYMENT_SPECIALIST,
        agencies=[tenant.agency],
    )
    add_marker(tenant, tenant.invitation.email, agency=True)
    tenant.state_invitation = services.invitation_create(
        invited_by=admin,
        collaborative=tenant.collaborative,
        email=f"trainee.{slug}@example.org",
        role=Role.STATE_TRAINER,
        agencies=[tenant.agency, tenant.other_agency],
    )

    # The invitation's email, failed, so that "send again" would change it.
    tenant.delivery = Delivery.objects.get(subject_id=tenant.invitation.pk)
    Delivery.objects.filter(pk=tenant.delivery.pk).update(
        status=Delivery.Status.FAILED, last_error=f"Mail server refused {slug}"
    )
    add_marker(tenant, f"Mail server refused {slug}")

    report = Document(
        collaborative=tenant.collaborative,
        agency=tenant.agency,
        kind="agency_summary",
        subject_id=tenant.agency.pk,
        title=f"Agency summary - {tenant.agency.name}",
        status=Document.Status.READY,
        requested_by=admin,
        finished_at=timezone.now(),
    )
    # Plain text inside the "PDF", so a download that leaks it shows the markers.
    report.file.save(
        "summary.pdf",
        ContentFile(f"%PDF-1.4 {tenant.agency.name} {tenant.collaborative.name}".encode()),
        save=False,
    )
    report.save()
    tenant.report = report

    tenant.plan = services.implementation_plan_create(user=supervisor, agency=tenant.agency)
    (tenant.plan_step,) = services.implementation_steps_add(
        user=supervisor,
        plan=tenant.plan,
        steps=[
            {
                "area": ImplementationArea.FUNDING,
                "action": f"Secret funding step of {tenant.agency.name}",
                "responsible": "Victim Owner",
                "target_date": timezone.localdate() + timedelta(days=30),
            }
        ],
    )
    add_marker(tenant, tenant.plan_step.action, agency=True)
    _build_roster(tenant)


def _build_roster(tenant: Tenant) -> None:
    """The agency's staff roster: a supervisor, an employment specialist on a treatment team
    (with a distinctive caseload) and a VR counselor."""
    from decimal import Decimal

    from agencies import services
    from agencies.models import StaffMember, StaffRole

    admin = tenant.user(Role.STATE_ADMIN)
    tenant.treatment_team = services.treatment_team_save(
        user=admin, agency=tenant.agency, name=f"Secret team of {tenant.agency.name}"
    )
    tenant.roster_supervisor = services.staff_member_create(
        user=admin,
        agency=tenant.agency,
        name=f"Secret Supervisor of {tenant.agency.name}",
        role=StaffRole.IPS_SUPERVISOR,
        fte=Decimal("1"),
    )
    tenant.staff_member = services.staff_member_create(
        user=admin,
        agency=tenant.agency,
        name=f"Secret Specialist of {tenant.agency.name}",
        role=StaffRole.EMPLOYMENT_SPECIALIST,
        fte=Decimal("1"),
        supervisor=tenant.roster_supervisor,
        treatment_teams=[tenant.treatment_team],
    )
    caseload = distinctive_number(tenant)
    StaffMember.objects.filter(pk=tenant.staff_member.pk).update(caseload=caseload)
    add_marker(tenant, caseload, agency=True)
    tenant.vr_counselor = services.vr_counselor_save(
        user=admin,
        agency=tenant.agency,
        name=f"Secret Counselor of {tenant.agency.name}",
        vr_office="Secret VR office",
    )
    for row in (tenant.treatment_team, tenant.roster_supervisor, tenant.staff_member):
        add_marker(tenant, row.name, agency=True)
    add_marker(tenant, tenant.vr_counselor.name, agency=True)


# --------------------------------------------------------------------------------------------
# The core's fixtures
# --------------------------------------------------------------------------------------------


def _agency(tenant: Tenant) -> dict[str, Any]:
    return {"agency_id": tenant.agency.pk}


def _agency_form(tenant: Tenant) -> dict[str, Any]:
    # Every field of AgencyForm, each changed, so a missing check would save something.
    return {
        "name": "Hacked agency",
        "region": str(tenant.region.pk),
        "street": "1 Hacked Road",
        "city": "Hackville",
        "state": "WI",
        "postal_code": "00000",
        "phone": "573-555-0000",
        "implementation_phase": "sustaining",
        "implementation_start_date": "2020-01-01",
        "vr_vendor_status": "vendor",
        "carf_accredited": "on",
        "ccbhc": "on",
        "pros_program": "on",
        "partner_employment_agency": "Hacked partner",
        "is_active": "",
    }


def _region_form(tenant: Tenant) -> dict[str, Any]:
    return {"name": "Hacked region", "liaison_name": "Hacker", "liaison_email": "h@example.org"}


def _victim_user_email(tenant: Tenant) -> str:
    return tenant.user(Role.STATE_ADMIN).email


def _password_pair(tenant: Tenant) -> dict[str, Any]:
    return {
        "password": "wrong-password-123",
        "oldpassword": "wrong-password-123",
        "password1": "Hacked-password-987",
        "password2": "Hacked-password-987",
        "full_name": "Hacked Name",
    }


def _api_agency(tenant: Tenant) -> dict[str, Any]:
    return {
        "name": "hacked",
        "collaborative": str(tenant.collaborative.pk),
        "region": str(tenant.region.pk),
        "city": "Hackville",
        "is_active": False,
    }


_TOKEN_KWARGS = {"token": "not-a-real-invitation-token"}


def _reset_key(tenant: Tenant) -> dict[str, Any]:
    # A real user's id with a made-up key: the page must not reveal whose account it is.
    return {"uidb36": int_to_base36(tenant.user(Role.STATE_ADMIN).pk), "key": "set-bogus-key"}


def _admin_kwargs(tenant: Tenant) -> dict[str, Any]:
    # Superset of the admin's URL arguments; the test passes those a pattern takes. The
    # admin checks staff status before it looks at any object, but point at real victim rows
    # anyway so a view that looked first would find something.
    from django.contrib.contenttypes.models import ContentType

    from agencies.models import Agency

    return {
        "object_id": str(tenant.user(Role.STATE_ADMIN).pk),
        # positional groups, e.g. simple-history's "<object id>/history/<history id>/"
        "_0": str(tenant.agency.pk),
        "_1": "1",
        "id": str(tenant.user(Role.STATE_ADMIN).pk),
        "content_type_id": str(ContentType.objects.get_for_model(Agency).pk),
        "app_label": "ipsportal",
        "url": f"agencies/agency/{tenant.agency.pk}/change/",
    }


def _staff_form(tenant: Tenant) -> dict[str, Any]:
    # A plausible change naming the victim's supervisor and team, so a missing check saves.
    return {
        "name": "Hacked specialist",
        "role": "employment_specialist",
        "fte": "1.00",
        "supervisor": str(tenant.roster_supervisor.pk),
        "treatment_teams": [str(tenant.treatment_team.pk)],
        "caseload": "40",
        "community_time_percent": "10",
        "employment_services_only": "false",
        "supervises_ips_only": "unknown",
    }


def _api_staff(tenant: Tenant) -> dict[str, Any]:
    return {
        "agency": str(tenant.agency.pk),
        "name": "Hacked specialist",
        "role": "employment_specialist",
        "fte": "1.00",
        "supervisor": str(tenant.roster_supervisor.pk),
        "treatment_teams": [str(tenant.treatment_team.pk)],
        "caseload": 40,
    }


_PUBLIC = RouteFixture("public")


def _es_membership(tenant: Tenant):
    """The membership of ``tenant.agency``'s employment specialist: people management's
    victim."""
    return tenant.user(Role.EMPLOYMENT_SPECIALIST).memberships.get(
        collaborative=tenant.collaborative
    )


PARAMETERS: dict[str, Callable[[Tenant], Any]] = {
    "agency_id": lambda t: t.agency,
    "region_id": lambda t: t.region,
    "step_id": lambda t: t.plan_step,
    "invitation_id": lambda t: t.invitation,
    "document_id": lambda t: t.report,
    "delivery_id": lambda t: t.delivery,
    "staff_id": lambda t: t.staff_member,
    "team_id": lambda t: t.treatment_team,
    "counselor_id": lambda t: t.vr_counselor,
    "membership_id": _es_membership,
}

ROUTES: dict[str, RouteFixture] = {
    # ----------------------------------------------------------------- ipsportal
    "home": RouteFixture("scoped_list", agency_scoped=True),
    "switch_collaborative": RouteFixture(
        "scoped_list",
        data=lambda t: {"collaborative": str(t.collaborative.pk), "next": "/agencies/"},
        note="the collaborative comes from the body: a foreign one must be refused",
    ),
    "invitation_accept": RouteFixture(
        "public",
        kwargs=lambda t: _TOKEN_KWARGS,
        data=_password_pair,
        note="the token is the credential; a bogus one must reveal nothing",
    ),
    "document_status": RouteFixture(
        "tenant", kwargs=lambda t: {"document_id": t.report.pk}, agency_scoped=True
    ),
    "document_download": RouteFixture(
        "tenant", kwargs=lambda t: {"document_id": t.report.pk}, agency_scoped=True
    ),
    "notifications:outbox": RouteFixture(
        "scoped_list", query=lambda t: {"q": t.delivery.recipient_email.split("@")[0]}
    ),
    "notifications:retry": RouteFixture(
        "tenant", kwargs=lambda t: {"delivery_id": t.delivery.pk}, agency_scoped=True
    ),
    "healthz": _PUBLIC,
    # ----------------------------------------------------------------- agencies
    "agencies:list": RouteFixture(
        "scoped_list",
        # A fragment of the name: the search box echoes it, the full name must not appear.
        query=lambda t: {"region": str(t.region.pk), "q": t.agency.name.split(" ", 1)[1]},
        agency_scoped=True,
    ),
    "agencies:create": RouteFixture(
        "scoped_list",
        data=_agency_form,
        note="a victim region in the body must not be accepted",
    ),
    "agencies:detail": RouteFixture("tenant", kwargs=_agency, agency_scoped=True),
    "agencies:edit": RouteFixture("tenant", kwargs=_agency, data=_agency_form, agency_scoped=True),
    "agencies:summary_pdf": RouteFixture("tenant", kwargs=_agency, agency_scoped=True),
    "agencies:plan": RouteFixture("tenant", kwargs=_agency, agency_scoped=True),
    "agencies:plan_create": RouteFixture("tenant", kwargs=_agency, agency_scoped=True),
    "agencies:plan_step_add": RouteFixture(
        "tenant",
        kwargs=_agency,
        data=lambda t: {
            "area": "funding",
            "action": "Hacked step",
            "responsible": "Hacker",
            "target_date": "2030-01-01",
        },
        agency_scoped=True,
    ),
    "agencies:plan_step_status": RouteFixture(
        "tenant",
        kwargs=lambda t: {"step_id": t.plan_step.pk},
        data=lambda t: {"status": "done"},
        agency_scoped=True,
    ),
    "agencies:plan_step_edit": RouteFixture(
        "tenant",
        kwargs=lambda t: {"step_id": t.plan_step.pk},
        data=lambda t: {
            "area": "funding",
            "action": "Hacked step",
            "responsible": "Hacker",
            "target_date": "2030-01-01",
            "status": "done",
            "notes": "Hacked",
        },
        agency_scoped=True,
    ),
    "agencies:plan_step_move": RouteFixture(
        "tenant",
        kwargs=lambda t: {"step_id": t.plan_step.pk},
        data=lambda t: {"direction": "down"},
        agency_scoped=True,
    ),
    "agencies:plan_step_remove": RouteFixture(
        "tenant", kwargs=lambda t: {"step_id": t.plan_step.pk}, agency_scoped=True
    ),
    "implementation-plan-list": RouteFixture(
        "scoped_list", query=lambda t: {"agency": str(t.agency.pk)}, agency_scoped=True
    ),
    "implementation-plan-detail": RouteFixture(
        "tenant", kwargs=lambda t: {"pk": t.plan.pk}, agency_scoped=True
    ),
    "implementation-step-list": RouteFixture(
        "scoped_list",
        data=lambda t: {"plan": str(t.plan.pk), "area": "funding", "action": "Hacked step"},
        query=lambda t: {"plan": str(t.plan.pk)},
        agency_scoped=True,
        note="the body names the victim's plan: adding a step there must be refused",
    ),
    "implementation-step-detail": RouteFixture(
        "tenant",
        kwargs=lambda t: {"pk": t.plan_step.pk},
        data=lambda t: {"notes": "Hacked", "status": "done"},
        agency_scoped=True,
    ),
    # ----------------------------------------------------------------- the staff roster
    "agencies:roster": RouteFixture(
        "tenant", kwargs=_agency, query=lambda t: {"q": "Secret"}, agency_scoped=True
    ),
    "agencies:staff_add": RouteFixture(
        "tenant", kwargs=_agency, data=_staff_form, agency_scoped=True
    ),
    "agencies:staff_edit": RouteFixture("tenant", data=_staff_form, agency_scoped=True),
    "agencies:staff_end": RouteFixture(
        "tenant", data=lambda t: {"end_date": "2020-01-01"}, agency_scoped=True
    ),
    "agencies:team_add": RouteFixture(
        "tenant", kwargs=_agency, data=lambda t: {"name": "Hacked team"}, agency_scoped=True
    ),
    "agencies:team_edit": RouteFixture(
        "tenant", data=lambda t: {"name": "Hacked team", "notes": "x"}, agency_scoped=True
    ),
    "agencies:counselor_add": RouteFixture(
        "tenant", kwargs=_agency, data=lambda t: {"name": "Hacked counselor"}, agency_scoped=True
    ),
    "agencies:counselor_edit": RouteFixture(
        "tenant", data=lambda t: {"name": "Hacked counselor"}, agency_scoped=True
    ),
    "agencies:region_list": RouteFixture("scoped_list", data=_region_form),
    "agencies:region_edit": RouteFixture(
        "tenant", kwargs=lambda t: {"region_id": t.region.pk}, data=_region_form
    ),
    "agencies:people": RouteFixture("scoped_list", agency_scoped=True),
    "agencies:invite": RouteFixture(
        "scoped_list",
        data=lambda t: {
            "email": "hacker.invitee@example.org",
            "full_name": "Hacker",
            "role": "employment_specialist",
            "agencies": [str(t.agency.pk)],
        },
        agency_scoped=True,
        note="a victim agency in the body must not be accepted",
    ),
    "agencies:invitation_revoke": RouteFixture(
        "tenant", kwargs=lambda t: {"invitation_id": t.invitation.pk}, agency_scoped=True
    ),
    "agencies:person": RouteFixture("tenant", agency_scoped=True),
    "agencies:person_edit": RouteFixture(
        "tenant",
        data=lambda t: {"role": "agency_leader", "agencies": [str(t.agency.pk)], "version": 1},
        agency_scoped=True,
    ),
    "agencies:person_deactivate": RouteFixture(
        "tenant", data=lambda t: {"version": 1}, agency_scoped=True
    ),
    "agencies:person_reactivate": RouteFixture(
        "tenant", data=lambda t: {"version": 1}, agency_scoped=True
    ),
    # ----------------------------------------------------------------- API and its docs
    "api_me": RouteFixture("scoped_list", agency_scoped=True),
    "api-root": _PUBLIC,
    "agency-list": RouteFixture(
        "scoped_list",
        query=lambda t: {"collaborative": str(t.collaborative.pk), "region": str(t.region.pk)},
        data=_api_agency,
        agency_scoped=True,
        note="creating in the victim collaborative, or with its region, must be refused",
    ),
    "agency-detail": RouteFixture(
        "tenant", kwargs=lambda t: {"pk": t.agency.pk}, data=_api_agency, agency_scoped=True
    ),
    # The staff roster's API: victim ids in the bodies and filters must be refused too.
    "staffmember-list": RouteFixture(
        "scoped_list",
        query=lambda t: {"agency": str(t.agency.pk), "q": "Secret"},
        data=_api_staff,
        agency_scoped=True,
        note="a victim agency, supervisor or team in the body must not be accepted",
    ),
    "membership-list": RouteFixture(
        "scoped_list",
        query=lambda t: {"agency": str(t.agency.pk), "role": "employment_specialist"},
        agency_scoped=True,
    ),
    "membership-detail": RouteFixture(
        "tenant",
        kwargs=lambda t: {"pk": _es_membership(t).pk},
        data=lambda t: {"role": "agency_leader", "is_active": False},
        agency_scoped=True,
        note="the victim's employment specialist: a missing check would demote or deactivate",
    ),
    "staffmember-detail": RouteFixture(
        "tenant", kwargs=lambda t: {"pk": t.staff_member.pk}, data=_api_staff, agency_scoped=True
    ),
    "treatmentteam-list": RouteFixture(
        "scoped_list",
        query=lambda t: {"agency": str(t.agency.pk)},
        data=lambda t: {"agency": str(t.agency.pk), "name": "Hacked team"},
        agency_scoped=True,
    ),
    "treatmentteam-detail": RouteFixture(
        "tenant",
        kwargs=lambda t: {"pk": t.treatment_team.pk},
        data=lambda t: {"name": "Hacked team", "notes": "x"},
        agency_scoped=True,
    ),
    "vrcounselor-list": RouteFixture(
        "scoped_list",
        query=lambda t: {"agency": str(t.agency.pk)},
        data=lambda t: {"agency": str(t.agency.pk), "name": "Hacked counselor"},
        agency_scoped=True,
    ),
    "vrcounselor-detail": RouteFixture(
        "tenant",
        kwargs=lambda t: {"pk": t.vr_counselor.pk},
        data=lambda t: {"name": "Hacked counselor"},
        agency_scoped=True,
    ),
    "structurecheck-list": RouteFixture("tenant", kwargs=_agency, agency_scoped=True),
    "document-list": RouteFixture(
        "scoped_list",
        query=lambda t: {"agency": str(t.agency.pk), "subject": str(t.agency.pk)},
        data=lambda t: {
            "kind": "agency_summary",
            "collaborative": str(t.collaborative.pk),
            "agency": str(t.agency.pk),
        },
        agency_scoped=True,
        note="an export about a victim agency or collaborative must be refused",
    ),
    "document-detail": RouteFixture(
        "tenant", kwargs=lambda t: {"pk": t.report.pk}, agency_scoped=True
    ),
    "document-download": RouteFixture(
        "tenant", kwargs=lambda t: {"pk": t.report.pk}, agency_scoped=True
    ),
    "delivery-list": RouteFixture(
        "scoped_list", query=lambda t: {"collaborative": str(t.collaborative.pk)}
    ),
    "delivery-detail": RouteFixture(
        "tenant", kwargs=lambda t: {"pk": t.delivery.pk}, agency_scoped=True
    ),
    "delivery-retry": RouteFixture(
        "tenant", kwargs=lambda t: {"pk": t.delivery.pk}, agency_scoped=True
    ),
    "api_schema": _PUBLIC,
    "api_docs": _PUBLIC,
    # ----------------------------------------------------------------- allauth
    "account_login": RouteFixture(
        "public", data=lambda t: {"login": _victim_user_email(t), "password": "wrong-pass-1"}
    ),
    "account_logout": _PUBLIC,
    "account_inactive": _PUBLIC,
    "account_signup": RouteFixture(
        "public",
        data=lambda t: {
            "email": _victim_user_email(t),
            "password1": "Hacked-password-987",
            "password2": "Hacked-password-987",
        },
        note="sign-up is closed; it must not create or reveal an account",
    ),
    "account_reauthenticate": RouteFixture("public", data=_password_pair),
    "account_email": RouteFixture(
        "public",
        data=lambda t: {"email": _victim_user_email(t), "action_add": "1"},
        note="adding a victim's address to one's own account must not take it over",
    ),
    "account_email_verification_sent": _PUBLIC,
    "account_change_password": RouteFixture("public", data=_password_pair),
    "account_set_password": RouteFixture("public", data=_password_pair),
    "account_reset_password": RouteFixture(
        "public", data=lambda t: {"email": _victim_user_email(t)}
    ),
    "account_confirm_login_code": RouteFixture("public", data=lambda t: {"code": "ABCDEF"}),
    "account_confirm_email": RouteFixture("public", kwargs=lambda t: {"key": "bogus-key"}),
    "account_reset_password_from_key_done": _PUBLIC,
    "account_reset_password_from_key": RouteFixture(
        "public", kwargs=_reset_key, data=_password_pair
    ),
    "account_reset_password_done": _PUBLIC,
    "mfa_index": _PUBLIC,
    "mfa_authenticate": RouteFixture("public", data=lambda t: {"code": "123456"}),
    "mfa_reauthenticate": RouteFixture("public", data=lambda t: {"code": "123456"}),
    "mfa_activate_totp": RouteFixture("public", data=lambda t: {"code": "123456"}),
    "mfa_deactivate_totp": RouteFixture("public", data=lambda t: {"code": "123456"}),
    "mfa_view_recovery_codes": _PUBLIC,
    "mfa_generate_recovery_codes": _PUBLIC,
    "mfa_download_recovery_codes": _PUBLIC,
    # ----------------------------------------------------------------- the admin site
    "admin:login": RouteFixture(
        "public",
        data=lambda t: {"username": _victim_user_email(t), "password": "wrong-pass-1"},
        note="the admin's login form; everything else of the admin is staff only",
    ),
}

NAMESPACES: dict[str, RouteFixture] = {
    "admin": RouteFixture(
        "staff_only",
        kwargs=_admin_kwargs,
        data=lambda t: {"email": "hacked@example.org", "is_staff": "on", "is_superuser": "on"},
        note="no attacker is staff: every page of the admin, of any registered model, "
        "answers with its login page",
    ),
}
