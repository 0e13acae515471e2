"""A real SMTP server on 127.0.0.1 for mailcred's end-to-end tests.

It requires AUTH (PLAIN or LOGIN) before MAIL, checks the password against an
accounts file and writes one JSON line per AUTH attempt and per delivered
message to a log file, which the Rust fixture (tests/src/smtp.rs) reads.

    server.py --port 0 --mode plain|starttls|tls [--cert FILE --key FILE]
              --accounts FILE --log FILE [--reject-rcpt ADDRESS ...]
              [--introspect-url URL]

With --introspect-url it is an OAuth2 server instead, as Microsoft 365's and
Gmail's are: it offers and accepts XOAUTH2 and OAUTHBEARER only, asks the
identity provider's RFC 7662 introspection endpoint at URL about each token
(the test identity provider's /introspect), and takes only an active token
whose `username` is the login sent; anything else gets Microsoft's
`535 5.7.3 Authentication unsuccessful`.

Prints `READY <port>` on stdout once listening; exits cleanly on SIGTERM.
"""

import argparse
import asyncio
import base64
import binascii
import collections
import json
import logging
import signal
import ssl
import urllib.parse
import urllib.request
import warnings

from aiosmtpd.smtp import MISSING, SMTP, AuthResult, LoginPassword

# Microsoft 365's answer to any token it does not take.
TOKEN_REFUSED = "535 5.7.3 Authentication unsuccessful"
# An Entra access token is 1,500 to 2,500 characters, and a third more in
# base64: SMTP's 512-byte command limit would refuse its AUTH line.
OAUTH_LINE_LIMIT = 16 * 1024
OAUTH_MECHANISMS = ["XOAUTH2", "OAUTHBEARER"]


class Recorder:
    """Handler and authenticator: checks passwords and logs what it sees."""

    def __init__(self, accounts, log_path, rejected_rcpts, introspect_url=None):
        self.accounts = accounts
        self.log = open(log_path, "a", encoding="utf-8")
        self.rejected_rcpts = set(rejected_rcpts)
        self.introspect_url = introspect_url

    def record(self, **record):
        self.log.write(json.dumps(record) + "\n")
        self.log.flush()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        username = auth_data.login.decode("utf-8", "replace")
        password = auth_data.password.decode("utf-8", "replace")
        ok = self.accounts.get(username) == password
        self.record(event="auth", mechanism=mechanism, username=username,
                    password=password, ok=ok)
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    # ---- OAuth2 (--introspect-url) ------------------------------------------

    def introspect(self, token):
        """The identity provider's RFC 7662 answer about `token`."""
        body = urllib.parse.urlencode({"token": token}).encode()
        request = urllib.request.Request(self.introspect_url, data=body, method="POST")
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(request, timeout=10) as response:
            return json.load(response)

    async def check_token(self, mechanism, user, token):
        """Whether `token` is active and `user`'s; recorded either way."""
        loop = asyncio.get_running_loop()
        try:
            answer = await loop.run_in_executor(None, self.introspect, token)
        except OSError as err:
            logging.error("introspection at %s failed: %s", self.introspect_url, err)
            answer = {"active": False}
        ok = answer.get("active") is True and answer.get("username") == user
        self.record(event="auth", mechanism=mechanism, username=user, password=token, ok=ok)
        return ok

    @staticmethod
    async def initial_response(server, args):
        """The client's response: on the AUTH line, or after an empty 334."""
        if len(args) > 1:
            try:
                return base64.b64decode(args[1], validate=True)
            except binascii.Error:
                return None
        response = await server.challenge_auth("")
        return None if response is MISSING else response

    async def auth_XOAUTH2(self, server, args):
        """`user=USER^Aauth=Bearer TOKEN^A^A`; a refusal as Microsoft's: 535 at once."""
        raw = await self.initial_response(server, args)
        fields = dict(part.split("=", 1) for part in (raw or b"").decode("utf-8", "replace")
                      .split("\x01") if "=" in part)
        user, auth = fields.get("user", ""), fields.get("auth", "")
        token = auth[len("Bearer "):] if auth.startswith("Bearer ") else ""
        if raw is None or not token:
            self.record(event="auth", mechanism="XOAUTH2", username=user, password="", ok=False)
            return AuthResult(success=False, handled=False, message=TOKEN_REFUSED)
        if await self.check_token("XOAUTH2", user, token):
            return AuthResult(success=True, auth_data=LoginPassword(user.encode(), b""))
        return AuthResult(success=False, handled=False, message=TOKEN_REFUSED)

    async def auth_OAUTHBEARER(self, server, args):
        """RFC 7628: `n,a=USER,^Ahost=…^Aport=…^Aauth=Bearer TOKEN^A^A`; a
        refusal is an error challenge (JSON), the client's `^A`, then 535."""
        raw = await self.initial_response(server, args)
        text = (raw or b"").decode("utf-8", "replace")
        header, _, rest = text.partition("\x01")
        user = next((f[2:] for f in header.split(",") if f.startswith("a=")), "")
        fields = dict(part.split("=", 1) for part in rest.split("\x01") if "=" in part)
        auth = fields.get("auth", "")
        token = auth[len("Bearer "):] if auth.startswith("Bearer ") else ""
        if token and await self.check_token("OAUTHBEARER", user, token):
            return AuthResult(success=True, auth_data=LoginPassword(user.encode(), b""))
        if not token:
            self.record(event="auth", mechanism="OAUTHBEARER", username=user, password="",
                        ok=False)
        error = json.dumps({"status": "invalid_token", "scope": "mail"})
        if await server.challenge_auth(error) is MISSING:
            return AuthResult(success=False, handled=True)
        return AuthResult(success=False, handled=False, message=TOKEN_REFUSED)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.rejected_rcpts:
            return "550 5.1.1 Recipient rejected"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.record(event="message", mail_from=envelope.mail_from,
                    rcpt_tos=envelope.rcpt_tos,
                    data=envelope.content.decode("utf-8", "replace"))
        return "250 Message accepted for delivery"


class OAuthSMTP(SMTP):
    """An SMTP server whose AUTH lines may carry a large access token."""

    # Read by SMTP.__init__ as the stream's line limit (AUTH lines, and the
    # response to an empty 334, are read through it).
    line_length_limit = OAUTH_LINE_LIMIT

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Our own table: aiosmtpd's is shared by every instance of the class.
        self.command_size_limits = collections.defaultdict(
            lambda: SMTP.command_size_limit, {"AUTH": OAUTH_LINE_LIMIT})


def tls_context(args):
    if not (args.cert and args.key):
        raise SystemExit(f"--mode {args.mode} needs --cert and --key")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.cert, args.key)
    return context


async def serve(args):
    with open(args.accounts, encoding="utf-8") as f:
        recorder = Recorder(json.load(f), args.log, args.reject_rcpt, args.introspect_url)

    oauth = args.introspect_url is not None
    server_class = OAuthSMTP if oauth else SMTP
    options = dict(hostname="localhost", authenticator=recorder,
                   auth_required=True, auth_require_tls=False,
                   auth_exclude_mechanism=["PLAIN", "LOGIN"] if oauth else OAUTH_MECHANISMS)
    implicit_tls = None
    if args.mode == "starttls":
        options.update(tls_context=tls_context(args), require_starttls=True,
                       auth_require_tls=True)
    elif args.mode == "tls":
        # The whole connection is TLS, which aiosmtpd does not see: it only
        # knows about STARTTLS, hence auth_require_tls=False as in plain mode.
        implicit_tls = tls_context(args)

    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: server_class(recorder, **options),
                                      host="127.0.0.1", port=args.port,
                                      ssl=implicit_tls)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"READY {server.sockets[0].getsockname()[1]}", flush=True)
    await stop.wait()
    server.close()
    await server.wait_closed()


def main():
    # Quiet aiosmtpd's warnings about AUTH without TLS, which plain mode wants.
    warnings.filterwarnings("ignore", module="aiosmtpd")
    logging.basicConfig(level=logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--mode", choices=["plain", "starttls", "tls"], default="plain")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--accounts", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--reject-rcpt", action="append", default=[])
    parser.add_argument("--introspect-url",
                        help="accept only XOAUTH2 and OAUTHBEARER tokens this RFC 7662 "
                             "introspection endpoint calls active")
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
