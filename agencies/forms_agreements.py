"""Forms of the agreement pages. They translate the request; the services decide (the limits
of each commitment are checked there, with messages that name the field)."""

from django import forms

from agencies.models import EmployerVisitFrequency, TAAgreement

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AgreementForm(forms.Form):
    start_date = forms.DateField(
        label="Start of implementation",
        widget=_DATE,
        help_text="The first month of the agreement; the months of monthly meetings count "
        "from here.",
    )
    es_training_days = forms.DecimalField(
        label="Training days for employment specialists and the IPS supervisor (first year)",
        max_digits=6,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0", "max": "30"}),
        help_text="Usually 3 to 4 days; in half days, 0 to 30.",
    )
    mh_training_days = forms.DecimalField(
        label="Training days for mental health practitioners and supervisors (first year)",
        max_digits=6,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0", "max": "30"}),
        help_text="Usually half a day.",
    )
    unit_meeting_months = forms.IntegerField(
        label="Months in which the trainer attends an IPS unit meeting every month",
        widget=forms.NumberInput(attrs={"min": "0", "max": "24"}),
        help_text="Usually the first 6 months; 0 to 24.",
    )
    team_meeting_months = forms.IntegerField(
        label="Months in which the trainer attends a MH treatment team meeting every month",
        widget=forms.NumberInput(attrs={"min": "0", "max": "24"}),
        help_text="Usually the first 6 months; 0 to 24.",
    )
    employer_visits = forms.ChoiceField(
        label="The trainer joins employer visits",
        choices=EmployerVisitFrequency.choices,
        widget=forms.RadioSelect,
    )
    steering_committee_quarterly = forms.BooleanField(
        label="The trainer takes part in the quarterly steering committee", required=False
    )
    outcome_reviews = forms.BooleanField(
        label="The trainer reviews outcomes with the IPS supervisor and agency leaders",
        required=False,
    )
    notes = forms.CharField(
        label="Other arrangements",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )

    @classmethod
    def initial_of(cls, agreement: TAAgreement | None, today) -> dict:
        """The values of a version (or the usual ones for a first draft)."""
        if agreement is None:
            agreement = TAAgreement(start_date=today)
        return {
            "start_date": agreement.start_date,
            "es_training_days": agreement.es_training_days,
            "mh_training_days": agreement.mh_training_days,
            "unit_meeting_months": agreement.unit_meeting_months,
            "team_meeting_months": agreement.team_meeting_months,
            "employer_visits": agreement.employer_visits,
            "steering_committee_quarterly": agreement.steering_committee_quarterly,
            "outcome_reviews": agreement.outcome_reviews,
            "notes": agreement.notes,
        }


class SignatureForm(forms.Form):
    signer_name = forms.CharField(
        label="Name of the person signing", max_length=150, required=False
    )
    on_behalf_reason = forms.CharField(
        label="Reason for recording on the signer's behalf",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=1000,
    )

    def __init__(self, *args, on_behalf: bool, on_behalf_only: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not on_behalf:
            del self.fields["on_behalf_reason"]
        else:
            reason = self.fields["on_behalf_reason"]
            reason.help_text = (
                "You record this line for someone else: say why (e.g. signed on paper)."
                if on_behalf_only
                else "Leave empty to sign as yourself; fill it in to record someone else's "
                "signature."
            )
