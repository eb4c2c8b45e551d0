"""Text helpers for search: normalisation, n-grams and pinyin.

Chinese has no spaces, so the index works on character bigrams: a word the
citizen types inside a longer phrase ("我的身份证丢了怎么办") shares its
bigrams with the item. Pinyin (full and initials) lets "shebaoka" and "sbk"
find 社保卡, and pinyin bigrams catch homophone typos from pinyin input
methods ("社宝卡").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

_HAN = re.compile(r"[\u3400-\u9fff]+")
_RUNS = re.compile(r"[\u3400-\u9fff]+|[a-z]+|\d+")
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

# Bigrams of the words citizens wrap around what they need; they carry no meaning for ranking.
STOP_BIGRAMS = frozenset({
    "怎么", "么办", "如何", "哪里", "需要", "什么", "可以", "我要", "我想", "想要", "要办", "请问", "办理",
    "怎样", "在哪", "哪儿", "多少", "多久", "么样", "的时", "时候", "一下", "么材", "料呢", "办吗", "能不", "不能",
    "我的", "了怎", "了吗", "吗？", "么弄", "怎弄",
    "办什", "要什", "带什", "有什", "哪些", "有哪", "要带", "要做", "做什", "么手", "些手", "么证", "些证",
})


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def runs(text: str) -> list[str]:
    """The query split into runs of Han characters, latin letters and digits."""
    return _RUNS.findall(text)


def is_han(text: str) -> bool:
    return bool(text) and _HAN.fullmatch(text) is not None


def bigrams(text: str) -> list[str]:
    """Character bigrams of each Han run (a lone character is its own unit)."""
    grams: list[str] = []
    for run in _HAN.findall(text):
        if len(run) == 1:
            grams.append(run)
        else:
            grams.extend(run[i:i + 2] for i in range(len(run) - 1))
    return grams


@lru_cache(maxsize=200_000)
def syllables(text: str) -> tuple[str, ...]:
    """Toneless pinyin of the Han characters of `text`, one syllable each."""
    return tuple(lazy_pinyin("".join(_HAN.findall(text))))


def full_pinyin(text: str) -> str:
    return "".join(syllables(text))


def initials(text: str) -> str:
    return "".join(s[0] for s in syllables(text) if s)


# Southern speakers (Cantonese among them) do not separate zh/z, ch/c, sh/s
# or -ng/-n, and type accordingly ("护造" for 护照): homophone matching
# treats them as one sound.
_LOOSE_INITIAL = re.compile(r"^(z|c|s)h")
_LOOSE_FINAL = re.compile(r"(?<=[aei])ng$")


@lru_cache(maxsize=100_000)
def loose(syllable: str) -> str:
    return _LOOSE_FINAL.sub("n", _LOOSE_INITIAL.sub(r"\1", syllable))


def syllable_bigrams(text: str) -> list[str]:
    sy = [loose(s) for s in syllables(text)]
    return [f"{sy[i]} {sy[i + 1]}" for i in range(len(sy) - 1)]
