"""Forms of the fidelity review pages. They translate the request; the services decide."""

from django import forms

from agencies.models import Agency
from fidelity.models import FidelityScale, ReviewKind

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReviewPlanForm(forms.Form):
    """Plan a review of an agency chosen first (its reviewers depend on it)."""

    scale = forms.ModelChoiceField(
        queryset=FidelityScale.objects.none(), label="Fidelity scale", empty_label=None
    )
    kind = forms.ChoiceField(choices=ReviewKind.choices, label="Kind of review")
    visit_start = forms.DateField(label="First day of the visit", widget=_DATE)
    visit_end = forms.DateField(
        label="Last day of the visit",
        widget=_DATE,
        help_text="The same day for a one-day visit; usually the day after.",
    )
    reviewers = forms.MultipleChoiceField(
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Reviewers",
        help_text="State trainers and fidelity reviewers assigned to the agency; usually two.",
    )

    def __init__(self, *args, scales, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scale"].queryset = scales
        self.candidates = {str(m.user_id): m.user for m in candidates}
        self.fields["reviewers"].choices = [
            (str(m.user_id), f"{m.user.display_name} ({m.get_role_display()})") for m in candidates
        ]

    def chosen_reviewers(self) -> list:
        return [self.candidates[pk] for pk in self.cleaned_data.get("reviewers", [])]


class AgencyChoiceForm(forms.Form):
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(), label="Agency", empty_label="Choose…"
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies


class SummaryForm(forms.Form):
    summary = forms.CharField(
        label="Overall summary",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=10000,
        required=False,
        help_text="What the review found, in a few paragraphs: it opens the report.",
    )


class ReportsExportForm(forms.Form):
    """The period (and region) of a bulk export of final reports."""

    date_from = forms.DateField(label="Visits from", widget=_DATE, required=False)
    date_to = forms.DateField(label="Visits to", widget=_DATE, required=False)
    region = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="All regions", label="Region"
    )

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end of the period cannot be before its start.")
        return cleaned
