"""Pages of the TA activity log: the trainer's log across their agencies, an agency's log,
logging, changing and removing an activity, and the compliance of an agency's log with its
agreement. Thin: the access package opens the objects, the services write, the selectors
read."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from agencies import selectors_ta as selectors
from agencies import services
from agencies.forms_ta import TAActivityFilterForm, TAActivityForm
from ipsportal import access
from ipsportal.access import Action
from ipsportal.forms import apply_validation_error
from ipsportal.middleware import follow_collaborative

PAGE_SIZE = 25


def _log_page(request, *, agency=None, can_write=False):
    collaborative = agency.collaborative if agency else request.collaborative or None
    agencies = None
    if agency is None:
        agencies = access.agencies_in_scope(request.user, collaborative).order_by("name")
    form = TAActivityFilterForm(request.GET or None, agencies=agencies)
    filters = form.filters()
    if agency is not None:
        filters["agency"] = agency
    log = selectors.ta_activity_log(request.user, collaborative=collaborative, **filters)
    page = Paginator(log, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: v for k, v in request.GET.items() if k != "page" and v}
    if agency is None:
        can_write = access.ta_log_agencies(request.user, collaborative).exists()
    return render(
        request,
        "agencies/ta_activities.html",
        {
            "agency": agency,
            "form": form,
            "filtered": any(v for k, v in filters.items() if k != "agency" or agency is None),
            "page_obj": page,
            "activities": page.object_list,
            "querystring": urlencode(query),
            "can_write": can_write,
        },
    )


@login_required
def ta_activities(request):
    return _log_page(request)


@login_required
def ta_activities_agency(request, agency_id):
    found = access.access_ta_log(request.user, agency_id)
    follow_collaborative(request, found.agency.collaborative)
    return _log_page(request, agency=found.agency, can_write=found.can_write)


def _form_page(request, form, *, activity=None, agency=None, status=200):
    return render(
        request,
        "agencies/ta_activity_form.html",
        {"form": form, "activity": activity, "agency": agency},
        status=status,
    )


def _writable_agencies(request):
    agencies = access.ta_log_agencies(request.user, request.collaborative or None)
    if not agencies.exists():
        raise PermissionDenied(Action.TA_ACTIVITY_WRITE.refusal())
    return agencies.order_by("name")


@login_required
@require_http_methods(["GET", "POST"])
def ta_activity_new(request):
    agencies = _writable_agencies(request)
    if request.method == "POST":
        form = TAActivityForm(request.POST, agencies=agencies)
        if form.is_valid():
            data = dict(form.cleaned_data)
            agency = access.access_ta_log(request.user, data.pop("agency").pk, write=True).agency
            try:
                activity = services.ta_activity_log(user=request.user, agency=agency, **data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(
                    request,
                    f"Logged: {activity.get_kind_display()} at {agency.name} on "
                    f"{activity.date:%B} {activity.date.day}, {activity.date.year}.",
                )
                return redirect("agencies:ta_compliance", agency_id=agency.pk)
        return _form_page(request, form, status=400)
    preselected = None
    if request.GET.get("agency"):
        try:
            wanted = access.parse_uuid(request.GET["agency"])
        except Http404:
            wanted = None  # a bad ?agency= preselects nothing
        preselected = agencies.filter(pk=wanted).first() if wanted else None
    collaborative = preselected.collaborative if preselected else request.collaborative
    form = TAActivityForm(
        agencies=agencies,
        initial={
            "agency": preselected,
            "date": collaborative.today() if collaborative else None,
        },
    )
    return _form_page(request, form, agency=preselected)


@login_required
def ta_activity(request, activity_id):
    found = access.access_ta_activity(request.user, activity_id)
    follow_collaborative(request, found.activity.collaborative)
    return render(
        request,
        "agencies/ta_activity.html",
        {"activity": found.activity, "agency": found.activity.agency, "can_edit": found.can_edit},
    )


@login_required
@require_http_methods(["GET", "POST"])
def ta_activity_edit(request, activity_id):
    activity = access.access_ta_activity(request.user, activity_id, write=True).activity
    form = TAActivityForm.for_activity(activity, request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.ta_activity_update(
                    user=request.user, activity=activity, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, "The activity was saved.")
                return redirect(activity)
        activity.refresh_from_db()
        return _form_page(request, form, activity=activity, agency=activity.agency, status=400)
    return _form_page(request, form, activity=activity, agency=activity.agency)


@login_required
@require_http_methods(["GET", "POST"])
def ta_activity_remove(request, activity_id):
    activity = access.access_ta_activity(request.user, activity_id, write=True).activity
    if request.method == "POST":
        agency = activity.agency
        services.ta_activity_remove(user=request.user, activity=activity)
        messages.success(
            request, "The activity was removed from the log. Its history keeps a record of it."
        )
        return redirect("agencies:ta_activities_agency", agency_id=agency.pk)
    return render(
        request,
        "agencies/ta_activity_remove.html",
        {"activity": activity, "agency": activity.agency},
    )


@login_required
def ta_compliance(request, agency_id):
    found = access.access_ta_log(request.user, agency_id)
    follow_collaborative(request, found.agency.collaborative)
    return render(
        request,
        "agencies/ta_compliance.html",
        {
            "agency": found.agency,
            "can_write": found.can_write,
            "found": selectors.agency_compliance(request.user, found.agency),
        },
    )
