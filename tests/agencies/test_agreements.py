"""The training and TA agreement's services: who signs which line (each refusal with its
positive twin), on-behalf signatures, read-only versions, new versions, the third signature
and a race on a line."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from agencies import agreements as rules
from agencies import selectors_agreements as selectors
from agencies import services
from agencies.models import Role, SignerRole, TAAgreement, TASignature
from ipsportal import access
from tests.factories import grant, make_user

D = datetime.date
ED, MH, VR = SignerRole.EXECUTIVE_DIRECTOR, SignerRole.STATE_MH, SignerRole.STATE_VR


def _draft(tenant, **extra):
    return services.agreement_create(
        user=tenant.user(Role.STATE_TRAINER),
        agency=tenant.agency,
        start_date=D(2026, 1, 5),
        **extra,
    )


def _sign_all(tenant, agreement):
    services.agreement_sign(
        user=tenant.user(Role.AGENCY_LEADER), agreement=agreement, signer_role=ED
    )
    services.agreement_sign(user=tenant.user(Role.STATE_ADMIN), agreement=agreement, signer_role=MH)
    services.agreement_sign(user=tenant.user(Role.VR_LIAISON), agreement=agreement, signer_role=VR)
    agreement.refresh_from_db()
    return agreement


def test_it_drafts_version_one_with_the_usual_commitments(tenant):
    agreement = _draft(tenant)
    assert agreement.version == 1
    assert agreement.es_training_days == Decimal("3.5")
    assert agreement.unit_meeting_months == 6
    assert not agreement.is_signed
    status = selectors.agreement_status(
        access.access_agency(tenant.user(Role.STATE_ADMIN), tenant.agency.pk)
    )
    assert status.state == selectors.AgreementState.DRAFT
    assert status.text == "Version 1, draft: no signature yet"
    assert agreement.history.count() == 1


def test_it_says_the_commitments_in_plain_words(tenant):
    lines = selectors.commitments(_draft(tenant))
    assert (
        "The trainer attends at least one IPS unit meeting each month for the first 6 months."
        in lines
    )
    assert any("3.5 days of training" in line for line in lines)


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("es_training_days", Decimal("3.3"), "half days"),
        ("es_training_days", Decimal("31"), "between 0 and 30"),
        ("mh_training_days", Decimal("-1"), "between 0 and 30"),
        ("unit_meeting_months", 25, "between 0 and 24"),
        ("team_meeting_months", -1, "between 0 and 24"),
        ("start_date", D(1999, 12, 31), "before January 1, 2000"),
        ("start_date", D(2099, 1, 1), "two years ahead"),
    ],
)
def test_it_refuses_a_bad_commitment_on_its_field_and_saves_nothing(tenant, field, value, words):
    kwargs = {"start_date": D(2026, 1, 5), field: value}
    with pytest.raises(ValidationError) as caught:
        services.agreement_create(
            user=tenant.user(Role.STATE_TRAINER), agency=tenant.agency, **kwargs
        )
    assert words in " ".join(caught.value.message_dict[field])
    assert not TAAgreement.objects.exists()


def test_it_accepts_the_limits_of_the_commitments(tenant):
    agreement = _draft(
        tenant,
        es_training_days=Decimal("30"),
        mh_training_days=Decimal("0"),
        unit_meeting_months=24,
        team_meeting_months=0,
    )
    assert agreement.es_training_days == 30 and agreement.team_meeting_months == 0


@pytest.mark.parametrize("role", [Role.FIDELITY_REVIEWER, Role.VR_LIAISON, Role.AGENCY_LEADER])
def test_it_refuses_drafting_to_people_without_the_right(tenant, role):
    with pytest.raises(PermissionDenied):
        services.agreement_create(
            user=tenant.user(role), agency=tenant.agency, start_date=D(2026, 1, 5)
        )


@pytest.mark.parametrize("role", [Role.STATE_ADMIN, Role.STATE_TRAINER, Role.IPS_SUPERVISOR])
def test_it_lets_editors_draft(tenant, role):
    agreement = services.agreement_create(
        user=tenant.user(role), agency=tenant.agency, start_date=D(2026, 1, 5)
    )
    assert agreement.created_by == tenant.user(role)


def test_it_refuses_a_second_draft_while_the_first_has_no_signature(tenant):
    _draft(tenant)
    with pytest.raises(services.AgreementStateError, match="change it instead"):
        _draft(tenant)


@pytest.mark.parametrize(
    ("role", "line"),
    [(Role.AGENCY_LEADER, ED), (Role.STATE_ADMIN, MH), (Role.VR_LIAISON, VR)],
)
def test_it_lets_each_signer_sign_their_own_line_as_themselves(tenant, role, line):
    agreement = _draft(tenant)
    signature = services.agreement_sign(
        user=tenant.user(role), agreement=agreement, signer_role=line
    )
    assert signature.signer_name == tenant.user(role).display_name
    assert signature.recorded_by == tenant.user(role)
    assert not signature.on_behalf
    assert signature.history.first().history_user == tenant.user(role)


@pytest.mark.parametrize(
    ("role", "line"),
    [
        (Role.AGENCY_LEADER, MH),
        (Role.AGENCY_LEADER, VR),
        (Role.VR_LIAISON, ED),
        (Role.VR_LIAISON, MH),
        (Role.STATE_TRAINER, ED),
        (Role.IPS_SUPERVISOR, ED),
        (Role.FIDELITY_REVIEWER, VR),
        (Role.EMPLOYMENT_SPECIALIST, ED),
    ],
)
def test_it_refuses_a_line_to_anyone_else_with_a_clear_message(tenant, role, line):
    agreement = _draft(tenant)
    with pytest.raises(PermissionDenied, match="You cannot sign the"):
        services.agreement_sign(
            user=tenant.user(role),
            agreement=agreement,
            signer_role=line,
            signer_name="X",
            on_behalf_reason="Because",
        )
    assert not TASignature.objects.exists()


def test_it_refuses_a_vr_liaison_or_leader_of_another_agency(tenant):
    agreement = _draft(tenant)
    for user, line in (
        (tenant.elsewhere_users[Role.VR_LIAISON], VR),
        (tenant.other_agency_users[Role.AGENCY_LEADER], ED),
    ):
        with pytest.raises(PermissionDenied):
            services.agreement_sign(user=user, agreement=agreement, signer_role=line)
    assert not TASignature.objects.exists()


@pytest.mark.parametrize("line", [ED, VR])
def test_it_needs_a_reason_and_a_name_when_a_state_admin_records_another_line(tenant, line):
    agreement = _draft(tenant)
    admin = tenant.user(Role.STATE_ADMIN)
    with pytest.raises(ValidationError) as caught:
        services.agreement_sign(user=admin, agreement=agreement, signer_role=line)
    assert set(caught.value.message_dict) == {"on_behalf_reason", "signer_name"}
    assert not TASignature.objects.exists()
    signature = services.agreement_sign(
        user=admin,
        agreement=agreement,
        signer_role=line,
        signer_name="Dana Ruiz",
        on_behalf_reason="Signed on paper at the kick-off meeting",
    )
    assert signature.on_behalf and signature.signer_name == "Dana Ruiz"
    assert signature.recorded_by == admin


def test_it_lets_a_state_admin_record_the_mh_line_for_someone_else_with_a_reason(tenant):
    agreement = _draft(tenant)
    signature = services.agreement_sign(
        user=tenant.user(Role.STATE_ADMIN),
        agreement=agreement,
        signer_role=MH,
        signer_name="Dr. Lee, DMH director",
        on_behalf_reason="Signed by mail",
    )
    assert signature.on_behalf and signature.on_behalf_reason == "Signed by mail"


def test_it_makes_a_version_read_only_after_any_signature(tenant):
    agreement = _draft(tenant)
    services.agreement_update(
        user=tenant.user(Role.IPS_SUPERVISOR), agreement=agreement, notes="Before"
    )
    agreement.refresh_from_db()
    assert agreement.notes == "Before"
    services.agreement_sign(
        user=tenant.user(Role.AGENCY_LEADER), agreement=agreement, signer_role=ED
    )
    with pytest.raises(services.AgreementStateError, match="make a new version"):
        services.agreement_update(
            user=tenant.user(Role.IPS_SUPERVISOR), agreement=agreement, notes="After"
        )
    agreement.refresh_from_db()
    assert agreement.notes == "Before"


def test_it_sets_signed_at_with_the_third_signature_only(tenant):
    agreement = _draft(tenant)
    services.agreement_sign(
        user=tenant.user(Role.AGENCY_LEADER), agreement=agreement, signer_role=ED
    )
    services.agreement_sign(user=tenant.user(Role.STATE_ADMIN), agreement=agreement, signer_role=MH)
    agreement.refresh_from_db()
    assert agreement.signed_at is None
    status = selectors.agreement_status(
        access.access_agency(tenant.user(Role.STATE_ADMIN), tenant.agency.pk)
    )
    assert status.text == "Version 1, awaiting 1 of 3 signatures"
    services.agreement_sign(user=tenant.user(Role.VR_LIAISON), agreement=agreement, signer_role=VR)
    agreement.refresh_from_db()
    assert agreement.signed_at is not None and agreement.is_signed
    assert agreement.history.filter(signed_at__isnull=False).exists()
    status = selectors.agreement_status(
        access.access_agency(tenant.user(Role.STATE_ADMIN), tenant.agency.pk)
    )
    assert status.state == selectors.AgreementState.SIGNED and status.text.startswith(
        "Version 1, signed on"
    )


def test_it_makes_a_new_version_from_the_signed_one_that_needs_signing_again(tenant):
    first = _sign_all(tenant, _draft(tenant, notes="Kick-off in January"))
    second = services.agreement_create(
        user=tenant.user(Role.STATE_TRAINER), agency=tenant.agency, employer_visits="quarterly"
    )
    assert second.version == 2
    assert second.notes == "Kick-off in January" and second.start_date == first.start_date
    assert second.employer_visits == "quarterly" and not second.is_signed
    # The old version can no longer be signed or changed; the new one signs from scratch.
    with pytest.raises(services.AgreementStateError, match="can no longer be changed"):
        services.agreement_update(user=tenant.user(Role.STATE_TRAINER), agreement=first, notes="x")
    services.agreement_sign(user=tenant.user(Role.AGENCY_LEADER), agreement=second, signer_role=ED)
    status = selectors.agreement_status(
        access.access_agency(tenant.user(Role.STATE_ADMIN), tenant.agency.pk)
    )
    assert status.version == 2 and status.state == selectors.AgreementState.AWAITING


def test_it_refuses_signing_an_old_version(tenant):
    first = _draft(tenant)
    services.agreement_sign(user=tenant.user(Role.AGENCY_LEADER), agreement=first, signer_role=ED)
    _draft(tenant)
    with pytest.raises(services.AgreementStateError, match="sign the current version"):
        services.agreement_sign(user=tenant.user(Role.STATE_ADMIN), agreement=first, signer_role=MH)


def test_it_tells_who_signed_a_line_already(tenant):
    agreement = _draft(tenant)
    services.agreement_sign(
        user=tenant.user(Role.AGENCY_LEADER),
        agreement=agreement,
        signer_role=ED,
        signer_name="Ruth Alvarez",
    )
    with pytest.raises(services.AgreementStateError, match="already signed by Ruth Alvarez"):
        services.agreement_sign(
            user=tenant.user(Role.STATE_ADMIN),
            agreement=agreement,
            signer_role=ED,
            signer_name="Someone",
            on_behalf_reason="Paper copy",
        )
    assert TASignature.objects.count() == 1


def test_it_answers_a_line_signed_under_its_feet_in_words_not_a_500(tenant, monkeypatch):
    """The database constraint is the last word: when the check before the insert missed a
    signature (it landed in between), the loser is told who signed."""
    agreement = _draft(tenant)
    services.agreement_sign(
        user=tenant.user(Role.AGENCY_LEADER),
        agreement=agreement,
        signer_role=ED,
        signer_name="Ruth Alvarez",
    )
    from agencies.services import agreements as module

    real = module._existing_signature
    calls = []

    def missed_once(found, line):
        calls.append(line)
        return None if len(calls) == 1 else real(found, line)

    monkeypatch.setattr(module, "_existing_signature", missed_once)
    with pytest.raises(services.AgreementStateError, match="already signed by Ruth Alvarez"):
        services.agreement_sign(
            user=tenant.user(Role.STATE_ADMIN),
            agreement=agreement,
            signer_role=ED,
            signer_name="Other",
            on_behalf_reason="Paper copy",
        )
    assert TASignature.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_it_lets_one_of_two_people_signing_a_line_at_once_win():
    from tests.factories import make_tenant

    tenant = make_tenant("Race")
    agreement = _draft(tenant)
    second_leader = make_user(full_name="Second Leader")
    grant(second_leader, tenant.collaborative, Role.AGENCY_LEADER, [tenant.agency])
    barrier = threading.Barrier(2)
    outcomes = []

    def sign(user):
        try:
            barrier.wait()
            services.agreement_sign(user=user, agreement=agreement, signer_role=ED)
            outcomes.append("signed")
        except ValidationError as exc:
            outcomes.append(" ".join(exc.messages))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=sign, args=(u,))
        for u in (tenant.user(Role.AGENCY_LEADER), second_leader)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes)[-1] == "signed"
    assert "already signed by" in sorted(outcomes)[0]
    assert TASignature.objects.filter(agreement=agreement).count() == 1


def test_it_says_which_lines_each_role_may_sign():
    assert rules.line_rights({Role.AGENCY_LEADER}) == {ED.value: rules.LineRight(True, False)}
    assert rules.line_rights({Role.VR_LIAISON}) == {VR.value: rules.LineRight(True, False)}
    admin = rules.line_rights({Role.STATE_ADMIN})
    assert admin[MH.value] == rules.LineRight(True, True)
    assert admin[ED.value].on_behalf_only and admin[VR.value].on_behalf_only
    assert rules.line_rights({Role.STATE_TRAINER, Role.IPS_SUPERVISOR}) == {}
