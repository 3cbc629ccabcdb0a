"""Reading an e-mail with the standard library: who sent it, the new text, the files.

Everything here is pure (no database), so it is easy to test with odd messages. Malformed
input raises ``MailUnreadable``; everything else is best effort and never raises.
"""

import html
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

import nh3

MAX_ATTACHMENTS = 10


class MailUnreadable(Exception):
    """The bytes are not an e-mail we can read; the message says what is wrong."""


@dataclass
class ParsedMail:
    message: EmailMessage
    message_id: str
    from_address: str
    from_name: str
    subject: str
    recipients: list[str]
    references: list[str]
    body: str
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # a header the parser chokes on counts as missing
        return ""
    return " ".join(str(value).split()) if value is not None else ""


def parse(raw: bytes) -> ParsedMail:
    """Parse ``raw`` (RFC 5322 bytes) with ``policy.default``."""
    if not raw or not raw.strip():
        raise MailUnreadable("empty message")
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as exc:
        raise MailUnreadable(f"cannot parse: {exc}") from None
    name, address = parseaddr(_header(message, "From"))
    if "@" not in address:
        raise MailUnreadable("no sender address in From")
    fields = [_header(message, h) for h in ("To", "Cc", "Delivered-To", "X-Original-To")]
    recipients = [addr.lower() for _name, addr in getaddresses([f for f in fields if f])
                  if addr]
    references = re.findall(r"<[^<>\s]+>", " ".join(
        [_header(message, "In-Reply-To"), _header(message, "References")]))
    return ParsedMail(
        message=message,
        message_id=_header(message, "Message-ID")[:998],
        from_address=address.strip().lower(),
        from_name=name.strip(),
        subject=_header(message, "Subject")[:300],
        recipients=recipients,
        references=references,
        body=strip_quoted(body_text(message)),
        attachments=attachments_of(message),
    )


# --- loops and automatic mail -----------------------------------------------------------------

AUTO_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Reply")
BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
DAEMONS = {"mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply", "do-not-reply"}


def automatic_reason(mail: ParsedMail, *, envelope_from: str | None) -> str:
    """Why ``mail`` was sent by a machine (never answer those, never make tickets), or ""."""
    message = mail.message
    auto_submitted = _header(message, "Auto-Submitted").lower()
    if auto_submitted and auto_submitted != "no":
        return f"automatic message (Auto-Submitted: {auto_submitted[:40]})"
    for name in AUTO_HEADERS:
        if _header(message, name):
            return f"automatic reply ({name})"
    precedence = _header(message, "Precedence").lower()
    if precedence in BULK_PRECEDENCE:
        return f"bulk mail (Precedence: {precedence})"
    if mail.from_address.split("@")[0] in DAEMONS:
        return "sent by a mail system (bounce or no-reply)"
    if envelope_from == "":
        return "bounce (empty envelope sender)"
    if message.get_content_type() == "multipart/report":
        return "delivery report"
    return ""


# --- the text ---------------------------------------------------------------------------------

def _decoded(part) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeError, AssertionError, KeyError, ValueError):
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", errors="replace")


_QUOTE_HTML = re.compile(r"<(div|blockquote)[^>]*(gmail_quote|type=\"cite\"|divRplyFwdMsg)"
                         r".*", re.IGNORECASE | re.DOTALL)
_BREAKS = re.compile(r"<\s*(br|/p|/div|/li|/tr|/h\d)\s*/?>", re.IGNORECASE)


def html_to_text(markup: str) -> str:
    """Readable text from an HTML mail, without its quoted history."""
    markup = _QUOTE_HTML.sub("", markup)
    markup = _BREAKS.sub("\n", markup)
    text = nh3.clean(markup, tags=set(), clean_content_tags={"style", "script", "head", "title"})
    return html.unescape(text)


def body_text(message: EmailMessage) -> str:
    """The plain text of the message (or its HTML turned into text)."""
    try:
        part = message.get_body(preferencelist=("plain", "html"))
    except Exception:
        part = None
    if part is None:
        return ""
    text = _decoded(part)
    if part.get_content_type() == "text/html":
        text = html_to_text(text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


REPLY_MARKER = "##- Please type your reply above this line -##"
_CUT = [
    re.compile(r"^\s*" + re.escape(REPLY_MARKER), re.MULTILINE),
    # "On Tue, 3 Nov 2026 at 10:00, Alex <a@b> wrote:" (clients wrap it over two lines)
    re.compile(r"^On\b[^\n]{0,200}(\n[^\n]{0,200})?\bwrote:\s*$", re.MULTILINE),
    re.compile(r"^Am\b[^\n]{0,200}(\n[^\n]{0,200})?\bschrieb[^\n]{0,200}:\s*$", re.MULTILINE),
    re.compile(r"^-{2,}\s*(Original Message|Ursprüngliche Nachricht|Forwarded message)",
               re.MULTILINE | re.IGNORECASE),
    re.compile(r"^_{20,}\s*$", re.MULTILINE),  # Outlook's rule above the quoted message
    re.compile(r"^(From|Von):\s.*\n(Sent|Date|Gesendet|Datum):\s", re.MULTILINE),
    re.compile(r"^-- $", re.MULTILINE),  # the signature separator
]


def strip_quoted(text: str) -> str:
    """The new part of a reply: cut at the first sign of quoted history or a signature."""
    end = len(text)
    for pattern in _CUT:
        match = pattern.search(text)
        if match:
            end = min(end, match.start())
    kept = [line for line in text[:end].split("\n") if not line.lstrip().startswith(">")]
    result = "\n".join(line.rstrip() for line in kept).strip()
    return re.sub(r"\n{3,}", "\n\n", result)


def attachments_of(message: EmailMessage) -> list[tuple[str, str, bytes]]:
    """(file name, content type, bytes) of the files in the message, at most MAX_ATTACHMENTS."""
    files = []
    for part in message.walk():
        if part.is_multipart():
            continue
        name = part.get_filename()
        if not name:
            continue
        try:
            content = part.get_payload(decode=True) or b""
        except Exception:  # a part whose encoding is broken beyond repair: keep the text
            content = b""
        if not content:
            continue
        files.append((str(name)[-200:], part.get_content_type(), content))
        if len(files) >= MAX_ATTACHMENTS:
            break
    return files
