"""The delivery outbox: claimed once, reclaimed when a worker dies, retried with backoff when
the mail server is down, shown to state admins, checked for scope at send time, deduplicated.

The mail server is "down" for real: Django's SMTP backend pointed at a local port that nobody
listens on, so every attempt gets a refused connection."""

from __future__ import annotations

import socket
import threading
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection, connections
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies import services as agency_services
from agencies.models import Invitation, Role
from ipsportal.notifications import services
from ipsportal.notifications.models import Delivery
from readiness import services as readiness_services
from tests.readiness.helpers import complete_data, make_visit, report_deliveries

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def smtp_down(settings):
    """Django's real SMTP backend, pointed at a port that was bound and closed: every
    connection is refused at once (no network, no mock)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 2
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    return settings


def _invite(tenant, email="jo.newcomer@example.org", role=Role.STATE_TRAINER) -> Invitation:
    """An invitation by the tenant's state admin (its email is queued when the transaction
    commits)."""
    return agency_services.invitation_create(
        invited_by=tenant.user(Role.STATE_ADMIN),
        collaborative=tenant.collaborative,
        email=email,
        role=role,
        agencies=[tenant.agency] if role != Role.STATE_ADMIN else [],
        full_name="Jo Newcomer",
    )


def _delivery_of(invitation: Invitation) -> Delivery:
    return Delivery.objects.get(kind="invitation", subject_id=invitation.pk)


def _refused(error: str) -> bool:
    return "ConnectionRefusedError" in error or "Connection refused" in error


# --------------------------------------------------------------------------------------------
# Claimed once, reclaimed once
# --------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_it_sends_a_delivery_two_workers_claim_at_once_only_once(tenant, smtp_down):
    # The production race: a retry's countdown task and the beat's dispatch both find the
    # same row due at the same minute, in two workers. The row is made pending for real: the
    # first attempt met a refused connection and scheduled a retry a minute later.
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        invitation = _invite(tenant)  # committed: its first attempt ran and failed
        delivery = _delivery_of(invitation)
        assert delivery.status == Delivery.Status.PENDING
        assert delivery.attempts == 1 and _refused(delivery.last_error)
        smtp_down.EMAIL_BACKEND = LOCMEM
        traveller.shift(timedelta(minutes=1))

        barrier = threading.Barrier(2)
        outcomes: list[str] = []
        errors: list[BaseException] = []

        def worker():
            try:
                connection.ensure_connection()  # connected first, so both claim at once
                barrier.wait(timeout=10)
                outcomes.append(services.delivery_send(delivery_id=delivery.pk))
            except BaseException as exc:  # reported below, not lost in the thread
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

    assert errors == []
    assert sorted(outcomes) == ["not due", "sent"]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["jo.newcomer@example.org"]
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert delivery.attempts == 2
    assert delivery.sent_at is not None and delivery.last_error == ""


def _claim_as_a_worker_that_dies(delivery: Delivery) -> None:
    """What a worker's claim writes (the conditional update of ``delivery_send``); the worker
    then stops before sending or recording anything."""
    claimed = Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.CLAIMED, claimed_at=timezone.now(), attempts=F("attempts") + 1
    )
    assert claimed == 1


def test_it_reclaims_a_delivery_whose_worker_died_and_sends_it_once(tenant):
    invitation = _invite(tenant)
    delivery = _delivery_of(invitation)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        _claim_as_a_worker_that_dies(delivery)
        # Claimed: another worker may not send it meanwhile.
        assert services.delivery_send(delivery_id=delivery.pk) == "not due"
        traveller.shift(services.CLAIM_TIMEOUT + timedelta(seconds=1))
        assert services.deliveries_dispatch() == {"reclaimed": 1, "abandoned": 0, "queued": 1}
        # The next rounds of the beat find nothing to do.
        assert services.deliveries_dispatch() == {"reclaimed": 0, "abandoned": 0, "queued": 0}
        traveller.shift(services.CLAIM_TIMEOUT * 2)
        assert services.deliveries_dispatch() == {"reclaimed": 0, "abandoned": 0, "queued": 0}

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [invitation.email]
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert delivery.attempts == 2  # the dead worker's attempt counts


def test_it_leaves_a_fresh_claim_to_the_worker_that_holds_it(tenant):
    invitation = _invite(tenant)
    delivery = _delivery_of(invitation)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        _claim_as_a_worker_that_dies(delivery)
        traveller.shift(services.CLAIM_TIMEOUT - timedelta(seconds=1))
        assert services.deliveries_dispatch() == {"reclaimed": 0, "abandoned": 0, "queued": 0}
        assert services.delivery_send(delivery_id=delivery.pk) == "not due"

    assert mail.outbox == []
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.CLAIMED
    assert delivery.attempts == 1


def _died_on_every_attempt_but(delivery: Delivery, left: int) -> None:
    """The row as workers that stopped while sending it left it, ``left`` attempts short of
    the last one."""
    _claim_as_a_worker_that_dies(delivery)
    Delivery.objects.filter(pk=delivery.pk).update(attempts=services.MAX_ATTEMPTS - left)


def test_it_fails_a_delivery_whose_worker_died_on_every_attempt(tenant):
    # A message that stops its worker each time (say, an attachment too big for it) must end
    # visible as failed, not go round the reclaim forever.
    delivery = _delivery_of(_invite(tenant))
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        _died_on_every_attempt_but(delivery, 0)
        traveller.shift(services.CLAIM_TIMEOUT + timedelta(seconds=1))
        assert services.deliveries_dispatch() == {"reclaimed": 0, "abandoned": 1, "queued": 0}
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert "stopped" in delivery.last_error
    assert delivery.finished_at is not None
    assert mail.outbox == []


def test_it_reclaims_a_delivery_that_has_one_attempt_left(tenant):
    delivery = _delivery_of(_invite(tenant))
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        _died_on_every_attempt_but(delivery, 1)
        traveller.shift(services.CLAIM_TIMEOUT + timedelta(seconds=1))
        assert services.deliveries_dispatch() == {"reclaimed": 1, "abandoned": 0, "queued": 1}
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert delivery.attempts == services.MAX_ATTEMPTS
    assert len(mail.outbox) == 1


def test_it_cancels_a_report_email_whose_report_is_no_longer_stored(tenant):
    from ipsportal.models import Document

    visit = make_visit(tenant, final=True)
    # The report it was to carry is gone (its row deleted): the outbox keeps the message
    # (the foreign key is set null) and says why it did not go.
    Document.objects.filter(subject_id=visit.pk).delete()
    rows = list(report_deliveries(visit))
    assert len(rows) == 2 and all(d.document_id is None for d in rows)
    assert [services.delivery_send(delivery_id=d.pk) for d in rows] == ["cancelled"] * 2
    for row in report_deliveries(visit):
        assert row.status == Delivery.Status.CANCELLED
        assert row.last_error == "The report this message would have carried is no longer stored."
    assert mail.outbox == []


@pytest.fixture
def kind_without_template():
    """A kind of message whose email template does not exist (a bug of the kind)."""
    from django.core.mail import EmailMessage
    from django.template.loader import render_to_string

    from ipsportal.notifications.kinds import KINDS, register

    @register("test_broken", label="Broken in tests", still_due=lambda delivery: "")
    def build(delivery):
        return EmailMessage(
            subject="Never",
            body=render_to_string("emails/no_such_template.txt", {}),
            to=[delivery.recipient_email],
        )

    yield "test_broken"
    KINDS.pop("test_broken")


def test_it_fails_a_message_that_cannot_be_prepared_instead_of_leaving_it_claimed(
    tenant, kind_without_template
):
    delivery = services.delivery_enqueue(
        collaborative=tenant.collaborative,
        kind=kind_without_template,
        dedupe_key="broken-1",
        recipient_email="someone@example.org",
    )
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        assert services.delivery_send(delivery_id=delivery.pk) == "failed"
        traveller.shift(services.CLAIM_TIMEOUT * 3)
        assert services.deliveries_dispatch() == {"reclaimed": 0, "abandoned": 0, "queued": 0}
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == 1
    assert "TemplateDoesNotExist" in delivery.last_error
    assert mail.outbox == []


# --------------------------------------------------------------------------------------------
# The mail server is down
# --------------------------------------------------------------------------------------------


def test_it_retries_with_backoff_then_fails_and_shows_it_to_the_state_admin(
    client, tenant, smtp_down, django_capture_on_commit_callbacks
):
    admin = tenant.user(Role.STATE_ADMIN)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        with django_capture_on_commit_callbacks(execute=True):
            invitation = _invite(tenant)
        delivery = _delivery_of(invitation)
        seen = []
        for attempt in range(1, services.MAX_ATTEMPTS):
            delivery.refresh_from_db()
            assert delivery.status == Delivery.Status.PENDING
            assert delivery.attempts == attempt
            assert _refused(delivery.last_error), delivery.last_error
            delay = delivery.next_attempt_at - timezone.now()
            seen.append(delay)
            # Not before its time, even when the beat runs.
            traveller.shift(delay - timedelta(seconds=1))
            assert services.deliveries_dispatch()["queued"] == 0
            assert services.delivery_send(delivery_id=delivery.pk) == "not due"
            traveller.shift(timedelta(seconds=1))
            assert services.deliveries_dispatch()["queued"] == 1
        assert seen == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16)]

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == services.MAX_ATTEMPTS
    assert _refused(delivery.last_error)
    assert delivery.finished_at is not None and delivery.sent_at is None
    assert mail.outbox == []
    # Failed for good: the beat leaves it alone.
    assert services.deliveries_dispatch()["queued"] == 0

    client.force_login(admin)
    page = client.get(reverse("notifications:outbox"), {"status": "failed"})
    assert page.status_code == 200
    body = page.content.decode()
    assert invitation.email in body
    assert "Failed" in body
    assert "Connection refused" in body or "ConnectionRefusedError" in body
    assert f"{services.MAX_ATTEMPTS} attempts" in body
    retry_url = reverse("notifications:retry", args=[delivery.pk])
    assert retry_url in body and "Send again" in body

    response = client.post(retry_url)
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.attempts == 0 and delivery.finished_at is None
    after = client.get(reverse("notifications:outbox")).content.decode()
    assert retry_url not in after  # nothing to send again while it waits

    # The mail server is back: the beat sends it.
    smtp_down.EMAIL_BACKEND = LOCMEM
    assert services.deliveries_dispatch()["queued"] == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert [m.to for m in mail.outbox] == [[invitation.email]]


def _failed_delivery(tenant) -> Delivery:
    invitation = _invite(tenant, email="failed.once@example.org")
    delivery = _delivery_of(invitation)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.FAILED,
        attempts=services.MAX_ATTEMPTS,
        last_error="SMTPRecipientsRefused: mailbox unavailable",
        finished_at=timezone.now(),
    )
    return delivery


@pytest.mark.parametrize("role", [r for r in Role if r != Role.STATE_ADMIN])
def test_it_refuses_the_messages_page_to_other_roles(client, tenant, role):
    delivery = _failed_delivery(tenant)
    client.force_login(tenant.user(role))
    assert client.get(reverse("notifications:outbox")).status_code == 403
    response = client.post(reverse("notifications:retry", args=[delivery.pk]))
    assert response.status_code in (403, 404)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED


def test_it_shows_another_collaborative_s_admin_none_of_it(client, tenant, other_tenant):
    delivery = _failed_delivery(tenant)
    _failed_delivery(other_tenant)  # their own, which they do see
    client.force_login(other_tenant.user(Role.STATE_ADMIN))
    page = client.get(reverse("notifications:outbox"))
    assert page.status_code == 200
    body = page.content.decode()
    assert other_tenant.collaborative.name in body
    assert "failed.once@example.org" in body  # their row
    assert str(delivery.pk) not in body
    assert tenant.collaborative.name not in body
    assert client.post(reverse("notifications:retry", args=[delivery.pk])).status_code == 404
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED

    client.force_login(tenant.user(Role.STATE_ADMIN))
    assert str(delivery.pk) in client.get(reverse("notifications:outbox")).content.decode()
    assert client.post(reverse("notifications:retry", args=[delivery.pk])).status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING


def _invitation_row(client, email: str) -> str:
    """The people page's line of a pending invitation."""
    page = client.get(reverse("agencies:people")).content.decode()
    pending = page[page.index("Pending invitations") :]
    start = pending.index(email)
    return pending[start : pending.index("</li>", start)]


@pytest.mark.django_db(transaction=True)
def test_it_saves_an_invitation_when_the_mail_server_is_down(client, tenant, smtp_down):
    # Committed for real, so the eager task runs inside the request, as on a machine whose
    # worker runs tasks at once: the refused connection must not reach the person inviting.
    client.force_login(tenant.user(Role.STATE_ADMIN))
    response = client.post(
        reverse("agencies:invite"),
        {
            "email": "down@example.org",
            "full_name": "Dee Down",
            "role": Role.STATE_TRAINER,
            "agencies": [tenant.agency.pk],
        },
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="down@example.org")
    assert invitation.status == "pending"
    delivery = _delivery_of(invitation)
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.attempts == 1
    assert _refused(delivery.last_error)
    assert delivery.next_attempt_at > timezone.now()

    assert "Invitation email waiting to be sent" in _invitation_row(client, "down@example.org")


@pytest.mark.django_db(transaction=True)
def test_it_shows_an_invitation_email_as_sent_when_the_mail_server_is_up(client, tenant):
    client.force_login(tenant.user(Role.STATE_ADMIN))
    response = client.post(
        reverse("agencies:invite"),
        {"email": "up@example.org", "role": Role.STATE_TRAINER, "agencies": [tenant.agency.pk]},
    )
    assert response.status_code == 302
    assert _delivery_of(Invitation.objects.get(email="up@example.org")).status == "sent"
    assert [m.to for m in mail.outbox] == [["up@example.org"]]
    assert "Invitation email sent" in _invitation_row(client, "up@example.org")


# --------------------------------------------------------------------------------------------
# Scope at send time
# --------------------------------------------------------------------------------------------


def test_it_cancels_a_report_email_to_an_address_an_amendment_removed(
    tenant, django_capture_on_commit_callbacks
):
    trainer = tenant.user(Role.STATE_TRAINER)
    # Finalized; the report waits for its PDF, so nothing is sent yet.
    visit = make_visit(tenant, final=True)
    assert {d.recipient_email for d in report_deliveries(visit)} == {
        "dana.director@example.org",
        "vic.counselor@example.org",
    }
    data = complete_data(visit)
    with django_capture_on_commit_callbacks(execute=True):
        readiness_services.visit_amend(
            user=trainer,
            visit=visit,
            data={"recipients": data["recipients"][:1]},
            expected_version=visit.version,
            reason="Vic moved to another VR office.",
        )
    rows = {d.recipient_email: d for d in report_deliveries(visit)}
    assert rows["dana.director@example.org"].status == Delivery.Status.SENT
    vic = rows["vic.counselor@example.org"]
    assert vic.status == Delivery.Status.CANCELLED
    assert "no longer a recipient" in vic.last_error
    assert vic.sent_at is None
    assert [m.to for m in mail.outbox] == [["dana.director@example.org"]]


def test_it_cancels_an_invitation_email_withdrawn_before_it_was_sent(tenant):
    invitation = _invite(tenant)
    admin = tenant.user(Role.STATE_ADMIN)
    assert agency_services.invitation_revoke(user=admin, invitation=invitation)
    delivery = _delivery_of(invitation)
    assert services.delivery_send(delivery_id=delivery.pk) == "cancelled"
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.CANCELLED
    assert delivery.last_error == "The invitation is revoked."
    assert mail.outbox == []


def test_it_sends_an_invitation_still_pending_at_send_time(tenant):
    invitation = _invite(tenant)
    delivery = _delivery_of(invitation)
    assert services.delivery_send(delivery_id=delivery.pk) == "sent"
    assert [m.to for m in mail.outbox] == [[invitation.email]]
    assert "/invitations/" in mail.outbox[0].body


# --------------------------------------------------------------------------------------------
# Dedupe
# --------------------------------------------------------------------------------------------


def _enqueue(tenant, key: str, *, subject_id: uuid.UUID) -> Delivery:
    return services.delivery_enqueue(
        collaborative=tenant.collaborative,
        kind="invitation",
        dedupe_key=key,
        recipient_email="jo.newcomer@example.org",
        subject_id=subject_id,
        subject_label="Invitation as State trainer",
    )


def test_it_keeps_one_row_and_sends_once_for_the_same_dedupe_key(
    tenant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(tenant)
    key = _delivery_of(invitation).dedupe_key
    with django_capture_on_commit_callbacks(execute=True):
        first = _enqueue(tenant, key, subject_id=invitation.pk)
        second = _enqueue(tenant, key, subject_id=invitation.pk)
    assert first.pk == second.pk
    assert Delivery.objects.filter(dedupe_key=key).count() == 1
    assert len(mail.outbox) == 1


def test_it_sends_again_under_another_dedupe_key(tenant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(tenant)
        _enqueue(tenant, f"invitation:{invitation.pk}:reminder", subject_id=invitation.pk)
    assert Delivery.objects.filter(subject_id=invitation.pk).count() == 2
    assert len(mail.outbox) == 2


# --------------------------------------------------------------------------------------------
# Query counts
# --------------------------------------------------------------------------------------------


def _outbox_queries(client, tenant, count: int) -> int:
    admin = tenant.user(Role.STATE_ADMIN)
    for n in range(count):
        services.delivery_enqueue(
            collaborative=tenant.collaborative,
            agency=tenant.agency if n % 2 else None,
            kind="invitation" if n % 3 else "readiness_visit",
            dedupe_key=f"count-{count}-{n}",
            recipient_email=f"person{n}@example.org",
            recipient_name=f"Person {n}",
            subject_id=uuid.uuid4(),
            subject_label=f"Message {n}",
            created_by=admin,
        )
    client.force_login(admin)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("notifications:outbox"))
    assert response.status_code == 200
    assert response.content.decode().count("Message ") >= count
    return len(queries)


def test_it_runs_as_many_queries_for_fifty_messages_as_for_two(client, tenant, other_tenant):
    few = _outbox_queries(client, tenant, 2)
    many = _outbox_queries(client, other_tenant, 50)
    assert few == many
