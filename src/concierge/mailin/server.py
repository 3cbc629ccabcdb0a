"""The SMTP (or LMTP) server that receives mail for the support address, with aiosmtpd.

Each message is handed to ``services.message_receive`` in a worker thread (the ORM is
synchronous); the client gets "250" once it is stored, or "451" (try again later) when even
storing failed, so an MTA keeps the message instead of losing it.
"""

import asyncio
import logging

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from django.conf import settings
from django.db import close_old_connections, connections

from concierge.mailin.services import message_receive

logger = logging.getLogger(__name__)


def _receive(raw: bytes, mail_from: str | None, rcpt_tos: list[str]) -> None:
    close_old_connections()
    try:
        message_receive(raw=raw, envelope_from=mail_from, recipients=rcpt_tos)
    finally:
        # Mail comes rarely: do not keep a connection open per worker thread.
        connections.close_all()


class Handler:
    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", errors="replace")
        mail_from = envelope.mail_from if envelope.mail_from not in (None, "<>") else ""
        try:
            await asyncio.get_running_loop().run_in_executor(
                None, _receive, raw, mail_from, list(envelope.rcpt_tos))
        except Exception:
            logger.exception("Could not store an incoming message")
            return "451 4.3.0 Could not store the message, please try again later"
        return "250 2.0.0 Message accepted"


class LMTPController(Controller):
    def factory(self):
        return LMTP(self.handler, **self.SMTP_kwargs)


def mail_server(*, host: str, port: int, lmtp: bool = False) -> Controller:
    """A server (not started) for ``host:port``; call ``start()`` and ``stop()``."""
    cls = LMTPController if lmtp else Controller
    return cls(Handler(), hostname=host, port=port,
               data_size_limit=settings.MAILIN_MAX_MB * 1024 * 1024)
