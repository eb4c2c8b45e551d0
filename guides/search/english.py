"""English words in the index: every item's English name and keywords, as
normalised tokens (`lexicon.english_tokens`), with the same field weights as
the Chinese text, so "lost ID card" and "身份证丢了" rank the same item alike."""

from __future__ import annotations

import html
import math
import re
from collections import defaultdict

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from .lexicon import _word_tokens, english_tokens

CONTAINED_BONUS = 1.5  # per token of a whole English name/keyword found in the query
TYPO_CUTOFF = 75  # rapidfuzz ratio for a candidate spelling; the edit distance decides


class EnglishIndex:
    def __init__(self):
        self.postings: dict[str, dict[int, float]] = defaultdict(dict)
        self.terms: dict[tuple[str, ...], dict[int, float]] = defaultdict(dict)
        self.terms_by_token: dict[str, set[tuple[str, ...]]] = defaultdict(set)
        self.idf: dict[str, float] = {}
        self.size = 0
        self.vocab: list[str] = []
        self.phrases: dict[str, dict[int, float]] = defaultdict(dict)  # lower-cased text → docs (suggestions)
        self.surface: set[str] = set()  # words as written in the catalogue, for spelling correction

    def add(self, i: int, text: str, weight: float, whole_term: bool) -> None:
        tokens = english_tokens(text)
        self.surface.update(w for w in _SURFACE.findall(text.lower()) if len(w) >= 4)
        for token in set(tokens):
            if self.postings[token].get(i, 0) < weight:
                self.postings[token][i] = weight
        if whole_term and tokens:
            key = tuple(dict.fromkeys(tokens))
            if self.terms[key].get(i, 0) < weight:
                self.terms[key][i] = weight
            for token in key:
                self.terms_by_token[token].add(key)
            if self.phrases[text.lower()].get(i, 0) < weight:
                self.phrases[text.lower()][i] = weight

    def finish(self, size: int) -> None:
        self.size = size
        self.idf = {t: math.log(1 + size / len(p)) for t, p in self.postings.items()}
        self.vocab = sorted(w for w in self.surface if all(t in self.postings for t in _word_tokens(w)))
        self.phrase_choices = sorted(self.phrases)

    def knows(self, token: str) -> bool:
        return token in self.postings

    def correct(self, word: str) -> tuple[str, ...]:
        """The index words of a catalogue word close to an unknown typed one
        ("mariage" → marriage → marry); () when none is close."""
        if len(word) < 4 or not self.vocab:
            return ()
        limit = 1 if len(word) < 7 else 2  # edits, a swap of neighbours counting as one
        for known, _, _ in process.extract(word, self.vocab, scorer=fuzz.ratio, limit=5, score_cutoff=TYPO_CUTOFF):
            if DamerauLevenshtein.distance(word, known) <= limit:
                return _word_tokens(known)
        return ()

    def score(self, tokens: list[str], bits: dict[str, int], scores, covered, matched) -> None:
        """As the Chinese bigrams: rare words first; a word found in a large
        share of the catalogue ("card", "housing") then only adds to items
        already found, which keeps a 5,000-item search within milliseconds."""
        query = set(tokens)
        ordered = sorted((t for t in query if t in self.postings), key=lambda t: len(self.postings[t]))
        common = max(50, self.size // 10)
        for token in ordered:
            posting = self.postings[token]
            idf, mask = self.idf[token], bits[token]
            if len(posting) > common and scores:
                pairs = [(i, posting[i]) for i in list(scores) if i in posting]
            else:
                pairs = posting.items()
            for i, weight in pairs:
                scores[i] += idf * weight
                covered[i] |= mask
        candidates = set()
        for token in query:
            candidates |= self.terms_by_token.get(token, set())
        for term in candidates:
            if not query.issuperset(term):
                continue
            exact = 2.0 if len(term) == len(query) else 1.0
            for i, weight in self.terms[term].items():
                scores[i] += weight * CONTAINED_BONUS * len(term) * exact
                matched[i].add(" ".join(term))

    def suggest(self, text: str, limit: int = 10) -> list[tuple[float, int, str]]:
        """(score, doc, phrase) for names/keywords that look like the typed text."""
        found = []
        for phrase, similarity, _ in process.extract(text, self.phrase_choices, scorer=fuzz.token_set_ratio,
                                                     limit=limit, score_cutoff=55):
            for i, weight in self.phrases[phrase].items():
                found.append((weight * similarity / 25, i, phrase))
        return found


_WORD = re.compile(r"[A-Za-z0-9']+|[^A-Za-z0-9']+")
_SURFACE = re.compile(r"[a-z]+")


def highlight_english(name: str, matched_tokens: set[str]) -> str:
    """The English name with each word whose normalised form was matched in <em>."""
    out = []
    for piece in _WORD.findall(name):
        words = _word_tokens(piece.lower()) if piece[0].isalnum() else ()
        if words and any(w in matched_tokens for w in words):
            out.append(f"<em>{html.escape(piece)}</em>")
        else:
            out.append(html.escape(piece))
    return "".join(out)
