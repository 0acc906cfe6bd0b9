"""What a failed Slack Web API call means: wait (and how long), try again later, or give up on the person."""

from __future__ import annotations

import aiohttp
from slack_sdk.errors import SlackApiError

from bot.patience import rate_limited
from bot.ports import DeliveryError, TemporaryFailure, Unreachable

# Errors after which a person cannot be reached until something changes (the app removed, the account gone).
UNREACHABLE_ERRORS = frozenset({
    "user_not_found", "user_not_visible", "cannot_dm_bot", "channel_not_found", "is_archived", "account_inactive",
    "user_disabled", "messages_tab_disabled", "not_in_channel", "token_revoked", "token_expired", "invalid_auth",
    "not_authed", "team_not_found", "team_access_not_granted", "access_denied", "no_installation",
    "restricted_action", "ekm_access_denied",
})
TEMPORARY_ERRORS = frozenset({"internal_error", "fatal_error", "service_unavailable", "request_timeout"})


def delivery_error(exc: BaseException) -> DeliveryError | None:
    """What a failed Web API call means for the core's delivery: wait, try again later, or give up."""
    if isinstance(exc, DeliveryError):
        return exc
    if isinstance(exc, SlackApiError):
        status = exc.response.status_code
        error = str(exc.response.get("error") or "")
        if status == 429 or error == "ratelimited":
            return rate_limited(exc.response.headers.get("Retry-After") or exc.response.headers.get("retry-after"))
        if error in UNREACHABLE_ERRORS:
            return Unreachable(error)
        if status >= 500 or error in TEMPORARY_ERRORS:
            return TemporaryFailure(f"slack answered {status} {error}".strip())
        return None
    if isinstance(exc, (TimeoutError, aiohttp.ClientError, OSError)):
        return TemporaryFailure(type(exc).__name__)
    return None
