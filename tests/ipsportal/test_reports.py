import time

import pytest
from django.urls import reverse

from agencies.models import Role
from ipsportal.models import GeneratedReport


def _wait_for(report_id, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        report = GeneratedReport.objects.get(pk=report_id)
        if report.status != GeneratedReport.Status.PENDING:
            return report
        time.sleep(0.2)
    raise AssertionError("the worker did not finish the report in time")


@pytest.mark.django_db(transaction=True)
def test_it_renders_the_agency_summary_in_a_real_worker(client, tenant, celery_worker):
    client.force_login(tenant.user(Role.STATE_ADMIN))
    response = client.post(reverse("agencies:summary_pdf", args=[tenant.agency.pk]))
    assert response.status_code == 302
    report = GeneratedReport.objects.get()
    assert response["Location"] == reverse("report_status", args=[report.pk])

    report = _wait_for(report.pk)
    assert report.status == GeneratedReport.Status.READY, report.error

    download = client.get(reverse("report_download", args=[report.pk]))
    assert download.status_code == 200
    body = b"".join(download.streaming_content)
    assert body.startswith(b"%PDF-")
    assert download["Content-Disposition"].startswith("attachment")


def test_it_hides_a_report_from_everyone_but_its_requester(
    client, tenant, other_tenant, django_capture_on_commit_callbacks
):
    client.force_login(tenant.user(Role.STATE_ADMIN))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("agencies:summary_pdf", args=[tenant.agency.pk]))
    report = GeneratedReport.objects.get()
    assert report.status == GeneratedReport.Status.READY  # rendered eagerly in this test

    client.force_login(tenant.user(Role.STATE_TRAINER))
    assert client.get(reverse("report_status", args=[report.pk])).status_code == 404
    client.force_login(other_tenant.user(Role.STATE_ADMIN))
    assert client.get(reverse("report_download", args=[report.pk])).status_code == 404


def test_it_refuses_the_summary_pdf_to_employment_specialists(client, tenant):
    client.force_login(tenant.user(Role.EMPLOYMENT_SPECIALIST))
    response = client.post(reverse("agencies:summary_pdf", args=[tenant.agency.pk]))
    assert response.status_code == 403
    assert not GeneratedReport.objects.exists()
