"""Pages of readiness visits: the overview, the visit form, finalizing, the visit page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies.models import ImplementationArea
from agencies.services import overdue_warning
from ipsportal import access
from ipsportal.access import Action
from ipsportal.models import Document
from ipsportal.services import document_request
from readiness import selectors, services
from readiness.forms import AFFILIATIONS, VisitPage, VisitStartForm
from readiness.models import ReadinessVisit
from readiness.selectors import STATUS_FILTERS, visit_content

PAGE_SIZE = 25


def _active_collaborative(request):
    collaborative = request.collaborative
    if not collaborative:
        raise Http404("You are not a member of any collaborative yet.")
    return collaborative


def _saved_by(visit: ReadinessVisit) -> tuple[str, str]:
    """When the visit was last saved and by whom, as people read them."""
    who = visit.updated_by.display_name if visit.updated_by else "someone"
    return visit.collaborative.local_time_text(visit.updated_at), who


def _saved_text(visit: ReadinessVisit) -> str:
    when, who = _saved_by(visit)
    return f"Saved at {when} by {who}"


def _conflict_message(user, current: ReadinessVisit) -> str:
    """Why a save based on an old version was refused. When the newer version is the user's
    own (saved from another tab or device), they are not told that someone else saved it."""
    if current.updated_by_id != user.pk:
        return services.VisitConflict(current).message
    when, _ = _saved_by(current)
    return (
        f"You saved this visit at {when} from another tab or device, after this page was "
        "opened. Your changes were not saved, so nothing was overwritten: copy your changes, "
        "then reload the page to see the latest version."
    )


# --------------------------------------------------------------------------------------------
# Overview
# --------------------------------------------------------------------------------------------


def overview_context(request) -> dict:
    """Agencies in scope with their latest visit (as this user may see it), filters, pages."""
    collaborative = _active_collaborative(request)
    user = request.user
    if not access.holds(user, Action.READINESS_VIEW, collaborative=collaborative):
        raise PermissionDenied(Action.READINESS_VIEW.refusal())
    q = request.GET.get("q", "").strip()[:100]
    region = request.GET.get("region", "")
    status = request.GET.get("status", "")
    if status not in STATUS_FILTERS:
        status = ""
    agencies, counts = selectors.overview(user, collaborative, q=q, region=region, status=status)
    regions = list(access.regions_in_scope(user, collaborative))
    page = Paginator(agencies, PAGE_SIZE).get_page(request.GET.get("page"))
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return {
        "page_obj": page,
        "agencies": page.object_list,
        "q": q,
        "region": region,
        "status": status,
        "regions": regions,
        "status_filters": STATUS_FILTERS,
        "querystring": querystring.urlencode(),
        "filtered": bool(q or region or status),
        "counts": counts,
        "can_write": access.can(user, Action.READINESS_WRITE, collaborative=collaborative),
        "can_export": access.holds(user, Action.READINESS_EXPORT, collaborative=collaborative),
        "writable_ids": set(
            access.readiness_agencies(user, collaborative, write=True).values_list("pk", flat=True)
        ),
    }


@login_required
@require_GET
def overview(request):
    context = overview_context(request)
    template = "readiness/_overview_table.html" if request.htmx else "readiness/overview.html"
    return render(request, template, context)


# --------------------------------------------------------------------------------------------
# Starting a visit
# --------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def visit_start(request):
    collaborative = _active_collaborative(request)
    access.require(request.user, Action.READINESS_WRITE, collaborative=collaborative)
    initial = {}
    if request.method == "GET" and request.GET.get("agency"):
        initial["agency"] = request.GET["agency"]
    form = VisitStartForm(
        request.POST or None, user=request.user, collaborative=collaborative, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.visit_create(
                user=request.user,
                agency=form.cleaned_data["agency"],
                data={"visit_date": form.cleaned_data["visit_date"]},
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"The visit to {visit.agency.name} was started as a draft.")
            return redirect("readiness:visit_edit", visit_id=visit.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "readiness/visit_start.html", {"form": form}, status=status)


# --------------------------------------------------------------------------------------------
# The visit form
# --------------------------------------------------------------------------------------------


def _status_text(visit, *, errors: list, conflict: str, amend: bool) -> str:
    """The save bar's line: it never says "Saved" about a save that was just refused."""
    if conflict:
        return (
            "Not saved: the visit was saved again since this page was opened (see the message "
            "at the top). Your changes are still in the form: copy them, then reload the page."
        )
    if errors:
        n = len(errors)
        return (
            f"Not saved: fix the {n} problem{'s' if n != 1 else ''} listed at the top of the "
            "page, then save again."
        )
    return "" if amend else _saved_text(visit)


def _form_context(request, visit, page, *, conflict: str = "", amend: bool = False) -> dict:
    checklist = visit.checklist
    form = page.form
    errors = page.error_summary() if form.is_bound else []
    parts = []
    for part in checklist.parts:
        parts.append(
            {
                "part": part,
                "na_field": form[f"na_{part.key}"] if part.can_be_not_applicable else None,
                "areas": [
                    {
                        "area": area,
                        "rating": form[f"rating_{area.key}"],
                        "notes": form[f"notes_{area.key}"],
                    }
                    for area in part.areas
                ],
            }
        )
    return {
        "visit": visit,
        "agency": visit.agency,
        "page": page,
        "form": form,
        "formsets": page.formsets,
        "parts": parts,
        "errors": errors,
        "conflict": conflict,
        "amend": amend,
        "status_text": _status_text(visit, errors=errors, conflict=conflict, amend=amend),
        "total_areas": len(checklist.areas),
        "affiliations": AFFILIATIONS,
        "save_id": _save_id_of(visit) if not amend else "",
    }


#: How long the id of the autosave that made a version is kept (a day of work on a visit).
SAVE_ID_SECONDS = 24 * 60 * 60


def _save_id_key(visit_id, version: int) -> str:
    return f"ips-readiness-visit-save:{visit_id}:{version}"


def _save_id_of(visit) -> str:
    """The id the page sent with the autosave that made the visit's current version, if any."""
    return cache.get(_save_id_key(visit.pk, visit.version)) or ""


def _posted_id(request, name: str) -> str:
    value = request.POST.get(name, "")
    return value if len(value) <= 64 and value.replace("-", "").isalnum() else ""


def _save_from_page(request, visit, page, *, expected_version=None):
    """Save a draft from a bound page. Returns (visit, None) or (None, (status, message,
    stored visit on a conflict or None))."""
    if not page.is_valid():
        return None, (400, "", None)
    try:
        saved = services.visit_save_draft(
            user=request.user,
            visit=visit,
            data=page.data(),
            expected_version=expected_version or page.version,
        )
    except services.VisitConflict as exc:
        return None, (409, _conflict_message(request.user, exc.current), exc.current)
    except ValidationError as exc:
        page.apply_service_errors(exc)
        return None, (400, "", None)
    return saved, None


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def visit_edit(request, visit_id):
    visit = access.access_visit(request.user, visit_id, write=True).visit
    if visit.is_final:
        messages.info(request, "This visit is finalized. To correct it, amend it.")
        return redirect(visit)
    if request.method == "GET":
        page = VisitPage(visit=visit, user=request.user)
        return render(request, "readiness/visit_form.html", _form_context(request, visit, page))
    page = VisitPage(visit=visit, user=request.user, data=request.POST)
    saved, problem = _save_from_page(request, visit, page)
    if saved is not None:
        when, who = _saved_by(saved)
        messages.success(request, f"The draft was saved at {when} by {who}.")
        return redirect("readiness:visit_edit", visit_id=saved.pk)
    status, conflict, _ = problem
    context = _form_context(request, visit, page, conflict=conflict)
    return render(request, "readiness/visit_form.html", context, status=status)


@never_cache
@login_required
@require_POST
def visit_autosave(request, visit_id):
    """The autosave of the visit page: the whole form, answered in JSON."""
    visit = access.access_visit(request.user, visit_id, write=True).visit
    if visit.is_final:
        return JsonResponse(
            {"status": "final", "message": "This visit was finalized; it is read-only now."},
            status=409,
        )
    page = VisitPage(visit=visit, user=request.user, data=request.POST)
    save_id = _posted_id(request, "save_id")
    supersedes = _posted_id(request, "supersedes")
    # The id of the save is kept before the version it made can be read by anyone else.
    with transaction.atomic():
        saved, problem = _save_from_page(request, visit, page)
        if saved is None and problem[0] == 409 and supersedes:
            # The page was read before the save its predecessor sent as it was left had landed;
            # its form holds all of that save, so when that save made the one newer version,
            # this one goes on top of it.
            current = problem[2]
            if (
                page.version is not None
                and current.version == page.version + 1
                and current.updated_by_id == request.user.pk
                and _save_id_of(current) == supersedes
            ):
                saved, problem = _save_from_page(
                    request, visit, page, expected_version=current.version
                )
        if saved is not None and save_id:
            cache.set(_save_id_key(saved.pk, saved.version), save_id, SAVE_ID_SECONDS)
    if saved is not None:
        return JsonResponse(
            {
                "status": "saved",
                "save_id": save_id,
                "version": saved.version,
                "saved_at": saved.collaborative.local_time_text(saved.updated_at),
                "saved_by_you": True,
                "message": _saved_text(saved),
                "rated": saved.rated_count,
                "applicable": saved.applicable_count,
                "step_ids": [str(s.pk) for s in saved.action_steps.all()],
            }
        )
    status, conflict, current = problem
    if status == 409:
        return JsonResponse(
            {
                "status": "conflict",
                "message": conflict,
                # The page compares the stored version with what it sent itself: a save of its
                # own that won a race is not a colleague's change.
                "version": current.version,
                "saved_at": current.collaborative.local_time_text(current.updated_at),
                "saved_by_you": current.updated_by_id == request.user.pk,
                # The id of the save that made that version, when it was an autosave: the page
                # knows the ids of its own saves.
                "save_id": _save_id_of(current) if current.updated_by_id == request.user.pk else "",
            },
            status=409,
        )
    return JsonResponse(
        {
            "status": "invalid",
            "message": "Not saved yet: please fix the fields listed.",
            "errors": [
                f"{e['label']}: {e['message']}" if e["label"] else str(e["message"])
                for e in page.error_summary()
            ],
        },
        status=400,
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_review(request, visit_id):
    """Save the draft, then go to the finalize page (the form's second button)."""
    visit = access.access_visit(request.user, visit_id, write=True).visit
    if visit.is_final:
        return redirect(visit)
    if request.method == "GET":
        # A refused save is shown at this address; reloading it opens the form again.
        return redirect("readiness:visit_edit", visit_id=visit.pk)
    page = VisitPage(visit=visit, user=request.user, data=request.POST)
    saved, problem = _save_from_page(request, visit, page)
    if saved is not None:
        return redirect("readiness:visit_finalize", visit_id=saved.pk)
    status, conflict, _ = problem
    context = _form_context(request, visit, page, conflict=conflict)
    return render(request, "readiness/visit_form.html", context, status=status)


@login_required
@require_POST
def visit_discard(request, visit_id):
    visit = access.access_visit(request.user, visit_id, write=True).visit
    try:
        services.visit_discard(user=request.user, visit=visit)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(visit)
    messages.success(request, f"The draft visit to {visit.agency.name} was deleted.")
    return redirect("readiness:overview")


# --------------------------------------------------------------------------------------------
# Finalize, amend, resend
# --------------------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def visit_finalize(request, visit_id):
    visit = access.access_visit(request.user, visit_id, write=True).visit
    if visit.is_final:
        messages.info(request, "This visit is already finalized.")
        return redirect(visit)
    problems: list[str] = []
    conflict = ""
    status = 200
    if request.method == "POST":
        try:
            services.visit_finalize(
                user=request.user, visit=visit, expected_version=request.POST.get("version")
            )
        except services.VisitConflict as exc:
            conflict, status = _conflict_message(request.user, exc.current), 409
            visit = exc.current
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                problems = exc.message_dict.get("finalize", exc.messages)
            else:
                problems = exc.messages
            status = 400
        else:
            count = visit.recipients.count()
            messages.success(
                request,
                f"The visit was finalized. The report is being prepared and will be emailed "
                f"to {count} recipient{'s' if count != 1 else ''}.",
            )
            return redirect("readiness:visit_detail", visit_id=visit.pk)
    else:
        problems = services.visit_missing_items(visit)
    # What will be sent, built as the visit page and the report build it.
    context = {**visit_content(visit), "problems": problems, "conflict": conflict}
    return render(request, "readiness/visit_finalize.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def visit_amend(request, visit_id):
    visit = access.access_visit(request.user, visit_id, write=True).visit
    if not visit.is_final:
        return redirect("readiness:visit_edit", visit_id=visit.pk)
    if request.method == "GET":
        page = VisitPage(visit=visit, user=request.user, amend=True)
        context = _form_context(request, visit, page, amend=True)
        return render(request, "readiness/visit_form.html", context)
    page = VisitPage(visit=visit, user=request.user, data=request.POST, amend=True)
    status, conflict = 400, ""
    if page.is_valid():
        try:
            services.visit_amend(
                user=request.user,
                visit=visit,
                data=page.data(),
                expected_version=page.version,
                reason=page.form.cleaned_data["reason"],
                resend=page.form.cleaned_data["resend"],
            )
        except services.VisitConflict as exc:
            status, conflict = 409, _conflict_message(request.user, exc.current)
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "finalize" in exc.error_dict:
                for message in exc.message_dict["finalize"]:
                    page.form.add_error(None, message)
            else:
                page.apply_service_errors(exc)
        else:
            messages.success(request, "The correction was recorded in the visit's history.")
            return redirect(visit)
    context = _form_context(request, visit, page, conflict=conflict, amend=True)
    return render(request, "readiness/visit_form.html", context, status=status)


@login_required
@require_POST
def visit_resend(request, visit_id):
    visit = access.access_visit(request.user, visit_id, write=True).visit
    try:
        services.visit_report_resend(user=request.user, visit=visit)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "The report is being prepared again and will be emailed.")
    return redirect(visit)


# --------------------------------------------------------------------------------------------
# The visit page, its report, and its steps into the implementation plan
# --------------------------------------------------------------------------------------------


def _report_context(request, found) -> dict:
    visit = found.visit
    state = selectors.report_state(request.user, found)
    return {
        "visit": visit,
        "state": state,
        "report": state.document,
        "pending": state.pending,
        "email_sent_at": visit.collaborative.local_time_text(state.last_sent_at),
        "email_count": state.sent,
        "can_export": found.can_export,
        "can_write": found.can_edit,
    }


@login_required
@require_GET
def visit_detail(request, visit_id):
    user = request.user
    found = access.access_visit(user, visit_id)
    visit = found.visit
    plan = None
    if visit.is_final and found.can_edit_plan:
        plan = access.access_plan(user, visit.agency_id).plan
    content = visit_content(visit)
    steps = content["action_steps"]
    converted = services.converted_step_ids(user, visit) if steps else set()
    for step in steps:
        step.default_plan_area = services.default_plan_area(visit, step)
        step.in_plan = step.pk in converted
    context = {
        **content,
        "can_write": found.can_edit,
        "can_plan": found.can_edit_plan,
        "plan": plan,
        "plan_areas": ImplementationArea.choices,
        "open_steps": [s for s in steps if not s.in_plan],
        "saved_text": _saved_text(visit),
        "finalized_text": visit.collaborative.local_time_text(visit.finalized_at),
        **{f"r_{k}": v for k, v in _report_context(request, found).items()},
    }
    return render(request, "readiness/visit_detail.html", context)


@never_cache
@login_required
@require_GET
def visit_report_status(request, visit_id):
    """The report and email status of a visit (polled by the visit page while pending)."""
    found = access.access_visit(request.user, visit_id)
    context = {f"r_{k}": v for k, v in _report_context(request, found).items()}
    return render(request, "readiness/_report_panel.html", context)


@login_required
@require_POST
def visit_to_plan(request, visit_id):
    visit = access.access_visit(request.user, visit_id).visit
    chosen = set(request.POST.getlist("step"))
    steps = {str(s.pk): s for s in visit.action_steps.all()}
    selections = [
        (step, request.POST.get(f"area_{key}") or services.default_plan_area(visit, step))
        for key, step in steps.items()
        if key in chosen
    ]
    if not selections:
        messages.error(request, "Choose at least one action step to add to the plan.")
        return redirect(visit)
    try:
        created = services.visit_steps_to_plan(
            user=request.user, visit=visit, selections=selections
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(visit)
    n = len(created)
    if n:
        messages.success(
            request,
            f"{n} step{'s were' if n != 1 else ' was'} added to the implementation plan.",
        )
        warning = overdue_warning(created, visit.collaborative.today())
        if warning:
            messages.warning(request, warning)
    else:
        messages.info(request, "These steps are already in the implementation plan.")
    return redirect(visit)


# --------------------------------------------------------------------------------------------
# Exports
# --------------------------------------------------------------------------------------------


@login_required
@require_POST
def history_pdf(request, agency_id):
    """An agency's readiness history with its chart, as a PDF rendered by a worker."""
    agency = access.access_agency(request.user, agency_id).agency
    document = document_request(
        user=request.user,
        kind="readiness_history",
        collaborative=agency.collaborative,
        subject=agency,
        title=f"Readiness history - {agency.name}",
    )
    return redirect(document)


@login_required
@require_POST
def overview_export(request):
    """The overview's table, with the filters shown, as CSV or XLSX."""
    collaborative = _active_collaborative(request)
    fmt = request.POST.get("format", Document.Format.CSV)
    params = {k: request.POST.get(k, "")[:100] for k in ("q", "region", "status")}
    try:
        document = document_request(
            user=request.user,
            kind="readiness_overview",
            collaborative=collaborative,
            title=f"Readiness overview - {collaborative.name}",
            format=fmt,
            params=params,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("readiness:overview")
    return redirect(document)


@login_required
@require_POST
def reports_zip(request):
    """Every finalized visit report the user may download in the collaborative, in one ZIP."""
    collaborative = _active_collaborative(request)
    document = document_request(
        user=request.user,
        kind="readiness_reports",
        collaborative=collaborative,
        title=f"Readiness visit reports - {collaborative.name}",
    )
    return redirect(document)
