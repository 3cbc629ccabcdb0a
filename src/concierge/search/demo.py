"""Demo search set-up: a few synonyms, and the index built if it is missing entries.

Idempotent: synonyms are matched by their text; the index is rebuilt only when it holds fewer
entries than there are published articles and active services (e.g. a fresh database whose
index tasks have not run yet).
"""

from concierge.catalog.models import CatalogItem
from concierge.knowledge.choices import ArticleStatus
from concierge.knowledge.models import Article
from concierge.search.models import Entry, Synonym
from concierge.search.services import index_rebuild
from concierge.search.text import LANGUAGES

SYNONYMS = [
    "notebook = laptop",
    "Drucker = printer",
    "Handy = Smartphone = mobile phone",
    "Kennwort = Passwort = password",
    "WLAN = Wi-Fi = wireless",
    "Bildschirm = Monitor = screen",
    "Maus = mouse",
    "Headset = Kopfhörer = headphones",
]


def load_search() -> int:
    """Create the demo synonyms and make sure everything is indexed; the number of entries."""
    for terms in SYNONYMS:
        Synonym.objects.get_or_create(terms=terms)
    expected = (Article.objects.filter(status=ArticleStatus.PUBLISHED).count()
                + CatalogItem.objects.filter(active=True).count() * len(LANGUAGES))
    if Entry.objects.count() < expected:
        return index_rebuild()
    return Entry.objects.count()
