"""Life events as a concept map for search: a query that says the event
("老人走了", "someone died", "被炒鱿鱼" after Cantonese normalisation) brings
the event's items forward, most important first, even when it shares no
word with them."""

from __future__ import annotations

from dataclasses import dataclass

from . import text as tx
from .lexicon import english_tokens, from_cantonese

EVENT_BONUS = 9.0  # the first item of a matched event; later ones get less


@dataclass(frozen=True)
class EventEntry:
    code: str
    name: str
    name_en: str
    han_phrases: tuple[str, ...]
    en_phrases: tuple[tuple[str, ...], ...]
    docs: tuple[int, ...]  # index positions, in the event's order


def build_entries(events: list[dict], by_code: dict[str, int]) -> list[EventEntry]:
    """`events`: dicts with code, name, name_en, phrases, item_codes."""
    entries = []
    for event in events:
        han, en = set(), set()
        for phrase in [event["name"], event.get("name_en") or ""] + list(event.get("phrases") or []):
            text = from_cantonese(tx.normalise(phrase))
            chinese = "".join(r for r in tx.runs(text) if tx.is_han(r))
            if len(chinese) >= 2:
                han.add(chinese)
            elif not chinese:
                tokens = english_tokens(text)
                if tokens:
                    en.add(tuple(dict.fromkeys(tokens)))
        docs = tuple(dict.fromkeys(by_code[c] for c in event.get("item_codes") or [] if c in by_code))
        if docs:
            entries.append(EventEntry(event["code"], event["name"], event.get("name_en") or "",
                                      tuple(sorted(han)), tuple(sorted(en)), docs))
    return entries


def matching(entries: list[EventEntry], han: str, tokens: set[str]) -> list[tuple[EventEntry, str | tuple]]:
    """The events the query speaks of, each with the phrase that matched."""
    found = []
    for entry in entries:
        phrase = next((p for p in entry.han_phrases if p in han), None)
        if phrase is None:
            phrase = next((p for p in entry.en_phrases if tokens.issuperset(p)), None)
        if phrase is not None:
            found.append((entry, phrase))
    return found


def bonus(rank: int) -> float:
    return EVENT_BONUS / (1 + 0.3 * rank)
