"""Pages of fidelity reviews: the list, planning a review, the review, a reviewer's own
sheet, the reconciliation, and finalizing the report."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from fidelity import selectors_reviews as selectors
from fidelity import services
from fidelity.forms import AgencyChoiceForm, ReportsExportForm, ReviewPlanForm, SummaryForm
from fidelity.models import ReviewStatus
from fidelity.reports import REPORT_KIND
from ipsportal import access
from ipsportal.forms import apply_validation_error
from ipsportal.middleware import follow_collaborative
from ipsportal.services import document_request

PAGE_SIZE = 25


def _collaborative(request):
    if not request.collaborative:
        raise Http404("You are not a member of any collaborative yet.")
    return request.collaborative


@login_required
@require_http_methods(["GET"])
def review_list(request):
    collaborative = _collaborative(request)
    agencies = access.fidelity_review_agencies(request.user, collaborative).order_by("name")
    agency = None
    wanted = request.GET.get("agency", "").strip()
    if wanted:
        try:
            agency = agencies.filter(pk=uuid.UUID(wanted)).first()
        except ValueError:
            agency = None  # a filter that does not parse is left out
    status = request.GET.get("status", "")
    if status not in ReviewStatus.values:
        status = ""
    reviews = selectors.review_list(request.user, collaborative, agency=agency, status=status)
    page = Paginator(reviews, PAGE_SIZE).get_page(request.GET.get("page"))
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(
        request,
        "fidelity/review_list.html",
        {
            "page_obj": page,
            "reviews": page.object_list,
            "agencies": agencies,
            "agency": agency,
            "status": status,
            "statuses": ReviewStatus.choices,
            "filtered": bool(agency or status),
            "querystring": querystring.urlencode(),
            "can_plan": access.fidelity_review_agencies(
                request.user, collaborative, plan=True
            ).exists(),
            "can_export": access.can(
                request.user, access.Action.FIDELITY_SCORE, collaborative=collaborative
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_new(request):
    collaborative = _collaborative(request)
    plannable = access.fidelity_review_agencies(request.user, collaborative, plan=True)
    if not plannable.exists():
        raise PermissionDenied(
            "Your role does not let you plan fidelity reviews. State admins plan them: ask "
            "one of your collaborative's state admins."
        )
    chooser = AgencyChoiceForm(request.GET or None, agencies=plannable.order_by("name"))
    agency = chooser.cleaned_data["agency"] if chooser.is_bound and chooser.is_valid() else None
    if agency is None:
        return render(request, "fidelity/review_new.html", {"chooser": chooser, "form": None})
    form = ReviewPlanForm(
        request.POST or None,
        scales=access.fidelity_scales_in_scope(request.user).filter(is_active=True),
        candidates=list(access.reviewer_candidates(request.user, agency)),
        initial={"kind": "follow_up"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            review = services.review_create(
                user=request.user,
                agency=agency,
                scale=form.cleaned_data["scale"],
                kind=form.cleaned_data["kind"],
                visit_start=form.cleaned_data["visit_start"],
                visit_end=form.cleaned_data["visit_end"],
                reviewers=form.chosen_reviewers(),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, f"The review of {agency.name} was planned.")
            return redirect(review)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "fidelity/review_new.html",
        {"chooser": chooser, "form": form, "agency": agency},
        status=status,
    )


def _open(request, review_id, **kwargs):
    found = access.access_review(request.user, review_id, **kwargs)
    follow_collaborative(request, found.review.collaborative)
    return found


@login_required
@require_http_methods(["GET"])
def review_detail(request, review_id):
    found = _open(request, review_id)
    review = found.review
    reviewers = list(access.review_reviewers(request.user, review))
    report = (
        selectors.review_report(request.user, found)
        if review.status in (ReviewStatus.DRAFT_REPORT, ReviewStatus.FINAL)
        or (found.can_score and review.status == ReviewStatus.RECONCILING)
        else None
    )
    return render(
        request,
        "fidelity/review_detail.html",
        {
            "review": review,
            "found": found,
            "reviewers": reviewers,
            "visit_days": selectors.visit_days(review),
            "report": report,
            "waiting": [r for r in reviewers if r.submitted_at is None],
            "document": (
                access.current_record_document(request.user, REPORT_KIND, review)
                if review.is_final
                else None
            ),
        },
    )


@login_required
@require_POST
def review_start(request, review_id):
    found = _open(request, review_id, score=True)
    try:
        review = services.review_start(user=request.user, review=found.review)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(found.review)
    if review.status == ReviewStatus.RECONCILING:
        messages.success(request, "The review is open: record the ratings as the consensus.")
        return redirect("fidelity:review_reconcile", review_id=review.pk)
    messages.success(request, "The review is open: each reviewer rates the items on their own.")
    return redirect(review)


def _parse(post, keys, notes) -> tuple[dict, list[str]]:
    """The posted ratings ``rating-<key>`` and notes ``<note>-<key>`` as the services take
    them; ratings that are not whole numbers are reported (and kept on the page)."""
    entries, problems = {}, []
    for key in keys:
        raw = post.get(f"rating-{key}", "").strip()
        try:
            rating = int(raw) if raw else None
        except ValueError:
            problems.append(f"{key}: the rating is a whole number.")
            rating = None
        entry = {"rating": rating}
        for note in notes:
            entry[note] = post.get(f"{note}-{key}", "")
        entries[key] = entry
    return entries, problems


def _posted_version(request) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def my_ratings(request, review_id):
    found = _open(request, review_id)
    if found.sheet is None:
        raise PermissionDenied(
            "Only the review's reviewers rate it on their own sheets. If you should be one, "
            "ask a state admin of your collaborative to add you to the review."
        )
    scale, rows = selectors.my_sheet(request.user, found)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        entries, errors = _parse(request.POST, [r.item.key for r in rows], ["evidence"])
        for row in rows:  # nothing typed is lost when the save is refused
            row.rating = entries[row.item.key]["rating"]
            row.evidence = entries[row.item.key]["evidence"]
        if not errors:
            try:
                services.my_ratings_save(
                    user=request.user,
                    review=found.review,
                    ratings=entries,
                    version=_posted_version(request),
                )
            except services.ReviewStale as exc:
                errors = [exc.message]
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(request, "Your ratings were saved. Only you can see them.")
                if request.POST.get("then") == "submit":
                    return redirect("fidelity:my_ratings_submit", review_id=found.review.pk)
                return redirect("fidelity:my_ratings", review_id=found.review.pk)
        status = 400
    sheet = found.sheet
    sheet.refresh_from_db()
    return render(
        request,
        "fidelity/my_ratings.html",
        {
            "review": found.review,
            "found": found,
            "sheet": sheet,
            "scale": scale,
            "rows": rows,
            "errors": errors,
            "rated": sum(1 for r in rows if r.rating is not None),
            "visit_days": selectors.visit_days(found.review),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_ratings_submit(request, review_id):
    found = _open(request, review_id)
    if found.sheet is None:
        raise PermissionDenied("Only the review's reviewers submit ratings.")
    if request.method == "POST":
        try:
            services.my_ratings_submit(user=request.user, review=found.review)
        except ValidationError as exc:
            messages.error(request, "Not submitted: " + " ".join(exc.messages))
            return redirect("fidelity:my_ratings", review_id=found.review.pk)
        found.review.refresh_from_db()
        if found.review.status == ReviewStatus.RECONCILING:
            messages.success(
                request,
                "Your ratings were submitted. Every reviewer has submitted: the "
                "reconciliation is open.",
            )
        else:
            messages.success(
                request,
                "Your ratings were submitted. They stay hidden until every reviewer has submitted.",
            )
        return redirect(found.review)
    return render(
        request,
        "fidelity/my_ratings_submit.html",
        {"review": found.review, "visit_days": selectors.visit_days(found.review)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def reconcile(request, review_id):
    found = _open(request, review_id)
    review = found.review
    if review.status in (ReviewStatus.PLANNED, ReviewStatus.IN_PROGRESS):
        messages.info(
            request, "The reconciliation opens once every reviewer has submitted their ratings."
        )
        return redirect(review)
    if not found.can_score:
        raise PermissionDenied(access.Action.FIDELITY_SCORE.refusal())
    scale, rows = selectors.reconciliation(request.user, found)
    errors: list[str] = []
    status = 200
    notes = ["rationale", "strengths", "recommendations"]
    posted = {}
    if request.method == "POST":
        entries, errors = _parse(request.POST, [r.item.key for r in rows], notes)
        posted = entries
        given = {
            k: e for k, e in entries.items() if e["rating"] is not None or any(e[n] for n in notes)
        }
        if not errors:
            try:
                services.consensus_save(
                    user=request.user,
                    review=review,
                    ratings=given,
                    version=_posted_version(request),
                )
            except services.ReviewStale as exc:
                errors = [exc.message]
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(request, "The consensus was saved.")
                if request.POST.get("then") == "complete":
                    return redirect("fidelity:review_reconcile_complete", review_id=review.pk)
                return redirect("fidelity:review_reconcile", review_id=review.pk)
        status = 400
    for row in rows:  # what the radio buttons show: what was typed, else the proposal
        typed = posted.get(row.item.key)
        row.current = typed["rating"] if typed else row.proposed
    review.refresh_from_db()
    return render(
        request,
        "fidelity/reconcile.html",
        {
            "review": review,
            "found": found,
            "scale": scale,
            "rows": rows,
            "posted": posted,
            "errors": errors,
            "differ": sum(1 for r in rows if r.differs),
            "agreed": sum(1 for r in rows if r.consensus is not None),
            "visit_days": selectors.visit_days(review),
            "read_only": review.status == ReviewStatus.FINAL,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def reconcile_complete(request, review_id):
    found = _open(request, review_id, score=True)
    if request.method == "POST":
        try:
            services.consensus_complete(user=request.user, review=found.review)
        except ValidationError as exc:
            messages.error(request, "Not yet: " + " ".join(exc.messages))
            return redirect("fidelity:review_reconcile", review_id=found.review.pk)
        messages.success(request, "The consensus is complete: write the report's summary next.")
        return redirect("fidelity:review_finalize", review_id=found.review.pk)
    return render(
        request,
        "fidelity/reconcile_complete.html",
        {"review": found.review, "visit_days": selectors.visit_days(found.review)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_finalize(request, review_id):
    found = _open(request, review_id, score=True)
    review = found.review
    if review.status != ReviewStatus.DRAFT_REPORT:
        messages.info(
            request,
            "The review is final already."
            if review.status == ReviewStatus.FINAL
            else "Complete the consensus first: the report follows it.",
        )
        return redirect(review)
    form = SummaryForm(request.POST or None, initial={"summary": review.summary})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.review_finalize(
                user=request.user,
                review=review,
                summary=form.cleaned_data["summary"],
                version=_posted_version(request),
            )
        except services.ReviewStale as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, "The review is final: its report is read-only now.")
            return redirect(review)
    if request.method == "POST":
        status = 400
    return render(
        request,
        "fidelity/review_finalize.html",
        {
            "review": review,
            "form": form,
            "report": selectors.review_report(request.user, found),
            "visit_days": selectors.visit_days(review),
            "cancel": reverse("fidelity:review", kwargs={"review_id": review.pk}),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def reports_export(request):
    """The final fidelity reports of a period (and region) as one ZIP, for state admins:
    rendered by a worker, with its progress on the document's page."""
    collaborative = _collaborative(request)
    access.require(request.user, access.Action.FIDELITY_SCORE, collaborative=collaborative)
    form = ReportsExportForm(
        request.POST if request.method == "POST" else None,
        regions=access.regions_in_scope(request.user, collaborative),
    )
    if request.method == "POST" and form.is_valid():
        start, end = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        region = form.cleaned_data["region"]
        period = " to ".join(d.strftime("%b %-d, %Y") for d in (start, end) if d) or "all dates"
        document = document_request(
            user=request.user,
            kind="fidelity_reports",
            collaborative=collaborative,
            title=f"Fidelity reports - {collaborative.name} - {period}"
            + (f" - {region.name}" if region else ""),
            params={
                "from": start.isoformat() if start else "",
                "to": end.isoformat() if end else "",
                "region": str(region.pk) if region else "",
            },
        )
        return redirect(document)
    return render(
        request,
        "fidelity/reports_export.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )
