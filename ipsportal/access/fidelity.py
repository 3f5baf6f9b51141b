"""Access to fidelity scales.

A scale is reference material, not a record about an agency: the standard scales are read
by every member of a collaborative, and a collaborative's adapted scale by its own members.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from ipsportal.access.objects import parse_uuid
from ipsportal.access.scope import collaboratives_of

if TYPE_CHECKING:
    from fidelity.models import FidelityScale
    from ipsportal.models import User


def fidelity_scales_in_scope(user: User) -> QuerySet[FidelityScale]:
    """Fidelity scale versions the user may read: the standard ones, and the adapted scales
    of the collaboratives the user belongs to (nothing for someone who belongs nowhere)."""
    from fidelity.models import FidelityScale

    own = list(collaboratives_of(user).values_list("pk", flat=True))
    if not own:
        return FidelityScale.objects.none()
    return FidelityScale.objects.filter(Q(collaborative__isnull=True) | Q(collaborative_id__in=own))


def access_fidelity_scale(user: User, scale_id) -> FidelityScale:
    """A fidelity scale version the user may read (else 404)."""
    scale = fidelity_scales_in_scope(user).filter(pk=parse_uuid(scale_id)).first()
    if scale is None:
        raise Http404("No such fidelity scale.")
    return scale
