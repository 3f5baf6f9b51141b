"""The outbox page: what the portal sent, to whom, when, what failed and why."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from ipsportal import access
from ipsportal.access import Action
from ipsportal.notifications import selectors, services
from ipsportal.notifications.kinds import KINDS
from ipsportal.notifications.models import Delivery

PAGE_SIZE = 50


def _collaborative(request):
    collaborative = request.collaborative
    if not collaborative:
        raise Http404("You are not a member of any collaborative yet.")
    access.require(request.user, Action.DELIVERIES_VIEW, collaborative=collaborative)
    return collaborative


@login_required
@require_GET
def outbox(request):
    collaborative = _collaborative(request)
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    q = request.GET.get("q", "").strip()[:100]
    rows, counts = selectors.outbox(request.user, collaborative, status=status, kind=kind, q=q)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(
        request,
        "notifications/outbox.html",
        {
            "page_obj": page,
            "counts": counts,
            "status": status if status in Delivery.Status.values else "",
            "kind": kind if kind in KINDS else "",
            "q": q,
            "statuses": Delivery.Status.choices,
            "kinds": sorted((k.name, k.label) for k in KINDS.values()),
            "querystring": querystring.urlencode(),
            "filtered": bool(status or kind or q),
        },
    )


@login_required
@require_POST
def retry(request, delivery_id):
    delivery = access.access_delivery(request.user, delivery_id)
    if services.delivery_retry(user=request.user, delivery=delivery):
        messages.success(request, f"The message to {delivery.recipient_email} will be sent again.")
    else:
        messages.info(request, "That message is not failed or cancelled: nothing to send again.")
    return redirect("notifications:outbox")
