"""Numbers about a whole collaborative, for people who may not see its rows.

A supervisor may compare their agency with the collaborative, and a VR liaison may see how
the state is doing, without reading other agencies' visits or reports. These selectors are
the only reads past a user's row scope: they return numbers, never rows, and suppress a
figure made of fewer units than the collaborative's ``min_group_size``, so no single agency
can be singled out.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery

from ipsportal.access.matrix import Action
from ipsportal.access.scope import holds

if TYPE_CHECKING:
    from agencies.models import Collaborative
    from ipsportal.models import User


@dataclass(frozen=True)
class Aggregate:
    """A figure of a whole collaborative: ``value`` over ``count`` units, or suppressed."""

    value: float | None
    count: int
    min_group_size: int

    @property
    def suppressed(self) -> bool:
        return 0 < self.count < self.min_group_size

    @property
    def shown(self) -> float | None:
        return None if self.suppressed or self.count == 0 else self.value


def readiness_collaborative_figures(user: User, collaborative: Collaborative) -> dict:
    """How ready the collaborative's agencies were at their latest finalized visit: the
    median share of areas rated ready (``median_ready_share``, 0-1) over the agencies with a
    finalized visit, and how many agencies that is. For anyone who reads readiness visits
    there in any form (the numbers come from every agency of the collaborative)."""
    from agencies.models import Agency
    from readiness.models import ReadinessVisit, VisitStatus

    if not holds(user, Action.READINESS_VIEW, collaborative=collaborative):
        raise PermissionDenied(Action.READINESS_VIEW.refusal())
    latest = ReadinessVisit.objects.filter(
        collaborative=collaborative, agency=OuterRef("pk"), status=VisitStatus.FINAL
    ).order_by("-visit_date", "-finalized_at")
    pairs = (
        Agency.objects.filter(collaborative=collaborative, is_active=True)
        .annotate(
            ready=Subquery(latest.values("ready_count")[:1]),
            applicable=Subquery(latest.values("applicable_count")[:1]),
        )
        .filter(applicable__gt=0)
        .values_list("ready", "applicable")
    )
    shares = [ready / applicable for ready, applicable in pairs]
    return {
        "median_ready_share": Aggregate(
            value=statistics.median(shares) if shares else None,
            count=len(shares),
            min_group_size=collaborative.min_group_size,
        )
    }
