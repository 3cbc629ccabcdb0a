"""Retrieval evaluation of the search engine: hit@1, hit@3 and MRR per language, query kind and
backend, over the demo help articles and ``src/concierge/search/eval/queries.yaml``.

For each database (SQLite, then PostgreSQL) it migrates an evaluation database of its own
(SQLite: ``var/bench/search-eval.sqlite3``; PostgreSQL: ``concierge_search_eval``), loads the
demo articles (``knowledge.demo.load_articles``), builds the index with the real embedder and
ranks every query with ``search.selectors.rank``, the engine the search box uses, before
visibility (the evaluation reads as someone who may see every article). A query counts as a
hit@k when one of its answers is among the first k distinct articles; a cross-language query
(``kind: cross``) only counts versions in the other language than its own. Below the table,
the same queries ranked by one retriever only (words: FTS5/PostgreSQL; meaning: embeddings).

    .venv/bin/python bench/search_eval.py [--db sqlite|postgres ...] [--show-misses]
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA_DIR = REPO / "var" / "bench"
QUERIES = REPO / "src" / "concierge" / "search" / "eval" / "queries.yaml"
POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"
POSTGRES_DATABASE = "concierge_search_eval"
TARGETS = {"en": 0.90, "de": 0.85, "cross": 0.85}


def eval_env(database: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "CONCIERGE_DEMO")}
    env |= {"CONCIERGE_DATA_DIR": str(DATA_DIR / f"search-eval-{database}"),
            "PYTHONUNBUFFERED": "1"}
    if database == "postgres":
        env["DATABASE_URL"] = f"{POSTGRES_SERVER}/{POSTGRES_DATABASE}"
    return env


# --- inside the evaluation database -----------------------------------------------------------

def setup_django() -> None:
    sys.path.insert(0, str(REPO / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concierge.settings")
    import django

    django.setup()


def prepare() -> dict:
    from django.core.management import call_command

    from concierge.knowledge.demo import load_articles
    from concierge.search.services import index_rebuild

    call_command("migrate", verbosity=0, interactive=False)
    started = time.monotonic()
    versions = load_articles()
    entries = index_rebuild()
    return {"article_versions": versions, "entries": entries,
            "loaded_and_indexed_s": round(time.monotonic() - started, 1)}


def ranked_slugs(text: str, *, language: str = "") -> list[str]:
    """The articles ``rank`` finds for ``text``, best first; only versions in ``language``
    when given (cross-language queries must find the other language's version)."""
    from concierge.search.choices import EntryKind
    from concierge.search.models import Entry
    from concierge.search.selectors import rank

    ranked = [entry_id for entry_id, _score in rank(text)]
    entries = Entry.objects.only("kind", "key", "language").in_bulk(ranked)
    slugs = []
    for entry_id in ranked:
        entry = entries.get(entry_id)
        if (entry and entry.kind == EntryKind.ARTICLE and entry.key not in slugs
                and (not language or entry.language == language)):
            slugs.append(entry.key)
    return slugs


def score(queries: list[dict]) -> tuple[dict, list[dict]]:
    groups: dict[str, list[float]] = {}
    misses = []
    for query in queries:
        other = {"en": "de", "de": "en"}[query["lang"]] if query.get("kind") == "cross" else ""
        slugs = ranked_slugs(query["query"], language=other)
        answers = set(query["answers"])
        position = next((i + 1 for i, slug in enumerate(slugs) if slug in answers), None)
        row = (1.0 if position == 1 else 0.0, 1.0 if position and position <= 3 else 0.0,
               1.0 / position if position else 0.0)
        names = ["all", query["lang"], f"kind:{query.get('kind', 'plain')}"]
        if query.get("kind") == "cross":
            names.append("cross")
        for name in names:
            groups.setdefault(name, []).append(row)
        if not position or position > 3:
            misses.append({**query, "got": slugs[:3], "position": position})
    table = {}
    for name, rows in groups.items():
        n = len(rows)
        table[name] = {"n": n, "hit@1": round(sum(r[0] for r in rows) / n, 3),
                       "hit@3": round(sum(r[1] for r in rows) / n, 3),
                       "mrr": round(sum(r[2] for r in rows) / n, 3)}
    return table, misses


def inner() -> None:
    import yaml

    setup_django()
    from concierge.search import selectors

    dataset = prepare()
    queries = yaml.safe_load(QUERIES.read_text(encoding="utf-8"))
    table, misses = score(queries)
    # The same queries with one retriever only, to show what each contributes.
    ablation = {}
    for name, lexical, vector in (("words only", 1.0, 0.0), ("meaning only", 0.0, 1.0)):
        selectors.LEXICAL_WEIGHT, selectors.VECTOR_WEIGHT = lexical, vector
        ablation[name] = score(queries)[0]
    print(json.dumps({"dataset": dataset, "table": table, "misses": misses,
                      "ablation": ablation}))


# --- the driver -------------------------------------------------------------------------------

def run(database: str) -> dict:
    if database == "postgres":
        from run import ensure_postgres_database

        ensure_postgres_database(POSTGRES_DATABASE)
    (DATA_DIR / f"search-eval-{database}").mkdir(parents=True, exist_ok=True)
    result = subprocess.run([sys.executable, __file__, "--inner"], cwd=REPO,
                            env=eval_env(database), stdout=subprocess.PIPE, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"the evaluation on {database} failed (see above)")
    return json.loads(result.stdout.strip().splitlines()[-1])


def report(database: str, result: dict, *, show_misses: bool) -> str:
    table = result["table"]
    lines = [f"search evaluation on {database}: {result['dataset']['article_versions']} "
             f"article versions, {table['all']['n']} queries",
             f"{'group':<18} {'n':>4} {'hit@1':>6} {'hit@3':>6} {'MRR':>6}  target"]
    order = ["all", "en", "de", "cross", *sorted(k for k in table if k.startswith("kind:"))]
    for name in order:
        if name not in table:
            continue
        row = table[name]
        target = TARGETS.get(name)
        verdict = "" if target is None else (
            f"hit@3 >= {target:.2f} " + ("met" if row["hit@3"] >= target else "MISSED"))
        lines.append(f"{name:<18} {row['n']:>4} {row['hit@1']:>6.3f} {row['hit@3']:>6.3f} "
                     f"{row['mrr']:>6.3f}  {verdict}")
    for mode, other in result.get("ablation", {}).items():
        cells = ", ".join(f"{name} {other[name]['hit@3']:.3f}" for name in ("all", "en", "de",
                                                                           "cross")
                          if name in other)
        lines.append(f"  {mode} (hit@3): {cells}")
    if show_misses:
        for miss in result["misses"]:
            lines.append(f"  miss [{miss['lang']}/{miss.get('kind')}] {miss['query']!r}: "
                         f"wanted {miss['answers']}, got {miss['got']} "
                         f"(at {miss['position']})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", action="append", choices=("sqlite", "postgres"))
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inner:
        inner()
        return 0
    results = {}
    for database in args.db or ("sqlite", "postgres"):
        results[database] = run(database)
        print(report(database, results[database], show_misses=args.show_misses), flush=True)
        print()
    (DATA_DIR / "search-eval.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
