"""A readable line diff between two article versions (difflib), for the history page.

Each changed field becomes a list of rows ``(kind, old_number, new_number, text)`` with kind
``same``, ``added``, ``removed`` or ``skipped`` (a run of unchanged lines left out). The
template marks rows with <ins>/<del>, a +/- sign and a spoken label, not only with colour.
"""

import difflib
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from concierge.knowledge.models import ArticleVersion

CONTEXT = 2


@dataclass
class Row:
    kind: str
    old: int | None
    new: int | None
    text: str


@dataclass
class FieldDiff:
    label: str
    rows: list[Row]

    @property
    def changed(self) -> bool:
        return any(row.kind in ("added", "removed") for row in self.rows)


def line_diff(old_text: str, new_text: str, *, context: int = CONTEXT) -> list[Row]:
    old, new = (old_text or "").splitlines(), (new_text or "").splitlines()
    rows: list[Row] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        if rows or group[0][1] > 0:
            rows.append(Row("skipped", None, None, ""))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows += [Row("same", i + 1, j + 1, old[i]) for i, j in zip(range(i1, i2),
                                                                          range(j1, j2),
                                                                          strict=True)]
                continue
            rows += [Row("removed", i + 1, None, old[i]) for i in range(i1, i2)]
            rows += [Row("added", None, j + 1, new[j]) for j in range(j1, j2)]
    if rows and matcher.get_opcodes()[-1][0] == "equal" and rows[-1].kind == "same" \
            and rows[-1].old < len(old):
        rows.append(Row("skipped", None, None, ""))
    return rows


def version_diff(old: ArticleVersion, new: ArticleVersion) -> list[FieldDiff]:
    """What changed from ``old`` to ``new``, per text field."""
    return [
        FieldDiff(str(_("Title")), line_diff(old.title, new.title)),
        FieldDiff(str(_("Summary")), line_diff(old.summary, new.summary)),
        FieldDiff(str(_("Text")), line_diff(old.body, new.body)),
    ]
