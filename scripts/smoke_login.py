"""Sign in to a locally started portal as a demo user, the way a browser does, and open home.

    python scripts/smoke_login.py BASE_URL EMAIL PASSWORD --expect TEXT [--behind-tls-proxy]
                                  [--agency-pdf]

GET the login page, keep its cookies, POST the form with its CSRF token, follow the redirect
to the home page and check it shows TEXT. With --agency-pdf, then ask for the summary PDF of
the first agency the home page links to and wait until the download is a PDF: the request
goes through the broker to a worker, which renders it and stores the file.
With --behind-tls-proxy every request carries ``X-Forwarded-Proto: https``, as a
TLS-terminating proxy in front of gunicorn sends it; the production settings then treat the
request as secure (secure cookies, Origin checked). Cookies are kept by hand because the
production cookies are marked Secure.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookies import SimpleCookie


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    def __init__(self, base_url: str, behind_tls_proxy: bool) -> None:
        self.base_url = base_url.rstrip("/")
        self.cookies: dict[str, str] = {}
        self.headers = {"User-Agent": "ips-portal-smoke"}
        if behind_tls_proxy:
            host = urllib.parse.urlsplit(self.base_url).netloc
            self.headers["X-Forwarded-Proto"] = "https"
            self.headers["Origin"] = f"https://{host}"
            self.headers["Referer"] = f"https://{host}/"
        self.opener = urllib.request.build_opener(_NoRedirect)

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        status, location, content = self.request_bytes(path, data)
        return status, location, content.decode("utf-8", "replace")

    def request_bytes(
        self, path: str, data: dict[str, str] | None = None
    ) -> tuple[int, str, bytes]:
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base_url + path, data=body, headers=headers)  # noqa: S310
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, response.headers.get("Location", ""), response.read()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url")
    parser.add_argument("email")
    parser.add_argument("password")
    parser.add_argument("--expect", required=True, help="text the home page must show")
    parser.add_argument("--behind-tls-proxy", action="store_true")
    parser.add_argument("--agency-pdf", action="store_true", help="also render a PDF report")
    parser.add_argument("--pdf-timeout", type=float, default=120)
    args = parser.parse_args()
    if not args.base_url.startswith(("http://127.0.0.1", "http://localhost")):
        parser.error("only a server on this machine is used")

    browser = Browser(args.base_url, args.behind_tls_proxy)
    status, _, page = browser.request("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if status != 200 or token is None or "csrftoken" not in browser.cookies:
        print(f"FAIL login page: status {status}, CSRF token found: {token is not None}")
        return 1
    status, location, page = browser.request(
        "/accounts/login/",
        {"csrfmiddlewaretoken": token.group(1), "login": args.email, "password": args.password},
    )
    if status != 302 or "sessionid" not in browser.cookies:
        print(
            f"FAIL sign-in as {args.email}: status {status}, session cookie: "
            f"{'sessionid' in browser.cookies}"
        )
        print(page[:2000])
        return 1
    path = urllib.parse.urlsplit(location).path or "/"
    status, _, page = browser.request(path)
    if status != 200 or args.expect not in page:
        print(
            f"FAIL home page after sign-in ({path}): status {status}, "
            f"shows {args.expect!r}: {args.expect in page}"
        )
        return 1
    print(f"ok   signed in as {args.email} through the login form; {path} shows {args.expect!r}")
    if args.agency_pdf:
        return agency_pdf(browser, page, args.pdf_timeout)
    return 0


def agency_pdf(browser: Browser, home: str, timeout: float) -> int:
    """POST the first agency's summary-PDF form, then poll the report until it downloads."""
    agency = re.search(r'href="(/agencies/[0-9a-f-]{36}/)"', home)
    if agency is None:
        print("FAIL the home page links no agency")
        return 1
    path = agency.group(1) + "summary-pdf/"
    status, location, page = browser.request(
        path, {"csrfmiddlewaretoken": browser.cookies.get("csrftoken", "")}
    )
    report = re.search(r"/documents/([0-9a-f-]{36})/", location)
    if status != 302 or report is None:
        print(f"FAIL POST {path}: status {status}, Location {location!r}")
        print(page[:2000])
        return 1
    download = f"/documents/{report.group(1)}/download/"
    deadline = time.monotonic() + timeout
    while True:
        status, _, content = browser.request_bytes(download)
        if status == 200:
            break
        if time.monotonic() >= deadline:
            print(f"FAIL {download}: still status {status} after {timeout:.0f}s")
            return 1
        time.sleep(1)
    if not content.startswith(b"%PDF-"):
        print(f"FAIL {download}: not a PDF ({content[:20]!r})")
        return 1
    print(
        f"ok   POST {path} queued a report; a worker rendered it; {download} is a "
        f"{len(content)}-byte PDF"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
