"""Flows the bot itself needs (settings, the erase confirmation), built from content at start.

They run on the same engine as check-ins, so their buttons survive restarts and stale clicks are caught
the same way; they are not listed in /help and leave no check-in behind.
"""

from __future__ import annotations

from bot.content.loader import Content
from bot.content.schema import Flow

SETTINGS, FORGET = "settings", "forget"
SOMEWHERE_ELSE = "xx"
KEEP_NOTES, NUMBERS_ONLY = "keep", "numbers"
SHOW_STREAKS, HIDE_STREAKS = "show", "hide"
ERASE, KEEP = "erase", "keep"
ERASE_WORDS, KEEP_WORDS = "erase", "keep"
CONFIRM_NUMBERS = "erase_words"  # asked only when "numbers only" would erase words already kept


def system_flows(content: Content) -> dict[str, Flow]:
    texts = content.texts
    countries = sorted(content.resources.countries.items(), key=lambda item: item[1].name)
    settings = Flow.model_validate({
        "id": SETTINGS, "name": SETTINGS, "title": "Your settings",
        "description": "country for support numbers, whether notes are kept, and weeks in a row in /history",
        "steps": [
            {"id": "country", "prompt": texts.get("settings_country_prompt"), "input": "single",
             "options": [{"value": code.lower(), "label": region.name} for code, region in countries]
             + [{"value": SOMEWHERE_ELSE, "label": "Somewhere else"}]},
            {"id": "notes", "prompt": texts.get("settings_notes_prompt"), "input": "single",
             "options": [{"value": KEEP_NOTES, "label": "Keep my notes, encrypted"},
                         {"value": NUMBERS_ONLY, "label": "Numbers only"}],
             "next": [{"when": {"step": "notes", "any_of": [NUMBERS_ONLY]}, "goto": CONFIRM_NUMBERS},
                      {"goto": "streaks"}]},
            # Numbers only erases the words kept so far: ask first, and point at /export before.
            {"id": CONFIRM_NUMBERS, "prompt": texts.get("settings_erase_words_prompt"), "input": "single",
             "skippable": False,
             "options": [{"value": ERASE_WORDS, "label": texts.get("settings_erase_words_yes")},
                         {"value": KEEP_WORDS, "label": texts.get("settings_erase_words_no")}]},
            # Streaks are opt-in: off until the person picks them here, and skipping keeps what they had.
            {"id": "streaks", "prompt": texts.get("settings_streaks_prompt"), "input": "single",
             "options": [{"value": SHOW_STREAKS, "label": texts.get("settings_streaks_show")},
                         {"value": HIDE_STREAKS, "label": texts.get("settings_streaks_hide")}]},
        ],
        "outcome": {"kind": "settings"},
    })
    forget = Flow.model_validate({
        "id": FORGET, "name": FORGET, "title": "Erase everything",
        "description": "erase everything the bot keeps about you",
        "steps": [
            {"id": "confirm", "prompt": texts.get("forget_prompt"), "input": "single", "skippable": False,
             "options": [{"value": ERASE, "label": "Yes, erase everything"},
                         {"value": KEEP, "label": "No, keep my data"}]},
        ],
        "outcome": {"kind": "forget"},
    })
    flows = {SETTINGS: settings, FORGET: forget}
    clash = set(flows) & set(content.flows)
    if clash:
        raise ValueError(f"content flows may not use the reserved ids {sorted(clash)}")
    return flows
