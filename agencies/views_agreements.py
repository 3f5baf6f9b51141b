"""Pages of an agency's training and TA agreement: the current version, any version, a
draft or a change, signing a line and asking for the PDF. Thin: the access package opens
the objects, the services write, the selectors read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from agencies import selectors_agreements as selectors
from agencies import services
from agencies.forms_agreements import AgreementForm, SignatureForm
from agencies.models import SignerRole
from ipsportal import access
from ipsportal.forms import apply_validation_error
from ipsportal.middleware import follow_collaborative

VERSIONS_PAGE_SIZE = 10


def _version_page(request, agency, agreement, *, can_edit, can_export, sign_lines):
    versions = selectors.agreement_versions(agency)
    page = Paginator(versions, VERSIONS_PAGE_SIZE).get_page(request.GET.get("page"))
    current = selectors.latest_version(agency)
    context = {
        "agency": agency,
        "agreement": agreement,
        "can_edit": can_edit,
        "can_export": can_export,
        "page_obj": page,
        "versions": page.object_list,
        "current_version": current.version if current else None,
    }
    if agreement is not None:
        lines = selectors.signature_lines(agreement)
        signed = sum(1 for line in lines if line.signature)
        is_current = current is not None and current.pk == agreement.pk
        context.update(
            {
                "lines": lines,
                "sign_lines": sign_lines if is_current and not agreement.is_signed else {},
                "commitments": selectors.commitments(agreement),
                "is_current": is_current,
                "has_signatures": bool(signed),
                "status": selectors.status_of(agreement, signed),
                "state": selectors.version_state(
                    agreement, is_current=is_current, signed_count=signed
                ),
                "states": selectors.AgreementState,
            }
        )
    return render(request, "agencies/agreement.html", context)


@login_required
def agreement_current(request, agency_id):
    found = access.access_agency_agreement(request.user, agency_id)
    follow_collaborative(request, found.agency.collaborative)
    return _version_page(
        request,
        found.agency,
        found.current,
        can_edit=found.can_edit,
        can_export=found.can_export,
        sign_lines=access.signable_lines(request.user, found.agency),
    )


@login_required
def agreement(request, agreement_id):
    found = access.access_agreement(request.user, agreement_id)
    follow_collaborative(request, found.agency.collaborative)
    return _version_page(
        request,
        found.agency,
        found.agreement,
        can_edit=found.can_edit,
        can_export=found.can_export,
        sign_lines=found.can_sign_lines,
    )


def _form_page(request, agency, form, *, agreement=None, based_on=None, status=200):
    return render(
        request,
        "agencies/agreement_form.html",
        {"agency": agency, "form": form, "agreement": agreement, "based_on": based_on},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_new(request, agency_id):
    found = access.access_agency_agreement(request.user, agency_id, write=True)
    agency, current = found.agency, found.current
    if current is not None and not current.signatures.exists():
        messages.info(
            request, f"Version {current.version} has no signature yet: change it instead."
        )
        return redirect("agencies:agreement_edit", agreement_id=current.pk)
    if request.method == "POST":
        form = AgreementForm(request.POST)
        if form.is_valid():
            try:
                created = services.agreement_create(
                    user=request.user, agency=agency, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(
                    request,
                    f"Version {created.version} of the agreement was drafted. It needs the "
                    "three signatures.",
                )
                return redirect(created)
        return _form_page(request, agency, form, based_on=current, status=400)
    form = AgreementForm(initial=AgreementForm.initial_of(current, agency.collaborative.today()))
    return _form_page(request, agency, form, based_on=current)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request, agreement_id):
    found = access.access_agreement(request.user, agreement_id, write=True)
    agreement = found.agreement
    if agreement.signatures.exists():
        messages.error(
            request,
            f"Version {agreement.version} has signatures and can no longer be changed: use "
            "“Change the agreement” to make a new version.",
        )
        return redirect(agreement)
    if request.method == "POST":
        form = AgreementForm(request.POST)
        if form.is_valid():
            try:
                services.agreement_update(
                    user=request.user, agreement=agreement, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, f"Version {agreement.version} was saved.")
                return redirect(agreement)
        return _form_page(request, found.agency, form, agreement=agreement, status=400)
    form = AgreementForm(initial=AgreementForm.initial_of(agreement, None))
    return _form_page(request, found.agency, form, agreement=agreement)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_sign(request, agreement_id, signer_role):
    if signer_role not in SignerRole.values:
        raise Http404("No such signature line.")
    found = access.access_agreement(request.user, agreement_id, sign=True)
    agreement = found.agreement
    right = found.can_sign_lines.get(signer_role)
    label = SignerRole(signer_role).label
    if right is None:
        raise PermissionDenied(f"You cannot sign the {label.lower()} line of this agreement.")
    if request.method == "GET":
        signed = agreement.signatures.filter(signer_role=signer_role).first()
        if signed is not None:
            messages.info(request, f"The {label.lower()} line is signed by {signed.signer_name}.")
            return redirect(agreement)
    options = {"on_behalf": right.on_behalf, "on_behalf_only": right.on_behalf_only}
    form = SignatureForm(
        request.POST or None,
        initial={"signer_name": "" if right.on_behalf_only else request.user.full_name},
        **options,
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.agreement_sign(
                    user=request.user,
                    agreement=agreement,
                    signer_role=signer_role,
                    signer_name=form.cleaned_data["signer_name"],
                    on_behalf_reason=form.cleaned_data.get("on_behalf_reason", ""),
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                agreement.refresh_from_db()
                done = " All three lines are signed." if agreement.is_signed else ""
                messages.success(request, f"The {label.lower()} line was signed.{done}")
                return redirect(agreement)
    return render(
        request,
        "agencies/agreement_sign.html",
        {
            "agency": found.agency,
            "agreement": agreement,
            "form": form,
            "line_label": label,
            "right": right,
        },
        status=status,
    )


@login_required
@require_POST
def agreement_pdf(request, agreement_id):
    found = access.access_agreement(request.user, agreement_id)
    document = services.agreement_document(user=request.user, agreement=found.agreement)
    return redirect(document)
