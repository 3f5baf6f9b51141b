import time

import pytest
from django.core import mail
from django.urls import reverse

from agencies.models import Role
from ipsportal.models import GeneratedReport
from readiness.models import ReadinessVisit
from tests.readiness.helpers import make_visit


def _wait_for_email(visit_id, timeout=90) -> ReadinessVisit:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        visit = ReadinessVisit.objects.select_related("report").get(pk=visit_id)
        if visit.email_sent_at or (
            visit.report and visit.report.status == GeneratedReport.Status.FAILED
        ):
            return visit
        time.sleep(0.25)
    raise AssertionError("the worker did not render and email the report in time")


@pytest.mark.django_db(transaction=True)
def test_it_renders_and_emails_the_report_in_a_real_worker(client, tenant, celery_worker):
    visit = make_visit(tenant)
    client.force_login(tenant.user(Role.STATE_TRAINER))
    response = client.post(
        reverse("readiness:visit_finalize", args=[visit.pk]), {"version": visit.version}
    )
    assert response.status_code == 302

    visit = _wait_for_email(visit.pk)
    assert visit.report.status == GeneratedReport.Status.READY, visit.report.error
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted([*message.to, *message.cc]) == [
        "dana.director@example.org",
        "vic.counselor@example.org",
    ]
    ((filename, content, mimetype),) = message.attachments
    assert filename.endswith(".pdf") and mimetype == "application/pdf"
    assert content.startswith(b"%PDF-")

    panel = client.get(reverse("readiness:visit_report_status", args=[visit.pk]))
    assert "Report emailed to 2 recipients" in panel.content.decode()
