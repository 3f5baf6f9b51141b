"""The staff roster pages: the roster of an agency, and adding, changing and ending its
entries, treatment teams and VR counselors. Thin: access from ``ipsportal.access``, writes
through the roster services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from agencies import selectors_roster, services
from agencies.forms_roster import (
    EndStaffMemberForm,
    StaffMemberForm,
    TreatmentTeamForm,
    VRCounselorForm,
)
from agencies.models import TreatmentTeam, VRCounselor
from ipsportal import access
from ipsportal.forms import apply_validation_error
from ipsportal.middleware import follow_collaborative

PAGE_SIZE = 25
#: The roster page's lists, each with its own page number in the query string.
LISTS = ("page", "former_page", "teams_page", "counselors_page")


def _page(request, rows, param: str):
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get(param))
    others = request.GET.copy()
    others.pop(param, None)
    page.param = param
    page.querystring = others.urlencode()
    return page


def _roster_url(agency) -> str:
    return reverse("agencies:roster", kwargs={"agency_id": agency.pk})


@login_required
def roster(request, agency_id):
    found = access.access_roster(request.user, agency_id)
    agency = found.agency
    follow_collaborative(request, agency.collaborative)
    q = request.GET.get("q", "").strip()[:100]
    user = request.user
    current = _page(request, selectors_roster.roster_staff(user, agency, q=q), "page")
    former = selectors_roster.roster_staff(user, agency, current=False, q=q)
    return render(
        request,
        "agencies/roster.html",
        {
            "agency": agency,
            "can_edit": found.can_edit,
            "q": q,
            "current": current,
            "former": _page(request, former, "former_page"),
            "teams": _page(request, selectors_roster.roster_teams(user, agency), "teams_page"),
            "counselors": _page(
                request, selectors_roster.roster_counselors(user, agency), "counselors_page"
            ),
            "today": agency.collaborative.today(),
        },
    )


def _staff_form_page(request, agency, form, member=None, status=200):
    return render(
        request,
        "agencies/roster_staff_form.html",
        {"agency": agency, "form": form, "member": member},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_add(request, agency_id):
    agency = access.access_roster(request.user, agency_id, write=True).agency
    form = StaffMemberForm(request.POST or None, user=request.user, agency=agency)
    if request.method == "POST":
        if form.is_valid():
            try:
                member = services.staff_member_create(
                    user=request.user, agency=agency, **form.service_arguments()
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, f"{member.name} was added to the roster.")
                return redirect(_roster_url(agency))
        return _staff_form_page(request, agency, form, status=400)
    return _staff_form_page(request, agency, form)


@login_required
@require_http_methods(["GET", "POST"])
def staff_edit(request, staff_id):
    member = access.access_staff_member(request.user, staff_id, write=True).row
    agency = member.agency
    form = StaffMemberForm(request.POST or None, user=request.user, agency=agency, instance=member)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.staff_member_update(
                    user=request.user, member=member, **form.service_arguments()
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, f"The roster entry of {member.name} was saved.")
                return redirect(_roster_url(agency))
        return _staff_form_page(request, agency, form, member, status=400)
    return _staff_form_page(request, agency, form, member)


@login_required
@require_POST
def staff_end(request, staff_id):
    member = access.access_staff_member(request.user, staff_id, write=True).row
    form = EndStaffMemberForm(request.POST)
    if form.is_valid():
        try:
            services.staff_member_end(
                user=request.user, member=member, end_date=form.cleaned_data["end_date"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                f"{member.name}'s last day was recorded: from the next day they are former staff.",
            )
    else:
        messages.error(request, "Give the last day on the program as a date.")
    return redirect(_roster_url(member.agency))


# --------------------------------------------------------------------------------------------
# Treatment teams and VR counselors
# --------------------------------------------------------------------------------------------


def _row_form_page(request, agency, form, *, kind: str, row=None, status=200):
    return render(
        request,
        "agencies/roster_row_form.html",
        {"agency": agency, "form": form, "kind": kind, "row": row},
        status=status,
    )


def _save_team(request, agency, team=None):
    instance = team or TreatmentTeam(agency=agency, collaborative=agency.collaborative)
    form = TreatmentTeamForm(request.POST or None, instance=instance)
    kind = "treatment team"
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = services.treatment_team_save(
                    user=request.user, agency=agency, team=team, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, f"The treatment team “{saved.name}” was saved.")
                return redirect(_roster_url(agency))
        return _row_form_page(request, agency, form, kind=kind, row=team, status=400)
    return _row_form_page(request, agency, form, kind=kind, row=team)


def _save_counselor(request, agency, counselor=None):
    instance = counselor or VRCounselor(agency=agency, collaborative=agency.collaborative)
    form = VRCounselorForm(request.POST or None, instance=instance)
    kind = "VR counselor"
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = services.vr_counselor_save(
                    user=request.user, agency=agency, counselor=counselor, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, f"The VR counselor {saved.name} was saved.")
                return redirect(_roster_url(agency))
        return _row_form_page(request, agency, form, kind=kind, row=counselor, status=400)
    return _row_form_page(request, agency, form, kind=kind, row=counselor)


@login_required
@require_http_methods(["GET", "POST"])
def team_add(request, agency_id):
    agency = access.access_roster(request.user, agency_id, write=True).agency
    return _save_team(request, agency)


@login_required
@require_http_methods(["GET", "POST"])
def team_edit(request, team_id):
    team = access.access_treatment_team(request.user, team_id, write=True).row
    return _save_team(request, team.agency, team)


@login_required
@require_http_methods(["GET", "POST"])
def counselor_add(request, agency_id):
    agency = access.access_roster(request.user, agency_id, write=True).agency
    return _save_counselor(request, agency)


@login_required
@require_http_methods(["GET", "POST"])
def counselor_edit(request, counselor_id):
    counselor = access.access_vr_counselor(request.user, counselor_id, write=True).row
    return _save_counselor(request, counselor.agency, counselor)
