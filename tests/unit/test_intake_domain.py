"""The petition's statutory dates, number and fingerprint, and how its timeline reads."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from services.intake import domain, messages

ZONE = "Asia/Shanghai"


def test_the_receipt_notice_is_due_15_days_after_receipt_and_handling_60_days_after_that():
    dates = domain.statutory_dates(datetime(2025, 3, 10, 4, 0, tzinfo=timezone.utc), ZONE)
    assert dates.receipt_notice_due == date(2025, 3, 25)
    assert dates.handling_due == date(2025, 5, 24)
    assert dates.handling_due - dates.receipt_notice_due == timedelta(days=domain.HANDLING_DAYS)


def test_the_clock_counts_from_the_local_day_just_after_utc_midnight_in_shanghai():
    # 15:59 UTC is 23:59 in Shanghai, still 28 February; 16:00 UTC is already 1 March there
    before = domain.statutory_dates(datetime(2025, 2, 28, 15, 59, tzinfo=timezone.utc), ZONE)
    after = domain.statutory_dates(datetime(2025, 2, 28, 16, 0, tzinfo=timezone.utc), ZONE)
    assert before.receipt_notice_due == date(2025, 3, 15)
    assert after.receipt_notice_due == date(2025, 3, 16)


def test_the_same_instant_gives_the_same_dates_whatever_offset_it_is_written_in():
    utc = datetime(2025, 2, 28, 16, 30, tzinfo=timezone.utc)
    local = utc.astimezone(timezone(timedelta(hours=8)))
    assert domain.statutory_dates(utc, ZONE) == domain.statutory_dates(local, ZONE)


def test_a_petition_number_is_banner_local_day_and_five_digit_serial():
    number = domain.petition_number("152531", datetime(2025, 2, 28, 16, 5, tzinfo=timezone.utc), ZONE, 7)
    assert number == "152531-20250301-00007"
    assert re.fullmatch(r"\d{6}-\d{8}-\d{5}", number)


def test_the_local_day_changes_at_local_midnight_not_utc_midnight():
    assert domain.local_day(datetime(2025, 2, 28, 15, 59, tzinfo=timezone.utc), ZONE) == "20250228"
    assert domain.local_day(datetime(2025, 2, 28, 16, 0, tzinfo=timezone.utc), ZONE) == "20250301"


def test_the_fingerprint_is_stable_and_ignores_key_order():
    body = {"title": "草场纠纷", "division": "152531100901", "category": "complaint"}
    reordered = dict(reversed(list(body.items())))
    assert domain.fingerprint(body) == domain.fingerprint(reordered) == domain.fingerprint(dict(body))
    assert re.fullmatch(r"[0-9a-f]{64}", domain.fingerprint(body))


def test_a_different_body_has_a_different_fingerprint():
    body = {"title": "草场纠纷", "category": "complaint"}
    assert domain.fingerprint(body) != domain.fingerprint({**body, "category": "suggestion"})
    assert domain.fingerprint(body) != domain.fingerprint({**body, "extra": None})


def test_petition_ids_are_unique_and_prefixed():
    ids = {domain.new_petition_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(re.fullmatch(r"pet-[0-9a-f]{32}", i) for i in ids)


def test_a_received_petition_starts_its_timeline_with_receipt_and_the_statutory_notice():
    at = datetime(2025, 3, 10, 4, 0, tzinfo=timezone.utc)
    dates = domain.statutory_dates(at, ZONE)
    received, notice = domain.received_entries(at, dates)
    assert received == {"kind": "received", "at": at, "params": {}}
    assert notice["kind"] == "receipt_notice"
    assert notice["params"] == {"receipt_notice_due": "2025-03-25", "handling_due": "2025-05-24"}


def test_an_assignment_entry_names_the_agent_and_level():
    at = datetime(2025, 3, 10, tzinfo=timezone.utc)
    entry = domain.assigned_entry(at, {"id": "agt-1", "name": "巴特尔", "division": "152531100901"}, "village")
    assert entry == {"kind": "assigned", "at": at, "params": {"agent_name": "巴特尔", "level": "village"}}


def test_timeline_messages_read_in_chinese_and_english():
    params = {"receipt_notice_due": "2025-03-25", "handling_due": "2025-05-24"}
    assert messages.render("received", {}, "zh") == "您的信访事项已提交，我们已收到。"
    zh = messages.render("receipt_notice", params, "zh")
    en = messages.render("receipt_notice", params, "en")
    assert "2025-03-25" in zh and "2025-05-24" in zh and "信访工作条例" in zh
    assert "2025-03-25" in en and "2025-05-24" in en and "Regulations on Petition Work" in en


def test_the_level_is_named_in_the_readers_language():
    params = {"agent_name": "巴特尔", "level": "township"}
    assert messages.render("assigned", params, "zh") == "乡镇（苏木）代办员巴特尔已接手您的事项，将尽快与您联系。"
    assert messages.render("assigned", params, "en").startswith("巴特尔, a township agent,")


def test_mongolian_readers_get_chinese_until_translations_exist():
    assert messages.render("received", {}, "mn") == messages.render("received", {}, "zh")
    params = {"agent_name": "巴特尔", "level": "village"}
    assert messages.render("assigned", params, "mn") == messages.render("assigned", params, "zh")


def test_the_language_follows_the_first_accept_language_and_falls_back_to_the_petition():
    assert messages.language_of("en-GB,en;q=0.9,zh;q=0.5") == "en"
    assert messages.language_of("zh-CN,en;q=0.5", "en") == "zh"
    assert messages.language_of("mn-Mong", "en") == "zh"
    assert messages.language_of("fr-FR", "en") == "en"
    assert messages.language_of(None, "en") == "en"
    assert messages.language_of(None) == "zh"
    assert messages.language_of("", "mn") == "zh"
