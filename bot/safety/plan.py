"""The personal safety plan (/plan): what a person prepares while calm, shown first when things get hard.

Six parts and "what matters to me", each a short list the person writes, each skippable. Building it runs on
the flow engine (a system flow from content/safety/plan.yaml), so its text boxes, Skip buttons and stale
clicks behave like a check-in's; each part is saved the moment it is answered. The bot never contacts anyone
on the plan and never shows it to anyone but its owner.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.content.schema import Flow, PlanFile, PlanPart, ResourcesFile
from bot.messages import Choice, InputKind, Question, Reply, Tone
from bot.safety.responder import describe_service, region_for
from bot.storage.repository import PlanRecord, Repository
from bot.text import fold

PLAN = "plan"  # the command, the system flow's id, and the token namespace of its edit buttons
KEEP_STEP = "keep"
KEEP_FOREVER, KEEP_RETENTION = "forever", "retention"
EDITING = "_edit"  # in a session's answers: only this one part is being changed
EDIT_STEP = "edit"
DELETE_STEP = "delete"  # the token step of "Yes, delete" / "Keep it" after /plan delete
DELETE_YES, DELETE_KEEP = "yes", "keep"
PART_MAX_LENGTH = 1000
OFFER_EVERY = timedelta(days=7)
KEEP_WORDS = frozenset({"keep", "keep these", "keep them", "ok", "okay", "yes", "fine", "these"})
SHOWN_IN_CRISIS = ("coping", "people", "reasons")  # the person's own steps and people, before the helplines
_SEPARATORS = re.compile(r"\s*[;\n]\s*")


def split_items(text: str) -> list[str]:
    """A part as typed ("a walk; my sister, 555 0142") becomes its items; empty pieces are dropped."""
    return [item.strip(" •-\t") for item in _SEPARATORS.split(text) if item.strip(" •-\t")]


def plan_flow(plan: PlanFile, retention_days: int) -> Flow:
    """The system flow that builds a plan: one free-text step per part, then whether to keep it past retention."""
    texts = plan.texts
    steps: list[dict[str, object]] = []
    for part in plan.parts:
        # The examples are offered as choices to pick (Question.examples), not as text.
        help_text = "" if part.prefilled else plan.how_to_answer
        steps.append({"id": part.id, "prompt": part.prompt, "help": help_text[:300], "input": "text",
                      "max_length": PART_MAX_LENGTH, "placeholder": part.placeholder})
    steps.append({"id": KEEP_STEP, "prompt": texts["keep_prompt"].format(days=retention_days), "input": "single",
                  "options": [{"value": KEEP_FOREVER, "label": texts["keep_forever"]},
                              {"value": KEEP_RETENTION, "label": texts["keep_retention"].format(days=retention_days)}]})
    return Flow.model_validate({
        "id": PLAN, "name": PLAN, "title": plan.title, "description": "your own safety plan", "intro": plan.intro,
        "steps": steps, "outcome": {"kind": "plan"},
    })


@dataclass(frozen=True)
class SafetyPlans:
    """/plan and the plan's place in /sos and the crisis reply. Pure wording here; storage through the repository."""

    plan: PlanFile
    repository: Repository
    resources: ResourcesFile
    retention_days: int

    def text(self, key: str, **fields: object) -> str:
        value = self.plan.texts[key]
        return value.format(**fields) if fields else value

    def part(self, part_id: str) -> PlanPart | None:
        return next((part for part in self.plan.parts if part.id == part_id), None)

    def find_part(self, word: str) -> PlanPart | None:
        """A part named by its id, its number (1–7) or the start of its title ("/plan edit people")."""
        key = fold(word).strip()
        if key.isdigit() and 1 <= int(key) <= len(self.plan.parts):
            return self.plan.parts[int(key) - 1]
        return next((part for part in self.plan.parts if key and (key == part.id or fold(part.title).startswith(key))),
                    None)

    def prefill(self, country: str | None) -> list[str]:
        """Part 5 as first offered: the services of the person's country, as they appear in /sos."""
        _, region = region_for(self.resources, country)
        return [describe_service(service).removeprefix("• ") for service in region.services]

    def prompt_for(self, part_id: str, prompt: str, country: str | None) -> str:
        part = self.part(part_id)
        if part is None or not part.prefilled:
            return prompt
        services = self.prefill(country)
        if not services:
            return f"{prompt}\n{self.text('prefilled_none')}"
        return f"{prompt}\n{self.text('prefilled', services=chr(10).join(f'• {line}' for line in services))}"

    def items_for(self, part_id: str, answer: str | None, country: str | None) -> list[str]:
        """What an answered part holds: nothing when skipped, the pre-fill when kept, else their own items, where
        a plain number picks that example ("1;3;walk the dog"); each item once."""
        if answer is None:
            return []
        part = self.part(part_id)
        if part is not None and part.prefilled and fold(answer).strip(" .!") in KEEP_WORDS:
            return self.prefill(country)
        examples = part.examples if part is not None else []
        items: dict[str, str] = {}
        for item in split_items(answer):
            if item.isascii() and item.isdigit() and 1 <= int(item) <= len(examples):
                item = examples[int(item) - 1]
            items.setdefault(fold(item), item)
        return list(items.values())

    def examples(self, part_id: str) -> tuple[str, ...]:
        part = self.part(part_id)
        return tuple(part.examples) if part is not None else ()

    def asked(self, part_id: str, reply: Reply, country: str | None) -> Reply:
        """A part's question as the person sees it: its examples to pick from, part 5 with their services."""
        text = self.prompt_for(part_id, reply.text, country)
        question = reply.question
        if question is not None and question.kind is InputKind.TEXT:
            question = replace(question, examples=self.examples(part_id))
        return replace(reply, text=text, question=question)

    async def save_part(self, identity_id: int, part_id: str, answer: str | None, country: str | None) -> None:
        await self.repository.save_plan_part(identity_id, part_id, self.items_for(part_id, answer, country))

    async def own_lines(self, identity_id: int) -> list[str]:
        """The plan's lines for /sos and the crisis reply: their coping steps, their people, what matters to them
        ([] without a plan, or with those parts empty)."""
        record = await self.repository.plan(identity_id)
        if record is None:
            return []
        keys = {"coping": "sos_coping", "people": "sos_people", "reasons": "sos_reasons"}
        lines = [self.text(keys[part], items="; ".join(record.parts[part]))
                 for part in SHOWN_IN_CRISIS if record.parts.get(part)]
        return [self.text("sos_lead"), *lines] if lines else []

    def view(self, record: PlanRecord) -> list[Reply]:
        lines: list[str] = []
        for index, part in enumerate(self.plan.parts, start=1):
            items = record.parts.get(part.id) or []
            lines.append(f"{index}. {part.title}")
            lines.extend(f"   • {item}" for item in items) if items else lines.append(
                f"   {self.text('view_empty_part')}")
        keep = self.text("saved_keep") if record.keep else self.text("saved_retention", days=self.retention_days)
        return [Reply("\n".join(lines), title=self.text("view_title"), tone=Tone.INFO,
                      footer=f"{keep}\n{self.text('view_footer')}"),
                Reply(self.text("edit_lead"), tone=Tone.INFO, question=self.edit_question())]

    def edit_question(self) -> Question:
        """One button per part; where there are no buttons, "/plan edit <part>" does the same."""
        return Question(session_id=PLAN, step_id=EDIT_STEP, kind=InputKind.SINGLE, skippable=False,
                        choices=tuple(Choice(part.id, part.title[:80]) for part in self.plan.parts),
                        command="plan edit")

    def printable(self, record: PlanRecord, now: datetime) -> bytes:
        """The plain-text version in /export: to print, or keep on a phone."""
        out = [self.plan.title.upper(), f"({now.date().isoformat()})", ""]
        for index, part in enumerate(self.plan.parts, start=1):
            out.append(f"{index}. {part.title}")
            items = record.parts.get(part.id) or []
            out.extend(f"   - {item}" for item in items) if items else out.append("   -")
            out.append("")
        return "\n".join(out).encode("utf-8")

    def confirm_delete(self) -> Reply:
        """/plan delete asks first; where there are no buttons, "/plan delete yes" does the same."""
        question = Question(session_id=PLAN, step_id=DELETE_STEP, kind=InputKind.SINGLE, skippable=False,
                            choices=(Choice(DELETE_YES, self.text("delete_yes")),
                                     Choice(DELETE_KEEP, self.text("delete_keep"))),
                            command="plan delete")
        return Reply(self.text("delete_confirm"), tone=Tone.NOTICE, question=question)

    def offer(self) -> Reply:
        return Reply(self.text("offer"), tone=Tone.INFO)

    @staticmethod
    def has_content(record: PlanRecord | None) -> bool:
        return record is not None and any(record.parts.values())

    def unknown_part(self) -> Reply:
        return Reply(self.text("edit_unknown", parts=", ".join(part.id for part in self.plan.parts)),
                     tone=Tone.NOTICE)

    def saved(self, keep: bool | None, editing: str) -> Reply:
        if editing:
            part = self.part(editing)
            return Reply(self.text("part_saved", title=part.title if part else editing), tone=Tone.INFO)
        lines = [self.text("saved")]
        if keep is not None:
            lines.append(self.text("saved_keep") if keep else self.text("saved_retention", days=self.retention_days))
        return Reply(" ".join(lines), tone=Tone.INFO)

