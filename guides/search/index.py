"""The in-process search index over the published items.

Built from the published items of one catalogue version; the ranking is
computed in Python, next to the data it scores. Scoring, per
item:

- Han bigrams of the query (and of synonym expansions, weighted lower),
  each weighted by its rarity (idf) and by the field it hits (name > keywords
  > topics, department, themes > FAQs), times how much of the query the item
  covers;
- a bonus when a whole name or keyword appears in the query ("身份证丢了"
  inside "我身份证丢了怎么办");
- pinyin: a latin run matching a name's or keyword's full pinyin or initials
  (exactly or as a prefix), and pinyin bigrams of Han text for homophone typos;
- rapidfuzz over names and keywords when nothing scores well (typos).
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from . import events as ev
from . import text as tx
from .english import EnglishIndex, highlight_english
from .highlight import highlight
from .lexicon import _word_tokens, from_cantonese, is_stopword
from .synonyms import SYNONYMS

NAME, KEYWORD, TOPIC, CONTEXT, FAQ = 3.0, 2.5, 1.2, 0.8, 0.4
SYNONYM_WEIGHT = 0.7
HOMOPHONE_WEIGHT = 0.5
MIN_SCORE = 1.0  # below this a hit is noise


@dataclass
class Doc:
    """What the index knows about one published item."""

    code: str
    name: str
    version: int
    department_code: str
    channels: frozenset
    online_depth: int
    visits_required: int
    life_events: frozenset
    themes: frozenset
    terms: list[tuple[str, float]] = field(default_factory=list)  # (text, field weight)
    summary: dict = field(default_factory=dict)
    name_en: str = ""
    terms_en: list[tuple[str, float]] = field(default_factory=list)  # English (text, field weight)


class Hit:
    """One result; the highlight is computed only for the hits shown."""

    __slots__ = ("doc", "score", "_matched")

    def __init__(self, doc: Doc, score: float, matched: set[str]):
        self.doc, self.score, self._matched = doc, score, matched

    @property
    def matched(self) -> list[str]:
        return sorted(self._matched)

    @property
    def name_highlighted(self) -> str:
        return highlight(self.doc.name, self._matched)

    @property
    def name_en_highlighted(self) -> str:
        words = {w for piece in self._matched if not tx.is_han(piece) for w in piece.split()}
        return highlight_english(self.doc.name_en or self.doc.name, words)


class SearchResult:
    """Ranked documents; `Hit`s are made only for the part that is shown."""

    def __init__(self, index, ranked, matched, grams, suggestions, expansions, events=()):
        self._index, self._ranked, self._matched, self._grams = index, ranked, matched, grams
        self.suggestions, self.expansions = suggestions, expansions
        self.events = list(events)  # life events the query spoke of (codes)

    def _matched_for(self, i: int) -> set[str]:
        postings = self._index.postings
        found = {g for g in self._grams if i in postings.get(g, ())}
        return found | self._matched.get(i, set())

    @property
    def total(self) -> int:
        return len(self._ranked)

    def page(self, start: int, size: int) -> list[Hit]:
        return [Hit(self._index.docs[i], round(-neg, 3), self._matched_for(i))
                for neg, _, i in self._ranked[start:start + size]]

    @property
    def hits(self) -> list[Hit]:
        return self.page(0, len(self._ranked))


class SearchIndex:
    def __init__(self, docs: list[Doc], version: int = 0, events: list[dict] | None = None):
        self.version = version
        self.docs = docs
        self.by_code = {doc.code: i for i, doc in enumerate(docs)}
        self.postings: dict[str, dict[int, float]] = defaultdict(dict)
        self.py_postings: dict[str, dict[int, float]] = defaultdict(dict)
        self.terms: dict[str, dict[int, float]] = defaultdict(dict)  # whole name / keyword → docs
        self.pinyin_terms: dict[str, dict[int, tuple[float, str]]] = defaultdict(dict)
        self.english = EnglishIndex()
        self.by_life_event: dict[str, list[int]] = defaultdict(list)  # event name → items naming it
        for i, doc in enumerate(docs):
            for name in doc.life_events:
                self.by_life_event[name].append(i)
            for term, weight in doc.terms:
                self._add(i, term, weight)
            for term, weight in doc.terms_en:
                self.english.add(i, term, weight, whole_term=weight >= TOPIC)
        self.english.finish(len(docs))
        self.events = ev.build_entries(events or [], self.by_code)
        self.event_words = {w for entry in self.events for phrase in entry.en_phrases for w in phrase}
        self.idf = {g: math.log(1 + len(docs) / len(p)) for g, p in self.postings.items()}
        self.py_idf = {g: math.log(1 + len(docs) / len(p)) for g, p in self.py_postings.items()}
        self.pinyin_sorted = sorted(self.pinyin_terms)
        self.fuzzy_choices = sorted(t for t, d in self.terms.items() if len(t) >= 2)

    def _add(self, i: int, term: str, weight: float) -> None:
        term = tx.normalise(term)
        for gram in set(tx.bigrams(term)):
            if self.postings[gram].get(i, 0) < weight:
                self.postings[gram][i] = weight
        if weight >= KEYWORD * 0.99 or weight == TOPIC:
            for gram in set(tx.syllable_bigrams(term)):
                if self.py_postings[gram].get(i, 0) < weight:
                    self.py_postings[gram][i] = weight
        if weight >= TOPIC and tx.is_han(term):
            if self.terms[term].get(i, 0) < weight:
                self.terms[term][i] = weight
            for key in {tx.full_pinyin(term), tx.initials(term)}:
                if len(key) >= 2 and self.pinyin_terms[key].get(i, (0, ""))[0] < weight:
                    self.pinyin_terms[key][i] = (weight, term)

    # -- querying ---------------------------------------------------------

    def _split_latin(self, query: str) -> tuple[list[str], list[str]]:
        """Latin words are English when the catalogue's English knows them
        (or a close misspelling of them), else pinyin ("shebaoka", "sbk")."""
        english, pinyin = [], []
        for run in tx.runs(query):
            if tx.is_han(run) or is_stopword(run):
                continue
            tokens = _word_tokens(run)
            if tokens and all(self.english.knows(t) or t in self.event_words for t in tokens):
                english.extend(tokens)
            elif run.isdigit():
                continue
            elif run in self.pinyin_terms or not tokens:
                pinyin.append(run)
            else:
                fixed = self.english.correct(run)
                if fixed and not self._is_pinyin_prefix(run):
                    english.extend(fixed)
                else:
                    pinyin.append(run)
        return list(dict.fromkeys(english)), pinyin

    def _is_pinyin_prefix(self, run: str) -> bool:
        start = bisect.bisect_left(self.pinyin_sorted, run)
        return start < len(self.pinyin_sorted) and self.pinyin_sorted[start].startswith(run)

    def search(self, query: str, allowed: set[int] | None = None, fuzzy: bool = True) -> SearchResult:
        query = from_cantonese(tx.normalise(query))
        scores: dict[int, float] = defaultdict(float)
        covered: dict[int, int] = defaultdict(int)  # bit mask of the query's own bigrams/words an item covers
        matched: dict[int, set] = defaultdict(set)  # whole terms matched; bigrams are found per shown hit
        han = "".join(r for r in tx.runs(query) if tx.is_han(r))
        english, latin = self._split_latin(query)
        if len(latin) > 1:  # "gongjijin tiqu": syllables typed with spaces between words
            latin.append("".join(latin))
        own = [g for g in dict.fromkeys(tx.bigrams(han)) if g not in tx.STOP_BIGRAMS]

        bit = {g: 1 << n for n, g in enumerate(own)}
        word_bit = {w: 1 << (len(own) + n) for n, w in enumerate(english)}
        tasks = [(g, 1.0, bit[g]) for g in own]
        expansions = []
        for key, targets in SYNONYMS.items():
            if key in han:
                key_mask = sum(bit[g] for g in set(tx.bigrams(key)) if g in bit) or (1 if own else 0)
                for target in targets:
                    expansions.append(target)
                    tasks += [(g, SYNONYM_WEIGHT, key_mask) for g in dict.fromkeys(tx.bigrams(target))
                              if g not in tx.STOP_BIGRAMS]
        # Rare bigrams first; a bigram found in a large share of the catalogue
        # ("登记", "申领") then only adds to items already found, which keeps a
        # 5,000-item search within a few milliseconds.
        tasks.sort(key=lambda task: len(self.postings.get(task[0], ())))
        common = max(50, len(self.docs) // 10)
        rare = [t for t in tasks if len(self.postings.get(t[0], ())) <= common]
        frequent = [t for t in tasks if len(self.postings.get(t[0], ())) > common]
        self._score_grams(rare, scores, covered, None)
        self._score_contained_terms(han, scores, matched)
        for run in latin:
            self._score_pinyin(run, scores, matched)
        if english:
            self.english.score(english, word_bit, scores, covered, matched)
        self._score_grams(frequent, scores, covered, set(scores) if scores else None)
        self._score_homophones(han, scores, covered, bit)
        spoken = self._score_events(han, english, bit, word_bit, scores, covered, expansions)

        units = len(own) + len(english)
        ranked = []  # (-score, code, doc): sorts best first, then by code, without a key function
        for i, score in scores.items():
            if allowed is not None and i not in allowed:
                continue
            coverage = covered[i].bit_count() / units if units else 1.0
            final = score * (0.4 + 0.6 * min(coverage, 1.0))
            if final >= MIN_SCORE:
                ranked.append((-final, self.docs[i].code, i))
        if fuzzy and (not ranked or -min(ranked)[0] < 4 * MIN_SCORE):
            present = {i for _, _, i in ranked}
            for final, i, term in self._fuzzy(query, han, latin, allowed, cutoff=72):
                if i not in present:
                    ranked.append((-final, self.docs[i].code, i))
                    matched[i].add(term)
        ranked.sort()
        suggestions = [] if ranked else self.suggest(query, han, latin)
        grams = [g for g, _, _ in tasks]
        return SearchResult(self, ranked, matched, grams, suggestions, expansions, spoken)

    def _score_events(self, han, english, bit, word_bit, scores, covered, expansions) -> list[str]:
        """Life events named in the query bring their items forward; the
        phrase counts as covered for them."""
        spoken = []
        for entry, phrase in ev.matching(self.events, han, set(english)):
            spoken.append(entry.code)
            expansions.append(entry.name)
            if isinstance(phrase, str):
                mask = sum(bit.get(g, 0) for g in tx.bigrams(phrase))
            else:
                mask = sum(word_bit.get(w, 0) for w in phrase)
            for rank, i in enumerate(entry.docs):
                scores[i] += ev.bonus(rank)
                covered[i] |= mask
        return spoken

    def _score_grams(self, tasks, scores, covered, only: set[int] | None) -> None:
        """Add each (bigram, weight, mask of the query bigrams it stands for)
        to the items holding it — only to the `only` candidates when given.
        The innermost loop of search: kept to two dict updates per item."""
        for gram, weight, mask in tasks:
            idf = self.idf.get(gram)
            if idf is None:
                continue
            posting = self.postings[gram]
            factor = idf * weight
            if only is None:
                pairs = posting.items()
            elif len(only) < len(posting):
                pairs = [(i, posting[i]) for i in only if i in posting]
            else:
                pairs = [(i, w) for i, w in posting.items() if i in only]
            for i, field_weight in pairs:
                scores[i] += factor * field_weight
                covered[i] |= mask

    def _score_contained_terms(self, han: str, scores, matched) -> None:
        """A whole name or keyword inside the query is a strong signal."""
        n = len(han)
        for length in range(min(n, 16), 1, -1):
            for start in range(0, n - length + 1):
                piece = han[start:start + length]
                docs = self.terms.get(piece)
                if not docs:
                    continue
                exact = 2.0 if length == n else 1.0
                for i, weight in docs.items():
                    scores[i] += weight * length * exact
                    matched[i].add(piece)

    def _score_homophones(self, han: str, scores, covered, bit) -> None:
        """Pinyin keyboards make homophone typos ("社宝卡"): where a bigram of
        the query appears nowhere in the catalogue, try its pronunciation."""
        if len(han) < 2:
            return
        grams = tx.syllable_bigrams(han)
        if len(grams) != len(han) - 1:  # a character without pinyin: positions would not line up
            return
        for index, gram in enumerate(grams):
            hanzi = han[index:index + 2]
            idf = self.py_idf.get(gram)
            if idf is None or hanzi in self.postings or hanzi in tx.STOP_BIGRAMS:
                continue
            mask = bit.get(hanzi, 0)
            for i, weight in self.py_postings[gram].items():
                scores[i] += idf * weight * HOMOPHONE_WEIGHT
                covered[i] |= mask

    def _score_pinyin(self, run: str, scores, matched) -> None:
        if len(run) < 2:
            return
        exact = self.pinyin_terms.get(run)
        if exact:
            for i, (weight, term) in exact.items():
                scores[i] += weight * 4
                matched[i].add(term)
        if len(run) >= 3:  # a prefix of a longer pinyin ("shebao" → shebaoka)
            start = bisect.bisect_left(self.pinyin_sorted, run)
            for key in self.pinyin_sorted[start:start + 200]:
                if not key.startswith(run):
                    break
                if key == run:
                    continue
                for i, (weight, term) in self.pinyin_terms[key].items():
                    scores[i] += weight * 2 * len(run) / len(key)
                    matched[i].add(term)

    def _fuzzy(self, query, han, latin, allowed, cutoff):
        """(score, doc, term) for names/keywords (or their pinyin) close to the query."""
        found = []
        if han:
            for term, similarity, _ in process.extract(han, self.fuzzy_choices, scorer=fuzz.ratio,
                                                       limit=10, score_cutoff=cutoff):
                for i, weight in self.terms[term].items():
                    if allowed is None or i in allowed:
                        found.append((weight * similarity / 25, i, term))
        for run in latin:
            if len(run) < 4:
                continue
            # plain ratio first, then partial_ratio: a typed word is often part of a longer
            # keyword's pinyin ("huzaho" in "banhuzhao")
            for scorer in (fuzz.ratio, _ratio_or_partial) if len(run) >= 5 else (fuzz.ratio,):
                close = process.extract(run, self.pinyin_sorted, scorer=scorer, limit=10, score_cutoff=cutoff + 8)
                for key, similarity, _ in close:
                    for i, (weight, term) in self.pinyin_terms[key].items():
                        if allowed is None or i in allowed:
                            found.append((weight * similarity / 25, i, term))
                if close:
                    break
        best: dict[int, tuple] = {}
        for score, i, term in found:
            if i not in best or best[i][0] < score:
                best[i] = (score, i, term)
        return list(best.values())

    def suggest(self, query: str, han: str, latin: list[str], limit: int = 5) -> list[dict]:
        """Nothing matched: the names closest to what was typed, for "您是不是要找"."""
        seen, out = set(), []
        found = self._fuzzy(query, han, latin, None, cutoff=40)
        words = " ".join(r for r in tx.runs(query) if r.isalpha() and not tx.is_han(r))
        if len(words) >= 3:
            found += self.english.suggest(words)
        for score, i, term in sorted(found, key=lambda x: (-x[0], x[1])):
            doc = self.docs[i]
            if doc.code not in seen:
                seen.add(doc.code)
                out.append({"text": doc.name, "item_code": doc.code})
            if len(out) >= limit:
                break
        return out


def _ratio_or_partial(query: str, choice: str, score_cutoff: float = 0, **_) -> float:
    score = max(fuzz.ratio(query, choice), fuzz.partial_ratio(query, choice)
                if len(choice) > len(query) else 0)
    return score if score >= score_cutoff else 0
