"""What a person reads on the timeline, in the petitioner's language. Chinese first; English as a
translation. Mongolian (mn-Mong) translations are not written yet and fall back to Chinese."""
from __future__ import annotations

LEVEL_NAMES = {"zh": {"village": "村（嘎查）", "township": "乡镇（苏木）", "banner": "旗县"},
               "en": {"village": "village", "township": "township", "banner": "banner"}}

TEMPLATES = {
    "received": {"zh": "您的信访事项已提交，我们已收到。",
                 "en": "Your petition has been submitted and received."},
    "receipt_notice": {"zh": "依照《信访工作条例》，将在{receipt_notice_due}前告知是否受理，"
                             "受理后最迟于{handling_due}前办结。",
                       "en": "Under the Regulations on Petition Work you will be told by {receipt_notice_due} "
                             "whether it is accepted; handling ends by {handling_due} at the latest."},
    "assigned": {"zh": "{level}代办员{agent_name}已接手您的事项，将尽快与您联系。",
                 "en": "{agent_name}, a {level} agent, has taken on your petition and will contact you soon."},
}


def language_of(accept_language: str | None, preferred: str = "zh") -> str:
    if accept_language:
        first = accept_language.split(",")[0].strip().lower()
        if first.startswith("en"):
            return "en"
        if first.startswith("zh") or first.startswith("mn"):
            return "zh"
    return preferred if preferred in ("zh", "en") else "zh"


def render(kind: str, params: dict, language: str) -> str:
    template = TEMPLATES.get(kind, {}).get(language) or TEMPLATES.get(kind, {}).get("zh", kind)
    values = dict(params)
    if "level" in values:
        values["level"] = LEVEL_NAMES.get(language, LEVEL_NAMES["zh"]).get(values["level"], values["level"])
    return template.format(**values)
