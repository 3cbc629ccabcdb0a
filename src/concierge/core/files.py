"""Checks uploaded files by their content, never by their name alone."""

from dataclasses import dataclass

import filetype
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Our names for the kinds of file we accept, with the MIME types their content must have.
FILE_KINDS: dict[str, tuple[str, ...]] = {
    "pdf": ("application/pdf",),
    "png": ("image/png",),
    "jpg": ("image/jpeg",),
    "gif": ("image/gif",),
    "webp": ("image/webp",),
    "txt": ("text/plain",),
    "csv": ("text/csv",),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation",),
}
DEFAULT_KINDS = ("pdf", "png", "jpg", "gif", "webp", "txt", "csv", "docx", "xlsx", "pptx")
_TEXT_KINDS = {"txt", "csv"}


@dataclass(frozen=True)
class CheckedFile:
    kind: str
    content_type: str
    size: int


def _sniff(head: bytes, name: str) -> tuple[str, str] | None:
    guess = filetype.guess(head)
    if guess is not None:
        for kind, types in FILE_KINDS.items():
            if guess.mime in types:
                return kind, guess.mime
        return None
    # Plain text has no signature: accept it when it decodes and holds no control bytes.
    if b"\x00" in head:
        return None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        try:
            head.decode("cp1252")
        except UnicodeDecodeError:
            return None
    kind = "csv" if name.lower().endswith(".csv") else "txt"
    return kind, FILE_KINDS[kind][0]


def check_upload(upload, *, allowed_kinds=DEFAULT_KINDS, max_mb: int) -> CheckedFile:
    """Return what ``upload`` really is, or raise ValidationError with a message for the user."""
    if upload.size > max_mb * 1024 * 1024:
        raise ValidationError(
            _("“%(name)s” is larger than %(max)s MB. Please choose a smaller file.")
            % {"name": upload.name, "max": max_mb},
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": upload.name}, code="empty")
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    sniffed = _sniff(head, upload.name)
    accepted = sniffed is not None and (
        sniffed[0] in allowed_kinds
        # Plain text and CSV look alike; either is fine where one of them is allowed.
        or (sniffed[0] in _TEXT_KINDS and bool(_TEXT_KINDS & set(allowed_kinds)))
    )
    if not accepted:
        raise ValidationError(
            _("“%(name)s” is not a file type we accept here. Allowed: %(types)s.")
            % {"name": upload.name, "types": ", ".join(kind.upper() for kind in allowed_kinds)},
            code="bad_type",
        )
    kind, content_type = sniffed
    return CheckedFile(kind=kind, content_type=content_type, size=upload.size)
