"""Take mail from a Maildir or standard input: ``manage.py mail_fetch --maildir DIR`` (new
messages are processed and removed) or ``manage.py mail_fetch --stdin`` (one message, e.g.
from an MTA's pipe transport). See docs/email.md."""

import mailbox
import sys

from django.core.management.base import BaseCommand, CommandError

from concierge.mailin.services import message_receive


class Command(BaseCommand):
    help = "Process e-mail from a Maildir or from standard input."

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--maildir", help="a Maildir whose messages are taken and removed")
        source.add_argument("--stdin", action="store_true", help="one message on standard input")
        parser.add_argument("--sender", default=None, help="envelope sender (pipe transports)")
        parser.add_argument("--recipient", action="append", default=[],
                            help="envelope recipient (pipe transports); may repeat")

    def handle(self, *args, maildir, stdin, sender, recipient, **options):
        if stdin:
            message = message_receive(raw=sys.stdin.buffer.read(), envelope_from=sender,
                                      recipients=recipient)
            self.stdout.write(f"{message.status}: {message.reason}")
            return
        try:
            box = mailbox.Maildir(maildir, factory=None, create=False)
            keys = list(box.keys())
        except (OSError, mailbox.Error) as exc:
            raise CommandError(f"Cannot read the Maildir {maildir}: {exc}") from None
        counts: dict[str, int] = {}
        for key in keys:
            try:
                raw = box.get_bytes(key)
            except KeyError:  # taken by another run meanwhile
                continue
            message = message_receive(raw=raw, recipients=recipient)
            box.discard(key)  # stored in the database whatever happened to it
            counts[message.status] = counts.get(message.status, 0) + 1
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        self.stdout.write(f"{len(keys)} message(s): {summary or 'nothing to do'}")
