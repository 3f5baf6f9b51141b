"""Pages of the fidelity app: the fidelity scales."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from fidelity import selectors


@login_required
@require_GET
def scale_list(request):
    return render(
        request, "fidelity/scale_list.html", {"scales": selectors.scale_list(request.user)}
    )


@login_required
@require_GET
def scale_detail(request, scale_id):
    scale = selectors.scale_detail(request.user, scale_id)
    return render(request, "fidelity/scale_detail.html", {"scale": scale})
