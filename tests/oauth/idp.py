#!/usr/bin/env python3
"""A local identity provider for mailcred's tests, shaped like Microsoft's identity platform.

python3 stdlib only (no venv): `python3 tests/oauth/idp.py [--port 0] [--until-stdin-closes]`
prints `listening on 127.0.0.1:PORT` as its first stdout line once it accepts connections.

Endpoints (TENANT is any path segment, as `organizations`, `common` or a tenant id):
  GET  /TENANT/oauth2/v2.0/authorize   auto-approves: 302 to redirect_uri?code=…&state=…
  POST /TENANT/oauth2/v2.0/token       authorization_code (PKCE S256), refresh_token, device_code
  POST /TENANT/oauth2/v2.0/devicecode  RFC 8628 device authorization
  GET  /devicelogin                    the page verification_uri points at (nothing to do there)
  POST /introspect                     RFC 7662, form `token=`
  POST /control                        JSON: change behaviour (see Control below)
  GET  /stats                          counters
  GET  /requests                       every authorize/token/devicecode request's parameters, in order

See README.md beside this file for what it mirrors of Microsoft and what it does not.
"""

import argparse
import base64
import hashlib
import json
import secrets
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
CODE_LIFETIME = 600
MAX_BODY = 1 << 20

# Descriptions as Microsoft words them (shortened); codes are the AADSTS numbers.
MS_ERRORS = {
    "pending": ("authorization_pending", 70016,
                "OAuth 2.0 device flow error. Authorization is pending. Continue polling."),
    "slow_down": ("slow_down", 70016, "OAuth 2.0 device flow error. Polling too fast; slow down."),
    "declined": ("authorization_declined", 70000,
                 "The user declined the authorization request."),
    "expired": ("expired_token", 70020,
                "The provided value for the input parameter 'device_code' is not valid. "
                "This device code has expired."),
    "bad_code": ("invalid_grant", 70000,
                 "The provided value for the 'code' parameter is not valid."),
    "pkce": ("invalid_grant", 501481, "The Code_Verifier does not match the code_challenge "
             "supplied in the authorization request."),
    "redirect": ("invalid_grant", 70000,
                 "The provided value for the 'redirect_uri' is not valid. It must exactly match "
                 "the redirect URI used to obtain the authorization code."),
    "client": ("invalid_grant", 700005, "Provided Authorization Code is intended to use "
               "against other tenant or client."),
    "refresh": ("invalid_grant", 70008, "The provided authorization code or refresh token has "
                "expired due to inactivity. The token was issued on a date before now."),
    "secret": ("invalid_client", 7000215, "Invalid client secret provided."),
    "grant_type": ("unsupported_grant_type", 70003, "The app requested an unsupported grant type."),
    "missing": ("invalid_request", 900144, "The request body must contain the following "
                "parameter: '{}'."),
}


def now():
    return time.time()


def ms_timestamp():
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")


def ms_error_body(error, code, description):
    """An error body as Microsoft's token endpoint sends it."""
    trace, correlation, stamp = str(uuid.uuid4()), str(uuid.uuid4()), ms_timestamp()
    text = description
    if code is not None and not description.startswith("AADSTS"):
        text = f"AADSTS{code}: {description}"
    return {
        "error": error,
        "error_description": f"{text} Trace ID: {trace} Correlation ID: {correlation} "
                             f"Timestamp: {stamp}",
        "error_codes": [code] if code is not None else [],
        "timestamp": stamp,
        "trace_id": trace,
        "correlation_id": correlation,
    }


def s256(verifier):
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class State:
    """Everything the server knows, behind one lock (the server handles requests in threads)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.access_lifetime = 3600
        self.access_token_length = 1500
        self.rotation = "lenient"
        self.device_mode = "approve"
        self.device_interval = 1
        self.authorize_mode = "approve"
        self.client_secret = None
        self.send_refresh_token = True
        self.send_expires_in = True
        self.fails = []
        self.token_delay_ms = 0
        self.codes = {}
        self.refresh_tokens = {}
        self.access_tokens = {}
        self.devices = {}
        self.requests = []
        self.stats = {"refreshes": 0, "code_exchanges": 0, "device_polls": 0, "authorize": 0,
                      "device_codes": 0, "introspections": 0, "token_requests": 0}

    def control(self, body):
        simple = {"access_lifetime": "access_lifetime", "rotation": "rotation",
                  "device": "device_mode", "device_interval": "device_interval",
                  "authorize": "authorize_mode", "client_secret": "client_secret",
                  "token_delay_ms": "token_delay_ms", "access_token_length": "access_token_length",
                  "send_refresh_token": "send_refresh_token", "send_expires_in": "send_expires_in"}
        with self.lock:
            for key, attr in simple.items():
                if key in body:
                    setattr(self, attr, body[key])
            if "fail" in body:
                fail = body["fail"]
                rules = [] if fail is None else (fail if isinstance(fail, list) else [fail])
                self.fails = [dict(rule) for rule in rules]
            if body.get("revoke_refresh_tokens"):
                for record in self.refresh_tokens.values():
                    record["valid"] = False
            if body.get("expire_access_tokens"):
                for record in self.access_tokens.values():
                    record["exp"] = 0

    def take_fail(self, grant):
        """The injected failure for this grant, if one is armed (each rule fires `count` times)."""
        with self.lock:
            for rule in self.fails:
                if rule.get("grant", "*") in ("*", grant) and rule.get("count", 1) != 0:
                    if rule.get("count", 1) > 0:
                        rule["count"] = rule.get("count", 1) - 1
                    return dict(rule)
        return None

    def issue(self, client_id, scope, user, offline):
        """New tokens (the caller holds the lock); a refresh token only with `offline_access`."""
        # token_urlsafe(n) gives about 4n/3 characters.
        access = secrets.token_urlsafe(max(1, self.access_token_length * 3 // 4))
        access = access[: self.access_token_length]
        exp = now() + self.access_lifetime
        self.access_tokens[access] = {"client_id": client_id, "scope": scope, "user": user,
                                      "exp": exp}
        body = {"token_type": "Bearer", "scope": scope, "ext_expires_in": self.access_lifetime,
                "access_token": access}
        if self.send_expires_in:
            body["expires_in"] = self.access_lifetime
        if offline and self.send_refresh_token:
            refresh = "M.C" + secrets.token_urlsafe(300)
            self.refresh_tokens[refresh] = {"client_id": client_id, "scope": scope, "user": user,
                                            "valid": True}
            body["refresh_token"] = refresh
        return body


STATE = State()


class Handler(BaseHTTPRequestHandler):
    server_version = "mailcred-test-idp/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet: the tests read stdout's first line only
        pass

    # ---- plumbing -------------------------------------------------------------------------

    def send(self, status, body, content_type="application/json; charset=utf-8", headers=()):
        data = body if isinstance(body, bytes) else (
            body.encode() if isinstance(body, str) else json.dumps(body).encode())
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def ms_error(self, status, key, *fmt):
        error, code, description = MS_ERRORS[key]
        self.send(status, ms_error_body(error, code, description.format(*fmt)))

    def form(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            return None
        raw = self.rfile.read(length).decode("utf-8", "replace")
        return {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}

    def route(self):
        parts = urlsplit(self.path)
        segments = [s for s in parts.path.split("/") if s]
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        return segments, query

    def log_request_params(self, endpoint, params):
        with STATE.lock:
            STATE.requests.append({"endpoint": endpoint, "path": urlsplit(self.path).path,
                                   "params": params,
                                   "headers": {k.lower(): v for k, v in self.headers.items()}})

    # ---- GET --------------------------------------------------------------------------------

    def do_GET(self):
        segments, query = self.route()
        if segments == ["stats"]:
            with STATE.lock:
                stats = dict(STATE.stats)
                stats["active_access_tokens"] = sum(
                    1 for r in STATE.access_tokens.values() if r["exp"] > now())
            return self.send(200, stats)
        if segments == ["requests"]:
            with STATE.lock:
                return self.send(200, list(STATE.requests))
        if segments == ["devicelogin"]:
            return self.send(200, "<!doctype html><title>Device login</title>", "text/html")
        if len(segments) == 4 and segments[1:] == ["oauth2", "v2.0", "authorize"]:
            return self.authorize(query)
        self.send(404, {"error": "not_found"})

    def authorize(self, q):
        self.log_request_params("authorize", q)
        with STATE.lock:
            STATE.stats["authorize"] += 1
            mode = STATE.authorize_mode
        redirect = q.get("redirect_uri", "")
        host = urlsplit(redirect).hostname or ""
        if urlsplit(redirect).scheme != "http" or (host not in LOOPBACK_HOSTS
                                                   and f"[{host}]" not in LOOPBACK_HOSTS):
            # Microsoft shows an error page (no redirect) for a redirect URI it does not know.
            return self.send(400, ms_error_body("invalid_request", 50011,
                                                "The redirect URI specified in the request does "
                                                "not match the redirect URIs configured."))
        state = q.get("state")

        def back(params):
            if state is not None:
                params["state"] = state
            sep = "&" if "?" in redirect else "?"
            self.send(302, "", "text/plain", [("Location", redirect + sep + urlencode(params))])

        missing = [p for p in ("client_id", "scope", "code_challenge") if not q.get(p)]
        if q.get("response_type") != "code":
            missing.append("response_type=code")
        if q.get("code_challenge_method") != "S256":
            missing.append("code_challenge_method=S256")
        if missing:
            return back({"error": "invalid_request",
                         "error_description": f"AADSTS900144: The request must contain "
                                              f"{', '.join(missing)}."})
        if mode == "deny":
            return back({"error": "access_denied",
                         "error_description": "AADSTS65004: User declined to consent to access "
                                              "the app."})
        code = secrets.token_urlsafe(64)
        with STATE.lock:
            STATE.codes[code] = {"client_id": q["client_id"], "redirect_uri": redirect,
                                 "challenge": q["code_challenge"], "scope": q["scope"],
                                 "user": q.get("login_hint") or "user@example.com",
                                 "exp": now() + CODE_LIFETIME}
        if mode == "wrong_state":
            state = "not-the-state-you-sent"
        back({"code": code, "session_state": str(uuid.uuid4())})

    # ---- POST -------------------------------------------------------------------------------

    def do_POST(self):
        segments, _ = self.route()
        if segments == ["control"]:
            length = int(self.headers.get("Content-Length") or 0)
            try:
                STATE.control(json.loads(self.rfile.read(length) or b"{}"))
            except (ValueError, TypeError, AttributeError) as err:
                return self.send(400, {"error": str(err)})
            return self.send(200, {"ok": True})
        form = self.form()
        if form is None:
            return self.send(413, {"error": "too_large"})
        if segments == ["introspect"]:
            return self.introspect(form)
        if len(segments) == 4 and segments[1:] == ["oauth2", "v2.0", "devicecode"]:
            return self.devicecode(form)
        if len(segments) == 4 and segments[1:] == ["oauth2", "v2.0", "token"]:
            return self.token(form)
        self.send(404, {"error": "not_found"})

    def introspect(self, form):
        with STATE.lock:
            STATE.stats["introspections"] += 1
            record = STATE.access_tokens.get(form.get("token", ""))
            if record is None or record["exp"] <= now():
                return self.send(200, {"active": False})
            return self.send(200, {"active": True, "username": record["user"],
                                   "scope": record["scope"], "exp": int(record["exp"]),
                                   "client_id": record["client_id"], "token_type": "Bearer"})

    def devicecode(self, form):
        self.log_request_params("devicecode", form)
        for name in ("client_id", "scope"):
            if not form.get(name):
                return self.ms_error(400, "missing", name)
        device_code = secrets.token_urlsafe(48)
        user_code = "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(9))
        port = self.server.server_address[1]
        uri = f"http://127.0.0.1:{port}/devicelogin"
        with STATE.lock:
            STATE.stats["device_codes"] += 1
            mode = STATE.device_mode
            pending = int(mode.split(":", 1)[1]) if mode.startswith("pending:") else 0
            STATE.devices[device_code] = {"client_id": form["client_id"], "scope": form["scope"],
                                          "mode": mode, "pending": pending, "slowed": False,
                                          "exp": now() + 900}
            interval = STATE.device_interval
        self.send(200, {"device_code": device_code, "user_code": user_code,
                        "verification_uri": uri, "expires_in": 900, "interval": interval,
                        "message": f"To sign in, use a web browser to open the page {uri} and "
                                   f"enter the code {user_code} to authenticate."})

    def token(self, form):
        self.log_request_params("token", form)
        grant = form.get("grant_type", "")
        with STATE.lock:
            STATE.stats["token_requests"] += 1
            delay = STATE.token_delay_ms
        if delay:
            time.sleep(delay / 1000)
        fail = STATE.take_fail(grant)
        if fail is not None:
            return self.injected(fail)
        if not form.get("client_id"):
            return self.ms_error(400, "missing", "client_id")
        with STATE.lock:
            secret = STATE.client_secret
        if secret is not None and form.get("client_secret") != secret:
            return self.ms_error(401, "secret")
        if grant == "authorization_code":
            return self.code_exchange(form)
        if grant == "refresh_token":
            return self.refresh(form)
        if grant == DEVICE_GRANT:
            return self.device_poll(form)
        self.ms_error(400, "grant_type")

    def injected(self, fail):
        if "raw_body" in fail:
            return self.send(fail.get("status", 200), fail["raw_body"],
                             fail.get("content_type", "application/json"))
        codes = fail.get("codes") or []
        code = codes[0] if codes else None
        body = ms_error_body(fail.get("error", "invalid_grant"), code,
                             fail.get("description", "Injected failure."))
        body["error_codes"] = codes
        self.send(fail.get("status", 400), body)

    def code_exchange(self, form):
        for name in ("code", "redirect_uri", "code_verifier"):
            if not form.get(name):
                return self.ms_error(400, "missing", name)
        with STATE.lock:
            STATE.stats["code_exchanges"] += 1
            record = STATE.codes.pop(form["code"], None)  # one use only, as at Microsoft
            if record is None or record["exp"] <= now():
                return self.ms_error(400, "bad_code")
            if record["client_id"] != form["client_id"]:
                return self.ms_error(400, "client")
            if record["redirect_uri"] != form["redirect_uri"]:
                return self.ms_error(400, "redirect")
            if s256(form["code_verifier"]) != record["challenge"]:
                return self.ms_error(400, "pkce")
            body = STATE.issue(record["client_id"], record["scope"], record["user"],
                               "offline_access" in record["scope"].split())
        self.send(200, body)

    def refresh(self, form):
        if not form.get("refresh_token"):
            return self.ms_error(400, "missing", "refresh_token")
        with STATE.lock:
            STATE.stats["refreshes"] += 1
            record = STATE.refresh_tokens.get(form["refresh_token"])
            if record is None or not record["valid"] or record["client_id"] != form["client_id"]:
                return self.ms_error(400, "refresh")
            if STATE.rotation == "strict":
                record["valid"] = False
            scope = form.get("scope") or record["scope"]
            body = STATE.issue(record["client_id"], scope, record["user"], True)
        self.send(200, body)

    def device_poll(self, form):
        if not form.get("device_code"):
            return self.ms_error(400, "missing", "device_code")
        with STATE.lock:
            STATE.stats["device_polls"] += 1
            record = STATE.devices.get(form["device_code"])
            if record is None or record["client_id"] != form["client_id"]:
                return self.ms_error(400, "bad_code")
            mode = record["mode"]
            if mode == "expire" or record["exp"] <= now():
                return self.ms_error(400, "expired")
            if mode == "deny":
                return self.ms_error(400, "declined")
            if mode == "slow_down" and not record["slowed"]:
                record["slowed"] = True
                return self.ms_error(400, "slow_down")
            if record["pending"] > 0:
                record["pending"] -= 1
                return self.ms_error(400, "pending")
            del STATE.devices[form["device_code"]]
            body = STATE.issue(record["client_id"], record["scope"], "device-user@example.com",
                               "offline_access" in record["scope"].split())
        self.send(200, body)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--until-stdin-closes", action="store_true",
                        help="exit when stdin reaches end of file (the test that started us died)")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(f"listening on 127.0.0.1:{server.server_address[1]}", flush=True)
    if args.until_stdin_closes:
        def watch():
            sys.stdin.buffer.read()
            server.shutdown()
        threading.Thread(target=watch, daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
