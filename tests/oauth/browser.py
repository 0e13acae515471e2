#!/usr/bin/env python3
"""A stand-in for the user's browser: `python3 browser.py URL` (used as BROWSER="python3 …/browser.py").

GETs URL (the identity provider's authorize page, which auto-approves), follows its one 302 to the
loopback redirect_uri (mailcred-oauth's listener), reads the page there and exits. Nothing else: no
cookies, no JavaScript, no further redirects. Exit status 0 when the listener answered 200, else 1,
with one line on stderr (mailcred-oauth does not wait for it; the tests read its stderr if they must).
"""

import sys
import urllib.error
import urllib.request


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def get(opener, url):
    try:
        with opener.open(url, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def main():
    if len(sys.argv) != 2:
        print("usage: browser.py URL", file=sys.stderr)
        return 2
    # No proxy: a browser on the user's machine reaches the loopback listener directly.
    opener = urllib.request.build_opener(NoRedirect, urllib.request.ProxyHandler({}))
    status, headers, body = get(opener, sys.argv[1])
    if status != 302 or not headers.get("Location"):
        print(f"browser.py: the authorize page answered {status}, not a redirect: {body[:300]!r}",
              file=sys.stderr)
        return 1
    status, _, body = get(opener, headers["Location"])
    if status != 200:
        print(f"browser.py: the redirect target answered {status}: {body[:300]!r}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
