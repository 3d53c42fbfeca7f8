"""How alike two petitions' texts are: the overlap of their segmented words (jieba), ignoring
punctuation and words too common to tell matters apart. Pure: no I/O."""
from __future__ import annotations

import logging
import re
from functools import lru_cache

import jieba

jieba.setLogLevel(logging.WARNING)

_WORD = re.compile(r"[\w\u4e00-\u9fff]")
STOP_WORDS = frozenset("的 了 是 在 我 我们 你 他 她 和 与 及 也 都 就 还 有 没有 不 要 请 帮 帮忙 一下 这个 那个 问题 情况 反映 "
                       "希望 能 能够 已经 多次 一直 现在 因为 所以 但是 而且 我家 我村 村里 the a an of to and is in".split())


@lru_cache(maxsize=4096)
def words(text: str) -> frozenset[str]:
    tokens = (t.strip().lower() for t in jieba.lcut_for_search(text))
    return frozenset(t for t in tokens if t and _WORD.search(t) and t not in STOP_WORDS)


def similarity(a: str, b: str) -> float:
    """Jaccard overlap of the two word sets, 0.0 to 1.0."""
    wa, wb = words(a), words(b)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / len(wa | wb)


def petition_text(petition: dict) -> str:
    return f"{petition.get('title', '')} {petition.get('description', '')}"
