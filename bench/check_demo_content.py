"""Check the demo knowledge base and the search evaluation queries for consistency.

Run: python bench/check_demo_content.py  (exit code 1 on any problem)
"""

import collections
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent / "src" / "concierge"
ARTICLES = ROOT / "knowledge" / "fixtures" / "demo-articles.yaml"
CATALOG = ROOT / "catalog" / "fixtures" / "demo-catalog.yaml"
QUERIES = ROOT / "search" / "eval" / "queries.yaml"
ICONS = ROOT / "static" / "img" / "icons.svg"
ORGANISATIONS = {"alpine", "harbor"}


def main() -> int:
    problems: list[str] = []
    kb = yaml.safe_load(ARTICLES.read_text(encoding="utf-8"))
    catalog = yaml.safe_load(CATALOG.read_text(encoding="utf-8"))
    items = {item["slug"] for item in catalog["items"]}
    icons = set(re.findall(r'<symbol id="([^"]+)"', ICONS.read_text(encoding="utf-8")))
    categories = {c["slug"]: c for c in kb["categories"]}
    for category in kb["categories"]:
        if category["icon"] not in icons:
            problems.append(f"category {category['slug']}: unknown icon {category['icon']}")
        for field in ("name", "description"):
            if set(category[field]) != {"en", "de"}:
                problems.append(f"category {category['slug']}: {field} needs en and de")
    slugs = collections.Counter(a["slug"] for a in kb["articles"])
    problems += [f"duplicate article slug {s}" for s, n in slugs.items() if n > 1]
    per_category: collections.Counter = collections.Counter()
    for article in kb["articles"]:
        slug = article["slug"]
        per_category[article["category"]] += 1
        if article["category"] not in categories:
            problems.append(f"{slug}: unknown category {article['category']}")
        audience = article["audience"]
        if audience not in ("everyone", "agents") and not (
                isinstance(audience, dict) and set(audience.get("organisations", [])) and
                set(audience["organisations"]) <= ORGANISATIONS):
            problems.append(f"{slug}: bad audience {audience!r}")
        problems += [f"{slug}: unknown catalog item {i}"
                     for i in article.get("related_items", []) if i not in items]
        problems += [f"{slug}: unknown related article {r}"
                     for r in article.get("related_articles", []) if r not in slugs or r == slug]
        for language in ("en", "de"):
            version = article.get(language)
            if not version or not all(version.get(k) for k in ("title", "summary", "body")):
                problems.append(f"{slug}: {language} needs title, summary and body")
                continue
            words = len(version["body"].split())
            if not 120 <= words <= 350:
                problems.append(f"{slug}: {language} body has {words} words")
            if len(version["title"]) > 200 or len(version["summary"]) > 300:
                problems.append(f"{slug}: {language} title or summary too long")
            problems += [f"{slug}: {language} links to unknown article {link}"
                         for link in re.findall(r"\]\(\.\./([a-z0-9-]+)/\)", version["body"])
                         if link not in slugs]
            if "Still stuck?" not in version["body"] and language == "en" and \
                    audience != "agents":
                problems.append(f"{slug}: en has no 'Still stuck?' line")
    queries = yaml.safe_load(QUERIES.read_text(encoding="utf-8")) if QUERIES.exists() else []
    kinds: collections.Counter = collections.Counter()
    seen = set()
    for query in queries:
        kinds[(query["kind"], query["lang"])] += 1
        if query["lang"] not in ("en", "de") or query["kind"] not in (
                "plain", "colloquial", "misspelled", "cross"):
            problems.append(f"query {query['query']!r}: bad lang or kind")
        if not query["answers"]:
            problems.append(f"query {query['query']!r}: no answers")
        problems += [f"query {query['query']!r}: unknown answer {s}"
                     for s in query["answers"] if s not in slugs]
        key = (query["query"].lower(), query["lang"], query["kind"] == "cross")
        if key in seen:
            problems.append(f"duplicate query {query['query']!r}")
        seen.add(key)
    print(f"{len(kb['articles'])} articles, {sum(a['faq'] for a in kb['articles'])} FAQ")
    for category in kb["categories"]:
        print(f"  {category['slug']:20} {per_category[category['slug']]}")
    print(f"{len(queries)} queries")
    for (kind, lang), count in sorted(kinds.items()):
        print(f"  {kind:11} {lang} {count}")
    for problem in problems:
        print("PROBLEM:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
