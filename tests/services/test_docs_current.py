"""The generated pages are committed current: docs/events.md from the event catalogue and
docs/configuration.md from the settings list (``daiban docs events`` / ``daiban docs config`` rewrite them)."""
from __future__ import annotations

import pytest

from services import docs


@pytest.mark.parametrize("page", sorted(docs.PAGES))
def test_the_generated_page_is_current(page, capsys):
    stale = docs.write(page, check=True)

    assert stale == 0, capsys.readouterr().err


def test_the_check_notices_a_stale_page(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(docs, "DOCS", tmp_path)
    (tmp_path / "events.md").write_text(docs.render_events().replace("petition.submitted", "petition.sent"),
                                        encoding="utf-8")

    assert docs.write("events", check=True) == 1
    assert docs.write("config", check=True) == 1  # missing
    assert "stale" in capsys.readouterr().err
