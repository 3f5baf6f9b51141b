import io
import json

import pytest
from django.core.management import CommandError, call_command

from readiness.models import ChecklistVersion
from readiness.services import STANDARD_CHECKLIST

pytestmark = pytest.mark.django_db


def test_it_installs_the_standard_checklist_with_the_migrations():
    # The data migration itself, run on this database (a transactional test elsewhere in the
    # run may have emptied the tables the migrations filled), installs it once.
    from importlib import import_module

    from django.apps import apps

    migration = import_module("readiness.migrations.0002_standard_checklist")
    ChecklistVersion.objects.filter(collaborative=None, slug="ips-readiness").delete()
    migration.install(apps, None)
    migration.install(apps, None)
    stored = ChecklistVersion.objects.get(collaborative=None, slug="ips-readiness", version=1)
    assert stored.definition == json.loads(STANDARD_CHECKLIST.read_text(encoding="utf-8"))
    assert stored.is_active
    assert [a.number for a in stored.areas] == list(range(1, 11))


def test_it_installs_an_adaptation_with_the_command(tenant, tmp_path):
    definition = json.loads(STANDARD_CHECKLIST.read_text(encoding="utf-8"))
    definition.update(slug="home-readiness", title="Home readiness checklist")
    path = tmp_path / "home.json"
    path.write_text(json.dumps(definition), encoding="utf-8")
    out = io.StringIO()
    call_command(
        "install_readiness_checklist",
        str(path),
        collaborative=tenant.collaborative.slug,
        stdout=out,
    )
    assert "Installed Home readiness checklist v1" in out.getvalue()
    adaptation = ChecklistVersion.objects.get(slug="home-readiness")
    assert adaptation.collaborative == tenant.collaborative
    call_command(
        "install_readiness_checklist",
        str(path),
        collaborative=tenant.collaborative.slug,
        stdout=out,
    )
    assert "Already installed" in out.getvalue()
    with pytest.raises(CommandError, match="No collaborative"):
        call_command("install_readiness_checklist", str(path), collaborative="nowhere")
    definition["parts"] = []
    path.write_text(json.dumps(definition), encoding="utf-8")
    with pytest.raises(CommandError, match="at least one part"):
        call_command("install_readiness_checklist", str(path))
