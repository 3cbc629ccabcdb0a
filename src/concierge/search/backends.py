"""Lexical search backends: SQLite FTS5 and PostgreSQL full-text search, one interface.

Both match a ``LexicalQuery``: groups of alternative words (a query word with its corrections,
synonyms and compound parts), any group may match (ranking sorts out how many did), and both
return entry ids, best first. The table behind each is made by migration 0002 on its own
database only.

- SQLite: the FTS5 table ``search_entry_fts(title, body)`` (rowid = entry id, tokenizer
  ``unicode61 remove_diacritics 2``) holds our own Snowball stems of each entry (see text.py),
  ranked by bm25 with the title weighing four times the body. Written by ``write``.
- PostgreSQL: ``search_entry.tsv``, filled by a trigger from the title (weight A), summary and
  tags (B) and text (C) with the row's own configuration (``config``: 'english' or 'german'),
  GIN-indexed. A query is parsed with both configurations and ranked by ``ts_rank``.
"""

from dataclasses import dataclass, field

from django.db import connection

from concierge.search.text import LANGUAGES, stem


@dataclass
class LexicalQuery:
    """Groups of alternative folded words; ``prefix`` words also match longer words."""

    groups: list[list[str]] = field(default_factory=list)
    prefix: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return any(self.groups)


class Backend:
    def search(self, query: LexicalQuery, *, limit: int) -> list[int]:  # pragma: no cover
        raise NotImplementedError

    def write(self, entries) -> None:
        """Bring the lexical index in line with these (saved) entries."""

    def delete(self, ids: list[int]) -> None:
        """Forget these entry ids."""

    def clear(self) -> None:
        """Forget everything (the entries are being deleted)."""

    def optimize(self) -> None:
        """After a rebuild: fresh planner statistics (and, for FTS5, merged segments)."""


class SQLiteBackend(Backend):
    def write(self, entries) -> None:
        rows = [(e.pk, e.title_stems, e.body_stems) for e in entries]
        if not rows:
            return
        with connection.cursor() as cursor:
            cursor.executemany("DELETE FROM search_entry_fts WHERE rowid = %s",
                               [(row[0],) for row in rows])
            cursor.executemany("INSERT INTO search_entry_fts (rowid, title, body) "
                               "VALUES (%s, %s, %s)", rows)

    def delete(self, ids: list[int]) -> None:
        if ids:
            with connection.cursor() as cursor:
                cursor.executemany("DELETE FROM search_entry_fts WHERE rowid = %s",
                                   [(i,) for i in ids])

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_entry_fts")

    def optimize(self) -> None:
        # Without statistics SQLite reads "status = 'published'" through its index instead of
        # looking up the few candidate ids (9 ms instead of 0.1 ms at 100,000 articles).
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_entry_fts(search_entry_fts) VALUES ('optimize')")
            cursor.execute("ANALYZE")

    @staticmethod
    def match_expression(query: LexicalQuery) -> str:
        """An FTS5 MATCH string made only of quoted [a-z0-9] tokens (nothing to inject)."""
        alternatives = []
        for group in query.groups:
            for word in group:
                for language in LANGUAGES:
                    alternatives.append(f'"{stem(word, language)}"')
                if word in query.prefix:
                    alternatives.append(f'"{word}"*')
        return " OR ".join(dict.fromkeys(alternatives))

    def search(self, query: LexicalQuery, *, limit: int) -> list[int]:
        expression = self.match_expression(query)
        if not expression:
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid FROM search_entry_fts WHERE search_entry_fts MATCH %s "
                "ORDER BY bm25(search_entry_fts, 4.0, 1.0) LIMIT %s", [expression, limit])
            return [row[0] for row in cursor.fetchall()]


class PostgresBackend(Backend):
    """The trigger keeps ``tsv`` current on every insert and update: nothing to write here."""

    def optimize(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE search_entry")

    @staticmethod
    def tsquery_text(query: LexicalQuery) -> str:
        groups = []
        for group in query.groups:
            alternatives = [f"{w}:*" if w in query.prefix else w for w in group]
            groups.append("(" + " | ".join(dict.fromkeys(alternatives)) + ")")
        return " | ".join(groups)

    def search(self, query: LexicalQuery, *, limit: int) -> list[int]:
        text = self.tsquery_text(query)
        if not text.strip("()| "):
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                "WITH q AS (SELECT to_tsquery('english', %s) || to_tsquery('german', %s) AS q) "
                "SELECT id FROM search_entry, q WHERE tsv @@ q.q "
                "ORDER BY ts_rank(tsv, q.q) DESC, id LIMIT %s", [text, text, limit])
            return [row[0] for row in cursor.fetchall()]


def get_backend() -> Backend:
    return PostgresBackend() if connection.vendor == "postgresql" else SQLiteBackend()
