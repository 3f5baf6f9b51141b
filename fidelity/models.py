"""Models of the fidelity app arrive with the issues that need them."""
