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

# The "any word" pass ranks at most this many matches (the first found), so that a word in a
# tenth of a 100,000-entry index does not mean ranking 10,000 rows on every keystroke.
ANY_WORD_CAP = 2000


@dataclass
class LexicalQuery:
    """Groups of alternative folded words; ``prefix`` words also match longer words.
    The first ``required`` groups are the query's own words; the rest come from synonyms."""

    groups: list[list[str]] = field(default_factory=list)
    prefix: set[str] = field(default_factory=set)
    required: int = 0

    def __bool__(self) -> bool:
        return any(self.groups)


class Backend:
    def search(self, query: LexicalQuery, *, limit: int) -> list[int]:
        """Entries with every query word first (best first), then those with any word: the
        first pass is selective and cheap, the second fills up with partial matches."""
        words = [group for group in query.groups[:query.required] if group]
        found = self._search(query, groups=words, every=True, limit=limit) \
            if len(words) > 1 else []
        if len(found) < limit:
            seen = set(found)
            found += [i for i in self._search(query, groups=[g for g in query.groups if g],
                                              every=False, limit=limit)
                      if i not in seen][:limit - len(found)]
        return found

    def _search(self, query: LexicalQuery, *, groups: list[list[str]], every: bool,
                limit: int) -> list[int]:  # pragma: no cover - interface
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
    def match_expression(query: LexicalQuery, groups: list[list[str]] | None = None, *,
                         every: bool = False) -> str:
        """An FTS5 MATCH string made only of quoted [a-z0-9] tokens (nothing to inject)."""
        parts = []
        for group in query.groups if groups is None else groups:
            alternatives = []
            for word in group:
                for language in LANGUAGES:
                    alternatives.append(f'"{stem(word, language)}"')
                if word in query.prefix:
                    alternatives.append(f'"{word}"*')
            if alternatives:
                parts.append("(" + " OR ".join(dict.fromkeys(alternatives)) + ")")
        return (" AND " if every else " OR ").join(parts)

    def _search(self, query: LexicalQuery, *, groups: list[list[str]], every: bool,
                limit: int) -> list[int]:
        expression = self.match_expression(query, groups, every=every)
        if not expression:
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM (SELECT rowid AS id, bm25(search_entry_fts, 4.0, 1.0) AS score "
                "FROM search_entry_fts WHERE search_entry_fts MATCH %s LIMIT %s) "
                "ORDER BY score LIMIT %s", [expression, ANY_WORD_CAP, limit])
            return [row[0] for row in cursor.fetchall()]


class PostgresBackend(Backend):
    """The trigger keeps ``tsv`` current on every insert and update: nothing to write here."""

    def optimize(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE search_entry")

    @staticmethod
    def tsquery_text(query: LexicalQuery, groups: list[list[str]] | None = None, *,
                     every: bool = False) -> str:
        parts = []
        for group in query.groups if groups is None else groups:
            alternatives = [f"{w}:*" if w in query.prefix else w for w in group]
            if alternatives:
                parts.append("(" + " | ".join(dict.fromkeys(alternatives)) + ")")
        return (" & " if every else " | ").join(parts)

    def _search(self, query: LexicalQuery, *, groups: list[list[str]], every: bool,
                limit: int) -> list[int]:
        text = self.tsquery_text(query, groups, every=every)
        if not text.strip("()|& "):
            return []
        # Each language's parse of the query; "every word" must hold within one of them.
        with connection.cursor() as cursor:
            cursor.execute(
                "WITH q AS (SELECT to_tsquery('english', %s) || to_tsquery('german', %s) AS q), "
                "m AS (SELECT id, tsv FROM search_entry, q WHERE tsv @@ q.q LIMIT %s) "
                "SELECT id FROM m, q ORDER BY ts_rank(m.tsv, q.q) DESC, id LIMIT %s",
                [text, text, ANY_WORD_CAP, limit])
            return [row[0] for row in cursor.fetchall()]


def get_backend() -> Backend:
    return PostgresBackend() if connection.vendor == "postgresql" else SQLiteBackend()
