from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import password_validators_help_text_html

from agencies import phases
from agencies.models import (
    Agency,
    ImplementationPhase,
    ImplementationStep,
    Invitation,
    PhaseChange,
    Region,
)
from agencies.models.validators import field_limit, word_text_limits
from agencies.services import invitable_agencies
from ipsportal import access


class WordedLimitsMixin:
    """Text past a field's limit is refused in words that name the field and the limit."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        word_text_limits(self.fields)


class AgencyForm(WordedLimitsMixin, forms.ModelForm):
    class Meta:
        model = Agency
        fields = [
            "name",
            "region",
            "street",
            "city",
            "state",
            "postal_code",
            "phone",
            "implementation_phase",
            "implementation_start_date",
            "vr_vendor_status",
            "carf_accredited",
            "ccbhc",
            "pros_program",
            "partner_employment_agency",
            "is_active",
        ]
        widgets = {"implementation_start_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, collaborative, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.collaborative = collaborative
        self.fields["region"].queryset = access.regions_in_scope(user, collaborative)
        self.fields["region"].empty_label = "No region"
        if not self.instance._state.adding:
            # A new agency starts in a phase of its choice; after that the phase moves on
            # the implementation plan page, which records who moved it and when.
            del self.fields["implementation_phase"]
        else:
            self.fields["implementation_phase"].label = "Implementation phase to start in"


class RegionForm(WordedLimitsMixin, forms.ModelForm):
    class Meta:
        model = Region
        fields = ["name", "liaison_name", "liaison_email"]

    def __init__(self, *args, collaborative, **kwargs):
        super().__init__(*args, **kwargs)
        self.collaborative = collaborative


class InvitationForm(WordedLimitsMixin, forms.Form):
    email = forms.EmailField(label="Email address", max_length=field_limit(Invitation, "email"))
    full_name = forms.CharField(
        label="Full name", max_length=field_limit(Invitation, "full_name"), required=False
    )
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

    def __init__(self, *args, user, collaborative, **kwargs):
        super().__init__(*args, **kwargs)
        # No role is preselected: a forgotten choice must not invite someone as a state admin.
        self.fields["role"].choices = [("", "Choose a role")] + [
            (r.value, r.label) for r in access.invitable_roles(user, collaborative)
        ]
        self.fields["agencies"].queryset = invitable_agencies(user, collaborative).order_by("name")


class AcceptInvitationForm(WordedLimitsMixin, forms.Form):
    full_name = forms.CharField(
        label="Your full name", max_length=field_limit(get_user_model(), "full_name")
    )
    password1 = forms.CharField(
        label="Choose a password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Type the password again",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", "The two passwords do not match.")
        return cleaned


class ImplementationStepForm(WordedLimitsMixin, forms.ModelForm):
    class Meta:
        model = ImplementationStep
        fields = ["area", "action", "responsible", "target_date"]
        widgets = {
            "action": forms.Textarea(attrs={"rows": 2}),
            "target_date": forms.DateInput(attrs={"type": "date"}),
        }


class ImplementationStepEditForm(WordedLimitsMixin, forms.ModelForm):
    class Meta:
        model = ImplementationStep
        fields = ["area", "action", "responsible", "target_date", "status", "notes"]
        widgets = {
            "action": forms.Textarea(attrs={"rows": 3}),
            "target_date": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {"responsible": "Names or roles, separated by commas."}


class PhaseChangeForm(WordedLimitsMixin, forms.Form):
    """Move an agency to another implementation phase. ``from_phase`` carries the phase the
    page showed, so a move made by someone else in the meantime is refused, not overwritten."""

    to_phase = forms.ChoiceField(label="Move to phase")
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=field_limit(PhaseChange, "note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why the agency moves, e.g. what it has reached.",
    )
    from_phase = forms.ChoiceField(choices=ImplementationPhase.choices, widget=forms.HiddenInput)

    def __init__(self, *args, agency: Agency, **kwargs):
        kwargs.setdefault("initial", {"from_phase": agency.implementation_phase})
        super().__init__(*args, **kwargs)
        # The moves from the phase the page showed (a stale page is refused by the service,
        # with who moved the agency, rather than by the list of choices).
        seen = self.data.get("from_phase") if self.is_bound else None
        start = seen if seen in ImplementationPhase.values else agency.implementation_phase
        self.fields["to_phase"].choices = [("", "Choose a phase")] + [
            (m.to_phase, f"{m.label} (back)" if m.back else m.label)
            for m in phases.allowed_moves(start)
        ]
