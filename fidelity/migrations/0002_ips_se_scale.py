"""Install the 25-item IPS Supported Employment Fidelity Scale shipped in fidelity/scales/.

Scale versions are immutable: a changed scale is a new file with a new version number (and a
new migration, or the install_fidelity_scale command for a state's adapted scale).
"""

import json
from pathlib import Path

from django.db import migrations

# The file itself, not fidelity.scale_install.STANDARD_SCALES: this migration installs
# version 1 whatever later versions ship.
SCALE = Path(__file__).resolve().parent.parent / "scales" / "ips-se-2008.json"


def install(apps, schema_editor):
    from fidelity.scale_install import ScaleModels, install_scale

    install_scale(
        json.loads(SCALE.read_text(encoding="utf-8")), models=ScaleModels.from_apps(apps)
    )


def uninstall(apps, schema_editor):
    apps.get_model("fidelity", "FidelityScale").objects.filter(
        collaborative=None, slug="ips-se", version=1
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("fidelity", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]
