"""A real SMTP server on 127.0.0.1 for mailcred's end-to-end tests.

It requires AUTH (PLAIN or LOGIN) before MAIL, checks the password against an
accounts file and writes one JSON line per AUTH attempt and per delivered
message to a log file, which the Rust fixture (tests/src/smtp.rs) reads.

    server.py --port 0 --mode plain|starttls|tls [--cert FILE --key FILE]
              --accounts FILE --log FILE [--reject-rcpt ADDRESS ...]

Prints `READY <port>` on stdout once listening; exits cleanly on SIGTERM.
"""

import argparse
import asyncio
import json
import logging
import signal
import ssl
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Recorder:
    """Handler and authenticator: checks passwords and logs what it sees."""

    def __init__(self, accounts, log_path, rejected_rcpts):
        self.accounts = accounts
        self.log = open(log_path, "a", encoding="utf-8")
        self.rejected_rcpts = set(rejected_rcpts)

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


def tls_context(args):
    if not (args.cert and args.key):
        raise SystemExit(f"--mode {args.mode} needs --cert and --key")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.cert, args.key)
    return context


async def serve(args):
    with open(args.accounts, encoding="utf-8") as f:
        recorder = Recorder(json.load(f), args.log, args.reject_rcpt)

    options = dict(hostname="localhost", authenticator=recorder,
                   auth_required=True, auth_require_tls=False)
    implicit_tls = None
    if args.mode == "starttls":
        options.update(tls_context=tls_context(args), require_starttls=True,
                       auth_require_tls=True)
    elif args.mode == "tls":
        # The whole connection is TLS, which aiosmtpd does not see: it only
        # knows about STARTTLS, hence auth_require_tls=False as in plain mode.
        implicit_tls = tls_context(args)

    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(recorder, **options),
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
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
