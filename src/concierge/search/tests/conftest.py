import pytest

from concierge.search import memory


@pytest.fixture(autouse=True)
def _hash_embedder(settings):
    """Tests use the tiny deterministic embedder unless they ask for the real one."""
    settings.SEARCH_EMBEDDER = "concierge.search.embeddings.HashEmbedder"
    memory.reset()
    yield
    memory.reset()
