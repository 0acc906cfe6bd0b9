"""What the bot says when someone may be in danger: at once, warmly, with real numbers, no diagnosis.

Whose danger decides the reply: the writer's own (the crisis reply), harm done to the writer by someone
else (the abuse lines first, the emergency number, a few words on staying safe), or someone the writer is
worried about (how to help them). Only the first two pause what the bot starts by itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.content.loader import Texts
from bot.content.schema import Region, ResourcesFile, Service
from bot.messages import Choice, InputKind, Question, Reply, Tone
from bot.safety.screening import About, Level, Verdict

# The crisis reply's own button: not a flow step, so it never answers a check-in by accident.
SOS_SESSION = "sos"
NOT_MEANT_STEP = "ack"
NOT_MEANT = "not_meant"


class Screens(Protocol):
    """What reads a person's words for danger (`Screener`, or a stand-in in tests)."""

    def screen(self, text: str) -> Verdict: ...


def pauses(verdict: Verdict) -> bool:
    """Whether this verdict's reply starts the pause: a clear danger to the writer, not worry about someone else."""
    return verdict.level is Level.CLEAR and verdict.about is not About.SOMEONE_ELSE


def region_for(resources: ResourcesFile, country: str | None) -> tuple[str | None, Region]:
    code = (country or "").upper()
    if code in resources.countries:
        return code, resources.countries[code]
    return None, resources.fallback


def describe_service(service: Service) -> str:
    ways: list[str] = []
    if service.phone and service.text == service.phone and not service.text_keyword:
        ways.append(f"call or text {service.phone}")
    else:
        if service.phone:
            ways.append(f"call {service.phone}")
        if service.text:
            ways.append(f"text {service.text_keyword} to {service.text}" if service.text_keyword
                        else f"text {service.text}")
    if service.chat:
        ways.append(f"chat or look up a line at {service.chat}" if service.hours == "directory"
                    else f"chat at {service.chat}")
    hours = f" ({service.hours})" if service.hours and service.hours != "directory" else ""
    return f"• {service.name} — {', '.join(ways)}{hours}"


def resource_lines(region: Region, *, danger_first: bool = False) -> list[str]:
    services = sorted(region.services, key=lambda s: (s.kind != "abuse") if danger_first else (s.kind != "crisis"))
    lines = [describe_service(service) for service in services]
    return lines


def emergency_line(texts: Texts, region: Region) -> str:
    if region.emergency.number:
        return texts.get("crisis_emergency", number=region.emergency.number)
    return texts.get("crisis_emergency_unknown")


def not_meant_question() -> Question:
    return Question(session_id=SOS_SESSION, step_id=NOT_MEANT_STEP, kind=InputKind.SINGLE,
                    choices=(Choice(NOT_MEANT, "That's not what I meant"),), skippable=False)


def crisis_replies(texts: Texts, resources: ResourcesFile, country: str | None, verdict: Verdict,
                   *, lead_key: str = "", own: Sequence[str] = ()) -> list[Reply]:
    """The reply to text that suggests danger to the writer. The wording may change with context; the
    resources never do. `lead_key` overrides the opening sentence (after the person answered a question);
    `own` is the person's own safety plan (their steps and people), shown before the helplines."""
    code, region = region_for(resources, country)
    if lead_key:
        lead = texts.get(lead_key)
    elif verdict.negated or verdict.past:
        lead = texts.get("crisis_lead_gentle")
    else:
        lead = texts.get("crisis_lead")
    body = "\n".join([lead, *own, texts.get("crisis_not_a_person"), *resource_lines(region),
                      emergency_line(texts, region)])
    return [
        Reply(body, title=texts.get("crisis_title"), tone=Tone.CRISIS, footer=_where(texts, region, code)),
        Reply(texts.get("crisis_grounding"), tone=Tone.CRISIS, question=not_meant_question(),
              footer=texts.get("crisis_still_here")),
    ]


def danger_replies(texts: Texts, resources: ResourcesFile, country: str | None, *,
                   lead_key: str = "danger_lead", own: Sequence[str] = ()) -> list[Reply]:
    """Someone else is hurting or threatening the writer: the abuse and domestic-violence lines first, the
    emergency number, and a few words on staying safe; no suicide script and no boundary tip."""
    code, region = region_for(resources, country)
    body = "\n".join([texts.get(lead_key), *own, texts.get("crisis_not_a_person"),
                      *resource_lines(region, danger_first=True), emergency_line(texts, region)])
    return [
        Reply(body, title=texts.get("danger_title"), tone=Tone.CRISIS, footer=_where(texts, region, code)),
        Reply(texts.get("danger_staying_safe"), tone=Tone.CRISIS, question=not_meant_question(),
              footer=texts.get("crisis_still_here")),
    ]


def someone_else_replies(texts: Texts, resources: ResourcesFile, country: str | None) -> list[Reply]:
    """The writer is worried about someone else: how to support them, that the numbers can be shared, and
    the emergency number if the danger is immediate."""
    code, region = region_for(resources, country)
    body = "\n".join([texts.get("crisis_lead_other"), texts.get("someone_else_how"),
                      texts.get("someone_else_numbers"), *resource_lines(region), emergency_line(texts, region)])
    return [Reply(body, title=texts.get("someone_else_title"), tone=Tone.CRISIS, footer=_where(texts, region, code))]


def safety_replies(texts: Texts, resources: ResourcesFile, country: str | None, verdict: Verdict,
                   own: Sequence[str] = ()) -> list[Reply]:
    """The reply that fits whose danger the words are about; the person's own plan first when it is theirs."""
    if verdict.about is About.SOMEONE_ELSE:
        return someone_else_replies(texts, resources, country)
    if verdict.about is About.HARM_FROM_OTHERS:
        return danger_replies(texts, resources, country, own=own)
    return crisis_replies(texts, resources, country, verdict, own=own)


def _where(texts: Texts, region: Region, code: str | None) -> str:
    return texts.get("crisis_where", where=region.name) if code else texts.get("crisis_where_none")


def sos_replies(texts: Texts, resources: ResourcesFile, country: str | None, own: Sequence[str] = ()) -> list[Reply]:
    """/sos: the person's own plan first (when they have one), then the people they can reach."""
    code, region = region_for(resources, country)
    body = "\n".join([*own, texts.get("sos_lead"), *resource_lines(region), emergency_line(texts, region)])
    footer = texts.get("sos_footer", where=region.name) if code else texts.get("sos_footer_none")
    return [Reply(body, title=texts.get("sos_title"), tone=Tone.CRISIS, footer=footer)]
