"""Sending text messages (one-time codes): a backend chosen by ``settings.SMS_BACKEND``.

- ``FileSender`` (default): one file per message in ``var/sms/`` (like the e-mail file backend),
  so a demo or a developer can read the code;
- ``LocmemSender``: kept in ``sms.outbox`` (tests);
- ``HttpGatewaySender``: POSTs ``{"to", "from", "text"}`` as JSON to ``SMS_GATEWAY_URL`` with
  ``Authorization: Bearer SMS_GATEWAY_TOKEN``; subclass it and override ``payload`` for a
  gateway that wants another shape.
"""

import json
import secrets
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class SmsError(Exception):
    """The message could not be handed to the gateway."""


@dataclass(frozen=True)
class Sms:
    to: str
    text: str


outbox: list[Sms] = []


class SmsSender:
    def send(self, to: str, text: str) -> None:
        raise NotImplementedError


class FileSender(SmsSender):
    def send(self, to: str, text: str) -> None:
        folder = settings.DATA_DIR / "sms"
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{timezone.now():%Y%m%d-%H%M%S}-{secrets.token_hex(4)}.txt"
        (folder / name).write_text(f"To: {to}\nFrom: {settings.SMS_FROM}\n\n{text}\n")


class LocmemSender(SmsSender):
    def send(self, to: str, text: str) -> None:
        outbox.append(Sms(to=to, text=text))


class HttpGatewaySender(SmsSender):
    timeout = 10

    def payload(self, to: str, text: str) -> dict:
        return {"to": to, "from": settings.SMS_FROM, "text": text}

    def send(self, to: str, text: str) -> None:
        if not settings.SMS_GATEWAY_URL.startswith(("https://", "http://")):
            raise SmsError("SMS_GATEWAY_URL must be an http(s) URL")
        request = urllib.request.Request(  # noqa: S310 (checked above)
            settings.SMS_GATEWAY_URL, data=json.dumps(self.payload(to, text)).encode(),
            headers={"Content-Type": "application/json",
                     "Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}"}, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                if response.status >= 300:
                    raise SmsError(f"the gateway answered {response.status}")
        except OSError as exc:
            raise SmsError(str(exc)) from exc


def sms_send(*, to: str, text: str) -> None:
    import_string(settings.SMS_BACKEND)().send(to, text)
