"""Search at scale: 100,000 generated help articles; index build time and memory; the p50/p99
latency of an instant search (the header's drop-down, through the view, including the
embedding of the query) and of the engine alone, on SQLite and on PostgreSQL.

Each database gets its own bench database (SQLite: ``var/bench/search-latency/``; PostgreSQL:
``concierge_search_bench``). The articles are generated from a fixed seed in English and
German (topics x problems x places); building the index embeds every article with the real
model, which takes a few minutes the first time. The result is reused while the database holds
the same number of articles (the build numbers then come from the run that built it).

    .venv/bin/python bench/search_latency.py [--db sqlite|postgres ...] [--articles 100000]
"""

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA_DIR = REPO / "var" / "bench" / "search-latency"
POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"
POSTGRES_DATABASE = "concierge_search_bench"
SEARCHES = 400
TARGET_P99_MS = 50.0

TOPICS = [("printer", "Drucker"), ("VPN", "VPN"), ("laptop", "Laptop"), ("monitor", "Bildschirm"),
          ("Outlook", "Outlook"), ("Teams call", "Teams-Anruf"), ("password", "Passwort"),
          ("Wi-Fi", "WLAN"), ("headset", "Headset"), ("docking station", "Dockingstation"),
          ("shared drive", "Netzlaufwerk"), ("OneDrive", "OneDrive"), ("phone", "Handy"),
          ("keyboard", "Tastatur"), ("webcam", "Webcam"), ("SAP", "SAP"),
          ("calendar", "Kalender"), ("mailbox", "Postfach"), ("scanner", "Scanner"),
          ("badge", "Ausweis"), ("MFA app", "MFA-App"), ("browser", "Browser"),
          ("SharePoint", "SharePoint"), ("license", "Lizenz"), ("projector", "Beamer")]
PROBLEMS = [("does not start", "startet nicht"), ("is slow", "ist langsam"),
            ("shows an error", "zeigt einen Fehler"), ("cannot connect", "verbindet nicht"),
            ("needs an update", "braucht ein Update"), ("was lost", "ist verloren"),
            ("set up for the first time", "zum ersten Mal einrichten"),
            ("keeps freezing", "friert ständig ein"), ("has no sound", "hat keinen Ton"),
            ("asks for a password", "fragt nach dem Passwort")]
PLACES = ["Munich", "Hamburg", "Berlin", "Vienna", "Zurich", "London", "remote", "home office"]
QUERIES = ["printer not working", "Drucker druckt nicht", "vpn slow", "laptop won't start",
           "Passwort vergessen", "teams no sound", "wlan verbindet nicht", "new phone mfa",
           "outlook error", "netzlaufwerk", "docking station monitor", "pasword reset",
           "webcam", "Bildschirm flackert", "sharepoint sync", "lizenz", "badge lost",
           "calendar sharing", "scanner", "projector meeting room"]


def latency_env(database: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "CONCIERGE_DEMO")}
    env |= {"CONCIERGE_DATA_DIR": str(DATA_DIR / database), "PYTHONUNBUFFERED": "1"}
    if database == "postgres":
        env["DATABASE_URL"] = f"{POSTGRES_SERVER}/{POSTGRES_DATABASE}"
    return env


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- inside the bench database ----------------------------------------------------------------

def generate(count: int) -> None:
    from django.utils import timezone

    from concierge.knowledge.models import Article, Category

    rng = random.Random(42)
    category, _ = Category.objects.get_or_create(
        slug="bench", defaults={"name": {"en": "Bench", "de": "Bench"}})
    Article.objects.filter(category=category).delete()
    now = timezone.now()
    batch = []
    for n in range(count):
        (topic_en, topic_de), (problem_en, problem_de) = rng.choice(TOPICS), rng.choice(PROBLEMS)
        place = rng.choice(PLACES)
        other_en, other_de = rng.choice(TOPICS)
        if n % 2 == 0:
            title = f"{topic_en.capitalize()} {problem_en} in {place} (case {n})"
            summary = f"What to do when the {topic_en} {problem_en}, with the {other_en}."
            body = (f"Check the {topic_en} first. If it {problem_en}, restart it and try the "
                    f"{other_en}. Still stuck in {place}? Tell the service desk. ") * 3
            language = "en"
        else:
            title = f"{topic_de}: {problem_de} in {place} (Fall {n})"
            summary = f"Was tun, wenn {topic_de} {problem_de}, mit {other_de}."
            body = (f"Prüfen Sie zuerst {topic_de}. Wenn es {problem_de}, starten Sie neu und "
                    f"versuchen Sie {other_de}. In {place} weiter Probleme? Service Desk. ") * 3
            language = "de"
        batch.append(Article(
            slug=f"bench-{n}", language=language, title=title[:200], summary=summary[:300],
            body=body, category=category, tags=[topic_en.lower()], status="published",
            audience="everyone", view_count=rng.randint(0, 2000),
            helpful_yes=rng.randint(0, 50), helpful_no=rng.randint(0, 10),
            published_at=now - timezone.timedelta(days=rng.randint(0, 900))))
        if len(batch) == 5000:
            Article.objects.bulk_create(batch)
            batch = []
    Article.objects.bulk_create(batch)


def build(count: int) -> dict:
    from django.core.management import call_command

    from concierge.knowledge.models import Article
    from concierge.search.models import Entry

    call_command("migrate", verbosity=0, interactive=False)
    saved = DATA_DIR / f"build-{(os.environ.get('DATABASE_URL') and 'postgres') or 'sqlite'}.json"
    have = Article.objects.filter(slug__startswith="bench-").count()
    if have == count and Entry.objects.count() >= count and saved.exists():
        return json.loads(saved.read_text()) | {"reused": True}
    from concierge.search.services import index_rebuild

    started = time.monotonic()
    generate(count)
    generated_s = time.monotonic() - started
    started = time.monotonic()
    entries = index_rebuild(batch=1000, progress=lambda n: print(
        f"  indexed {n:,}", file=sys.stderr, flush=True) if n % 20000 == 0 else None)
    result = {"articles": count, "entries": entries, "generate_s": round(generated_s, 1),
              "index_build_s": round(time.monotonic() - started, 1)}
    saved.write_text(json.dumps(result))
    return result


def measure() -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from concierge.accounts.models import Organisation, User
    from concierge.search import memory
    from concierge.search.selectors import search_for

    org = Organisation.objects.get_or_create(slug="bench-search", defaults={"name": "Bench"})[0]
    user = User.objects.get_or_create(email="search-bench@example.com", defaults={
        "display_name": "Search Bench", "organisation": org})[0]
    before = rss_mb()
    started = time.monotonic()
    index = memory.memory_index()
    load_s = time.monotonic() - started
    index_mb = rss_mb() - before
    search_for(user=user, text="warm up")  # loads the embedder
    rng = random.Random(1)
    engine, view = [], []
    client = Client()
    client.force_login(user)
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        for n in range(SEARCHES):
            text = rng.choice(QUERIES)
            started = time.perf_counter()
            search_for(user=user, text=text)
            engine.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            response = client.get("/search/instant/", {"q": text[: 4 + n % 12]})
            view.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"/search/instant/ answered {response.status_code}")

    def summary(samples: list[float]) -> dict:
        ordered = sorted(samples)
        return {"p50": round(statistics.median(ordered), 1),
                "p99": round(ordered[int(len(ordered) * 0.99) - 1], 1),
                "max": round(ordered[-1], 1)}

    return {"vendor": connection.vendor, "searches": SEARCHES,
            "engine_ms": summary(engine), "instant_view_ms": summary(view),
            "memory_index_load_s": round(load_s, 1),
            "matrix_mb": round(index.matrix.nbytes / 2**20, 1),
            "vocabulary_words": len(index.vocabulary),
            "process_rss_growth_mb": round(index_mb, 1), "process_rss_mb": round(rss_mb(), 1)}


def inner(count: int) -> None:
    sys.path.insert(0, str(REPO / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "concierge.settings")
    import django

    django.setup()
    built = build(count)
    print(json.dumps({"build": built, "measure": measure()}))


# --- the driver -------------------------------------------------------------------------------

def run(database: str, count: int) -> dict:
    if database == "postgres":
        from run import ensure_postgres_database

        ensure_postgres_database(POSTGRES_DATABASE)
    (DATA_DIR / database).mkdir(parents=True, exist_ok=True)
    result = subprocess.run([sys.executable, __file__, "--inner", "--articles", str(count)],
                            cwd=REPO, env=latency_env(database), stdout=subprocess.PIPE,
                            text=True)
    if result.returncode != 0:
        raise RuntimeError(f"the search latency bench on {database} failed (see above)")
    return json.loads(result.stdout.strip().splitlines()[-1])


def report(database: str, result: dict) -> str:
    build, m = result["build"], result["measure"]
    verdict = "met" if m["instant_view_ms"]["p99"] < TARGET_P99_MS else "MISSED"
    reused = " (built by an earlier run)" if build.get("reused") else ""
    return "\n".join([
        f"search at scale on {database}: {build['articles']:,} articles, "
        f"{build['entries']:,} index entries",
        f"  index build {build['index_build_s']:.0f} s{reused} (generating the articles "
        f"{build['generate_s']:.0f} s)",
        f"  memory: vectors {m['matrix_mb']:.0f} MB, {m['vocabulary_words']:,} words; process "
        f"grew {m['process_rss_growth_mb']:.0f} MB loading them in {m['memory_index_load_s']} s "
        f"(RSS {m['process_rss_mb']:.0f} MB)",
        f"  instant search (view, {m['searches']} searches): p50 "
        f"{m['instant_view_ms']['p50']} ms, p99 {m['instant_view_ms']['p99']} ms "
        f"(target p99 < {TARGET_P99_MS:.0f} ms: {verdict})",
        f"  engine alone: p50 {m['engine_ms']['p50']} ms, p99 {m['engine_ms']['p99']} ms",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", action="append", choices=("sqlite", "postgres"))
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inner:
        inner(args.articles)
        return 0
    results = {}
    for database in args.db or ("sqlite", "postgres"):
        results[database] = run(database, args.articles)
        print(report(database, results[database]), flush=True)
    (DATA_DIR / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
