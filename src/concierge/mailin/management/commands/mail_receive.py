"""Receive mail for the support address: ``manage.py mail_receive [--host] [--port] [--lmtp]``.

Point the MTA (Postfix, Exim) at it: relay the support address to this port over SMTP, or over
LMTP with ``--lmtp``. See docs/email.md.
"""

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from concierge.mailin.server import mail_server


class Command(BaseCommand):
    help = "Run the SMTP (or LMTP) server that turns e-mail into tickets."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.MAILIN_HOST)
        parser.add_argument("--port", type=int, default=settings.MAILIN_PORT)
        parser.add_argument("--lmtp", action="store_true", help="speak LMTP instead of SMTP")

    def handle(self, *args, host, port, lmtp, **options):
        server = mail_server(host=host, port=port, lmtp=lmtp)
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        server.start()
        self.stdout.write(f"Receiving mail ({'LMTP' if lmtp else 'SMTP'}) on {host}:{port}")
        try:
            stop.wait()
        finally:
            server.stop()
            self.stdout.write("Stopped.")
