#!/usr/bin/python3
"""A real SMTP server on loopback for permanenced's tests (aiosmtpd, Debian's python3-aiosmtpd).

Prints "READY <port>" once it listens, saves each accepted message as N.eml (the DATA exactly as
received, dot-unstuffed) with N.json (envelope, TLS, auth), and runs until killed or stdin closes.

--pipelining advertises PIPELINING. Modes: normal; tempfail-first (451 to the first DATA, then accept); reject (554 to DATA);
hang (never answer DATA); drop (close the connection when the data has arrived, without replying).
"""
import argparse, asyncio, json, os, socket, ssl, sys, threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def login(session):
    data = getattr(session, "auth_data", None)
    if isinstance(data, LoginPassword):
        return data.login.decode()
    return None


class Handler:
    def __init__(self, mode, maildir, pipelining):
        self.mode, self.maildir, self.count, self.datas = mode, maildir, 0, 0
        self.pipelining, self.sessions = pipelining, set()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        # aiosmtpd reads commands in order from the stream, so it can take pipelined ones; advertise it on request.
        session.host_name = hostname
        if self.pipelining:
            responses.insert(len(responses) - 1, "250-PIPELINING")
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("unknown"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.datas += 1
        if self.mode == "tempfail-first" and self.datas == 1:
            return "451 4.3.0 try again later"
        if self.mode == "reject":
            return "554 5.7.1 message refused"
        if self.mode == "hang":
            await asyncio.sleep(3600)
        if self.mode == "drop":
            server.transport.close()
            return "421 closing"
        self.count += 1
        base = os.path.join(self.maildir, str(self.count))
        with open(base + ".eml", "wb") as f:
            f.write(envelope.original_content)
        # Sessions are told apart by the client's address and port.
        self.sessions.add(tuple(session.peer))
        with open(base + ".json", "w") as f:
            json.dump({"from": envelope.mail_from, "session": len(self.sessions), "to": envelope.rcpt_tos,
                       "peer": list(session.peer)[:2], "tls": server.transport.get_extra_info("ssl_object") is not None,
                       "login": login(session), "mail_options": envelope.mail_options}, f)
        return "250 2.0.0 queued as %d" % self.count


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--maildir", required=True)
    p.add_argument("--mode", default="normal")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--tls", choices=["none", "starttls", "implicit"], default="none")
    p.add_argument("--auth", help="user:password required")
    p.add_argument("--port", type=int, help="default: a free port")
    p.add_argument("--pipelining", action="store_true", help="advertise PIPELINING")
    a = p.parse_args()
    os.makedirs(a.maildir, exist_ok=True)
    ctx = None
    if a.cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.cert, a.key)
    kwargs = {"auth_require_tls": False}
    if a.auth:
        user, password = a.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, data):
            ok = isinstance(data, LoginPassword) and data.login.decode() == user and data.password.decode() == password
            return AuthResult(success=ok, handled=False, auth_data=data)

        kwargs.update(authenticator=authenticator, auth_required=True)
    if a.tls == "starttls":
        kwargs.update(tls_context=ctx, require_starttls=True)
    port = a.port or free_port()
    handler = Handler(a.mode, a.maildir, a.pipelining)
    controller = Controller(handler, hostname="127.0.0.1", port=port,
                            ssl_context=ctx if a.tls == "implicit" else None, **kwargs)
    controller.start()
    print("READY %d" % port, flush=True)
    try:
        sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
