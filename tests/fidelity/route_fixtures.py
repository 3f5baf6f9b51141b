"""Route fixtures of the fidelity app for the route-inventory isolation test (see
``tests/route_fixtures.py`` for the contract)."""

from __future__ import annotations

import datetime

from agencies.models import Role
from fidelity import services
from fidelity.models import FidelityScale
from fidelity.scale_install import install_scale
from tests.factories import grant, make_user
from tests.fidelity.helpers import small_scale
from tests.route_fixtures import Insider, RouteFixture, add_marker, hide

FINAL_ONLY_READERS = (
    Role.VR_LIAISON,
    Role.IPS_SUPERVISOR,
    Role.AGENCY_LEADER,
    Role.EMPLOYMENT_SPECIALIST,
)
#: A trainer of the agency who is not a reviewer of the review: reads it, rates nothing.
UNASSIGNED = Insider("a trainer of the agency not on the review", lambda t: t.trainer_off_review)


def build(tenant) -> None:
    """An adapted fidelity scale of the victim collaborative; its title, an item's
    description and an anchor are markers of the collaborative."""
    name = tenant.collaborative.name
    definition = small_scale(slug="victim-scale", title=f"Adapted scale of {name}")
    definition["sections"][0]["items"][0]["description"] = f"Item looked at in {name}"
    definition["sections"][0]["items"][0]["anchors"]["2"] = f"Middle rating of {name}"
    tenant.fidelity_scale = install_scale(definition, collaborative=tenant.collaborative)
    for text in (
        definition["title"],
        definition["sections"][0]["items"][0]["description"],
        definition["sections"][0]["items"][0]["anchors"]["2"],
    ):
        add_marker(tenant, text)
    _reviews(tenant)


def _reviews(tenant) -> None:
    """A review in progress whose trainer has rated every item (their evidence hidden from
    everyone but the trainer: nobody else has submitted), and a final review with its
    consensus and report (markers of the agency)."""
    name = tenant.collaborative.name
    admin = tenant.user(Role.STATE_ADMIN)
    trainer, reviewer = tenant.user(Role.STATE_TRAINER), tenant.user(Role.FIDELITY_REVIEWER)
    tenant.trainer_off_review = make_user(full_name=f"{name} trainer off the review")
    grant(tenant.trainer_off_review, tenant.collaborative, Role.STATE_TRAINER, [tenant.agency])
    scale = FidelityScale.objects.get(slug="ips-se", collaborative__isnull=True, version=1)
    keys = list(scale.items.order_by("number").values_list("key", flat=True))
    today = tenant.collaborative.today()

    def plan(start):
        return services.review_create(
            user=admin,
            agency=tenant.agency,
            scale=scale,
            kind="follow_up",
            visit_start=start,
            visit_end=start + datetime.timedelta(days=1),
            reviewers=[trainer, reviewer],
        )

    tenant.review_draft = plan(today - datetime.timedelta(days=3))
    evidence = f"Trainer's own evidence at {name}"
    tenant.trainer_sheet = services.my_ratings_save(
        user=trainer,
        review=tenant.review_draft,
        ratings={k: {"rating": 4, "evidence": evidence} for k in keys},
        version=None,
    )
    add_marker(tenant, evidence, of=tenant.trainer_sheet)
    hide(tenant, tenant.review_draft, from_=FINAL_ONLY_READERS)
    hide(
        tenant,
        tenant.trainer_sheet,
        from_=(Role.FIDELITY_REVIEWER, Role.STATE_ADMIN, UNASSIGNED, *FINAL_ONLY_READERS),
    )

    final = plan(today - datetime.timedelta(days=60))
    for user, rating in ((trainer, 3), (reviewer, 4)):
        services.my_ratings_save(
            user=user,
            review=final,
            ratings={k: {"rating": rating, "evidence": "seen"} for k in keys},
            version=None,
        )
        services.my_ratings_submit(user=user, review=final)
    final.refresh_from_db()
    strengths = f"Strong employer work at {name}"
    final = services.consensus_save(
        user=admin,
        review=final,
        ratings={k: {"rating": 4, "rationale": "agreed", "strengths": strengths} for k in keys},
        version=None,
    )
    final = services.consensus_complete(user=admin, review=final)
    summary = f"Final report summary of {name}"
    tenant.review_final = services.review_finalize(
        user=admin, review=final, summary=summary, version=None
    )
    add_marker(tenant, strengths, agency=True)
    add_marker(tenant, summary, agency=True)


PARAMETERS = {"scale_id": lambda t: t.fidelity_scale, "review_id": lambda t: t.review_draft}


def _rating_post(tenant) -> dict:
    """A plausible sheet or consensus save: every item rated 1, with a note."""
    from fidelity.models import FidelityScale

    scale = FidelityScale.objects.get(slug="ips-se", collaborative__isnull=True, version=1)
    data = {"version": "1"}
    for key in scale.items.values_list("key", flat=True):
        data[f"rating-{key}"] = "1"
        data[f"evidence-{key}"] = "attacker's note"
        data[f"rationale-{key}"] = "attacker's note"
    return data


def _final(tenant) -> dict:
    return {"review_id": tenant.review_final}


ROUTES = {
    "fidelity:scales": RouteFixture("scoped_list"),
    "fidelity:scale": RouteFixture("tenant"),
    "fidelity-scale-list": RouteFixture("scoped_list"),
    "fidelity-scale-detail": RouteFixture("tenant"),
    "fidelity:reviews": RouteFixture("scoped_list"),
    "fidelity:review_new": RouteFixture(
        "scoped_list",
        query=lambda t: {"agency": str(t.agency.pk)},
        data=lambda t: {
            "scale": str(t.fidelity_scale.pk),
            "kind": "baseline",
            "visit_start": "2026-05-12",
            "visit_end": "2026-05-13",
            "reviewers": [str(t.user(Role.STATE_TRAINER).pk)],
        },
    ),
    "fidelity:reports_export": RouteFixture(
        "scoped_list", data=lambda t: {"date_from": "2020-01-01", "date_to": "2030-12-31"}
    ),
    "fidelity:review": RouteFixture("tenant"),
    "fidelity:review_start": RouteFixture("tenant"),
    "fidelity:my_ratings": RouteFixture("tenant", data=_rating_post),
    "fidelity:my_ratings_submit": RouteFixture("tenant"),
    "fidelity:review_reconcile": RouteFixture("tenant", kwargs=_final, data=_rating_post),
    "fidelity:review_reconcile_complete": RouteFixture("tenant"),
    "fidelity:review_finalize": RouteFixture("tenant", data=lambda t: {"summary": "Attack"}),
}

# -- the reviews API -------------------------------------------------------------------------


def _keys() -> list[str]:
    scale = FidelityScale.objects.get(slug="ips-se", collaborative__isnull=True, version=1)
    return list(scale.items.order_by("number").values_list("key", flat=True))


def _plan_body(tenant) -> dict:
    return {
        "agency": str(tenant.agency.pk),
        "scale": str(tenant.fidelity_scale.pk),
        "kind": "baseline",
        "visit_start": str(tenant.collaborative.today()),
        "visit_end": str(tenant.collaborative.today()),
        "reviewers": [tenant.user(Role.STATE_TRAINER).email],
    }


def _sheet_body(tenant) -> dict:
    return {"ratings": {k: {"rating": 1, "evidence": "Hacked"} for k in _keys()}}


def _consensus_body(tenant) -> dict:
    return {"ratings": {k: {"rating": 1, "rationale": "Hacked"} for k in _keys()}}


def _review(data=None) -> RouteFixture:
    """A route of the review in progress: the final-only readers must get 404 (``hide`` in
    ``build``), and nobody but the trainer may read the trainer's own sheet."""
    return RouteFixture(
        "tenant", kwargs=lambda t: {"pk": t.review_draft.pk}, data=data, agency_scoped=True
    )


ROUTES.update(
    {
        "fidelity-review-list": RouteFixture(
            "scoped_list",
            data=_plan_body,
            query=lambda t: {"agency": str(t.agency.pk)},
            agency_scoped=True,
            note="the body plans a review of the victim agency: it must be refused",
        ),
        "fidelity-review-detail": _review(),
        "fidelity-review-start": _review(),
        "fidelity-review-finalize": _review(lambda t: {"summary": "Hacked"}),
        "fidelity-review-my-ratings": _review(_sheet_body),
        "fidelity-review-my-ratings-submit": _review(),
        "fidelity-review-ratings": _review(),
        "fidelity-review-consensus": _review(_consensus_body),
        "fidelity-review-consensus-complete": _review(),
    }
)
