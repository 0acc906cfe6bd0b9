"""What the bot says when someone may be in danger: at once, warmly, with real numbers, no diagnosis."""

from __future__ import annotations

from bot.content.loader import Texts
from bot.content.schema import Region, ResourcesFile, Service
from bot.messages import Choice, InputKind, Question, Reply, Tone
from bot.safety.screening import Verdict

# The crisis reply's own button: not a flow step, so it never answers a check-in by accident.
SOS_SESSION = "sos"
NOT_MEANT_STEP = "ack"
NOT_MEANT = "not_meant"


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


def crisis_replies(texts: Texts, resources: ResourcesFile, country: str | None, verdict: Verdict) -> list[Reply]:
    """The reply to text that suggests danger. The wording may change with context; the resources never do."""
    code, region = region_for(resources, country)
    if verdict.other_person:
        lead = texts.get("crisis_lead_other")
    elif verdict.negated or verdict.past:
        lead = texts.get("crisis_lead_gentle")
    else:
        lead = texts.get("crisis_lead")
    danger = any(match.category == "danger" for match in verdict.matches)
    body = "\n".join([lead, texts.get("crisis_not_a_person"), *resource_lines(region, danger_first=danger),
                      emergency_line(texts, region)])
    footer = texts.get("crisis_where", where=region.name) if code else texts.get("crisis_where_none")
    return [
        Reply(body, title=texts.get("crisis_title"), tone=Tone.CRISIS, footer=footer),
        Reply(texts.get("crisis_grounding"), tone=Tone.CRISIS, question=not_meant_question(),
              footer=texts.get("crisis_still_here")),
    ]


def sos_replies(texts: Texts, resources: ResourcesFile, country: str | None) -> list[Reply]:
    code, region = region_for(resources, country)
    body = "\n".join([texts.get("sos_lead"), *resource_lines(region), emergency_line(texts, region)])
    footer = texts.get("sos_footer", where=region.name) if code else texts.get("sos_footer_none")
    return [Reply(body, title=texts.get("sos_title"), tone=Tone.CRISIS, footer=footer)]
