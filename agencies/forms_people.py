"""Forms of people management: a membership's role and agencies, and the confirmation of a
deactivation or reactivation. They only translate; the services decide."""

from __future__ import annotations

from django import forms

from agencies.models import Role
from agencies.services import invitable_agencies
from ipsportal import access


class MembershipForm(forms.Form):
    role = forms.ChoiceField(label="Role")
    agencies = forms.ModelMultipleChoiceField(
        label="Agencies",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=(
            "Agency staff: exactly one agency. Trainers, reviewers and VR liaisons: the "
            "agencies they are assigned to. State admins: none (they see every agency)."
        ),
    )
    # The version the page showed: a change based on an older one is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, user, membership, **kwargs):
        collaborative = membership.collaborative
        kwargs.setdefault(
            "initial",
            {
                "role": membership.role,
                "agencies": list(membership.agencies.all()),
                "version": membership.version,
            },
        )
        super().__init__(*args, **kwargs)
        roles = list(access.invitable_roles(user, collaborative))
        if membership.role not in roles:
            roles.insert(0, Role(membership.role))
        self.fields["role"].choices = [(r.value, r.label) for r in roles]
        self.fields["agencies"].queryset = invitable_agencies(user, collaborative).order_by("name")


class MembershipStateForm(forms.Form):
    """The confirmation of a deactivation or a reactivation."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
