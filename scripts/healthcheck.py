"""Container health check: GET /healthz/ on the local gunicorn and expect {"status": "ok"}.

Django answers 400 to a Host it does not allow, so the request names the first entry of
ALLOWED_HOSTS (a leading dot, which allows subdomains, is dropped; "*" becomes localhost).
Exits 0 when healthy, 1 otherwise. Uses only the standard library (the image has no curl).
"""

from __future__ import annotations

import json
import os
import sys
import urllib.request


def main() -> int:
    port = os.environ.get("HEALTHCHECK_PORT", "8000")
    hosts = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
    host = hosts[0].lstrip(".") if hosts else "localhost"
    if host == "*":
        host = "localhost"
    request = urllib.request.Request(  # noqa: S310 (a fixed local URL)
        f"http://127.0.0.1:{port}/healthz/", headers={"Host": host}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            healthy = response.status == 200 and json.load(response).get("status") == "ok"
    except (OSError, ValueError) as error:
        print(f"unhealthy: {error}")
        return 1
    print("healthy" if healthy else "unhealthy")
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
