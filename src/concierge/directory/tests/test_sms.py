"""Text message backends: a file per message by default, a JSON HTTP gateway in production."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from concierge.directory.sms import SmsError, sms_send


def test_file_sender_writes_one_file_per_message(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.SMS_BACKEND = "concierge.directory.sms.FileSender"
    sms_send(to="+49 170 1", text="Your code is 123456.")
    (message,) = (tmp_path / "sms").iterdir()
    assert "To: +49 170 1" in message.read_text()
    assert "123456" in message.read_text()


@pytest.fixture
def gateway():
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers["Authorization"], json.loads(body)))
            self.send_response(202 if received[-1][1]["to"] != "+0" else 500)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/send", received
    server.shutdown()


def test_http_gateway_posts_json_with_a_token(settings, gateway):
    url, received = gateway
    settings.SMS_BACKEND = "concierge.directory.sms.HttpGatewaySender"
    settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_TOKEN = url, "s3cret"
    sms_send(to="+49 170 2", text="Code 654321")
    assert received == [("Bearer s3cret", {"to": "+49 170 2", "from": "Concierge",
                                           "text": "Code 654321"})]
    with pytest.raises(SmsError):
        sms_send(to="+0", text="fails")


def test_http_gateway_needs_an_http_url(settings):
    settings.SMS_BACKEND = "concierge.directory.sms.HttpGatewaySender"
    settings.SMS_GATEWAY_URL = "file:///etc/passwd"
    with pytest.raises(SmsError, match="http"):
        sms_send(to="+49 170 3", text="x")
