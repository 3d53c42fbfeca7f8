"""Which notifications an event causes, and what they say. Pure Python.

Params keep codes (a level, an outcome, a clock ...); they are named in the reader's language when
the notification is read."""
from __future__ import annotations

from dataclasses import dataclass

TEMPLATES = {
    "agent_assigned_to_you": {
        "zh": "您的信访事项已由代办员{agent_name}接手，将在{first_contact_due}前与您联系。",
        "en": "Agent {agent_name} has taken on your petition and will contact you by {first_contact_due}."},
    "new_case_for_agent": {
        "zh": "您有一件新的代办事项，请在{first_contact_due}前联系信访人。",
        "en": "You have a new petition to handle; contact the petitioner by {first_contact_due}."},
    "petition_queued": {
        "zh": "您的信访事项正在等待{level}协调员指派代办员。",
        "en": "Your petition is waiting for a coordinator to choose an agent ({level} level)."},
    "petition_forwarded": {
        "zh": "您的信访事项已转交{department}办理。",
        "en": "Your petition has been forwarded to {department}."},
    "petition_escalated": {
        "zh": "您的信访事项已提交{to_level}处理。原因：{reason}",
        "en": "Your petition has been passed to {to_level} level. Reason: {reason}"},
    "petition_routed_out": {
        "zh": "您的诉求应通过{procedure}途径解决，请向{organ}提出，详见书面告知。",
        "en": "Your claim belongs to a legal procedure ({procedure}); please turn to {organ} as the written "
              "guidance explains."},
    "petition_closed_feedback": {
        "zh": "您的信访事项已在{level}办结，处理意见：{outcome}。请对办理结果进行评价，您的反馈将帮助我们改进工作。",
        "en": "Your petition was concluded at {level} level (decision: {outcome}). Please rate the result: "
              "your feedback helps us improve."},
    "clock_due_soon": {
        "zh": "提醒：您代办的事项{clock}将于{due_at}届满，请抓紧办理。",
        "en": "Reminder: the limit for {clock} on a petition you hold runs out at {due_at}."},
    "clock_overdue": {
        "zh": "您代办的事项{clock}已于{due_at}届满，请尽快处理。",
        "en": "Overdue: the limit for {clock} on a petition you hold ran out at {due_at}; please act on it now."},
}

_LEVELS = {"zh": {"village": "村（嘎查）", "township": "乡镇（苏木）", "banner": "旗县"},
           "en": {"village": "village", "township": "township", "banner": "banner"}}
NAMES = {
    "level": _LEVELS, "to_level": _LEVELS,
    "outcome": {"zh": {"support": "支持", "explain": "解释说明", "not_support": "不支持"},
                "en": {"support": "supported", "explain": "explained", "not_support": "not supported"}},
    "procedure": {
        "zh": {"litigation": "诉讼", "procuratorate": "检察机关法律监督", "police": "公安机关办理", "arbitration": "仲裁",
               "administrative_reconsideration": "行政复议", "administrative_ruling": "行政裁决",
               "licensing_or_penalty": "行政许可、行政处罚", "party_discipline_appeal": "党员申诉"},
        "en": {"litigation": "litigation", "procuratorate": "procuratorate", "police": "police",
               "arbitration": "arbitration", "administrative_reconsideration": "administrative reconsideration",
               "administrative_ruling": "administrative ruling", "licensing_or_penalty": "licensing or penalty",
               "party_discipline_appeal": "party-member appeal"}},
    "clock": {
        "zh": {"receipt_notice": "告知是否受理的期限", "first_contact": "首次联系时限", "handling": "办理期限",
               "village_closure": "村级办结目标", "department_objection": "责任部门异议期",
               "review_answer": "复查（复核）答复期限"},
        "en": {"receipt_notice": "the notice of acceptance", "first_contact": "first contact",
               "handling": "handling", "village_closure": "the village closure target",
               "department_objection": "the department's objection", "review_answer": "the review answer"}},
}


@dataclass(frozen=True)
class Notice:
    recipient_ref: str
    audience: str
    template: str
    params: dict


def on_petition_assigned(data: dict, agent_ref: str, due_text: str) -> list[Notice]:
    params = {"agent_name": data["agent"]["name"], "first_contact_due": due_text}
    return [Notice(data["petitioner_ref"], "petitioner", "agent_assigned_to_you", params),
            Notice(agent_ref, "agent", "new_case_for_agent", params)]


def _pick(data: dict, *keys: str) -> dict:
    return {key: data[key] for key in keys}


PETITIONER_NOTICES = {
    "assignment.queued": ("petition_queued", lambda d: _pick(d, "level")),
    "petition.forwarded": ("petition_forwarded", lambda d: {"department": d["department"]["name"]}),
    "assignment.escalated": ("petition_escalated", lambda d: _pick(d, "to_level", "reason")),
    "petition.routed_out": ("petition_routed_out", lambda d: _pick(d, "procedure", "organ")),
    "petition.closed": ("petition_closed_feedback", lambda d: _pick(d, "level", "outcome")),
}

AGENT_CLOCK_NOTICES = {"assignment.due_soon": "clock_due_soon", "assignment.overdue": "clock_overdue"}


def to_petitioner(event_type: str, data: dict, petitioner_ref: str) -> Notice:
    template, params = PETITIONER_NOTICES[event_type]
    return Notice(petitioner_ref, "petitioner", template, params(data))


def to_holding_agent(event_type: str, data: dict, agent_ref: str, due_text: str) -> Notice:
    return Notice(agent_ref, "agent", AGENT_CLOCK_NOTICES[event_type], {"clock": data["clock"], "due_at": due_text})


def render(template: str, params: dict, language: str) -> str:
    texts = TEMPLATES[template]
    return (texts.get(language) or texts["zh"]).format(**{k: name(k, v, language) for k, v in params.items()})


def name(key: str, code, language: str):
    names = NAMES.get(key)
    if names is None:
        return code
    return names.get(language, names["zh"]).get(code, code)
