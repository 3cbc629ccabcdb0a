"""Background index updates: a save never waits for the index."""

from django.tasks import task

from concierge.search import services


@task
def search_index_refresh(kind: str, object_id: int) -> None:
    """Index one article or catalog item as it is now (idempotent; removes it if it is gone
    or no longer published/active)."""
    services.entry_refresh(kind=kind, object_id=object_id)


@task
def search_signals_refresh() -> int:
    """Copy articles' view counts and helpful votes into the index (no re-embedding)."""
    return services.entry_signals_refresh()
