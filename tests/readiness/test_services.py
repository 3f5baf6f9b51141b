import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from agencies import services as agency_services
from agencies.models import ImplementationStep, Role
from ipsportal.models import Document
from ipsportal.notifications.models import Delivery
from readiness import services
from readiness.models import ReadinessVisit, VisitAmendment, VisitStatus
from tests.readiness.helpers import complete_data, make_visit, report_deliveries, visit_report

pytestmark = pytest.mark.django_db


def test_it_starts_a_draft_with_the_current_checklist_and_the_trainer_as_visitor(tenant):
    trainer = tenant.user(Role.STATE_TRAINER)
    visit = services.visit_create(user=trainer, agency=tenant.agency)
    assert visit.status == VisitStatus.DRAFT
    assert visit.version == 1
    assert visit.checklist.slug == "ips-readiness"
    assert [v.user for v in visit.visitors.all()] == [trainer]
    assert visit.applicable_count == len(visit.checklist.areas) == 10
    assert visit.rated_count == 0


def test_it_refuses_to_start_a_visit_to_reviewers_and_agency_staff(tenant):
    for role in (Role.FIDELITY_REVIEWER, Role.IPS_SUPERVISOR, Role.VR_LIAISON):
        with pytest.raises(PermissionDenied):
            services.visit_create(user=tenant.user(role), agency=tenant.agency)
    assert not ReadinessVisit.objects.exists()


def test_it_saves_a_draft_with_rows_counts_and_a_new_version(tenant):
    visit = make_visit(tenant)
    assert visit.version == 2
    assert visit.rated_count == 10
    assert visit.ready_count == 6  # areas 1, 4, 7 and 10 need work (every third)
    assert visit.leaders.get().title == "Executive director"
    assert [r.vr_copy for r in visit.recipients.all()] == [False, True]
    assert visit.action_steps.count() == 2


def test_it_keeps_action_step_ids_across_saves(tenant):
    visit = make_visit(tenant)
    steps = list(visit.action_steps.all())
    rows = [
        {"id": s.pk, "text": s.text + " (edited)", "owner": s.owner, "target_date": None}
        for s in steps
    ]
    visit = services.visit_save_draft(
        user=tenant.user(Role.STATE_TRAINER),
        visit=visit,
        data={"action_steps": rows[1:]},
        expected_version=visit.version,
    )
    assert [s.pk for s in visit.action_steps.all()] == [steps[1].pk]
    assert visit.action_steps.get().text.endswith("(edited)")


def test_it_refuses_a_stale_save_and_writes_nothing(tenant):
    trainer, admin = tenant.user(Role.STATE_TRAINER), tenant.user(Role.STATE_ADMIN)
    visit = services.visit_create(user=trainer, agency=tenant.agency)
    opened_by_both = visit.version
    services.visit_save_draft(
        user=admin, visit=visit, data={"barriers": "Admin's barriers"}, expected_version=1
    )
    with pytest.raises(services.VisitConflict) as caught:
        services.visit_save_draft(
            user=trainer,
            visit=visit,
            data={"barriers": "Trainer's barriers"},
            expected_version=opened_by_both,
        )
    assert admin.display_name in caught.value.message
    assert "were not saved" in caught.value.message
    visit.refresh_from_db()
    assert visit.barriers == "Admin's barriers"
    assert visit.version == 2


@time_machine.travel(datetime.datetime(2026, 3, 10, 23, 30, tzinfo=zoneinfo.ZoneInfo("UTC")))
def test_it_refuses_a_visit_date_after_today_in_the_collaborative_time_zone(tenant):
    # 23:30 UTC is still March 10 in Chicago: the 11th is tomorrow there.
    visit = services.visit_create(user=tenant.user(Role.STATE_TRAINER), agency=tenant.agency)
    with pytest.raises(ValidationError) as caught:
        services.visit_save_draft(
            user=tenant.user(Role.STATE_TRAINER),
            visit=visit,
            data={"visit_date": datetime.date(2026, 3, 11)},
            expected_version=visit.version,
        )
    assert "cannot be in the future" in caught.value.message_dict["visit_date"][0]
    saved = services.visit_save_draft(
        user=tenant.user(Role.STATE_TRAINER),
        visit=visit,
        data={"visit_date": datetime.date(2026, 3, 10)},
        expected_version=visit.version,
    )
    assert saved.visit_date == datetime.date(2026, 3, 10)


def test_it_refuses_unknown_ratings_invalid_emails_and_steps_without_text(tenant):
    trainer = tenant.user(Role.STATE_TRAINER)
    visit = services.visit_create(user=trainer, agency=tenant.agency)
    with pytest.raises(ValidationError) as caught:
        services.visit_save_draft(
            user=trainer,
            visit=visit,
            data={
                "ratings": {"vr_partnership": {"rating": "maybe"}},
                "recipients": [{"name": "X", "email": "not-an-email"}],
                "action_steps": [{"text": "  ", "owner": "Someone"}],
            },
            expected_version=visit.version,
        )
    errors = caught.value.message_dict
    assert errors["ratings"] == ["“VR partnership”: choose Ready or Work is needed."]
    assert errors["recipients"] == ["Recipient 1: “not-an-email” is not a valid email address."]
    assert errors["action_steps"] == ["Action step 1: describe the step."]
    visit.refresh_from_db()
    assert visit.version == 1 and not visit.ratings.exists()


def test_it_refuses_visitors_who_are_not_state_staff_of_the_collaborative(tenant, other_tenant):
    trainer = tenant.user(Role.STATE_TRAINER)
    visit = services.visit_create(user=trainer, agency=tenant.agency)
    for stranger in (other_tenant.user(Role.STATE_TRAINER), tenant.user(Role.IPS_SUPERVISOR)):
        with pytest.raises(ValidationError) as caught:
            services.visit_save_draft(
                user=trainer,
                visit=visit,
                data={"visitors": [{"user": stranger, "name": "", "affiliation": ""}]},
                expected_version=visit.version,
            )
        assert "visitors" in caught.value.message_dict


def test_it_lists_what_is_missing_before_finalizing(tenant):
    trainer = tenant.user(Role.STATE_TRAINER)
    visit = services.visit_create(user=trainer, agency=tenant.agency)
    visit = services.visit_save_draft(
        user=trainer,
        visit=visit,
        data={
            "ratings": {"motivation": {"rating": "ready"}},
            "action_steps": [{"text": "Hire a supervisor", "owner": "", "target_date": None}],
        },
        expected_version=visit.version,
    )
    with pytest.raises(ValidationError) as caught:
        services.visit_finalize(user=trainer, visit=visit, expected_version=visit.version)
    missing = caught.value.message_dict["finalize"]
    assert "Rate the area “VR partnership”." in missing
    assert "Rate the area “Motivation to implement”." not in missing
    assert "Add at least one recipient of the report." in missing
    assert "Action step 1 (“Hire a supervisor”) needs an owner." in missing
    assert "Action step 1 (“Hire a supervisor”) needs a target date." in missing
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DRAFT


def test_it_does_not_require_the_employment_team_areas_when_not_applicable(tenant):
    trainer = tenant.user(Role.STATE_TRAINER)
    visit = services.visit_create(user=trainer, agency=tenant.agency)
    data = complete_data(visit)
    for key in ("interest", "recovery_beliefs", "supervision"):
        data["ratings"].pop(key)
    data["not_applicable_parts"] = ["employment_team"]
    visit = services.visit_save_draft(
        user=trainer, visit=visit, data=data, expected_version=visit.version
    )
    assert visit.applicable_count == 7 and visit.rated_count == 7
    visit = services.visit_finalize(user=trainer, visit=visit, expected_version=visit.version)
    assert visit.is_final


def test_it_refuses_to_mark_a_part_that_always_applies_not_applicable(tenant):
    trainer = tenant.user(Role.STATE_TRAINER)
    visit = services.visit_create(user=trainer, agency=tenant.agency)
    with pytest.raises(ValidationError):
        services.visit_save_draft(
            user=trainer,
            visit=visit,
            data={"not_applicable_parts": ["leadership"]},
            expected_version=visit.version,
        )


def test_it_finalizes_renders_and_emails_the_report_once(
    tenant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        visit = make_visit(tenant, final=True)
    visit.refresh_from_db()
    assert visit.is_final and visit.finalized_by == tenant.user(Role.STATE_TRAINER)
    report = visit_report(visit)
    assert report.status == Document.Status.READY and report.purpose == Document.Purpose.RECORD
    assert report.record_version == visit.version and report.render_count == 1
    assert report.file.read().startswith(b"%PDF-")
    # One email to each recipient, each naming everyone it went to; VR's copy says so.
    assert sorted(m.to[0] for m in mail.outbox) == [
        "dana.director@example.org",
        "vic.counselor@example.org",
    ]
    by_address = {m.to[0]: m for m in mail.outbox}
    for message in mail.outbox:
        assert message.subject.startswith(f"Readiness visit report: {tenant.agency.name}, ")
        assert "Copy for Vocational Rehabilitation: Vic Counselor (VR counselor)" in message.body
        assert "This report went to: Dana Director (Executive director), Vic Counselor" in (
            message.body
        )
        ((name, content, mimetype),) = message.attachments
        assert mimetype == "application/pdf" and content.startswith(b"%PDF-")
    assert "You receive it as VR's copy." in by_address["vic.counselor@example.org"].body
    assert "You receive it as VR's copy." not in by_address["dana.director@example.org"].body
    deliveries = list(report_deliveries(visit))
    assert [d.status for d in deliveries] == [Delivery.Status.SENT] * 2
    assert all(d.document_id == report.pk and d.sent_at for d in deliveries)

    # A redelivered task finds the rows sent and sends nothing.
    from ipsportal.notifications.services import delivery_send

    assert {delivery_send(delivery_id=d.pk) for d in deliveries} == {"not due"}
    assert len(mail.outbox) == 2


def test_it_makes_a_final_visit_read_only(tenant):
    visit = make_visit(tenant, final=True)
    with pytest.raises(ValidationError):
        services.visit_save_draft(
            user=tenant.user(Role.STATE_TRAINER),
            visit=visit,
            data={"barriers": "Changed"},
            expected_version=visit.version,
        )
    with pytest.raises(ValidationError):
        services.visit_discard(user=tenant.user(Role.STATE_TRAINER), visit=visit)


def test_it_records_who_when_why_and_what_on_an_amendment_without_resending(
    tenant, django_capture_on_commit_callbacks
):
    admin = tenant.user(Role.STATE_ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        visit = make_visit(tenant, final=True)
    first_report = visit_report(visit)
    assert len(mail.outbox) == 2
    with pytest.raises(ValidationError) as caught:
        services.visit_amend(
            user=admin,
            visit=visit,
            data={"barriers": "x"},
            expected_version=visit.version,
            reason="  ",
        )
    assert "reason" in caught.value.message_dict
    with django_capture_on_commit_callbacks(execute=True):
        amendment = services.visit_amend(
            user=admin,
            visit=visit,
            data={"ratings": {"vr_partnership": {"rating": "work_needed", "notes": "Fixed"}}},
            expected_version=visit.version,
            reason="The VR rating was entered in the wrong row.",
        )
    assert amendment.amended_by == admin and amendment.amended_at is not None
    assert amendment.reason == "The VR rating was entered in the wrong row."
    changed = {c["field"]: (c["before"], c["after"]) for c in amendment.changes}
    assert changed["Rating: VR partnership"] == ("Ready", "Work is needed")
    assert changed["Notes: VR partnership"][1] == "Fixed"
    visit.refresh_from_db()
    renewed = visit_report(visit)
    assert visit.is_final and renewed.pk != first_report.pk
    assert renewed.record_version == visit.version
    assert renewed.status == Document.Status.READY  # the portal copy is renewed
    first_report.refresh_from_db()
    assert not first_report.is_current and first_report.render_count == 1
    assert len(mail.outbox) == 2  # but nobody is emailed again unless asked


def test_it_resends_the_report_when_an_amendment_asks(tenant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        visit = make_visit(tenant, final=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.visit_amend(
            user=tenant.user(Role.STATE_TRAINER),
            visit=visit,
            data={"facilitators": "Strong VR partnership\nA committed board"},
            expected_version=visit.version,
            reason="Added a facilitator we forgot.",
            resend=True,
        )
    assert len(mail.outbox) == 4
    assert all("A committed board" in m.body for m in mail.outbox[2:])
    assert all("A committed board" not in m.body for m in mail.outbox[:2])
    assert VisitAmendment.objects.get().report_resent


def test_it_refuses_an_amendment_that_changes_nothing_or_leaves_the_visit_incomplete(tenant):
    trainer = tenant.user(Role.STATE_TRAINER)
    visit = make_visit(tenant, final=True)
    with pytest.raises(ValidationError, match="Nothing was changed"):
        services.visit_amend(
            user=trainer, visit=visit, data={}, expected_version=visit.version, reason="None"
        )
    with pytest.raises(ValidationError) as caught:
        services.visit_amend(
            user=trainer,
            visit=visit,
            data={"recipients": []},
            expected_version=visit.version,
            reason="Remove everyone",
        )
    assert "Add at least one recipient of the report." in caught.value.message_dict["finalize"]
    assert not VisitAmendment.objects.exists()
    assert visit.recipients.count() == 2


def test_it_turns_action_steps_into_plan_steps_once(tenant):
    trainer = tenant.user(Role.STATE_TRAINER)
    visit = make_visit(tenant, final=True)
    steps = list(visit.action_steps.all())
    with pytest.raises(ValidationError, match="no implementation plan yet"):
        services.visit_steps_to_plan(user=trainer, visit=visit, selections=[(steps[0], "funding")])
    agency_services.implementation_plan_create(user=trainer, agency=tenant.agency)
    assert services.default_plan_area(visit, steps[0]) == "funding"
    assert services.default_plan_area(visit, steps[1]) == "other"
    created = services.visit_steps_to_plan(
        user=trainer,
        visit=visit,
        selections=[(steps[0], "funding"), (steps[1], "steering_committee")],
    )
    assert [(s.area, s.action, s.responsible) for s in created] == [
        ("funding", steps[0].text, "Dana Director"),
        ("steering_committee", steps[1].text, "Chris Clinical"),
    ]
    assert created[0].source_id == steps[0].pk
    assert created[0].source_label.startswith("Readiness visit of ")
    again = services.visit_steps_to_plan(
        user=trainer, visit=visit, selections=[(steps[0], "funding"), (steps[1], "other")]
    )
    assert again == []
    assert ImplementationStep.objects.count() == 2
    assert services.converted_step_ids(trainer, visit) == {steps[0].pk, steps[1].pk}


def test_it_refuses_plan_steps_from_a_draft_or_to_users_who_cannot_edit_the_plan(tenant):
    draft = make_visit(tenant)
    agency_services.implementation_plan_create(
        user=tenant.user(Role.STATE_TRAINER), agency=tenant.agency
    )
    step = draft.action_steps.first()
    with pytest.raises(ValidationError, match="Finalize the visit"):
        services.visit_steps_to_plan(
            user=tenant.user(Role.STATE_TRAINER), visit=draft, selections=[(step, "other")]
        )
    final = make_visit(tenant, final=True)
    with pytest.raises(PermissionDenied):
        services.visit_steps_to_plan(
            user=tenant.user(Role.AGENCY_LEADER),
            visit=final,
            selections=[(final.action_steps.first(), "other")],
        )


def test_it_installs_an_adaptation_as_a_new_version_that_new_visits_use(tenant):
    old_visit = make_visit(tenant)
    standard = old_visit.checklist
    definition = {**standard.definition, "slug": "adapted", "version": 1}
    definition["parts"] = [*standard.definition["parts"]]
    definition["parts"][2] = {
        **definition["parts"][2],
        "areas": [
            *definition["parts"][2]["areas"],
            {"key": "families", "title": "Family involvement", "questions": ["Who comes?"]},
        ],
    }
    adaptation, created = services.checklist_install(
        definition=definition, collaborative=tenant.collaborative
    )
    assert created and len(adaptation.areas) == 11
    again, created = services.checklist_install(
        definition=definition, collaborative=tenant.collaborative
    )
    assert again == adaptation and not created
    with pytest.raises(ValidationError, match="new version number"):
        services.checklist_install(
            definition={**definition, "title": "Changed"}, collaborative=tenant.collaborative
        )
    new_visit = services.visit_create(user=tenant.user(Role.STATE_TRAINER), agency=tenant.agency)
    assert new_visit.checklist == adaptation and new_visit.applicable_count == 11
    old_visit.refresh_from_db()
    assert old_visit.checklist == standard  # a visit keeps the version it was made with


def test_it_refuses_malformed_checklists(tenant):
    with pytest.raises(ValidationError):
        services.checklist_install(definition={"slug": "x", "version": 1, "parts": []})
    bad_area = {
        "slug": "x",
        "version": 1,
        "parts": [
            {
                "key": "p",
                "title": "P",
                "areas": [{"key": "a", "title": "A", "plan_area": "nowhere"}],
            }
        ],
    }
    with pytest.raises(ValidationError, match="unknown plan area"):
        services.checklist_install(definition=bad_area)


def test_it_keeps_the_standard_checklist_to_three_parts_with_questions(tenant):
    checklist = services.checklist_current(collaborative=tenant.collaborative)
    assert [p.title for p in checklist.parts] == [
        "Agency leadership",
        "Employment team",
        "Clients",
    ]
    assert [len(p.areas) for p in checklist.parts] == [6, 3, 1]
    assert all(a.questions for a in checklist.areas)
    assert checklist.part("employment_team").can_be_not_applicable
    assert not checklist.part("leadership").can_be_not_applicable
