"""The wording of insights lives in content/locales/en.yaml with everything else the bot says; a locale
without them fails validation, like one without any other text the code reads. Tone: observations about
the person's own answers, warm and plain — never advice, a diagnosis, a streak to protect or anything they
'missed'.

Callers that have the loaded content pass its texts; `default_texts()` reads the project's English file for
those that don't (tests, benchmarks, the start-up warm-up of the chart code).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from types import MappingProxyType

import yaml

from bot.config import PROJECT_CONTENT


@functools.cache
def default_texts() -> Mapping[str, str]:
    """The project's English texts (content/locales/en.yaml), read once."""
    data = yaml.safe_load((PROJECT_CONTENT / "locales" / "en.yaml").read_text(encoding="utf-8"))
    return MappingProxyType({str(key): str(value) for key, value in data["texts"].items()})
