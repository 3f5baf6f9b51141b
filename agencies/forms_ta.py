"""Forms of the TA activity log pages. They translate the request; the services decide."""

from django import forms

from agencies.models import Agency, TAActivity, TAActivityKind

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TAActivityForm(forms.Form):
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), empty_label="Choose…")
    date = forms.DateField(label="Activity date", widget=_DATE, help_text="Today or earlier.")
    kind = forms.ChoiceField(choices=TAActivityKind.choices, label="Kind of activity")
    duration_minutes = forms.IntegerField(
        label="Duration (minutes)",
        min_value=1,
        max_value=24 * 60,
        help_text="In minutes: 90 for an hour and a half; at most 1440 (24 hours).",
    )
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=4000,
        help_text="What was discussed or practised, and what comes next.",
    )

    def __init__(self, *args, agencies, with_agency: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        # The choices are the agencies the user may log for; the service checks again.
        if with_agency:
            self.fields["agency"].queryset = agencies
        else:
            del self.fields["agency"]

    @classmethod
    def for_activity(cls, activity: TAActivity, data=None) -> "TAActivityForm":
        return cls(
            data,
            agencies=Agency.objects.none(),
            with_agency=False,
            initial={
                "date": activity.date,
                "kind": activity.kind,
                "duration_minutes": activity.duration_minutes,
                "notes": activity.notes,
            },
        )


class TAActivityFilterForm(forms.Form):
    """The filters of a log page; a value that does not parse is left out."""

    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(), required=False, empty_label="All agencies"
    )
    kind = forms.ChoiceField(
        choices=[("", "All kinds"), *TAActivityKind.choices], required=False, label="Kind"
    )
    date_from = forms.DateField(required=False, widget=_DATE, label="From")
    date_to = forms.DateField(required=False, widget=_DATE, label="To")
    q = forms.CharField(required=False, max_length=100, label="Notes contain")

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agencies is None:
            del self.fields["agency"]
        else:
            self.fields["agency"].queryset = agencies
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css
        self.fields["q"].widget.input_type = "search"

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "agency": data.get("agency"),
            "kind": data.get("kind") or None,
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "search": (data.get("q") or "").strip(),
        }
