"""Keep the search index in step with articles and catalog items (a cache-like side concern).

Each save or delete enqueues ``search_index_refresh`` after commit; the worker does the work,
so saving never waits for embeddings. A failing enqueue is logged, never raised into the save.
"""

from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from concierge.catalog.models import CatalogItem
from concierge.knowledge.models import Article
from concierge.search.choices import EntryKind


def _enqueue(kind: str, object_id: int) -> None:
    from concierge.search.tasks import search_index_refresh

    search_index_refresh.enqueue(kind, object_id)


@receiver(post_save, sender=Article, dispatch_uid="search.article.saved")
@receiver(post_delete, sender=Article, dispatch_uid="search.article.deleted")
def article_changed(sender, instance, **kwargs) -> None:
    transaction.on_commit(partial(_enqueue, EntryKind.ARTICLE.value, instance.pk), robust=True)


@receiver(post_save, sender=CatalogItem, dispatch_uid="search.item.saved")
@receiver(post_delete, sender=CatalogItem, dispatch_uid="search.item.deleted")
def item_changed(sender, instance, **kwargs) -> None:
    transaction.on_commit(partial(_enqueue, EntryKind.ITEM.value, instance.pk), robust=True)
