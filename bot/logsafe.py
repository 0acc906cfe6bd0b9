"""Logging faults without logging what anyone wrote.

An exception's message can quote the values it was given (a database driver echoing a row, a
ValueError with someone's note in it), so the error boundary logs only the exception's type and where it
was raised, frame by frame: enough to find the bug, nothing a person typed.
"""

from __future__ import annotations

import json
import logging
import traceback
from datetime import UTC, datetime


def describe_exception(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    where = " <- ".join(f"{frame.filename.rsplit('/site-packages/', 1)[-1]}:{frame.lineno} in {frame.name}"
                        for frame in reversed(frames[-8:]))
    cause = exc.__cause__ or exc.__context__
    chained = f" (from {type(cause).__name__})" if cause is not None else ""
    return f"{type(exc).__module__}.{type(exc).__qualname__}{chained} at {where or 'unknown'}"


def no_bodies_logged(*libraries: str) -> None:
    """Platform libraries log request and response bodies at DEBUG: those hold what people write."""
    for name in libraries:
        library_log = logging.getLogger(name)
        library_log.setLevel(max(logging.INFO, library_log.level))


class JsonFormatter(logging.Formatter):
    """One JSON object a line (time, level, logger, message) for log shippers. An attached exception becomes
    its type and place (`describe_exception`), never its message or a traceback's quoted values."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and record.exc_info[1] is not None:
            entry["exception"] = describe_exception(record.exc_info[1])
        return json.dumps(entry, ensure_ascii=False)
