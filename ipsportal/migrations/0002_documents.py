"""Rendered reports become documents: exports and record documents, in four formats, with
progress. Existing rows keep their files; they are exports unless a readiness visit points
at them (the readiness migration that follows makes those record documents)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("agencies", "0006_history_of_access_grants"),
        ("ipsportal", "0001_initial"),
        # The visit's link to its report is renamed along with the model it points at.
        ("readiness", "0002_standard_checklist"),
    ]

    operations = [
        migrations.RenameModel("GeneratedReport", "Document"),
        migrations.AddField(
            model_name="document",
            name="purpose",
            field=models.CharField(
                choices=[("export", "Export"), ("record", "Record document")],
                default="export",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="document",
            name="format",
            field=models.CharField(
                choices=[
                    ("pdf", "PDF"),
                    ("csv", "CSV"),
                    ("xlsx", "Excel workbook"),
                    ("zip", "ZIP archive"),
                ],
                default="pdf",
                max_length=5,
            ),
        ),
        migrations.AlterField(
            model_name="document",
            name="subject_id",
            field=models.UUIDField(
                blank=True, null=True, help_text="The record, or the agency an export is about."
            ),
        ),
        migrations.AddField(
            model_name="document",
            name="record_version",
            field=models.PositiveIntegerField(
                blank=True,
                null=True,
                help_text="Record documents: the version of the record rendered.",
            ),
        ),
        migrations.AddField(
            model_name="document",
            name="is_current",
            field=models.BooleanField(
                default=True, help_text="Record documents: false once an amendment renewed it."
            ),
        ),
        migrations.AddField(
            model_name="document",
            name="params",
            field=models.JSONField(blank=True, default=dict, help_text="Exports: the filters used."),
        ),
        migrations.AlterField(
            model_name="document",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Waiting for a worker"),
                    ("running", "Being prepared"),
                    ("ready", "Ready"),
                    ("failed", "Failed"),
                ],
                default="pending",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="document",
            name="progress",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="document",
            name="progress_note",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AlterField(
            model_name="document",
            name="file",
            field=models.FileField(blank=True, max_length=255, upload_to="documents/%Y/%m/"),
        ),
        migrations.AddField(
            model_name="document",
            name="render_count",
            field=models.PositiveIntegerField(
                default=0, help_text="How many times a worker rendered it (a record renders once)."
            ),
        ),
        migrations.AddField(
            model_name="document",
            name="started_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="document",
            index=models.Index(
                fields=["collaborative", "kind", "subject_id"], name="document_subject_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="document",
            constraint=models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="document_progress_at_most_100"
            ),
        ),
    ]
