"""Navigation: what each role may use, and the collaborative switcher."""

from ipsportal import access
from ipsportal.access import Action


def portal(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    collaborative = request.collaborative
    if collaborative is None or not collaborative:
        return {"nav": {}, "my_collaboratives": []}
    roles = access.roles_in(user, collaborative)
    holds = {action: any(r in access.PERMISSIONS[action] for r in roles) for action in Action}
    return {
        "active_collaborative": collaborative,
        "my_collaboratives": list(access.collaboratives_of(user).order_by("name")),
        "my_roles": sorted(r.label for r in roles),
        "nav": {
            "agencies": holds[Action.AGENCY_VIEW],
            "regions": holds[Action.REGION_MANAGE],
            "readiness": holds[Action.READINESS_VIEW],
            "fidelity": holds[Action.FIDELITY_VIEW],
            "users": holds[Action.USERS_MANAGE],
            "create_agency": holds[Action.AGENCY_CREATE],
            "deliveries": holds[Action.DELIVERIES_VIEW],
            "ta_activities": holds[Action.TA_ACTIVITY_WRITE],
        },
    }
