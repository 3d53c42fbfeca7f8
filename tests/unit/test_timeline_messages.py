"""What the petitioner reads on the timeline: every public step in Chinese and English, with codes
(levels, clocks, outcomes ...) named in the reader's language; Mongolian falls back to Chinese."""
from __future__ import annotations

import re
import string

import pytest

from services.intake import messages
from services.intake.progress import STEPS, Moment
from shared.events import validate_data

from .petition_stream import event

PARAMS = {
    "queued": {"level": "township"}, "accepted": {"handling_due": "2025-05-01"}, "contacted": {"method": "phone"},
    "verified": {}, "forwarded": {"department": "住建局"},
    "department_replied": {"department": "住建局", "reply": "objected"},
    "progress_noted": {"note": "已联系施工队"}, "mediation_requested": {"mediation_kind": "three_party"},
    "escalated": {"from_level": "village", "to_level": "township", "reason": "协调未果"},
    "routed_out": {"procedure": "administrative_reconsideration", "organ": "多伦县人民政府"},
    "extended": {"days": 30, "reason": "等待鉴定", "handling_due": "2025-05-31"},
    "closed": {"level": "township", "outcome": "not_support"},
    "overdue": {"clock": "receipt_notice", "due_at": "2025-03-16 00:00"},
}
CODES = {"township", "village", "phone", "objected", "three_party", "administrative_reconsideration",
         "not_support", "receipt_notice"}


def test_every_public_step_has_a_message_in_chinese_and_english_with_the_same_placeholders():
    for kind in PARAMS:
        texts = messages.TEMPLATES[kind]
        fields = {lang: {f for _, f, _, _ in string.Formatter().parse(texts[lang]) if f} for lang in ("zh", "en")}
        assert fields["zh"] == fields["en"] == set(PARAMS[kind]), kind


@pytest.mark.parametrize("kind", sorted(PARAMS))
def test_codes_are_named_in_the_readers_language(kind):
    zh, en = (messages.render(kind, PARAMS[kind], language) for language in ("zh", "en"))
    assert re.search(r"[\u4e00-\u9fff]", zh)
    assert not CODES & set(re.findall(r"[a-z_]+", zh)), zh
    assert not {code for code in CODES if "_" in code} & set(re.findall(r"[a-z_]+", en)), en
    assert messages.render(kind, PARAMS[kind], "mn") == zh


def test_messages_read_as_written():
    assert messages.render("closed", PARAMS["closed"], "zh") == (
        "您的事项已在乡镇（苏木）办结，处理意见：不支持。欢迎对办理结果进行评价。")
    assert messages.render("closed", PARAMS["closed"], "en") == (
        "Your petition was concluded at township level. Decision: not supported. You are welcome to rate the result.")
    assert messages.render("escalated", PARAMS["escalated"], "zh") == (
        "您的事项在村（嘎查）未能化解，已提交乡镇（苏木）处理。原因：协调未果")
    assert "行政复议" in messages.render("routed_out", PARAMS["routed_out"], "zh")
    assert "administrative reconsideration" in messages.render("routed_out", PARAMS["routed_out"], "en")
    assert "信访工作条例" in messages.render("overdue", PARAMS["overdue"], "zh")
    assert "objects" in messages.render("department_replied", PARAMS["department_replied"], "en")


@pytest.mark.parametrize("name", sorted(STEPS))
def test_every_entry_a_step_writes_renders_in_both_languages(name):
    received = event(name)
    entry = STEPS[name](validate_data(received), Moment(received.occurred_at, "Asia/Shanghai")).entry
    if entry is None:
        assert name in ("assignment.declined", "assignment.due_soon")
        return
    assert entry["kind"] in PARAMS or entry["kind"] == "assigned"
    for language in ("zh", "en"):
        text = messages.render(entry["kind"], entry["params"], language)
        assert "{" not in text and text != entry["kind"]


@pytest.mark.parametrize("header, preferred, expected", [
    ("en;q=0.1, zh", "zh", "zh"),     # preference, not position, decides (as for problems)
    ("zh-CN, en", "zh", "zh"),
    ("fr, en;q=0.5", "zh", "en"),
    ("*", "en", "en"),                # any language: the petition's own
    ("*", "zh", "zh"),
    ("mn", "en", "zh"),               # Mongolian reads Chinese until it has its own texts
    (None, "mn", "zh"),
    ("de", "en", "en"),
])
def test_the_timeline_language_follows_the_same_rule_as_problems(header, preferred, expected):
    assert messages.language_of(header, preferred) == expected
