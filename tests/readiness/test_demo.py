import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from ipsportal.models import User
from readiness.models import ReadinessVisit, VisitStatus
from tests.readiness.helpers import report_deliveries, visit_report

pytestmark = pytest.mark.django_db


def test_it_loads_a_final_and_a_draft_demo_visit_once(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())  # idempotent
    visits = {
        v.agency.name: v
        for v in ReadinessVisit.objects.select_related("agency").order_by("visit_date")
    }
    assert set(visits) == {
        "Riverbend Behavioral Health",
        "Arch City Wellness",
        "Prairie Lane Community Services",
        "Mississippi Bluffs Counseling",
    }
    assert ReadinessVisit.objects.count() == 5  # Riverbend was visited twice
    final = ReadinessVisit.objects.filter(agency__name="Riverbend Behavioral Health").first()
    assert final.status == VisitStatus.FINAL and final.rated_count == final.applicable_count
    report = visit_report(final)
    assert report.status == "ready"
    assert not report_deliveries(final).exists()  # demo data emails nobody
    assert visits["Arch City Wellness"].status == VisitStatus.DRAFT

    client.force_login(User.objects.get(email="mo.supervisor@example.org"))
    assert client.get(final.get_absolute_url()).status_code == 200
    download = client.get(report.download_url)
    assert download.status_code == 200
    draft = visits["Arch City Wellness"]
    client.force_login(User.objects.get(email="mo.trainer@example.org"))
    assert client.get(reverse("readiness:visit_edit", args=[draft.pk])).status_code == 200
