"""Route fixtures of the fidelity app for the route-inventory isolation test (see
``tests/route_fixtures.py`` for the contract)."""

from __future__ import annotations

from fidelity.scale_install import install_scale
from tests.fidelity.helpers import small_scale
from tests.route_fixtures import RouteFixture, add_marker


def build(tenant) -> None:
    """An adapted fidelity scale of the victim collaborative; its title, an item's
    description and an anchor are markers of the collaborative."""
    name = tenant.collaborative.name
    definition = small_scale(slug="victim-scale", title=f"Adapted scale of {name}")
    definition["sections"][0]["items"][0]["description"] = f"Item looked at in {name}"
    definition["sections"][0]["items"][0]["anchors"]["2"] = f"Middle rating of {name}"
    tenant.fidelity_scale = install_scale(definition, collaborative=tenant.collaborative)
    for text in (
        definition["title"],
        definition["sections"][0]["items"][0]["description"],
        definition["sections"][0]["items"][0]["anchors"]["2"],
    ):
        add_marker(tenant, text)


PARAMETERS = {"scale_id": lambda t: t.fidelity_scale}

ROUTES = {
    "fidelity:scales": RouteFixture("scoped_list"),
    "fidelity:scale": RouteFixture("tenant"),
    "fidelity-scale-list": RouteFixture("scoped_list"),
    "fidelity-scale-detail": RouteFixture("tenant"),
}
