"""Models of the readiness app arrive with the issues that need them."""
