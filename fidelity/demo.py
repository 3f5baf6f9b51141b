"""Demo data of the fidelity app: the standard scales the demo's reviews are scored on
(installed by the migrations; installed again here where the database was emptied since)."""

from fidelity.scale_install import install_standard_scales


def load() -> None:
    install_standard_scales()
