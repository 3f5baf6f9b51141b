"""Every table of the tenant apps carries its collaborative (DESIGN.md, "Tenancy and access").

The rule: a tenant-owned table has a non-null ``collaborative`` foreign key to
``agencies.Collaborative`` directly (not only through an agency), its unique constraints
include the collaborative, and its primary key is a UUID (no sequential ids in URLs). This
keeps every query scopeable by one column, and the door open to row-level security and to
sharding by collaborative.

How the special tables are treated:

* **Global tables** hold no tenant data (the collaborative itself, the person who logs in,
  reference data). They are listed in :data:`GLOBAL` with the reason; an entry without a
  reason fails.
* **Global-or-tenant tables** (:data:`GLOBAL_OR_TENANT`) hold reference rows shared by all
  collaboratives (``collaborative`` NULL, e.g. the standard readiness checklist) and the
  adaptations of one collaborative (``collaborative`` set). They keep the foreign key but may
  leave it empty; a unique constraint limited to the shared rows
  (``condition=Q(collaborative__isnull=True)``) need not name the collaborative.
* **Auto-created many-to-many tables** are checked like any other: Django's own through table
  has only the two foreign keys, so it fails; declare an explicit ``through`` model based on
  ``TenantOwned`` instead (as ``MembershipAgency`` does).
* **simple-history's Historical* tables** copy every column of the tracked model, so they
  carry ``collaborative`` too, but simple-history turns foreign keys into nullable keys
  without a database constraint (so history survives deletions) and gives them an integer
  ``history_id`` key. The test therefore requires them to have the ``collaborative`` foreign
  key to ``Collaborative`` and to track a model that itself passes the strict rule; their
  integer key is never in a URL (history is shown through the tracked object).
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models
from django.db.models import Q

from agencies.models import Collaborative

TENANT_APPS = ("agencies", "readiness", "fidelity", "outcomes", "billing", "ipsportal")

#: Tables without a collaborative, each with the reason it is global.
GLOBAL: dict[str, str] = {
    "agencies.Collaborative": "the tenant itself: every other table points at it",
    "agencies.HistoricalCollaborative": "the audit trail of the tenant rows themselves",
    "ipsportal.User": (
        "a person may belong to several collaboratives; what they see comes from their "
        "memberships (tenant rows), never from this row"
    ),
    "ipsportal.User_groups": "Django's permission groups of a person, global like the person",
    "ipsportal.User_user_permissions": "Django's permissions of a person, global like the person",
}

#: Tables whose ``collaborative`` may be NULL for rows shared by every collaborative.
_SCALE_ROWS = (
    "a standard fidelity scale is reference data shared by every collaborative (collaborative "
    "NULL); the rows of a collaborative's adapted scale carry that collaborative"
)
GLOBAL_OR_TENANT: dict[str, str] = {
    "fidelity.FidelityScale": _SCALE_ROWS,
    "fidelity.ScaleSection": _SCALE_ROWS,
    "fidelity.ScaleItem": _SCALE_ROWS,
    "fidelity.ItemAnchor": _SCALE_ROWS,
    "fidelity.ScoreBand": _SCALE_ROWS,
    "readiness.ChecklistVersion": (
        "the standard readiness checklist is reference data shared by every collaborative "
        "(collaborative NULL); a collaborative's adaptation is its own row"
    ),
}

#: Unique fields or constraints that need not include the collaborative, with the reason.
UNIQUE_WITHOUT_COLLABORATIVE: dict[str, str] = {
    "agencies.Invitation.token_hash": (
        "the SHA-256 of a random 256-bit token: unique across all collaboratives by "
        "construction, and looked up before any collaborative is known"
    ),
}


def _label(model: type[models.Model]) -> str:
    return model._meta.label


def _is_history(model: type[models.Model]) -> bool:
    return hasattr(model, "instance_type")


def tenant_app_models() -> list[type[models.Model]]:
    found = []
    for label in TENANT_APPS:
        found.extend(apps.get_app_config(label).get_models(include_auto_created=True))
    return found


def tenant_models() -> list[type[models.Model]]:
    return [m for m in tenant_app_models() if _label(m) not in GLOBAL]


def _collaborative_field(model: type[models.Model]):
    try:
        field = model._meta.get_field("collaborative")
    except Exception:
        return None
    return field


def collaborative_problem(model: type[models.Model]) -> str | None:
    """Why the model breaks the tenancy rule, or None."""
    label = _label(model)
    field = _collaborative_field(model)
    if field is None or not isinstance(field, models.ForeignKey):
        return f"{label} has no `collaborative` foreign key"
    if field.related_model is not Collaborative:
        return f"{label}.collaborative points at {_label(field.related_model)}"
    if _is_history(model):
        tracked = model.instance_type
        if _label(tracked) in GLOBAL:
            return None
        return collaborative_problem(tracked) and f"{label} tracks a table that breaks the rule"
    if field.null and label not in GLOBAL_OR_TENANT:
        return f"{label}.collaborative may be NULL"
    return None


def _names_collaborative(fields) -> bool:
    return "collaborative" in fields or "collaborative_id" in fields


def _only_shared_rows(constraint) -> bool:
    return constraint.condition is not None and constraint.condition == Q(
        collaborative__isnull=True
    )


def unique_problems(model: type[models.Model]) -> list[str]:
    """Unique fields and constraints of a tenant model that leave the collaborative out."""
    label = _label(model)
    problems = []
    for field in model._meta.concrete_fields:
        if not field.unique or field.primary_key:
            continue
        if f"{label}.{field.name}" in UNIQUE_WITHOUT_COLLABORATIVE:
            continue
        # A one-to-one link to a UUID-keyed tenant row is unique by that row's key.
        target = field.related_model if field.is_relation else None
        if target is not None and isinstance(target._meta.pk, models.UUIDField):
            continue
        problems.append(f"{label}.{field.name} is unique across collaboratives")
    for constraint in model._meta.constraints:
        if not isinstance(constraint, models.UniqueConstraint):
            continue
        if f"{label}.{constraint.name}" in UNIQUE_WITHOUT_COLLABORATIVE:
            continue
        if _only_shared_rows(constraint):
            continue
        named = set(constraint.fields)
        for expression in constraint.expressions:
            parts = expression.flatten() if hasattr(expression, "flatten") else [expression]
            named |= {getattr(c, "name", None) for c in parts}
        if not _names_collaborative(named):
            problems.append(f"{label} constraint {constraint.name} leaves out the collaborative")
    for together in model._meta.unique_together:
        if not _names_collaborative(together):
            problems.append(f"{label} unique_together {together} leaves out the collaborative")
    return problems


# --------------------------------------------------------------------------------------------


def test_it_finds_the_models_of_every_tenant_app():
    labels = {_label(m) for m in tenant_app_models()}
    # The walk sees plain models, history models and Django's auto-created through tables.
    assert {"agencies.Agency", "agencies.HistoricalAgency", "ipsportal.Document"} <= labels
    assert "ipsportal.User_groups" in labels


def test_it_gives_every_allow_list_entry_a_reason():
    for table in (GLOBAL, GLOBAL_OR_TENANT, UNIQUE_WITHOUT_COLLABORATIVE):
        for entry, reason in table.items():
            assert len(reason.split()) >= 4, f"{entry}: say why it is allowed"


def test_it_lists_only_tables_that_exist():
    labels = {_label(m) for m in tenant_app_models()}
    stale = sorted((set(GLOBAL) | set(GLOBAL_OR_TENANT)) - labels)
    assert not stale, f"allow-listed tables that no longer exist: {stale}"


def test_it_finds_a_collaborative_on_every_tenant_table():
    problems = [p for m in tenant_models() if (p := collaborative_problem(m))]
    assert not problems, "tables breaking the tenancy rule:\n" + "\n".join(problems)


def test_it_includes_the_collaborative_in_every_unique_constraint():
    problems = [p for m in tenant_models() if not _is_history(m) for p in unique_problems(m)]
    assert not problems, "\n".join(problems)


def test_it_keys_every_tenant_table_by_a_uuid():
    wrong = [
        f"{_label(m)} is keyed by {type(m._meta.pk).__name__}"
        for m in tenant_models()
        if not _is_history(m) and not isinstance(m._meta.pk, models.UUIDField)
    ]
    assert not wrong, "\n".join(wrong)


# -- the checks themselves catch what they must -----------------------------------------------


def _model(model_name: str, **attrs) -> type[models.Model]:
    """A throwaway model class of the agencies app (never migrated, never registered for
    long: it only feeds the checks above)."""
    attrs.setdefault("Meta", type("Meta", (), {"app_label": "agencies"}))
    attrs["__module__"] = __name__
    model = type(model_name, (models.Model,), attrs)
    apps.all_models["agencies"].pop(model_name.lower(), None)
    apps.clear_cache()
    return model


@pytest.fixture
def throwaway_models():
    yield
    apps.clear_cache()


def test_it_flags_tables_without_a_proper_collaborative(throwaway_models):
    bare = _model("IsoBare", name=models.CharField(max_length=10))
    nullable = _model(
        "IsoNullable",
        collaborative=models.ForeignKey(
            Collaborative, null=True, on_delete=models.CASCADE, related_name="+"
        ),
    )
    wrong = _model(
        "IsoWrong",
        collaborative=models.ForeignKey("agencies.Agency", models.CASCADE, related_name="+"),
    )
    assert collaborative_problem(bare) == "agencies.IsoBare has no `collaborative` foreign key"
    assert collaborative_problem(nullable) == "agencies.IsoNullable.collaborative may be NULL"
    assert (
        collaborative_problem(wrong) == "agencies.IsoWrong.collaborative points at agencies.Agency"
    )


def test_it_flags_unique_constraints_without_the_collaborative(throwaway_models):
    meta = type(
        "Meta",
        (),
        {
            "app_label": "agencies",
            "constraints": [
                models.UniqueConstraint(fields=["code"], name="iso_code_unique"),
                models.UniqueConstraint(fields=["collaborative", "code"], name="iso_ok"),
            ],
        },
    )
    model = _model(
        "IsoUnique",
        Meta=meta,
        collaborative=models.ForeignKey(Collaborative, models.CASCADE, related_name="+"),
        code=models.CharField(max_length=10),
        email=models.EmailField(unique=True),
    )
    assert unique_problems(model) == [
        "agencies.IsoUnique.email is unique across collaboratives",
        "agencies.IsoUnique constraint iso_code_unique leaves out the collaborative",
    ]
