"""Words for the search index and for queries: one normalisation on both sides.

Text is lower-cased, umlauts and ß folded (``Größe`` -> ``grosse``, ``Passwörter`` ->
``passworter``; FTS5 has no German support and people type ``ue`` or ``u`` for ``ü``), split into
words, and stemmed with the Snowball stemmer of the text's language (English or German).
The same function runs at index time and at query time, so both sides agree on every word.
"""

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

LANGUAGES = ("en", "de")
_STEMMER_NAMES = {"en": "english", "de": "german"}
_WORD_RE = re.compile(r"[a-z0-9]+")
_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})
# German spellings without umlauts ("Passwoerter") fold the same way as the umlauts.
_DIGRAPHS = re.compile(r"(?<=[a-z])(ae|oe|ue)")

_STOPWORDS = """
a an and are as at be but by can could do does doesnt dont for from get got has have how i if in
into is it its me my no not of on or our please so that the their then there this to too was we
what when where which who why will with won wont you your yourself im ive cant isnt help need
aber als am an auch auf aus bei bin bis da das dass dem den der des die doch du ein eine einem
einen einer eines er es fur gibt habe haben hat ich ihr im in ist ja kann kein keine man mein
meine meinem meinen meiner mich mir mit nach nicht noch nur oder ohne sich sie sind so um und uns
unser von vom was weil wenn wie wir wird zu zum zur geht bitte hilfe brauche
"""
STOPWORDS = frozenset(_STOPWORDS.split())


def fold(text: str) -> str:
    """Lower-case, umlauts and ß folded, other accents removed."""
    text = (text or "").lower().translate(_FOLD)
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The folded words of ``text`` (letters and digits), in order."""
    return _WORD_RE.findall(fold(text))


def fold_digraphs(word: str) -> str:
    """``passwoerter`` -> ``passworter``: the spelling of a word typed without umlauts."""
    return _DIGRAPHS.sub(lambda m: m.group(1)[0], word)


@lru_cache(maxsize=2)
def _stemmer(language: str):
    return snowballstemmer.stemmer(_STEMMER_NAMES.get(language, "english"))


@lru_cache(maxsize=200_000)
def stem(word: str, language: str) -> str:
    return _stemmer(language).stemWord(word)


def content_words(text: str) -> list[str]:
    """Words that carry meaning: stop words and single letters (``won't`` -> ``won``, ``t``)
    removed, unless nothing else is left."""
    found = words(text)
    kept = [w for w in found if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]
    return kept or found


def index_text(text: str, language: str) -> str:
    """What the lexical index stores for ``text``: its stems, space-separated."""
    return " ".join(stem(w, language) for w in words(text) if w not in STOPWORDS)
