"""Policy and law lookup (信访法治化政策查询): a library of plain-language summaries of the articles of
信访工作条例 (2022) that matter to citizens, a few related laws and the league's local service rules,
searched with jieba segmentation and BM25.

- ``library.json``: the seed (each entry: id, title, title_en, source, issuing_body, date, article,
  summary, tags, keywords);
- ``search``: tokenisation and ranking, pure;
- ``store``: the ``policies`` collection, the seed load, the library version;
- ``api``: ``GET /api/v1/policies`` and ``GET /api/v1/policies/<id>``, public.

Wiring: ``api.blp`` among intake's blueprints, ``store.INDEXES`` among its indexes, and ``on_start``
(below) called from intake's start-up hook.
"""
from __future__ import annotations


def on_start(ctx) -> None:
    """Load the seed into the store (idempotent) and build this process's search index."""
    from . import api
    api.load(ctx)
