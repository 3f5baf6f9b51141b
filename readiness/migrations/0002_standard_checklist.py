"""Install the standard readiness checklist (version 1) shipped in readiness/checklists/.

Checklist versions are immutable: a changed checklist is a new file with a new version number
and a new migration (or the install_readiness_checklist command for an adaptation).
"""

import json
from pathlib import Path

from django.db import migrations

CHECKLIST = Path(__file__).resolve().parent.parent / "checklists" / "ips-readiness-v1.json"


def install(apps, schema_editor):
    ChecklistVersion = apps.get_model("readiness", "ChecklistVersion")
    definition = json.loads(CHECKLIST.read_text(encoding="utf-8"))
    ChecklistVersion.objects.get_or_create(
        collaborative=None,
        slug=definition["slug"],
        version=definition["version"],
        defaults={"title": definition["title"], "definition": definition, "is_active": True},
    )


def uninstall(apps, schema_editor):
    ChecklistVersion = apps.get_model("readiness", "ChecklistVersion")
    ChecklistVersion.objects.filter(collaborative=None, slug="ips-readiness", version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("readiness", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]
