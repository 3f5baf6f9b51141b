from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies import services as agency_services
from agencies.forms import AcceptInvitationForm
from agencies.views import agency_list_context
from ipsportal import access
from ipsportal.forms import apply_validation_error
from ipsportal.middleware import SESSION_KEY


@login_required
def home(request):
    """The home page: the agencies in scope and the panels of the feature apps."""
    if not request.collaborative:
        return render(request, "ipsportal/no_membership.html", status=200)
    context = agency_list_context(request)
    return render(request, "ipsportal/home.html", context)


@login_required
@require_POST
def switch_collaborative(request):
    collaborative = access.access_collaborative(request.user, request.POST.get("collaborative"))
    request.session[SESSION_KEY] = str(collaborative.pk)
    messages.info(request, f"You are now working in {collaborative.name}.")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    return redirect(next_url)


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    invitation = agency_services.invitation_find(token)
    if invitation is None:
        return render(request, "ipsportal/invitation_invalid.html", status=404)
    if agency_services.invitation_account_exists(invitation):
        return _invitation_accept_existing(request, token, invitation)
    form = AcceptInvitationForm(request.POST or None, initial={"full_name": invitation.full_name})
    if request.method == "POST" and form.is_valid():
        try:
            user = agency_services.invitation_accept(
                token=token,
                password=form.cleaned_data["password1"],
                full_name=form.cleaned_data["full_name"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                apply_validation_error(form, exc)
            else:
                for message in exc.messages:
                    form.add_error("password1", message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session[SESSION_KEY] = str(invitation.collaborative_id)
            messages.success(request, f"Welcome to IPS Portal, {user.display_name}.")
            return redirect("home")
    return render(
        request, "ipsportal/invitation_accept.html", {"form": form, "invitation": invitation}
    )


def _invitation_accept_existing(request, token, invitation):
    # Someone who already has an account (say, in another collaborative) keeps their password:
    # they log in as the invited address and confirm, instead of choosing a new password.
    user = request.user
    signed_in_as_invitee = user.is_authenticated and user.email.lower() == invitation.email.lower()
    if request.method == "POST" and signed_in_as_invitee:
        try:
            agency_services.invitation_accept_as(token=token, user=user)
        except ValidationError:
            return render(request, "ipsportal/invitation_invalid.html", status=404)
        request.session[SESSION_KEY] = str(invitation.collaborative_id)
        messages.success(request, f"You joined {invitation.collaborative.name}.")
        return redirect("home")
    return render(
        request,
        "ipsportal/invitation_accept.html",
        {
            "invitation": invitation,
            "existing_account": True,
            "signed_in_as_invitee": signed_in_as_invitee,
            "login_url": f"{reverse('account_login')}?{urlencode({'next': request.path})}",
        },
        status=200 if request.method == "GET" or signed_in_as_invitee else 403,
    )


@login_required
@never_cache
@require_GET
def document_status(request, document_id):
    """A document's page: its progress while a worker prepares it, then the download."""
    found = access.access_document(request.user, document_id)
    template = (
        "ipsportal/_document_status.html" if request.htmx else "ipsportal/document_status.html"
    )
    return render(request, template, {"document": found.document, "access": found})


@login_required
@never_cache
@require_GET
def document_download(request, document_id):
    """The one download view of every document (exports and record documents alike): each
    kind's readers are decided by the access package."""
    found = access.access_document(request.user, document_id)
    if not found.can_download:
        raise Http404("This document is not ready.")
    document = found.document
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.filename,
        content_type=document.content_type,
    )


@never_cache
@require_GET
def healthz(request):
    """Liveness and readiness: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok"})


#: A refusal that came without words of its own (the access package always gives some).
GENERIC_REFUSAL = (
    "Your role does not let you do this here. If your work needs it, ask a state admin of "
    "your collaborative to change your role."
)
#: A form or API change sent without the page's security token: not a matter of roles.
CSRF_REFUSAL = (
    "The change was not saved: it came without the security token of the page it was sent "
    "from (CSRF), for example because the page was open from an earlier sign-in. Reload the "
    "page and try again; API clients send the X-CSRFToken header or use an API token. If it "
    "keeps happening, ask a state admin of your collaborative."
)


def error_403(request, exception=None):
    """The 403 page: what the person cannot do, in words, and whom to ask."""
    message = str(exception or "") or GENERIC_REFUSAL
    return render(request, "403.html", {"message": message}, status=403)


def csrf_failure(request, reason=""):
    """A form sent without its security token: said in words, not Django's technical page."""
    context = {"message": CSRF_REFUSAL, "title": "The form could not be sent"}
    return render(request, "403.html", context, status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    return render(request, "500.html", status=500)
