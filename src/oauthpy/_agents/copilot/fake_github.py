"""A fake GitHub API for the real Copilot CLI's account requests, on loopback.

Copilot 1.0.102 asks ``https://api.github.com/copilot_internal/user`` (``api.<GH_HOST>``) for
the account's plan and quota (SDK server ``account.getQuota``), always over HTTPS. It honours
``HTTPS_PROXY`` and trusts the CA bundle in ``SSL_CERT_FILE``: this fake is that proxy. It
answers ``CONNECT`` itself, ends TLS with a certificate for the host asked, made by a CA of its
own (``openssl``, in a temporary directory), and serves the scripted account over it. Nothing
leaves the machine: a host it does not serve gets 404. `env` is what points copilot here.
"""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from oauthpy.testing.server import QuietHTTPServer

#: the hosts the fake's certificate names (copilot asks ``api.<GH_HOST>``)
HOSTS = ("api.github.com", "github.com")


@dataclass(frozen=True)
class Quota:
    """One of the account's quotas as GitHub reports it in ``quota_snapshots``."""

    entitlement: float
    remaining: float
    unlimited: bool = False
    overage_permitted: bool = False
    overage_count: float = 0

    def snapshot(self, quota_id: str, reset: float | None) -> dict[str, Any]:
        percent = 100.0 if self.unlimited or not self.entitlement else 100 * self.remaining / self.entitlement
        found: dict[str, Any] = {
            "quota_id": quota_id,
            "entitlement": self.entitlement,
            "remaining": self.remaining,
            "quota_remaining": self.remaining,
            "percent_remaining": percent,
            "unlimited": self.unlimited,
            "overage_permitted": self.overage_permitted,
            "overage_count": self.overage_count,
            "timestamp_utc": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
        }
        if reset is not None:
            found["quota_reset_at"] = reset
        return found


@dataclass
class _Account:
    plan: str = "individual"
    sku: str = "copilot_pro"
    login: str = "oauthpy-fake-user"
    quotas: dict[str, Quota] = field(default_factory=dict)
    reset: float | None = None
    status: int = 200


class FakeGitHubApi:
    """An HTTPS proxy on ``127.0.0.1`` that plays ``api.github.com`` for copilot. Use it as a
    context manager; `account` scripts what ``/copilot_internal/user`` answers."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="oauthpy-fake-github-")
        self.ca_file = _make_certs(Path(self._dir.name))
        self._tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._tls.load_cert_chain(Path(self._dir.name) / "host.pem", Path(self._dir.name) / "host.key")
        self.account_: _Account = _Account()
        #: the made-up token `env` logs copilot in with: new for each fake, because copilot keeps
        #: the account it read per token in the shared XDG cache (``copilot-user-cache.json``)
        self.token = f"gho_oauthpyFake{uuid.uuid4().hex}"
        #: (method, host, path, whether it carried a token) of each request, in order
        self.requests: list[tuple[str, str, str, bool]] = []
        self._lock = threading.Lock()
        self._server = QuietHTTPServer(("127.0.0.1", 0), _Proxy)
        self._server.fake = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def account(
        self,
        plan: str = "individual",
        quotas: dict[str, Quota] | None = None,
        *,
        reset: float | None = None,
        sku: str = "copilot_pro",
        status: int = 200,
    ) -> FakeGitHubApi:
        """What ``/copilot_internal/user`` answers from now on: ``copilot_plan``, the
        ``quota_snapshots`` and when they reset (``reset``, Unix seconds: each snapshot's
        ``quota_reset_at`` and the ISO ``quota_reset_date_utc``); ``status`` other than 200
        refuses the token."""
        self.account_ = _Account(plan=plan, sku=sku, quotas=dict(quotas or {}), reset=reset, status=status)
        return self

    def env(self, token: str | None = None) -> dict[str, str]:
        """What sends copilot's GitHub requests here, logged in with ``token`` (default `token`)."""
        return {
            "HTTPS_PROXY": self.proxy_url,
            "https_proxy": self.proxy_url,
            "NO_PROXY": "",
            "no_proxy": "",
            "SSL_CERT_FILE": str(self.ca_file),
            "COPILOT_GITHUB_TOKEN": token or self.token,
        }

    def user(self) -> dict[str, Any]:
        a = self.account_
        iso = None
        if a.reset is not None:
            iso = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(a.reset))
        return {
            "login": a.login,
            "access_type_sku": a.sku,
            "copilot_plan": a.plan,
            "chat_enabled": True,
            "quota_reset_date": (iso or "")[:10],
            "quota_reset_date_utc": iso,
            "quota_snapshots": {name: q.snapshot(name, a.reset) for name, q in a.quotas.items()},
        }

    def close(self) -> None:
        from oauthpy.testing.server import stop_serving

        stop_serving(self._server, self._thread)
        self._dir.cleanup()

    def __enter__(self) -> FakeGitHubApi:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Proxy(BaseHTTPRequestHandler):
    """The proxy side: ``CONNECT`` is answered here, the tunnel is served by `_Api`."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_CONNECT(self) -> None:
        fake: FakeGitHubApi = self.server.fake  # type: ignore[attr-defined]
        host = self.path.rsplit(":", 1)[0]
        self.send_response(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        try:
            tls = fake._tls.wrap_socket(self.connection, server_side=True)
        except (ssl.SSLError, OSError):
            self.close_connection = True
            return
        _Api(tls, self.client_address, self.server, host=host, fake=fake)
        self.close_connection = True

    def do_GET(self) -> None:  # a plain-HTTP request to the proxy: nothing is served so
        self.send_error(404)


class _Api(BaseHTTPRequestHandler):
    """The GitHub API inside the tunnel."""

    protocol_version = "HTTP/1.1"

    def __init__(self, sock: Any, addr: Any, server: Any, *, host: str, fake: FakeGitHubApi) -> None:
        self.host, self.fake = host, fake
        super().__init__(sock, addr, server)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _reply(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        path = self.path.split("?")[0]
        with self.fake._lock:
            self.fake.requests.append(
                (self.command, self.host, path, bool(self.headers.get("Authorization")))
            )
        account = self.fake.account_
        if self.host not in HOSTS:
            self._json(404, {"message": "Not Found"})
        elif account.status != 200:
            self._json(account.status, {"message": "Bad credentials"})
        elif path == "/copilot_internal/user":
            self._json(200, self.fake.user())
        elif path == "/user":
            self._json(200, {"login": account.login, "id": 1, "type": "User"})
        else:
            self._json(404, {"message": "Not Found"})

    do_GET = do_POST = _reply

    def _json(self, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _make_certs(where: Path) -> Path:
    """A CA and a certificate for `HOSTS` signed by it, with ``openssl``; returns the CA file."""

    def run(*argv: str) -> None:
        subprocess.run(["openssl", *argv], cwd=where, check=True, capture_output=True, timeout=30)

    run(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=oauthpy fake CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    )
    run(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        f"/CN={HOSTS[0]}",
        "-keyout",
        "host.key",
        "-out",
        "host.csr",
    )
    (where / "host.ext").write_text(
        "subjectAltName=" + ",".join(f"DNS:{h}" for h in HOSTS) + "\nextendedKeyUsage=serverAuth\n"
        "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
    )
    run(
        "x509",
        "-req",
        "-in",
        "host.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "host.ext",
        "-out",
        "host.pem",
    )
    os.chmod(where / "ca.key", 0o600)
    return where / "ca.pem"
