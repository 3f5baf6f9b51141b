"""A visit's report becomes its record document, and its email bookkeeping becomes outbox
rows: the newest rendering of each finalized visit is its current record document (for the
visit's version), earlier renderings are kept as former ones, and a recorded send becomes
one sent delivery per address."""

import uuid

from django.db import migrations


def forwards(apps, schema_editor):
    Visit = apps.get_model("readiness", "ReadinessVisit")
    Document = apps.get_model("ipsportal", "Document")
    Delivery = apps.get_model("notifications", "Delivery")
    Document.objects.filter(kind="readiness_visit").update(
        purpose="record", is_current=False, record_version=None
    )
    Document.objects.filter(status="ready").update(render_count=1)
    for visit in Visit.objects.exclude(report_id=None).iterator():
        Document.objects.filter(pk=visit.report_id).update(
            is_current=True, record_version=visit.version, subject_id=visit.pk
        )
        for email in visit.email_sent_to if visit.email_sent_at else []:
            Delivery.objects.create(
                id=uuid.uuid4(),
                collaborative_id=visit.collaborative_id,
                agency_id=visit.agency_id,
                kind="readiness_visit",
                subject_id=visit.pk,
                subject_label=f"Readiness visit on {visit.visit_date:%Y-%m-%d}",
                recipient_email=email,
                stage="final",
                dedupe_key=f"readiness_visit:{visit.pk}:migrated:{email.lower()}",
                document_id=visit.report_id,
                status="sent",
                attempts=1,
                next_attempt_at=visit.email_sent_at,
                sent_at=visit.email_sent_at,
                finished_at=visit.email_sent_at,
            )


class Migration(migrations.Migration):

    dependencies = [
        ("readiness", "0002_standard_checklist"),
        ("ipsportal", "0003_record_documents_once"),
        ("notifications", "0001_outbox"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
