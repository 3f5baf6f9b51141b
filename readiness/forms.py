"""Forms of the visit page: one form for the visit and the ratings, formsets for the rows.

They turn the browser's fields into the data dict the services take (see
``readiness.services.visit_save_draft``); the services check the rules again.
"""

from __future__ import annotations

from typing import Any

from django import forms

from agencies.models import Agency
from agencies.models.validators import field_limit, word_text_limits
from ipsportal import access
from readiness.models import (
    Rating,
    ReadinessVisit,
    VisitActionStep,
    VisitAmendment,
    VisitAreaRating,
    VisitLeader,
    VisitRecipient,
    VisitVisitor,
)
from readiness.services.common import EARLIEST_VISIT_DATE, visit_date_problem

RATING_ERROR = "“{title}”: choose Ready or Work is needed."
AFFILIATIONS = [
    "State IPS trainer",
    "State mental health authority",
    "State Vocational Rehabilitation",
    "VR counselor",
    "Regional employment liaison",
    "Partner agency",
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class VisitDateInput(DateInput):
    """The date of a visit: the browser offers no day before 2000 (the server checks it)."""

    def __init__(self, attrs=None):
        super().__init__({"min": EARLIEST_VISIT_DATE.isoformat(), **(attrs or {})})


def _clean_visit_date(form, collaborative):
    value = form.cleaned_data["visit_date"]
    if value and (problem := visit_date_problem(collaborative, value)):
        raise forms.ValidationError(problem)
    return value


class StyledForm(forms.Form):
    """Bootstrap classes on every widget (the visit page renders fields by hand), and text
    limits refused in words that name the field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()

    def style_fields(self) -> None:
        word_text_limits(self.fields)
        for field in self.fields.values():
            widget = field.widget
            if "class" in widget.attrs or isinstance(widget, forms.HiddenInput):
                continue  # styled already (e.g. the rating toggles)
            if isinstance(widget, forms.RadioSelect | forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = css


def _visitor_choices(memberships) -> tuple[list[tuple[str, str]], dict[str, Any]]:
    """One checkbox per person (a person may hold several state roles)."""
    choices, by_id, seen = [], {}, {}
    for membership in memberships:
        if membership.user_id in seen:
            seen[membership.user_id].append(membership.get_role_display())
            continue
        seen[membership.user_id] = [membership.get_role_display()]
        by_id[str(membership.pk)] = membership
    for key, membership in by_id.items():
        roles = ", ".join(seen[membership.user_id])
        choices.append((key, f"{membership.user.display_name} ({roles})"))
    return choices, by_id


class VisitForm(StyledForm):
    """The whole visit: details, activities, ratings and notes, summary texts."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    visit_date = forms.DateField(label="Date of the visit", widget=VisitDateInput)
    met_leadership = forms.BooleanField(required=False, label="Met with agency leadership")
    met_employment_staff = forms.BooleanField(
        required=False, label="Observed an employment meeting or met the employment staff"
    )
    met_clients = forms.BooleanField(required=False, label="Met with a group of clients")
    activity_notes = forms.CharField(
        required=False,
        max_length=field_limit(ReadinessVisit, "activity_notes"),
        label="Other activities or remarks",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    visitor_members = forms.MultipleChoiceField(
        required=False, label="Visitors from the portal", widget=forms.CheckboxSelectMultiple
    )
    barriers = forms.CharField(
        required=False,
        max_length=field_limit(ReadinessVisit, "barriers"),
        label="Barriers",
        help_text="What may get in the way of implementing IPS. One per line.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    facilitators = forms.CharField(
        required=False,
        max_length=field_limit(ReadinessVisit, "facilitators"),
        label="Facilitators",
        help_text="What will help the agency implement IPS. One per line.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, visit: ReadinessVisit, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.visit = visit
        self.checklist = visit.checklist
        candidates = access.visit_visitor_candidates(user, visit.collaborative)
        choices, self.members = _visitor_choices(candidates)
        self.fields["visitor_members"].choices = choices
        for part in self.checklist.parts:
            if part.can_be_not_applicable:
                self.fields[f"na_{part.key}"] = forms.BooleanField(
                    required=False, label=part.not_applicable_label
                )
        for area in self.checklist.areas:
            self.fields[f"rating_{area.key}"] = forms.ChoiceField(
                required=False,
                choices=Rating.choices,
                widget=forms.RadioSelect(attrs={"class": "btn-check", "autocomplete": "off"}),
                label=area.title,
                error_messages={"invalid_choice": RATING_ERROR.format(title=area.title)},
            )
            self.fields[f"notes_{area.key}"] = forms.CharField(
                required=False,
                max_length=field_limit(VisitAreaRating, "notes"),
                label=f"Notes on “{area.title}”",
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        self.style_fields()

    def clean_visit_date(self):
        return _clean_visit_date(self, self.visit.collaborative)

    def rating_field(self, area_key: str):
        return self[f"rating_{area_key}"]

    def notes_field(self, area_key: str):
        return self[f"notes_{area_key}"]


class AmendForm(VisitForm):
    """The visit form with the reason of the correction (required) and the resend choice."""

    reason = forms.CharField(
        max_length=field_limit(VisitAmendment, "reason"),
        label="Why is the visit corrected?",
        help_text="Kept in the visit's audit trail with your name and the time.",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the visit is corrected."},
    )
    resend = forms.BooleanField(
        required=False, label="Email the corrected report to the recipients again"
    )


class LeaderForm(StyledForm):
    name = forms.CharField(
        max_length=field_limit(VisitLeader, "name"),
        label="Name",
        error_messages={"required": "Enter the leader's name."},
    )
    title = forms.CharField(
        max_length=field_limit(VisitLeader, "title"), required=False, label="Title"
    )


class GuestForm(StyledForm):
    name = forms.CharField(
        max_length=field_limit(VisitVisitor, "name"),
        label="Name",
        error_messages={"required": "Enter the visitor's name."},
    )
    affiliation = forms.CharField(
        max_length=field_limit(VisitVisitor, "affiliation"),
        required=False,
        label="Organization or role",
        widget=forms.TextInput(attrs={"list": "affiliation-suggestions"}),
    )


class ActionStepForm(StyledForm):
    id = forms.UUIDField(required=False, widget=forms.HiddenInput)
    text = forms.CharField(
        max_length=field_limit(VisitActionStep, "text"),
        label="Action step",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Describe the action step."},
    )
    owner = forms.CharField(
        max_length=field_limit(VisitActionStep, "owner"), required=False, label="Owner"
    )
    target_date = forms.DateField(required=False, label="Target date", widget=DateInput)
    area_key = forms.ChoiceField(required=False, label="Related area")

    def __init__(self, *args, area_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area_key"].choices = [("", "None in particular"), *area_choices]


class RecipientForm(StyledForm):
    name = forms.CharField(
        max_length=field_limit(VisitRecipient, "name"), required=False, label="Name"
    )
    email = forms.EmailField(
        max_length=field_limit(VisitRecipient, "email"),
        label="Email",
        error_messages={
            "required": "Enter the recipient's email address.",
            "invalid": "Enter a valid email address, like name@agency.org.",
        },
    )
    role = forms.CharField(
        max_length=field_limit(VisitRecipient, "role"),
        required=False,
        label="Role",
        widget=forms.TextInput(attrs={"placeholder": "e.g. Executive director"}),
    )
    vr_copy = forms.BooleanField(required=False, label="VR counselor (gets a copy)")


LeaderFormSet = forms.formset_factory(LeaderForm, extra=1, can_delete=True, max_num=30)
GuestFormSet = forms.formset_factory(GuestForm, extra=1, can_delete=True, max_num=30)
ActionStepFormSet = forms.formset_factory(ActionStepForm, extra=1, can_delete=True, max_num=50)
RecipientFormSet = forms.formset_factory(RecipientForm, extra=1, can_delete=True, max_num=30)

FORMSETS = {
    "leaders": LeaderFormSet,
    "guests": GuestFormSet,
    "steps": ActionStepFormSet,
    "recipients": RecipientFormSet,
}
ROW_LABELS = {
    "leaders": "Leader",
    "guests": "Guest visitor",
    "steps": "Action step",
    "recipients": "Recipient",
}


class VisitPage:
    """The visit form and its row formsets, bound together, and their translation to and
    from the services' data dict."""

    def __init__(self, *, visit: ReadinessVisit, user, data=None, amend: bool = False):
        self.visit = visit
        form_class = AmendForm if amend else VisitForm
        area_choices = [(a.key, a.title) for a in visit.checklist.areas]
        if data is None:
            initial, rows = self._initial(visit, user)
            self.form = form_class(visit=visit, user=user, initial=initial)
            self.formsets = {
                prefix: cls(
                    prefix=prefix,
                    initial=rows[prefix],
                    form_kwargs={"area_choices": area_choices} if prefix == "steps" else {},
                )
                for prefix, cls in FORMSETS.items()
            }
        else:
            self.form = form_class(data, visit=visit, user=user)
            self.formsets = {
                prefix: cls(
                    data,
                    prefix=prefix,
                    form_kwargs={"area_choices": area_choices} if prefix == "steps" else {},
                )
                for prefix, cls in FORMSETS.items()
            }

    @staticmethod
    def _initial(visit: ReadinessVisit, user) -> tuple[dict, dict[str, list]]:
        ratings = {r.area_key: r for r in visit.ratings.all()}
        visitors = list(visit.visitors.all())
        initial: dict[str, Any] = {
            "version": visit.version,
            "visit_date": visit.visit_date,
            "met_leadership": visit.met_leadership,
            "met_employment_staff": visit.met_employment_staff,
            "met_clients": visit.met_clients,
            "activity_notes": visit.activity_notes,
            "barriers": visit.barriers,
            "facilitators": visit.facilitators,
        }
        for part in visit.checklist.parts:
            initial[f"na_{part.key}"] = part.key in (visit.not_applicable_parts or [])
        for area in visit.checklist.areas:
            row = ratings.get(area.key)
            initial[f"rating_{area.key}"] = row.rating if row else ""
            initial[f"notes_{area.key}"] = row.notes if row else ""
        chosen_users = {v.user_id for v in visitors if v.user_id}
        _, members = _visitor_choices(access.visit_visitor_candidates(user, visit.collaborative))
        initial["visitor_members"] = [
            key for key, m in members.items() if m.user_id in chosen_users
        ]
        rows = {
            "leaders": [{"name": x.name, "title": x.title} for x in visit.leaders.all()],
            "guests": [
                {"name": x.name, "affiliation": x.affiliation}
                for x in visitors
                if not x.user_id or x.user_id not in {m.user_id for m in members.values()}
            ],
            "steps": [
                {
                    "id": s.pk,
                    "text": s.text,
                    "owner": s.owner,
                    "target_date": s.target_date,
                    "area_key": s.area_key,
                }
                for s in visit.action_steps.all()
            ],
            "recipients": [
                {"name": r.name, "email": r.email, "role": r.role, "vr_copy": r.vr_copy}
                for r in visit.recipients.all()
            ],
        }
        return initial, rows

    def is_valid(self) -> bool:
        valid = self.form.is_valid()
        for formset in self.formsets.values():
            valid = formset.is_valid() and valid
        return valid

    def rows(self, prefix: str) -> list[dict]:
        """The filled-in rows of a formset, without the removed ones (blank new rows have no
        cleaned data)."""
        formset = self.formsets[prefix]
        return [
            f.cleaned_data
            for f in formset.forms
            if f.cleaned_data and not formset._should_delete_form(f)
        ]

    @property
    def version(self) -> int | None:
        raw = self.form.data.get("version") if self.form.is_bound else None
        try:
            return int(raw) if raw is not None else None
        except (TypeError, ValueError):
            return None

    def data(self) -> dict[str, Any]:
        """The services' data dict from the cleaned fields (call after is_valid)."""
        cd = self.form.cleaned_data
        checklist = self.visit.checklist
        data: dict[str, Any] = {
            name: cd.get(name)
            for name in (
                "visit_date",
                "met_leadership",
                "met_employment_staff",
                "met_clients",
                "activity_notes",
                "barriers",
                "facilitators",
            )
        }
        data["not_applicable_parts"] = [
            p.key for p in checklist.parts if p.can_be_not_applicable and cd.get(f"na_{p.key}")
        ]
        data["ratings"] = {
            a.key: {
                "rating": cd.get(f"rating_{a.key}") or "",
                "notes": cd.get(f"notes_{a.key}") or "",
            }
            for a in checklist.areas
        }
        data["leaders"] = [
            {"name": r["name"], "title": r.get("title", "")} for r in self.rows("leaders")
        ]
        visitors = []
        for key in cd.get("visitor_members") or []:
            membership = self.form.members[key]
            visitors.append(
                {
                    "user": membership.user,
                    "name": membership.user.display_name,
                    "affiliation": membership.get_role_display(),
                }
            )
        visitors += [
            {"user": None, "name": r["name"], "affiliation": r.get("affiliation", "")}
            for r in self.rows("guests")
        ]
        data["visitors"] = visitors
        data["action_steps"] = [
            {
                "id": r.get("id"),
                "text": r["text"],
                "owner": r.get("owner", ""),
                "target_date": r.get("target_date"),
                "area_key": r.get("area_key", ""),
            }
            for r in self.rows("steps")
        ]
        data["recipients"] = [
            {
                "name": r.get("name", ""),
                "email": r["email"],
                "role": r.get("role", ""),
                "vr_copy": r.get("vr_copy", False),
            }
            for r in self.rows("recipients")
        ]
        return data

    def error_summary(self) -> list[dict[str, str]]:
        """Every error with the field it belongs to, for the list at the top of the page."""
        items = []
        for name, errors in self.form.errors.items():
            if name == "__all__":
                items += [{"label": "", "message": e, "anchor": "visit-form"} for e in errors]
                continue
            field = self.form[name]
            label = "" if name.startswith("rating_") else str(field.label)
            anchor = field.auto_id if not name.startswith("rating_") else f"area-{name[7:]}"
            items += [{"label": label, "message": e, "anchor": anchor} for e in errors]
        for prefix, formset in self.formsets.items():
            for error in formset.non_form_errors():
                items.append({"label": ROW_LABELS[prefix] + "s", "message": error, "anchor": ""})
            for n, form in enumerate(formset.forms, start=1):
                if formset._should_delete_form(form):
                    continue
                for name, errors in form.errors.items():
                    label = f"{ROW_LABELS[prefix]} {n}"
                    anchor = form[name].auto_id if name in form.fields else ""
                    items += [{"label": label, "message": e, "anchor": anchor} for e in errors]
        return items

    def apply_service_errors(self, exc) -> None:
        """Put a service's ValidationError on the page (on the field when there is one)."""
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                target = field if field in self.form.fields else None
                for error in errors:
                    self.form.add_error(target, error)
        else:
            for message in exc.messages:
                self.form.add_error(None, message)


class VisitStartForm(StyledForm):
    """Which agency was visited and when; the rest is filled in on the visit page."""

    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label="Agency")
    visit_date = forms.DateField(label="Date of the visit", widget=VisitDateInput)

    def __init__(self, *args, user, collaborative, **kwargs):
        super().__init__(*args, **kwargs)
        self.collaborative = collaborative
        self.fields["agency"].queryset = access.readiness_agencies(
            user, collaborative, write=True
        ).order_by("name")
        if not self.is_bound:
            self.initial.setdefault("visit_date", collaborative.today())

    def clean_visit_date(self):
        return _clean_visit_date(self, self.collaborative)
