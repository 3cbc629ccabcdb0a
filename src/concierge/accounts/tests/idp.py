"""Identity providers for the SSO tests: a real OpenID Connect provider process on localhost
(oidc-provider-mock), and a tampering proxy in front of its token endpoint."""

import base64
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OIDCProvider:
    """``python -m oidc_provider_mock`` on a free port; nonce required."""

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "oidc_provider_mock", "--port", str(self.port),
             "--host", "127.0.0.1", "--require-nonce"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while True:
            try:
                requests.get(f"{self.url}/.well-known/openid-configuration", timeout=1)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError("the OIDC provider did not start") from None
                time.sleep(0.1)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def set_user(self, sub: str, **claims) -> None:
        requests.put(f"{self.url}/users/{sub}", json=claims, timeout=5).raise_for_status()

    def authorize(self, authorize_url: str, sub: str) -> str:
        """Sign in at the provider as ``sub``; returns where it sends the browser back to."""
        response = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False,
                                 timeout=5)
        assert response.status_code == 302, response.text
        return response.headers["Location"]

    def id_token_for(self, *, client_id: str, sub: str, nonce: str) -> str:
        """A genuine id_token, signed by the provider, for another client or request."""
        redirect_uri = "http://testserver/elsewhere/"
        query = urllib.parse.urlencode({
            "client_id": client_id, "redirect_uri": redirect_uri, "response_type": "code",
            "scope": "openid email profile", "state": "x", "nonce": nonce})
        back = self.authorize(f"{self.url}/oauth2/authorize?{query}", sub)
        code = urllib.parse.parse_qs(urllib.parse.urlparse(back).query)["code"][0]
        token = requests.post(f"{self.url}/oauth2/token", data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
            "client_id": client_id, "client_secret": "whatever"}, timeout=5)
        token.raise_for_status()
        return token.json()["id_token"]


def _flip_signature(id_token: str) -> str:
    header, payload, signature = id_token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    raw[0] ^= 0xFF
    return ".".join([header, payload, base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")])


def _change_claim(id_token: str, **claims) -> str:
    header, payload, signature = id_token.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data.update(claims)
    payload = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    return ".".join([header, payload, signature])


class TamperingProxy:
    """Forwards to the provider; its discovery document points the token endpoint here, so it
    can replace the id_token in the token response (``mode`` picks how)."""

    def __init__(self, provider: OIDCProvider):
        self.provider = provider
        self.mode = None
        self.replacement = None
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _forward(self, method):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in {"host", "content-length", "connection"}}
                upstream = requests.request(method, provider.url + self.path, data=body,
                                            headers=headers, timeout=5,
                                            allow_redirects=False)
                content = upstream.content
                if self.path.startswith("/.well-known/openid-configuration"):
                    config = upstream.json()
                    config["token_endpoint"] = f"{proxy.url}/oauth2/token"
                    content = json.dumps(config).encode()
                elif self.path.startswith("/oauth2/token") and upstream.ok:
                    content = json.dumps(proxy.tamper(upstream.json())).encode()
                self.send_response(upstream.status_code)
                self.send_header("Content-Type", upstream.headers.get("Content-Type", ""))
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def do_GET(self):
                self._forward("GET")

            def do_POST(self):
                self._forward("POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def tamper(self, token: dict) -> dict:
        if self.mode == "bad_signature":
            token["id_token"] = _flip_signature(token["id_token"])
        elif self.mode == "changed_claim":
            token["id_token"] = _change_claim(token["id_token"], email="boss@acme.example")
        elif self.mode == "replace":
            token["id_token"] = self.replacement
        return token

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
