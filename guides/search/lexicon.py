"""The language tables search reads from guides/data: Cantonese spoken forms
(cantonese.json) and English query handling (english.json).

Both are data so the catalogue team can maintain them without a release of
code; they are read once per process. The same functions run over the
catalogue's English text when the index is built and over what a citizen
types, so both sides meet on the same words.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


@lru_cache(maxsize=1)
def cantonese_table() -> tuple[dict, list[tuple[str, str]]]:
    """(traditional → simplified characters, [(spoken form, catalogue words)] longest first)."""
    data = json.loads((DATA_DIR / "cantonese.json").read_text(encoding="utf-8"))
    pairs = data.get("traditional", "")
    chars = {ord(pairs[i]): pairs[i + 1] for i in range(0, len(pairs) - 1, 2)}
    phrases = sorted(((src.lower(), dst) for src, dst in data["phrases"]), key=lambda p: -len(p[0]))
    return chars, phrases


@lru_cache(maxsize=20_000)
def from_cantonese(text: str) -> str:
    """Traditional characters to simplified, then spoken Cantonese to the
    words the catalogue uses ("身份证唔见咗点算" → "身份证丢了怎么办").
    One left-to-right pass, longest form first, so a replacement is never
    itself replaced again."""
    chars, phrases = cantonese_table()
    text = text.translate(chars)
    first_chars = {src[0] for src, _ in phrases}
    out, i = [], 0
    while i < len(text):
        if text[i] in first_chars:
            for src, dst in phrases:
                if text.startswith(src, i):
                    out.append(dst)
                    i += len(src)
                    break
            else:
                out.append(text[i])
                i += 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


@lru_cache(maxsize=1)
def english_tables() -> dict:
    data = json.loads((DATA_DIR / "english.json").read_text(encoding="utf-8"))
    rewrites = dict(data["abbreviations"])
    rewrites.update(data["spellings"])
    return {"stop": frozenset(data["stopwords"]), "rewrite": rewrites, "irregular": data["irregular"],
            "synonyms": {k: v for k, v in data["synonyms"].items() if " " not in k},
            "labels": data.get("labels", {})}


def stem(word: str) -> str:
    """A light suffix stripper (plurals, -ing, -ed, final e): enough to make
    "renewing", "renewed" and "renews" one word, and deterministic, which is
    all the index needs since both sides go through it."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[:-len(suffix)]
            if len(word) >= 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
                word = word[:-1]
            break
    if word.endswith("ied"):
        word = word[:-3] + "y"
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


@lru_cache(maxsize=50_000)
def _word_tokens(word: str) -> tuple[str, ...]:
    """One typed word → its index words. Rewrites (spellings, abbreviations)
    apply once, never to their own output, so a table entry cannot loop."""
    tables = english_tables()
    word = word.removesuffix("'s").replace("'", "")
    if not word or word in tables["stop"]:
        return ()
    parts = tables["rewrite"].get(word, word).split()
    return tuple(_canonical(part) for part in parts if part not in tables["stop"])


def _canonical(word: str) -> str:
    tables = english_tables()
    base = tables["irregular"].get(word, word)
    base = tables["synonyms"].get(base, base)
    return stem(base)


@lru_cache(maxsize=20_000)
def english_tokens(text: str) -> tuple[str, ...]:
    """The content words of English text, normalised: lower case, British
    and American spellings and abbreviations rewritten (licence, SSC, HK),
    irregular forms and synonyms mapped, suffixes stripped, stop words out."""
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'")
    out: list[str] = []
    for word in _WORD.findall(text.replace("-", " ").replace("/", " ")):
        out.extend(_word_tokens(word))
    return tuple(out)


def is_stopword(word: str) -> bool:
    return word in english_tables()["stop"]
