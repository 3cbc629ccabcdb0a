"""From what someone typed to what the backends look for.

Each meaningful word of the query becomes a group of alternatives: the word itself, its
spelling without umlauts typed as digraphs (``passwoerter``), a correction when the index
does not know it (``pasword`` -> ``password``), its parts when it is a German compound the
index knows the parts of (``druckerpatrone`` -> ``drucker`` + ``patrone``), and synonyms from
``search.Synonym``. Longer words and the word being typed also match as prefixes
(``drucker`` finds ``druckertreiber``; ``vp`` finds ``vpn`` while typing).
"""

from dataclasses import dataclass, field

from concierge.search.backends import LexicalQuery
from concierge.search.memory import MemoryIndex, stems_of
from concierge.search.models import Synonym
from concierge.search.text import content_words, fold_digraphs, words

MAX_WORDS = 12


@dataclass
class ParsedQuery:
    lexical: LexicalQuery
    corrections: dict[str, str] = field(default_factory=dict)

    @property
    def all_words(self) -> set[str]:
        return {w for group in self.lexical.groups for w in group}


def synonym_groups() -> list[list[list[str]]]:
    """Active synonyms, each as its terms' folded words."""
    return [[words(term) for term in synonym.term_list()]
            for synonym in Synonym.objects.filter(active=True).only("terms")]


COMMON_SHARE = 0.25
COMMON_MIN_ENTRIES = 1000


def common(word: str, index: MemoryIndex) -> bool:
    """A word in more than a quarter of a large index. Its bm25 weight is close to nothing,
    but matching it means scoring a quarter of the index (50 ms at 100,000 entries), so it is
    left to the other words and to the embedding. Small indexes keep every word."""
    entries = len(index.ids)
    return entries >= COMMON_MIN_ENTRIES and max(
        index.stem_counts[s] for s in stems_of(word)) > COMMON_SHARE * entries


def parse(text: str, *, index: MemoryIndex, synonyms: list[list[list[str]]]) -> ParsedQuery:
    tokens = content_words(text)[:MAX_WORDS]
    parsed = ParsedQuery(lexical=LexicalQuery())
    for position, word in enumerate(tokens):
        alternatives = [word]
        plain = fold_digraphs(word)
        if plain != word:
            alternatives.append(plain)
        if not any(index.knows(w) for w in alternatives) and len(word) >= 4:
            corrected = index.correct(word)
            if corrected:
                alternatives.append(corrected)
                parsed.corrections[word] = corrected
        alternatives += index.split_compound(plain)
        if common(word, index) and len(tokens) > 1 and not all(common(w, index)
                                                              for w in tokens):
            continue  # in a quarter of a large index: says little, costs much (see common)
        parsed.lexical.groups.append(list(dict.fromkeys(alternatives)))
        typing = position == len(tokens) - 1
        if len(word) >= 5 or (typing and len(word) >= 2):
            parsed.lexical.prefix.add(word)
    parsed.lexical.required = len(parsed.lexical.groups)
    present = parsed.all_words
    for group in synonyms:
        matched = [term for term in group if term and set(term) <= present]
        if not matched:
            continue
        for term in group:
            if not term or set(term) <= present:
                continue
            single = next((g for g in parsed.lexical.groups[:parsed.lexical.required]
                           if len(matched[0]) == 1 and matched[0][0] in g), None)
            if single is not None and len(term) == 1:
                single.append(term[0])  # notebook -> (notebook | laptop)
            else:
                parsed.lexical.groups.append(term)  # a phrase: any of its words
    return parsed
