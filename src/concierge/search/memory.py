"""What each process keeps in memory for search: the vector matrix and the vocabulary.

Both are loaded from ``search.Entry`` on the first search and then kept in step by revision:
each search reads the one-row ``IndexState`` (a primary-key lookup) and, when the index moved
on, loads only the entries written since. Deleted entries stay in memory until the process
restarts; they cost a row each and are dropped when results are read from the database.

Memory: 512 float32 per entry, i.e. ~2 KB; 100,000 entries take ~205 MB for the matrix (one
``matrix @ query`` product over it takes ~10-20 ms on one core), plus the vocabulary (the
distinct words of the index with their document counts).
"""

import threading
from collections import Counter
from functools import lru_cache

import numpy as np

from concierge.search.embeddings import DIMENSIONS, from_bytes, single_blas_thread
from concierge.search.models import Entry, IndexState
from concierge.search.text import LANGUAGES, stem


def trigrams(word: str) -> set[str]:
    padded = f"  {word} "
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


@lru_cache(maxsize=500_000)
def stems_of(word: str) -> tuple[str, ...]:
    return tuple({stem(word, language) for language in LANGUAGES})


def common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (a swap of two letters counts once), or limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2 = None
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if (previous2 is not None and i > 1 and j > 1 and ca == b[j - 2]
                    and a[i - 2] == cb):
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


class MemoryIndex:
    """The vectors and vocabulary of ``search.Entry`` for this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clear()

    def _clear(self) -> None:
        self.revision = -1
        self.generation = ""
        self.ids = np.zeros(0, dtype=np.int64)
        self.matrix = np.zeros((0, DIMENSIONS), dtype=np.float32)
        self._row_of: dict[int, int] = {}
        self.vocabulary: Counter[str] = Counter()
        # Entries per stem (English and German): how much of the index a word matches.
        self.stem_counts: Counter[str] = Counter()
        self._grams: dict[str, list[str]] | None = None

    def refresh(self) -> None:
        if self.revision < 0:
            single_blas_thread()
        state = IndexState.objects.filter(pk=1).values_list("revision", "generation").first()
        current = state or (0, "")
        if current == (self.revision, self.generation):
            return
        with self._lock:
            if current == (self.revision, self.generation):
                return
            if current[1] != self.generation:
                self._clear()
            changed = Entry.objects.filter(revision__gt=self.revision)
            rows = changed.values_list("id", "embedding", "terms")
            self._apply(rows.iterator(chunk_size=2000), at_most=changed.count())
            self.revision, self.generation = current

    def _apply(self, rows, *, at_most: int) -> None:
        # New vectors go straight into one preallocated block (no list of 100,000 small
        # arrays and a second copy of them).
        block = np.empty((at_most, DIMENSIONS), dtype=np.float32)
        new_ids: list[int] = []
        for entry_id, embedding, terms in rows:
            vector = from_bytes(bytes(embedding)) if embedding else None
            if vector is not None and vector.shape[0] == DIMENSIONS:
                row = self._row_of.get(entry_id)
                if row is not None:
                    self.matrix[row] = vector
                elif len(new_ids) < at_most:
                    block[len(new_ids)] = vector
                    new_ids.append(entry_id)
            words = terms.split()
            self.vocabulary.update(words)
            self.stem_counts.update({s for word in words for s in stems_of(word)})
        if new_ids:
            start = len(self.ids)
            self.ids = np.concatenate([self.ids, np.asarray(new_ids, dtype=np.int64)])
            self.matrix = np.concatenate([self.matrix, block[:len(new_ids)]]) if start \
                else block[:len(new_ids)]
            for offset, entry_id in enumerate(new_ids):
                self._row_of[entry_id] = start + offset
        self._grams = None

    def nearest(self, vector: np.ndarray, *, limit: int, threshold: float) -> list[tuple[int,
                                                                                        float]]:
        """(entry id, cosine) of the closest entries, best first, at least ``threshold``."""
        if not len(self.ids):
            return []
        scores = self.matrix @ vector
        count = min(limit, len(scores))
        top = np.argpartition(-scores, count - 1)[:count]
        top = top[np.argsort(-scores[top])]
        return [(int(self.ids[i]), float(scores[i])) for i in top if scores[i] >= threshold]

    # --- the vocabulary ----------------------------------------------------------------------

    def knows(self, word: str) -> bool:
        return word in self.vocabulary

    def _gram_index(self) -> dict[str, list[str]]:
        if self._grams is None:
            grams: dict[str, list[str]] = {}
            for word in self.vocabulary:
                if len(word) >= 3:
                    for gram in trigrams(word):
                        grams.setdefault(gram, []).append(word)
            self._grams = grams
        return self._grams

    def correct(self, word: str) -> str | None:
        """The most frequent known word within one or two edits of ``word``, if any."""
        if len(word) < 4 or word.isdigit():
            return None
        limit = 1 if len(word) <= 5 else 2
        grams = self._gram_index()
        shared: Counter[str] = Counter()
        for gram in trigrams(word):
            shared.update(grams.get(gram, ()))
        best, best_key = None, None
        for candidate, _count in shared.most_common(80):
            distance = edit_distance(word, candidate, limit)
            if distance <= limit:
                # Fewest edits; then the longest common start (typos happen late in a word:
                # "vergesen" is "vergessen", not the more frequent "vergeben"); then frequency.
                key = (distance, -common_prefix(word, candidate), -self.vocabulary[candidate])
                if best_key is None or key < best_key:
                    best, best_key = candidate, key
        return best

    def split_compound(self, word: str) -> list[str]:
        """``druckerpatrone`` -> ``[drucker, patrone]`` when both parts are known words
        (German compounds, with the linking -s- of ``anmeldungsfehler``)."""
        if len(word) < 8:
            return []
        best, best_score = [], 0
        for cut in range(4, len(word) - 3):
            left, right = word[:cut], word[cut:]
            for head in (left, left[:-1] if left.endswith("s") else None):
                if head and len(head) >= 4 and head in self.vocabulary \
                        and right in self.vocabulary:
                    score = min(self.vocabulary[head], self.vocabulary[right])
                    if score > best_score:
                        best, best_score = [head, right], score
        return best


_index = MemoryIndex()


def memory_index() -> MemoryIndex:
    """This process's index, brought up to date."""
    _index.refresh()
    return _index


def reset() -> None:
    """Forget everything (tests, and after a rebuild in this process)."""
    global _index
    _index = MemoryIndex()
