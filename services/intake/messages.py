"""What a person reads on the timeline, in the petitioner's language. Chinese first; English as a
translation. Mongolian (mn-Mong) translations are not written yet and fall back to Chinese.

A timeline entry stores codes (a level, a clock, an outcome ...); they are named here, in the
reader's language, when the entry is read."""
from __future__ import annotations

from shared.http.i18n import header_language

LEVEL_NAMES = {"zh": {"village": "村（嘎查）", "township": "乡镇（苏木）", "banner": "旗县", "league": "盟"},
               "en": {"village": "village", "township": "township", "banner": "banner", "league": "league"}}

NAMES = {
    "level": LEVEL_NAMES, "from_level": LEVEL_NAMES, "to_level": LEVEL_NAMES,
    "method": {"zh": {"phone": "电话", "home_visit": "入户走访", "reception_point": "定点接访", "video": "视频",
                      "wechat": "微信"},
               "en": {"phone": "by phone", "home_visit": "a home visit", "reception_point": "at a reception point",
                      "video": "by video call", "wechat": "on WeChat"}},
    "reply": {"zh": {"accepted": "同意承办", "objected": "认为不属于本部门职责，提出异议"},
              "en": {"accepted": "it takes the matter on", "objected": "it objects that the matter is not its remit"}},
    "mediation_kind": {
        "zh": {"people": "人民调解", "pre_litigation": "诉前调解", "grid": "网格调解", "studio": "品牌调解",
               "volunteer": "志愿服务调解", "open_day": "开放日调解", "three_party": "三方会商"},
        "en": {"people": "people's mediation", "pre_litigation": "pre-litigation mediation",
               "grid": "grid mediation", "studio": "named-studio mediation", "volunteer": "volunteer mediation",
               "open_day": "open-day mediation", "three_party": "three-party consultation"}},
    "procedure": {
        "zh": {"litigation": "诉讼", "procuratorate": "检察机关法律监督", "police": "公安机关办理",
               "arbitration": "仲裁", "administrative_reconsideration": "行政复议",
               "administrative_ruling": "行政裁决", "licensing_or_penalty": "行政许可、行政处罚",
               "party_discipline_appeal": "党员申诉"},
        "en": {"litigation": "litigation", "procuratorate": "a procuratorate procedure",
               "police": "a police procedure", "arbitration": "arbitration",
               "administrative_reconsideration": "administrative reconsideration",
               "administrative_ruling": "an administrative ruling",
               "licensing_or_penalty": "a licensing or penalty procedure",
               "party_discipline_appeal": "a party-member appeal"}},
    "satisfaction": {"zh": {"satisfied": "满意", "basically_satisfied": "基本满意", "dissatisfied": "不满意"},
                     "en": {"satisfied": "satisfied", "basically_satisfied": "basically satisfied",
                            "dissatisfied": "dissatisfied"}},
    "review_kind": {"zh": {"review": "复查", "re_review": "复核"},
                    "en": {"review": "a review", "re_review": "a re-review"}},
    "outcome": {"zh": {"support": "支持", "explain": "解释说明", "not_support": "不支持"},
                "en": {"support": "supported", "explain": "explained", "not_support": "not supported"}},
    "clock": {
        "zh": {"receipt_notice": "告知是否受理的期限（《信访工作条例》第二十二、二十三条）",
               "first_contact": "代办员首次联系的时限", "handling": "办理期限（《信访工作条例》第三十四条）",
               "village_closure": "村级办结目标", "department_objection": "责任部门提出异议的期限（第二十三条）",
               "review_answer": "复查（复核）答复期限（第三十五、三十六条）"},
        "en": {"receipt_notice": "the notice of acceptance (Articles 22 and 23 of the Regulations)",
               "first_contact": "the agent's first contact", "handling": "handling (Article 34)",
               "village_closure": "the village closure target",
               "department_objection": "the department's objection window (Article 23)",
               "review_answer": "the answer to the review (Articles 35 and 36)"}},
}

TEMPLATES = {
    "received": {"zh": "您的信访事项已提交，我们已收到。",
                 "en": "Your petition has been submitted and received."},
    "receipt_notice": {"zh": "依照《信访工作条例》，将在{receipt_notice_due}前告知是否受理，"
                             "受理后最迟于{handling_due}前办结。",
                       "en": "Under the Regulations on Petition Work you will be told by {receipt_notice_due} "
                             "whether it is accepted; handling ends by {handling_due} at the latest."},
    "assigned": {"zh": "{level}代办员{agent_name}已接手您的事项，将尽快与您联系。",
                 "en": "{agent_name}, a {level} agent, has taken on your petition and will contact you soon."},
    "queued": {"zh": "暂无合适的代办员，您的事项正在等待{level}协调员指派代办员。",
               "en": "No agent fits yet: your petition waits for a coordinator to choose an agent ({level} level)."},
    "accepted": {"zh": "代办员已受理您的事项，依照《信访工作条例》第三十四条，将于{handling_due}前办结。",
                 "en": "Your agent has accepted the petition; under Article 34 of the Regulations it is to be "
                       "concluded by {handling_due}."},
    "contacted": {"zh": "代办员已通过{method}与您取得联系。",
                  "en": "Your agent made first contact with you ({method})."},
    "verified": {"zh": "代办员已核实您反映的情况。",
                 "en": "Your agent has verified the facts you reported."},
    "forwarded": {"zh": "您的事项已转交{department}办理。",
                  "en": "Your petition has been forwarded to {department}."},
    "department_replied": {"zh": "{department}已答复：{reply}。",
                           "en": "{department} replied: {reply}."},
    "progress_noted": {"zh": "办理进展：{note}",
                       "en": "Progress: {note}"},
    "mediation_requested": {"zh": "已申请{mediation_kind}，将组织有关各方协商化解。",
                            "en": "A {mediation_kind} has been requested to settle the matter with the parties."},
    "escalated": {"zh": "您的事项在{from_level}未能化解，已提交{to_level}处理。原因：{reason}",
                  "en": "Not settled at {from_level} level, your petition has been passed to {to_level} level. "
                        "Reason: {reason}"},
    "routed_out": {"zh": "经审查，您的诉求应通过{procedure}途径解决（诉访分离），请向{organ}提出；"
                         "本事项不再按信访程序办理，书面告知见办理结果。",
                   "en": "Your claim belongs to a legal procedure ({procedure}) and leaves the petition track; "
                         "please turn to {organ} as the written guidance explains."},
    "extended": {"zh": "办理期限延长{days}日，至{handling_due}。理由：{reason}",
                 "en": "The handling limit was extended by {days} days, to {handling_due}. Reason: {reason}"},
    "closed": {"zh": "您的事项已在{level}办结，处理意见：{outcome}。欢迎对办理结果进行评价。",
               "en": "Your petition was concluded at {level} level. Decision: {outcome}. "
                     "You are welcome to rate the result."},
    "overdue": {"zh": "时限提醒：{clock}已于{due_at}届满。",
                "en": "Time limit passed: {clock} was due {due_at}."},
    "rated": {"zh": "您已对办理结果作出评价：{satisfaction}。感谢您的反馈。",
              "en": "You rated the result: {satisfaction}. Thank you for your feedback."},
    "review_requested": {"zh": "您已申请{review_kind}，事项将由上一级机关重新办理，并在30日内作出书面答复"
                               "（《信访工作条例》第三十五、三十六条）。",
                         "en": "You asked for {review_kind}: the organ one level up takes the matter on again and "
                               "answers in writing within 30 days (Articles 35 and 36 of the Regulations)."},
    "review_closed": {"zh": "复查意见已在{level}作出，处理意见：{outcome}。如不服，可自收到之日起30日内申请复核"
                            "（《信访工作条例》第三十六条）。",
                      "en": "The review was answered at {level} level. Decision: {outcome}. If you disagree you may "
                            "ask for a re-review within 30 days (Article 36 of the Regulations)."},
    "re_review_closed": {"zh": "复核意见已在{level}作出，处理意见：{outcome}。依照《信访工作条例》第三十六条，本事项办理终结；"
                               "对复核意见不服，仍以同一事实和理由提出的，不再受理。",
                         "en": "The re-review was answered at {level} level. Decision: {outcome}. Under Article 36 "
                               "of the Regulations the matter is now final: the same claim on the same facts and "
                               "reasons is not accepted again."},
}


def language_of(accept_language: str | None, preferred: str = "zh") -> str:
    """The reader's language by Accept-Language (the rule problems use), else the petition's own
    (Mongolian reads Chinese until its translations exist)."""
    return header_language(accept_language, preferred if preferred in ("zh", "en") else "zh")


def render(kind: str, params: dict, language: str) -> str:
    template = TEMPLATES.get(kind, {}).get(language) or TEMPLATES.get(kind, {}).get("zh", kind)
    return template.format(**{key: name(key, value, language) for key, value in params.items()})


def name(key: str, code, language: str):
    """The readable name of a code (a level, a clock ...) in ``language``; other values as they are."""
    names = NAMES.get(key)
    if names is None:
        return code
    return names.get(language, names["zh"]).get(code, code)
