"""``access_<thing>`` helpers of training and TA agreements: an agency's agreement (its
versions) and one version, with what the user may do with it.

Each fetches with the scope inside the query (404 outside the scope, 403 inside it without
the right) and returns the object with the user's rights, so views do not recompute them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from agencies import agreements as rules
from agencies.models import Agency, TAAgreement
from ipsportal.access.matrix import Action, roles_holding
from ipsportal.access.objects import access_agency, parse_uuid
from ipsportal.access.scope import can, roles_for, rows

if TYPE_CHECKING:
    from agencies.models import Collaborative
    from ipsportal.models import User


def agreements_in_scope(
    user: User, collaborative: Collaborative | None = None
) -> QuerySet[TAAgreement]:
    """The agreement versions the user may see (every version of every agency in scope)."""
    return rows(user, Action.AGREEMENT_VIEW, TAAgreement, collaborative)


def agreement_versions_of(agency: Agency) -> QuerySet[TAAgreement]:
    """Every agreement version of an agency already opened through this package (with
    :func:`access_agency` or :func:`access_agreement`). AGREEMENT_VIEW is held without a
    condition by every role that reaches an agency (the permission matrix), so whoever
    opened the agency reads all of its versions; a worker rendering a record document reads
    them the same way."""
    return TAAgreement.objects.filter(collaborative_id=agency.collaborative_id, agency=agency)


def signable_lines(user: User, agency: Agency) -> dict[str, rules.LineRight]:
    """The signature lines of the agency's agreement the user may sign, by signer role, and
    how (as themselves, on the signer's behalf)."""
    roles = roles_for(user, agency) & set(roles_holding(Action.AGREEMENT_SIGN))
    return rules.line_rights(roles)


@dataclass(frozen=True)
class AgencyAgreementAccess:
    """An agency, its current agreement version (None before the first draft) and whether
    the user may draft or change it."""

    agency: Agency
    current: TAAgreement | None
    can_edit: bool
    can_export: bool


def access_agency_agreement(user: User, agency_id, *, write: bool = False) -> AgencyAgreementAccess:
    """An agency in scope (else 404) and its current agreement version; with ``write``,
    only for users who may draft or change agreements there (else 403)."""
    found = access_agency(user, agency_id)
    agency = found.agency
    current = (
        agreements_in_scope(user, agency.collaborative)
        .filter(agency=agency)
        .select_related("agency__collaborative")
        .order_by("-version")
        .first()
    )
    result = AgencyAgreementAccess(
        agency=agency,
        current=current,
        can_edit=can(user, Action.AGREEMENT_EDIT, agency=agency),
        can_export=found.can_export,
    )
    if write and not result.can_edit:
        raise PermissionDenied(Action.AGREEMENT_EDIT.refusal())
    return result


@dataclass(frozen=True)
class AgreementAccess:
    """One agreement version and what the user may do with it. ``can_edit``: the right to
    draft and change the agency's agreement (a version with signatures is changed by making
    a new one); ``can_sign_lines``: the lines the user may sign and how; ``can_export``:
    may ask for its PDF."""

    agreement: TAAgreement
    can_edit: bool
    can_export: bool
    can_sign_lines: dict[str, rules.LineRight] = field(default_factory=dict)

    @property
    def agency(self) -> Agency:
        return self.agreement.agency


def access_agreement(
    user: User, agreement_id, *, write: bool = False, sign: bool = False
) -> AgreementAccess:
    """An agreement version in scope (else 404); with ``write``, only for users who may
    change agreements of its agency, with ``sign`` only for users who may sign one of its
    lines (else 403)."""
    agreement = (
        agreements_in_scope(user)
        .select_related("agency__collaborative", "agency__region", "collaborative")
        .filter(pk=parse_uuid(agreement_id))
        .first()
    )
    if agreement is None:
        raise Http404("No such agreement.")
    agency = agreement.agency
    found = AgreementAccess(
        agreement=agreement,
        can_edit=can(user, Action.AGREEMENT_EDIT, agency=agency),
        can_export=can(user, Action.AGENCY_EXPORT, agency=agency),
        can_sign_lines=signable_lines(user, agency),
    )
    if write and not found.can_edit:
        raise PermissionDenied(Action.AGREEMENT_EDIT.refusal())
    if sign and not found.can_sign_lines:
        raise PermissionDenied(Action.AGREEMENT_SIGN.refusal())
    return found
