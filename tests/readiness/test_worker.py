import time

import pytest
from django.core import mail
from django.urls import reverse

from agencies.models import Role
from ipsportal.models import Document
from ipsportal.notifications.models import Delivery
from tests.readiness.helpers import make_visit, report_deliveries, visit_report


def _wait_for_emails(visit, count: int, timeout=90) -> list[Delivery]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        report = visit_report(visit)
        rows = list(report_deliveries(visit))
        if report and report.status == Document.Status.FAILED:
            return rows
        if len(rows) == count and all(not r.is_open for r in rows):
            return rows
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

    rows = _wait_for_emails(visit, 2)
    report = visit_report(visit)
    assert report.status == Document.Status.READY, report.error
    assert report.render_count == 1
    assert [r.status for r in rows] == [Delivery.Status.SENT] * 2
    assert sorted(m.to[0] for m in mail.outbox) == [
        "dana.director@example.org",
        "vic.counselor@example.org",
    ]
    for message in mail.outbox:
        ((filename, content, mimetype),) = message.attachments
        assert filename.endswith(".pdf") and mimetype == "application/pdf"
        assert content.startswith(b"%PDF-")

    panel = client.get(reverse("readiness:visit_report_status", args=[visit.pk]))
    assert "Report emailed to 2 recipients" in panel.content.decode()
