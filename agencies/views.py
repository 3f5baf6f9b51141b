from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from agencies import phases, selectors, selectors_people, services
from agencies.forms import (
    AgencyForm,
    ImplementationStepEditForm,
    ImplementationStepForm,
    InvitationForm,
    PhaseChangeForm,
    RegionForm,
)
from agencies.models import ImplementationPhase, ImplementationStep
from ipsportal import access
from ipsportal.access import Action
from ipsportal.forms import apply_validation_error
from ipsportal.middleware import follow_collaborative
from ipsportal.services import document_request

PAGE_SIZE = 25


def _active_collaborative(request):
    collaborative = request.collaborative
    if not collaborative:
        raise Http404("You are not a member of any collaborative yet.")
    return collaborative


def agency_list_context(request) -> dict:
    """The searchable, paginated list of agencies in scope in the active collaborative."""
    collaborative = _active_collaborative(request)
    q = request.GET.get("q", "").strip()[:100]
    region = request.GET.get("region", "")
    phase = request.GET.get("phase", "")
    agencies = selectors.agency_list(request.user, collaborative, q=q, region=region, phase=phase)
    regions = list(access.regions_in_scope(request.user, collaborative))
    page = Paginator(agencies, PAGE_SIZE).get_page(request.GET.get("page"))
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return {
        "page_obj": page,
        "agencies": page.object_list,
        "q": q,
        "region": region,
        "phase": phase,
        "regions": regions,
        "phases": ImplementationPhase.choices,
        "querystring": querystring.urlencode(),
        "filtered": bool(q or region or phase),
        "can_create": access.can(request.user, Action.AGENCY_CREATE, collaborative=collaborative),
    }


@login_required
def agency_list(request):
    context = agency_list_context(request)
    template = "agencies/_agency_table.html" if request.htmx else "agencies/agency_list.html"
    return render(request, template, context)


@login_required
def agency_detail(request, agency_id):
    found = access.access_agency(request.user, agency_id)
    follow_collaborative(request, found.agency.collaborative)
    return render(
        request,
        "agencies/agency_detail.html",
        {
            "agency": found.agency,
            "access": found,
            "staff": selectors.agency_staff(found),
            "can_edit": found.can_edit,
            "can_export": found.can_export,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def agency_create(request):
    collaborative = _active_collaborative(request)
    access.require(request.user, Action.AGENCY_CREATE, collaborative=collaborative)
    form = AgencyForm(request.POST or None, collaborative=collaborative, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            agency = services.agency_create(
                user=request.user, collaborative=collaborative, data=form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"Agency “{agency.name}” was created.")
            return redirect(agency)
    return render(request, "agencies/agency_form.html", {"form": form, "agency": None})


@login_required
@require_http_methods(["GET", "POST"])
def agency_edit(request, agency_id):
    agency = access.access_agency(request.user, agency_id, write=True).agency
    form = AgencyForm(
        request.POST or None,
        instance=agency,
        collaborative=agency.collaborative,
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_update(user=request.user, agency=agency, data=form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "The agency profile was saved.")
            return redirect(agency)
    return render(request, "agencies/agency_form.html", {"form": form, "agency": agency})


@login_required
@require_POST
def agency_summary_pdf(request, agency_id):
    agency = access.access_agency(request.user, agency_id).agency
    document = document_request(
        user=request.user,
        kind="agency_summary",
        collaborative=agency.collaborative,
        subject=agency,
        title=f"Agency profile - {agency.name}",
    )
    return redirect(document)


# --------------------------------------------------------------------------------------------
# Regions
# --------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def region_list(request):
    collaborative = _active_collaborative(request)
    access.require(request.user, Action.REGION_MANAGE, collaborative=collaborative)
    form = RegionForm(request.POST or None, collaborative=collaborative)
    if request.method == "POST" and form.is_valid():
        try:
            region = services.region_save(
                user=request.user, collaborative=collaborative, data=form.cleaned_data
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"Region “{region.name}” was added.")
            return redirect("agencies:region_list")
    regions = access.regions_in_scope(request.user, collaborative).order_by("name")
    return render(request, "agencies/region_list.html", {"regions": regions, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def region_edit(request, region_id):
    region = access.access_region(request.user, region_id, write=True).region
    form = RegionForm(request.POST or None, instance=region, collaborative=region.collaborative)
    if request.method == "POST" and form.is_valid():
        try:
            services.region_save(
                user=request.user,
                collaborative=region.collaborative,
                data=form.cleaned_data,
                region=region,
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "The region was saved.")
            return redirect("agencies:region_list")
    return render(request, "agencies/region_form.html", {"form": form, "region": region})


# --------------------------------------------------------------------------------------------
# People: memberships and invitations
# --------------------------------------------------------------------------------------------


def _require_people(user, collaborative) -> None:
    # Some of the collaborative's people (all, or only agency staff): the list shows which.
    if not access.holds(user, Action.USERS_MANAGE, collaborative=collaborative):
        raise PermissionDenied(Action.USERS_MANAGE.refusal())


def _people_context(request, collaborative, form) -> dict:
    q = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "active")
    if status not in dict(selectors_people.STATUS_CHOICES):
        status = "active"
    memberships = selectors_people.people_list(request.user, collaborative, q=q, status=status)
    page = Paginator(memberships, PAGE_SIZE).get_page(request.GET.get("page"))
    querystring = request.GET.copy()
    querystring.pop("page", None)
    invitable = access.invitable_roles(request.user, collaborative)
    invitations = selectors.pending_invitations(request.user, collaborative)[:50]
    return {
        "page_obj": page,
        "form": form,
        "invitations": invitations,
        "invitable": invitable,
        "q": q,
        "status": status,
        "statuses": selectors_people.STATUS_CHOICES,
        "querystring": querystring.urlencode(),
    }


@login_required
def people(request):
    collaborative = _active_collaborative(request)
    _require_people(request.user, collaborative)
    form = InvitationForm(user=request.user, collaborative=collaborative)
    return render(request, "agencies/people.html", _people_context(request, collaborative, form))


@login_required
@require_http_methods(["GET", "POST"])
def invitation_create(request):
    collaborative = _active_collaborative(request)
    _require_people(request.user, collaborative)
    if request.method == "GET":
        # A refused invitation is shown at this address; reloading it opens the people page.
        return redirect("agencies:people")
    form = InvitationForm(request.POST, user=request.user, collaborative=collaborative)
    if form.is_valid():
        try:
            invitation = services.invitation_create(
                invited_by=request.user,
                collaborative=collaborative,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                agencies=form.cleaned_data["agencies"],
                full_name=form.cleaned_data["full_name"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        except PermissionDenied as exc:
            form.add_error("role", str(exc))
        else:
            messages.success(
                request,
                f"{invitation.email} is invited. The invitation email is on its way; this "
                "page shows if it could not be sent.",
            )
            return redirect("agencies:people")
    return render(
        request, "agencies/people.html", _people_context(request, collaborative, form), status=400
    )


@login_required
@require_POST
def invitation_revoke(request, invitation_id):
    invitation = access.access_invitation(request.user, invitation_id).invitation
    if services.invitation_revoke(user=request.user, invitation=invitation):
        messages.success(request, f"The invitation of {invitation.email} was withdrawn.")
    return redirect("agencies:people")


# --------------------------------------------------------------------------------------------
# Implementation plan
# --------------------------------------------------------------------------------------------


#: Phase changes shown on the plan page; the rest are on the phase history page.
PHASE_HISTORY_SHOWN = 5


def _plan_page(request, found, form, status=200, phase_form=None):
    progress = selectors.plan_progress(found)
    today = found.agency.collaborative.today()
    for steps in progress["steps_by_area"].values():
        for step in steps:
            step.overdue = step.is_overdue_on(today)
    history = list(selectors.phase_changes(request.user, found.agency)[: PHASE_HISTORY_SHOWN + 1])
    if phase_form is None and found.can_edit:
        phase_form = PhaseChangeForm(agency=found.agency)
    return render(
        request,
        "agencies/plan.html",
        {
            "agency": found.agency,
            "plan": found.plan,
            **progress,
            "form": form,
            "can_edit": found.can_edit,
            "phase": phases.phase_info(found.agency.implementation_phase),
            "phase_form": phase_form,
            "phase_history": history[:PHASE_HISTORY_SHOWN],
            "phase_history_more": len(history) > PHASE_HISTORY_SHOWN,
        },
        status=status,
    )


@login_required
def plan(request, agency_id):
    found = access.access_plan(request.user, agency_id)
    follow_collaborative(request, found.agency.collaborative)
    return _plan_page(request, found, ImplementationStepForm())


@login_required
@require_POST
def plan_create(request, agency_id):
    agency = access.access_plan(request.user, agency_id, write=True).agency
    services.implementation_plan_create(user=request.user, agency=agency, from_template=True)
    messages.success(
        request,
        "The implementation plan was started with the standard steps of each area: edit, "
        "remove or add steps to fit the agency.",
    )
    return redirect("agencies:plan", agency_id=agency.pk)


@login_required
@require_http_methods(["GET", "POST"])
def plan_step_add(request, agency_id):
    found = access.access_plan(request.user, agency_id, write=True)
    if found.plan is None:
        raise Http404("This agency has no implementation plan yet.")
    if request.method == "GET":
        # A refused step is shown at this address; reloading it opens the plan.
        return redirect("agencies:plan", agency_id=found.agency.pk)
    form = ImplementationStepForm(request.POST)
    if form.is_valid():
        try:
            created = services.implementation_steps_add(
                user=request.user, plan=found.plan, steps=[form.cleaned_data]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "The step was added to the plan.")
            warning = services.overdue_warning(created, found.agency.collaborative.today())
            if warning:
                messages.warning(request, warning)
            return redirect("agencies:plan", agency_id=found.agency.pk)
    return _plan_page(request, found, form, status=400)


@login_required
@require_POST
def plan_step_status(request, step_id):
    step = _live_step(request, step_id)
    status = request.POST.get("status")
    if status not in ImplementationStep.Status.values:
        messages.error(request, "Choose a valid status for the step.")
    else:
        try:
            services.implementation_step_set_status(user=request.user, step=step, status=status)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            label = ImplementationStep.Status(status).label.lower()
            messages.success(request, f"Step marked {label}.")
    return redirect("agencies:plan", agency_id=step.agency_id)


def _live_step(request, step_id):
    step = access.access_plan_step(request.user, step_id, write=True).step
    if step.removed_at is not None:
        raise Http404("This step was removed from the plan.")
    return step


@login_required
@require_http_methods(["GET", "POST"])
def plan_step_edit(request, step_id):
    step = _live_step(request, step_id)
    follow_collaborative(request, step.agency.collaborative)
    form = ImplementationStepEditForm(request.POST or None, instance=step)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in form.fields}
            # The form's instance already holds the new values: start from the stored step.
            stored = access.access_plan_step(request.user, step_id, write=True).step
            try:
                services.implementation_step_update(user=request.user, step=stored, data=data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, "The step was saved.")
                return redirect("agencies:plan", agency_id=step.agency_id)
        status = 400
    return render(
        request, "agencies/plan_step_edit.html", {"step": step, "form": form}, status=status
    )


@login_required
@require_POST
def plan_step_move(request, step_id):
    step = _live_step(request, step_id)
    direction = request.POST.get("direction", "")
    try:
        moved = services.implementation_step_move(user=request.user, step=step, direction=direction)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if moved:
            messages.success(request, f"The step was moved {direction}.")
        else:
            edge = "first" if direction == "up" else "last"
            messages.info(request, f"The step is already the {edge} of its area.")
    return redirect(f"{reverse('agencies:plan', args=[step.agency_id])}#step-{step.pk}")


@login_required
@require_POST
def plan_step_remove(request, step_id):
    step = _live_step(request, step_id)
    services.implementation_step_remove(user=request.user, step=step)
    messages.success(
        request, "The step was removed from the plan; it is listed under Removed steps."
    )
    return redirect("agencies:plan", agency_id=step.agency_id)


@login_required
@require_http_methods(["GET", "POST"])
def plan_phase_change(request, agency_id):
    found = access.access_plan(request.user, agency_id, write=True)
    if request.method == "GET":
        # A refused move is shown at this address; reloading it opens the plan.
        return redirect("agencies:plan", agency_id=found.agency.pk)
    form = PhaseChangeForm(request.POST, agency=found.agency)
    if form.is_valid():
        try:
            change = services.agency_phase_change(
                user=request.user,
                agency=found.agency,
                to_phase=form.cleaned_data["to_phase"],
                note=form.cleaned_data["note"],
                from_phase=form.cleaned_data["from_phase"],
            )
        except services.PhaseChangeConflict as exc:
            # The page shows the phase as it is now, and the form (keeping what was typed)
            # starts from it, so sending it again is a move from the phase now shown.
            found.agency.refresh_from_db()
            data = request.POST.copy()
            data["from_phase"] = found.agency.implementation_phase
            form = PhaseChangeForm(data, agency=found.agency)
            form.is_valid()
            apply_validation_error(form, exc)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"The agency moved to {change.get_to_phase_display()}.")
            return redirect("agencies:plan", agency_id=found.agency.pk)
    return _plan_page(request, found, ImplementationStepForm(), status=400, phase_form=form)


@login_required
def plan_phase_history(request, agency_id):
    found = access.access_plan(request.user, agency_id)
    follow_collaborative(request, found.agency.collaborative)
    changes = selectors.phase_changes(request.user, found.agency)
    page = Paginator(changes, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "agencies/phase_history.html",
        {
            "agency": found.agency,
            "phase": phases.phase_info(found.agency.implementation_phase),
            "page_obj": page,
            "changes": page.object_list,
        },
    )
