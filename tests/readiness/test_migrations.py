"""Upgrading a database of the earlier release: a visit's report and its sent email become a
record document and sent outbox rows."""

import datetime
import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [
    ("readiness", "0002_standard_checklist"),
    ("ipsportal", "0001_initial"),
    ("agencies", "0006_history_of_access_grants"),
]
AFTER = [("readiness", "0004_visit_report_fields_go")]


@pytest.fixture
def migrator(transactional_db):
    """A migration executor; the database is migrated forward again whatever happens."""
    executor = MigrationExecutor(connection)
    yield executor
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_it_moves_a_visits_report_and_sent_email_onto_documents_and_the_outbox(migrator):
    executor = migrator
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Collaborative = old.get_model("agencies", "Collaborative")
    Agency = old.get_model("agencies", "Agency")
    Checklist = old.get_model("readiness", "ChecklistVersion")
    Visit = old.get_model("readiness", "ReadinessVisit")
    Report = old.get_model("ipsportal", "GeneratedReport")
    collab = Collaborative.objects.create(name="Old State", slug="old-state", state="MO")
    agency = Agency.objects.create(
        id=uuid.uuid4(), collaborative=collab, name="Old Agency", slug="old"
    )
    checklist = Checklist.objects.create(
        id=uuid.uuid4(), slug="old", version=1, title="Old checklist", definition={"parts": []}
    )
    sent = timezone.now() - datetime.timedelta(days=3)
    visit = Visit.objects.create(
        id=uuid.uuid4(),
        collaborative=collab,
        agency=agency,
        checklist=checklist,
        status="final",
        visit_date=datetime.date(2024, 5, 1),
        version=4,
        finalized_at=sent,
        email_requested_at=sent,
        email_sent_at=sent,
        email_sent_to=["a@example.org", "b@example.org"],
    )
    older = Report.objects.create(
        id=uuid.uuid4(),
        collaborative=collab,
        agency=agency,
        kind="readiness_visit",
        subject_id=visit.pk,
        title="First",
        status="ready",
    )
    newest = Report.objects.create(
        id=uuid.uuid4(),
        collaborative=collab,
        agency=agency,
        kind="readiness_visit",
        subject_id=visit.pk,
        title="Renewed",
        status="ready",
    )
    summary = Report.objects.create(
        id=uuid.uuid4(),
        collaborative=collab,
        agency=agency,
        kind="agency_summary",
        subject_id=agency.pk,
        title="Summary",
        status="ready",
    )
    Visit.objects.filter(pk=visit.pk).update(report_id=newest.pk)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Document = new.get_model("ipsportal", "Document")
    Delivery = new.get_model("notifications", "Delivery")
    current = Document.objects.get(pk=newest.pk)
    assert (current.purpose, current.is_current, current.record_version) == ("record", True, 4)
    assert current.render_count == 1
    former = Document.objects.get(pk=older.pk)
    assert (former.purpose, former.is_current) == ("record", False)
    assert Document.objects.get(pk=summary.pk).purpose == "export"
    rows = Delivery.objects.filter(subject_id=visit.pk).order_by("recipient_email")
    assert [(r.recipient_email, r.status, r.document_id) for r in rows] == [
        ("a@example.org", "sent", newest.pk),
        ("b@example.org", "sent", newest.pk),
    ]
