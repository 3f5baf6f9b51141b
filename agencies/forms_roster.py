"""Forms of the staff roster: they translate the page's fields and show what the services or
the database refused; the rules themselves live in the models and services."""

from django import forms

from agencies import selectors_roster
from agencies.models import Membership, Role, StaffMember, TreatmentTeam, VRCounselor
from ipsportal.models import User


class StaffMemberForm(forms.ModelForm):
    class Meta:
        model = StaffMember
        fields = [
            "name",
            "role",
            "fte",
            "start_date",
            "end_date",
            "supervisor",
            "caseload",
            "employment_services_only",
            "employment_services_percent",
            "supervises_ips_only",
            "community_time_percent",
            "treatment_teams",
            "referrals_from_teams_percent",
            "user",
        ]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
            "treatment_teams": forms.CheckboxSelectMultiple,
            "fte": forms.NumberInput(attrs={"step": "0.05", "min": "0.05", "max": "1.5"}),
        }

    def __init__(self, *args, user: User, agency, **kwargs):
        kwargs.setdefault(
            "instance", StaffMember(agency=agency, collaborative=agency.collaborative)
        )
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [
            ("", "Choose a role"),
            *StaffMember._meta.get_field("role").choices,
        ]
        supervisors = selectors_roster.roster_supervisors(user, agency)
        if self.instance.pk:
            supervisors = supervisors.exclude(pk=self.instance.pk)
        self.fields["supervisor"].queryset = supervisors
        self.fields["supervisor"].empty_label = "Not recorded"
        self.fields["treatment_teams"].queryset = TreatmentTeam.objects.filter(
            pk__in=selectors_roster.roster_teams(user, agency).values("pk")
        ).order_by("name")
        self.fields["user"].queryset = User.objects.filter(
            pk__in=Membership.objects.filter(
                collaborative=agency.collaborative,
                agencies=agency,
                is_active=True,
                role__in=sorted(Role.agency_roles()),
            ).values("user_id")
        ).order_by("full_name", "email")
        self.fields["user"].empty_label = "No portal account"
        for name in ("employment_services_only", "supervises_ips_only"):
            self.fields[name].widget.choices = [
                ("unknown", "Not recorded"),
                ("true", "Yes"),
                ("false", "No"),
            ]

    def service_arguments(self) -> dict:
        """The cleaned fields as the roster services take them."""
        data = dict(self.cleaned_data)
        data["account"] = data.pop("user")
        data["treatment_teams"] = list(data["treatment_teams"])
        return data


class EndStaffMemberForm(forms.Form):
    end_date = forms.DateField(
        label="Last day on the program", widget=forms.DateInput(attrs={"type": "date"})
    )


class TreatmentTeamForm(forms.ModelForm):
    class Meta:
        model = TreatmentTeam
        fields = ["name", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class VRCounselorForm(forms.ModelForm):
    class Meta:
        model = VRCounselor
        fields = ["name", "vr_office", "email"]
