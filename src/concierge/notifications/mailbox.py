"""A local mailbox for development and tests: one file per message, in Maildir layout.

Each message is written to ``tmp/`` and renamed into ``new/`` under a name derived from its
Message-ID, so handing the same message over twice (a worker killed after sending, before
committing) still leaves one message, as a mail server with duplicate suppression would.
Open the folder with any Maildir-capable client (mutt -f var/mail) or read the .eml files.
"""

import hashlib
import os
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import make_msgid


class MaildirBackend(BaseEmailBackend):
    def __init__(self, *, path: str | os.PathLike | None = None, **kwargs):
        super().__init__(**kwargs)
        if path is None:
            raise ValueError("MaildirBackend needs OPTIONS['path']")
        self.path = Path(path)

    def send_messages(self, email_messages) -> int:
        for name in ("tmp", "new", "cur"):
            (self.path / name).mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            headers = {name.lower(): value for name, value in message.extra_headers.items()}
            message_id = headers.get("message-id")
            if not message_id:
                message_id = make_msgid()
                message.extra_headers["Message-ID"] = message_id
            name = hashlib.sha256(message_id.encode()).hexdigest()[:40] + ".eml"
            temporary = self.path / "tmp" / f"{name}.{os.getpid()}"
            temporary.write_bytes(message.message().as_bytes())
            os.replace(temporary, self.path / "new" / name)
            sent += 1
        return sent
