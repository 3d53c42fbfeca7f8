"""Ranking the policy library for a citizen's question. Pure: no I/O.

Text is segmented with jieba (``lcut_for_search``, which also yields the shorter words inside long
ones: 处理结果 → 处理, 结果, 处理结果), lower-cased, and stripped of punctuation and of words that only
make a sentence a question (的, 吗, 怎么办, 可以 …). Each entry is indexed on its title, tags, the
synonyms in ``keywords`` (多久 for a time limit, 不满意 for review …), its summary and its English
title; the title, tags and keywords count twice, since they say what the entry is about. Ranking is
BM25 (``rank_bm25.BM25Okapi``); only entries with a positive score are returned, best first, ties
broken by id so the order never depends on the order of the input.
"""
from __future__ import annotations

import logging
import re
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Mapping

from rank_bm25 import BM25Okapi

with warnings.catch_warnings():
    # jieba 0.42 imports pkg_resources to find its dictionary; newer setuptools warn about that import
    warnings.filterwarnings("ignore", message=r"pkg_resources is deprecated")
    import jieba

jieba.setLogLevel(logging.WARNING)  # its dictionary-loading messages are not ours to log

# a token is kept only if it has a letter, a digit or a CJK character
_MEANINGFUL = re.compile(r"[0-9a-z\u3400-\u9fff]")

# words that make a sentence a question without saying what it is about
STOP_WORDS = frozenset("""
的 地 得 了 着 过 吗 呢 吧 啊 呀 嘛 么 哦 哈 呗
我 我们 我家 你 你们 他 他们 她 她们 它 它们 咱 咱们 自己 人家 大家
是 在 有 没 没有 不 也 都 就 还 又 再 才 很 太 更 最 被 把 给 让 向 对 从 跟 和 与 及 或 或者 而 但 但是 如果 因为 所以
这 那 这个 那个 这些 那些 这样 那样 这么 那么 一个 个 一 些 点 一下 一点 事 事情 东西
会 能 能够 可以 可能 要 想 应该 需要 得到 请问 请 问 问题 情况 一般
怎么 怎么办 怎样 怎么样 如何 什么 啥 哪 哪里 哪儿 哪些 为什么 是不是 是否 能不能 会不会 可不可以 有没有
the a an of to and or is are be in on for with what how can do does my i
""".split())

TITLE_WEIGHT = 2  # title, tags and keywords are repeated this many times in an entry's document
# BM25Okapi gives a word found in more than half the entries a negative IDF and replaces it with
# epsilon × the average IDF, which is itself negative in a small library of look-alike entries; a word
# that occurs must never count against an entry, so IDF is kept at least this
IDF_FLOOR = 0.01


def tokens(text: str) -> list[str]:
    """The meaningful segmented words of ``text``, in order, repeats kept."""
    return list(_segment(text or ""))


@lru_cache(maxsize=4096)  # a rebuilt index segments only the entries that changed
def _segment(text: str) -> tuple[str, ...]:
    out = []
    for token in jieba.lcut_for_search(text):
        token = token.strip().lower()
        if token and token not in STOP_WORDS and _MEANINGFUL.search(token):
            out.append(token)
    return tuple(out)


def query_tokens(query: str) -> list[str]:
    """A query's words, each once (repeating a word in a question does not make it weigh more)."""
    return list(dict.fromkeys(tokens(query)))


def document_tokens(entry: Mapping) -> list[str]:
    """What an entry is indexed on."""
    focused = " ".join([entry.get("title", ""), *entry.get("tags", ()), *entry.get("keywords", ())])
    body = " ".join([entry.get("summary", ""), entry.get("title_en", "")])
    return tokens(focused) * TITLE_WEIGHT + tokens(body)


@dataclass(frozen=True)
class Hit:
    id: str
    score: float


class PolicyIndex:
    """A BM25 index over policy entries (dicts with ``id`` or ``_id``); build once, search many times."""

    def __init__(self, entries: Iterable[Mapping]):
        ordered = sorted(entries, key=_entry_id)
        self.entries: dict[str, Mapping] = {_entry_id(e): e for e in ordered}
        self._ids = list(self.entries)
        corpus = [document_tokens(e) for e in ordered]
        # BM25Okapi divides by the average document length: an empty library (or one without a single
        # word) has nothing to rank
        self._bm25 = BM25Okapi(corpus) if any(corpus) else None
        if self._bm25 is not None:
            self._bm25.idf = {word: max(idf, IDF_FLOOR) for word, idf in self._bm25.idf.items()}

    def __len__(self) -> int:
        return len(self._ids)

    def search(self, query: str) -> list[Hit]:
        """Entries matching ``query`` with a positive score, best first, ties by id."""
        words = query_tokens(query)
        if not words or self._bm25 is None:
            return []
        scores = self._bm25.get_scores(words)
        hits = [Hit(policy_id, float(score)) for policy_id, score in zip(self._ids, scores) if score > 0]
        hits.sort(key=lambda hit: (-hit.score, hit.id))
        return hits


def _entry_id(entry: Mapping) -> str:
    return str(entry.get("id", entry.get("_id")))
