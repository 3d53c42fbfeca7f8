"""Which notifications an event causes, and what they say. Pure Python."""
from __future__ import annotations

from dataclasses import dataclass

TEMPLATES = {
    "agent_assigned_to_you": {
        "zh": "您的信访事项已由代办员{agent_name}接手，将在{first_contact_due}前与您联系。",
        "en": "Agent {agent_name} has taken on your petition and will contact you by {first_contact_due}."},
    "new_case_for_agent": {
        "zh": "您有一件新的代办事项，请在{first_contact_due}前联系信访人。",
        "en": "You have a new petition to handle; contact the petitioner by {first_contact_due}."},
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


def render(template: str, params: dict, language: str) -> str:
    texts = TEMPLATES[template]
    return (texts.get(language) or texts["zh"]).format(**params)
