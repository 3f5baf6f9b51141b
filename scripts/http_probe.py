"""Request a URL of a locally started portal and check the answer (used by the smoke tests).

    python scripts/http_probe.py URL [--status 200] [--json-key status=ok] [--contains TEXT]
                                     [--header 'X-Forwarded-Proto: https'] [--wait 60]
                                     [--location-starts https://] [--extract REGEX]

With --wait, connection errors are retried until the server answers or the time runs out.
Redirects are not followed, so a redirect shows as its own status. Exits 0 when every
expectation holds, 1 otherwise, and prints one line saying what it checked.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import urllib.error
import urllib.request


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str, headers: dict[str, str], timeout: float) -> tuple[int, dict[str, str], str]:
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (local URLs only)
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode("utf-8", "replace")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--status", type=int, default=200)
    parser.add_argument("--json-key", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--contains", action="append", default=[], metavar="TEXT")
    parser.add_argument("--header", action="append", default=[], metavar="'NAME: VALUE'")
    parser.add_argument("--location-starts", default=None, metavar="PREFIX")
    parser.add_argument("--wait", type=float, default=0, metavar="SECONDS")
    parser.add_argument(
        "--extract",
        default=None,
        metavar="REGEX",
        help="print the first group of REGEX in the body on stdout (the report goes to stderr)",
    )
    args = parser.parse_args()

    if not args.url.startswith(("http://127.0.0.1", "http://localhost")):
        parser.error("only a server on this machine is probed")
    headers = dict(h.split(":", 1) for h in args.header)
    headers = {name.strip(): value.strip() for name, value in headers.items()}

    deadline = time.monotonic() + args.wait
    while True:
        try:
            status, response_headers, body = fetch(args.url, headers, timeout=30)
            break
        except (urllib.error.URLError, ConnectionError) as error:
            if time.monotonic() >= deadline:
                print(f"FAIL {args.url}: no answer ({error})")
                return 1
            time.sleep(0.5)

    problems = []
    if status != args.status:
        problems.append(f"status {status}, expected {args.status}")
    for pair in args.json_key:
        key, expected = pair.split("=", 1)
        try:
            value = json.loads(body).get(key)
        except (ValueError, AttributeError):
            value = None
        if str(value) != expected:
            problems.append(f"JSON {key}={value!r}, expected {expected!r}")
    for text in args.contains:
        if text not in body:
            problems.append(f"body lacks {text!r}")
    if args.location_starts is not None:
        location = response_headers.get("Location", "")
        if not location.startswith(args.location_starts):
            problems.append(f"Location {location!r}, expected {args.location_starts!r}...")

    extracted = None
    if args.extract is not None:
        match = re.search(args.extract, body)
        if match is None:
            problems.append(f"body has no match for {args.extract!r}")
        else:
            extracted = match.group(1)

    checked = [f"status {args.status}"]
    checked += [f"JSON {p}" for p in args.json_key]
    checked += [f"contains {t!r}" for t in args.contains]
    if args.location_starts is not None:
        checked.append(f"redirects to {args.location_starts}...")
    report = sys.stderr if args.extract else sys.stdout
    if problems:
        print(f"FAIL {args.url}: " + "; ".join(problems), file=report)
        print(body[:2000], file=report)
        return 1
    print(f"ok   {args.url} ({', '.join(checked)})", file=report)
    if extracted is not None:
        print(extracted)
    return 0


if __name__ == "__main__":
    sys.exit(main())
