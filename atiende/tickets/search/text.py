"""Words as search sees them, the same on PostgreSQL and SQLite.

PostgreSQL indexes `to_tsvector('pg_catalog.spanish', atiende_search_text(text))`
(migration 0003); SQLite's FTS5 has no Spanish stemmer, so `terms` does here exactly
what PostgreSQL does there, and both index and query go through it:

1. fold: remove accents (as `unaccent` does), lower-case, and write a word ending in
   "ion" as its plural ("configuracion" -> "configuraciones"). The Snowball Spanish
   stemmer strips "aciones" but not an unaccented "acion", so without this step
   "configuración" would not find "configuraciones"; with it every form of such a word
   stems alike, on every Snowball version.
2. split into words: runs of letters and digits.
3. drop the stop words of PostgreSQL's `spanish` dictionary (compared after folding, as
   PostgreSQL does, so the accented entries never match) and stem the rest with the
   Snowball Spanish algorithm; a word with digits is kept as it is (PostgreSQL's
   `simple` dictionary for `numword`).
"""

from __future__ import annotations

import functools
import html
import re
import threading
import unicodedata

import snowballstemmer
from django.utils.html import escape

# pg_catalog.spanish's stop words (PostgreSQL's tsearch_data/spanish.stop, from the
# Snowball project), verbatim.
STOP_WORDS = frozenset({
    "de", "la", "que", "el", "en", "y", "a", "los", "del", "se", "las", "por", "un", "para",
    "con", "no", "una", "su", "al", "lo", "como", "más", "pero", "sus", "le", "ya", "o",
    "este", "sí", "porque", "esta", "entre", "cuando", "muy", "sin", "sobre", "también", "me",
    "hasta", "hay", "donde", "quien", "desde", "todo", "nos", "durante", "todos", "uno", "les",
    "ni", "contra", "otros", "ese", "eso", "ante", "ellos", "e", "esto", "mí", "antes",
    "algunos", "qué", "unos", "yo", "otro", "otras", "otra", "él", "tanto", "esa", "estos",
    "mucho", "quienes", "nada", "muchos", "cual", "poco", "ella", "estar", "estas", "algunas",
    "algo", "nosotros", "mi", "mis", "tú", "te", "ti", "tu", "tus", "ellas", "nosotras",
    "vosostros", "vosostras", "os", "mío", "mía", "míos", "mías", "tuyo", "tuya", "tuyos",
    "tuyas", "suyo", "suya", "suyos", "suyas", "nuestro", "nuestra", "nuestros", "nuestras",
    "vuestro", "vuestra", "vuestros", "vuestras", "esos", "esas", "estoy", "estás", "está",
    "estamos", "estáis", "están", "esté", "estés", "estemos", "estéis", "estén", "estaré",
    "estarás", "estará", "estaremos", "estaréis", "estarán", "estaría", "estarías",
    "estaríamos", "estaríais", "estarían", "estaba", "estabas", "estábamos", "estabais",
    "estaban", "estuve", "estuviste", "estuvo", "estuvimos", "estuvisteis", "estuvieron",
    "estuviera", "estuvieras", "estuviéramos", "estuvierais", "estuvieran", "estuviese",
    "estuvieses", "estuviésemos", "estuvieseis", "estuviesen", "estando", "estado", "estada",
    "estados", "estadas", "estad", "he", "has", "ha", "hemos", "habéis", "han", "haya",
    "hayas", "hayamos", "hayáis", "hayan", "habré", "habrás", "habrá", "habremos", "habréis",
    "habrán", "habría", "habrías", "habríamos", "habríais", "habrían", "había", "habías",
    "habíamos", "habíais", "habían", "hube", "hubiste", "hubo", "hubimos", "hubisteis",
    "hubieron", "hubiera", "hubieras", "hubiéramos", "hubierais", "hubieran", "hubiese",
    "hubieses", "hubiésemos", "hubieseis", "hubiesen", "habiendo", "habido", "habida",
    "habidos", "habidas", "soy", "eres", "es", "somos", "sois", "son", "sea", "seas", "seamos",
    "seáis", "sean", "seré", "serás", "será", "seremos", "seréis", "serán", "sería", "serías",
    "seríamos", "seríais", "serían", "era", "eras", "éramos", "erais", "eran", "fui", "fuiste",
    "fue", "fuimos", "fuisteis", "fueron", "fuera", "fueras", "fuéramos", "fuerais", "fueran",
    "fuese", "fueses", "fuésemos", "fueseis", "fuesen", "sintiendo", "sentido", "sentida",
    "sentidos", "sentidas", "siente", "sentid", "tengo", "tienes", "tiene", "tenemos",
    "tenéis", "tienen", "tenga", "tengas", "tengamos", "tengáis", "tengan", "tendré",
    "tendrás", "tendrá", "tendremos", "tendréis", "tendrán", "tendría", "tendrías",
    "tendríamos", "tendríais", "tendrían", "tenía", "tenías", "teníamos", "teníais", "tenían",
    "tuve", "tuviste", "tuvo", "tuvimos", "tuvisteis", "tuvieron", "tuviera", "tuvieras",
    "tuviéramos", "tuvierais", "tuvieran", "tuviese", "tuvieses", "tuviésemos", "tuvieseis",
    "tuviesen", "teniendo", "tenido", "tenida", "tenidos", "tenidas", "tened",
})

WORD = re.compile(r"[^\W_]+")
_ION = re.compile(r"ion(?![^\W_])")
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
# Letters `unaccent` rewrites that Unicode decomposition leaves alone.
_SPECIAL = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o",
                          "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d",
                          "Ð": "D", "þ": "th", "Þ": "TH", "\u0131": "i"})
# PostgreSQL ignores longer words ("word is too long to be indexed").
LONGEST_WORD = 2047

_stemmers = threading.local()


def unaccent(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def fold(text: str) -> str:
    """Step 1: no accents, lower case, "-ion" words in the plural."""
    return _ION.sub("iones", unaccent(text).lower())


def _stem(word: str) -> str:
    stemmer = getattr(_stemmers, "spanish", None)
    if stemmer is None:  # Snowball stemmers keep state: one per thread.
        stemmer = _stemmers.spanish = snowballstemmer.stemmer("spanish")
    return stemmer.stemWord(word)


@functools.lru_cache(maxsize=50_000)
def _term(word: str) -> str | None:
    if len(word) > LONGEST_WORD:
        return None
    if any(char.isdigit() for char in word):
        return word
    if word in STOP_WORDS:
        return None
    return _stem(word)


def term(word: str) -> str | None:
    """The indexed form of one word (None for a stop word)."""
    return _term(fold(word))


def terms(text: str) -> list[str]:
    """The indexed forms of every word of `text`, in order."""
    found = (_term(word) for word in WORD.findall(fold(text)))
    return [one for one in found if one]


def plain_text(markup: str) -> str:
    """The words of sanitised HTML (descriptions, comments), tags and entities gone."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", markup or ""))).strip()


def snippet(texts: list[str], wanted: set[str], *, words: int = 30, before: int = 8) -> str:
    """A short passage around the first wanted word of the first text that has one (or
    the opening of the first non-empty text), as HTML: every character of the text is
    escaped and each wanted word is wrapped in <mark>."""
    chosen, tokens, first = "", [], 0
    for text in texts:
        found = list(WORD.finditer(text))
        hit = next((i for i, match in enumerate(found) if term(match.group()) in wanted),
                   None)
        if hit is not None:
            chosen, tokens, first = text, found, max(0, hit - before)
            break
        if not chosen and text.strip():
            chosen, tokens = text, found
    if not tokens:
        return escape(chosen[:200])
    last = min(len(tokens), first + words) - 1
    start = tokens[first].start() if first else 0
    end = tokens[last].end() if last < len(tokens) - 1 else len(chosen)
    parts = ["…"] if first else []
    position = start
    for match in tokens[first:last + 1]:
        if term(match.group()) in wanted:
            parts.append(escape(chosen[position:match.start()]))
            parts.append(f"<mark>{escape(match.group())}</mark>")
            position = match.end()
    parts.append(escape(chosen[position:end]))
    if end < len(chosen):
        parts.append("…")
    return "".join(parts).strip()
