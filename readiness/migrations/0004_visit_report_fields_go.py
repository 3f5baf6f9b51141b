"""The visit's own report link and email bookkeeping go: documents and the outbox hold them
(a migration of its own, so PostgreSQL runs the data move and the schema change apart)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("readiness", "0003_visit_reports_are_documents"),
    ]

    operations = [
        migrations.RemoveField(model_name="historicalreadinessvisit", name="email_requested_at"),
        migrations.RemoveField(model_name="historicalreadinessvisit", name="email_sent_at"),
        migrations.RemoveField(model_name="historicalreadinessvisit", name="email_sent_to"),
        migrations.RemoveField(model_name="historicalreadinessvisit", name="report"),
        migrations.RemoveField(model_name="readinessvisit", name="email_requested_at"),
        migrations.RemoveField(model_name="readinessvisit", name="email_sent_at"),
        migrations.RemoveField(model_name="readinessvisit", name="email_sent_to"),
        migrations.RemoveField(model_name="readinessvisit", name="report"),
    ]
