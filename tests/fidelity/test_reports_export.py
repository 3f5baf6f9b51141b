"""The bulk export of final fidelity reports: one ZIP of the period's reports, rendered by
the worker; a second export of unchanged reports renders none of them again."""

import datetime
import io
import zipfile

import pytest
import time_machine
from django.urls import reverse
from django.utils.text import slugify

from agencies.models import Role
from fidelity.models import FidelityReview
from fidelity.reports import REPORT_KIND
from ipsportal.models import Document
from tests.fidelity.test_report import _finalize
from tests.fidelity.test_reviews import NOW

pytestmark = pytest.mark.django_db


def _export(client, data, capture):
    with capture(execute=True):
        answer = client.post(reverse("fidelity:reports_export"), data)
    assert answer.status_code == 302, answer.content[:500]
    document = Document.objects.filter(kind="fidelity_reports").order_by("-created_at").first()
    assert document.status == Document.Status.READY, document.error
    return zipfile.ZipFile(io.BytesIO(document.file.open("rb").read()))


@time_machine.travel(NOW)
def test_it_zips_the_periods_final_reports_and_renders_them_once(
    client, tenant, django_capture_on_commit_callbacks
):
    for start in (datetime.date(2025, 5, 6), datetime.date(2026, 3, 3)):
        with django_capture_on_commit_callbacks(execute=True):
            _finalize(tenant, start=start)
    client.force_login(tenant.user(Role.STATE_ADMIN))
    archive = _export(
        client,
        {"date_from": "2026-01-01", "date_to": "2026-12-31"},
        django_capture_on_commit_callbacks,
    )
    pdfs = [n for n in archive.namelist() if n.endswith(".pdf")]
    assert pdfs == [f"{slugify(tenant.agency.name)}-2026-03-03.pdf"]
    assert archive.read(pdfs[0]).startswith(b"%PDF")
    rendered = dict(Document.objects.filter(kind=REPORT_KIND).values_list("pk", "finished_at"))
    archive = _export(client, {}, django_capture_on_commit_callbacks)
    assert len([n for n in archive.namelist() if n.endswith(".pdf")]) == 2
    assert dict(Document.objects.filter(kind=REPORT_KIND).values_list("pk", "finished_at")) == (
        rendered
    )
    assert FidelityReview.objects.count() == 2


def test_it_refuses_the_export_to_trainers_and_names_a_backwards_period(client, tenant):
    client.force_login(tenant.user(Role.STATE_TRAINER))
    assert client.get(reverse("fidelity:reports_export")).status_code == 403
    client.force_login(tenant.user(Role.STATE_ADMIN))
    assert client.get(reverse("fidelity:reports_export")).status_code == 200
    answer = client.post(
        reverse("fidelity:reports_export"), {"date_from": "2026-05-01", "date_to": "2026-04-01"}
    )
    assert answer.status_code == 400
    assert "cannot be before its start" in answer.content.decode()
    assert not Document.objects.filter(kind="fidelity_reports").exists()
