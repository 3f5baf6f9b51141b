"""Forms of the steering committee pages. They translate the request; the services decide."""

from django import forms

from agencies.models import SteeringActionItem, SteeringCategory, SteeringMember

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SteeringMemberForm(forms.Form):
    name = forms.CharField(max_length=200)
    category = forms.ChoiceField(choices=SteeringCategory.choices, label="Seat on the committee")
    organisation = forms.CharField(max_length=200, required=False)
    email = forms.EmailField(required=False, help_text="Optional.")
    is_active = forms.BooleanField(
        label="Active member", required=False, initial=True, help_text="Untick when they leave."
    )

    @classmethod
    def for_member(cls, member: SteeringMember, data=None) -> "SteeringMemberForm":
        return cls(
            data,
            initial={
                "name": member.name,
                "category": member.category,
                "organisation": member.organisation,
                "email": member.email,
                "is_active": member.is_active,
            },
        )


class _AttendeeChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: SteeringMember) -> str:
        inactive = "" if obj.is_active else ", no longer a member"
        return f"{obj.name} ({obj.get_category_display()}{inactive})"


class SteeringMeetingForm(forms.Form):
    date = forms.DateField(
        label="Meeting date",
        widget=_DATE,
        help_text="A later date than today records a planned meeting: its agenda only.",
    )
    attendees = _AttendeeChoice(
        queryset=SteeringMember.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Members present",
    )
    guests = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Guests",
        help_text="People present who are not members, one name a line.",
    )
    agenda = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    minutes = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False)
    decisions = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        # The choices are this committee's members; the service checks them again.
        self.fields["attendees"].queryset = members


class SteeringActionItemForm(forms.Form):
    text = forms.CharField(
        label="Action item", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    owner = forms.CharField(max_length=200, required=False, label="Owner")
    due_date = forms.DateField(required=False, widget=_DATE, label="Due date")
    status = forms.ChoiceField(
        choices=SteeringActionItem.Status.choices, initial=SteeringActionItem.Status.OPEN
    )

    @classmethod
    def for_item(cls, item: SteeringActionItem, data=None) -> "SteeringActionItemForm":
        return cls(
            data,
            initial={
                "text": item.text,
                "owner": item.owner,
                "due_date": item.due_date,
                "status": item.status,
            },
        )
