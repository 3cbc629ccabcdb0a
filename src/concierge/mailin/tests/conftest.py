import base64
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest

EML = Path(__file__).parent / "eml"
# A valid 1x1 PNG, so the upload checks accept it by its content.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


def make_mail(*, sender="Emma Employee <emma@acme.example>", to="support@example.com",
              subject="Printer jams", body="The printer on floor 3 jams.", headers=None,
              files=()) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="acme.example")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    for name, content, maintype, subtype in files:
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return bytes(message)


@pytest.fixture
def eml():
    return lambda name: (EML / name).read_bytes()


@pytest.fixture
def mail():
    return make_mail
