"""The lexical index, on the database in use only: FTS5 on SQLite, tsvector + GIN on PostgreSQL.

PostgreSQL: ``tsv`` is filled by a trigger (a generated column cannot cast ``config`` to
regconfig, which is not immutable), with each row's own configuration.
"""

from django.db import migrations

SQLITE_UP = [
    "CREATE VIRTUAL TABLE search_entry_fts USING fts5("
    "title, body, tokenize = 'unicode61 remove_diacritics 2')",
]
SQLITE_DOWN = ["DROP TABLE IF EXISTS search_entry_fts"]

POSTGRES_UP = [
    "ALTER TABLE search_entry ADD COLUMN tsv tsvector",
    """CREATE FUNCTION search_entry_tsv() RETURNS trigger AS $$
    BEGIN
      NEW.tsv :=
        setweight(to_tsvector(NEW.config::regconfig, coalesce(NEW.title, '')), 'A') ||
        setweight(to_tsvector(NEW.config::regconfig, coalesce(NEW.summary, '') || ' ' ||
                  coalesce(NEW.tags::text, '')), 'B') ||
        setweight(to_tsvector(NEW.config::regconfig, coalesce(NEW.text, '')), 'C');
      RETURN NEW;
    END
    $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER search_entry_tsv BEFORE INSERT OR UPDATE ON search_entry "
    "FOR EACH ROW EXECUTE FUNCTION search_entry_tsv()",
    "CREATE INDEX search_entry_tsv_gin ON search_entry USING gin (tsv)",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS search_entry_tsv ON search_entry",
    "DROP FUNCTION IF EXISTS search_entry_tsv()",
    "DROP INDEX IF EXISTS search_entry_tsv_gin",
    "ALTER TABLE search_entry DROP COLUMN IF EXISTS tsv",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)
    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]
