"""Pages of people management: a person's page with the history of their membership, the
change of their role and agencies, and the confirmed deactivation or reactivation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from agencies import selectors_people, services
from agencies.forms_people import MembershipForm, MembershipStateForm
from ipsportal import access
from ipsportal.forms import apply_validation_error
from ipsportal.middleware import follow_collaborative


def _found(request, membership_id):
    found = access.access_membership(request.user, membership_id)
    follow_collaborative(request, found.membership.collaborative)
    return found


@login_required
def person(request, membership_id):
    found = _found(request, membership_id)
    membership = found.membership
    return render(
        request,
        "agencies/person.html",
        {
            "membership": membership,
            "person": membership.user,
            "agencies": list(membership.agencies.order_by("name")),
            "history": selectors_people.membership_history(membership),
            "is_own": found.is_own,
        },
    )


def _save(request, membership, call, form, success: str):
    try:
        call(expected_version=form.cleaned_data["version"])
    except services.MembershipConflict as exc:
        form.add_error(None, exc)
    except ValidationError as exc:
        apply_validation_error(form, exc)
    else:
        messages.success(request, success)
        return redirect("agencies:person", membership_id=membership.pk)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request, membership_id):
    membership = _found(request, membership_id).membership
    form = MembershipForm(request.POST or None, user=request.user, membership=membership)
    if request.method == "POST" and form.is_valid():

        def call(expected_version):
            services.membership_update(
                user=request.user,
                membership=membership,
                role=form.cleaned_data["role"],
                agencies=form.cleaned_data["agencies"],
                expected_version=expected_version,
            )

        done = _save(
            request, membership, call, form, f"{membership.user.display_name}'s role was saved."
        )
        if done:
            return done
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "agencies/person_edit.html",
        {"membership": membership, "person": membership.user, "form": form},
        status=status,
    )


def _state_change(request, membership_id, *, activate: bool):
    membership = _found(request, membership_id).membership
    form = MembershipStateForm(request.POST or None, initial={"version": membership.version})
    if request.method == "POST" and form.is_valid():
        service = services.membership_reactivate if activate else services.membership_deactivate
        name = membership.user.display_name

        def call(expected_version):
            service(user=request.user, membership=membership, expected_version=expected_version)

        success = (
            f"{name} is active again as {membership.get_role_display()}."
            if activate
            else f"{name} is deactivated as {membership.get_role_display()}."
        )
        done = _save(request, membership, call, form, success)
        if done:
            return done
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "agencies/person_confirm.html",
        {
            "membership": membership,
            "person": membership.user,
            "form": form,
            "activate": activate,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_deactivate(request, membership_id):
    return _state_change(request, membership_id, activate=False)


@login_required
@require_http_methods(["GET", "POST"])
def person_reactivate(request, membership_id):
    return _state_change(request, membership_id, activate=True)
