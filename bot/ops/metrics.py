"""What the bot is doing, in Prometheus terms, with nothing that names anyone.

Every label value comes from a short fixed vocabulary (a platform name, a skip reason code, a response class);
the platform names are the registry's, given at start-up (`Metrics(platforms)`), so the core names none;
no label ever carries a user, channel or workspace id, and nothing a person wrote is ever observed. One
registry per app, not prometheus_client's global one, so two apps (or two tests) never share counts.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from bot.messages import Reply, Tone

# Prompts can be minutes late by design (quiet hours lift, retries back off): buckets reach two hours.
LAG_BUCKETS = (0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1200, 3600, 7200)
FAST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
RESPONSE_CLASSES = ("2xx", "4xx", "429", "5xx", "timeout")


class Metrics:
    def __init__(self, platforms: Sequence[str] = (), *, monotonic: Callable[[], float] = time.monotonic) -> None:
        """`platforms`: every platform's name (adapters/__init__.py), each present at zero from the start."""
        self._monotonic = monotonic
        self._last_progress: float | None = None
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.claimed = Counter("boundary_prompts_claimed", "Due prompts claimed into the outbox.", registry=r)
        self.sent = Counter("boundary_prompts_sent", "Prompts the platform accepted.", ["platform"], registry=r)
        self.retried = Counter("boundary_prompts_retried", "Sends put back for a later try.", ["platform", "reason"],
                               registry=r)
        self.skipped = Counter("boundary_prompts_skipped", "Prompts not sent, by reason (quiet-hours, paused, late, "
                               "crisis-pause, ...).", ["reason"], registry=r)
        self.failed = Counter("boundary_prompts_failed", "Prompts given up after every retry.", ["platform"],
                              registry=r)
        self.unreachable = Counter("boundary_prompts_unreachable", "Prompts to people whose DMs are closed.",
                                   ["platform"], registry=r)
        self.dispatch_lag = Histogram("boundary_dispatch_lag_seconds", "From a prompt's due time to the platform "
                                      "accepting it.", ["platform"], buckets=LAG_BUCKETS, registry=r)
        self.claim_duration = Histogram("boundary_claim_duration_seconds", "One claim of due schedules.",
                                        buckets=FAST_BUCKETS, registry=r)
        self.outbox_depth = Gauge("boundary_outbox_depth", "Deliveries waiting to be sent (pending or sending).",
                                  registry=r)
        self.oldest_due = Gauge("boundary_outbox_oldest_due_age_seconds", "How long the oldest waiting delivery "
                                "has been due (0 when none is).", registry=r)
        self.responses = Counter("boundary_platform_responses", "Platform answers to prompt sends, by class.",
                                 ["platform", "class"], registry=r)
        self.http_responses = Counter("boundary_platform_http_responses", "Every HTTP answer of the platform's API "
                                      "to this process, its library's own retries included.",
                                      ["platform", "class"], registry=r)
        self.ack_latency = Histogram("boundary_ack_seconds", "From a request's or event's arrival to its "
                                     "acknowledgement, on platforms that wait for one.", ["platform"],
                                     buckets=FAST_BUCKETS, registry=r)
        self.loop_lag = Histogram("boundary_event_loop_lag_seconds", "How late the event loop woke a timer.",
                                  buckets=FAST_BUCKETS, registry=r)
        self.crisis_replies = Counter("boundary_crisis_replies", "Crisis replies shown (a plain count).", registry=r)
        self.sos_uses = Counter("boundary_sos_uses", "/sos asked for (a plain count).", registry=r)
        self.checkins_completed = Counter("boundary_checkins_completed", "Check-ins finished.", registry=r)
        self.dispatch_ticks = Counter("boundary_dispatch_ticks", "Dispatcher rounds started.", registry=r)
        self.last_dispatch = Gauge("boundary_dispatch_last_tick_timestamp_seconds", "When the dispatcher last "
                                   "made progress (Unix time).", registry=r)
        for platform in platforms:  # present at zero from the start, so alerts and rates have a series to read
            for cls in RESPONSE_CLASSES:
                self.responses.labels(platform, cls)
                self.http_responses.labels(platform, cls)
            for labelled in (self.sent, self.failed, self.unreachable, self.dispatch_lag):
                labelled.labels(platform)

    # ------------------------------------------------------------ delivery (called by the dispatcher)

    def heartbeat(self) -> None:
        """The dispatcher made progress (a claim, a finished send): readiness wants one every few intervals."""
        self._last_progress = self._monotonic()
        self.last_dispatch.set(time.time())

    def quiet_for(self) -> float | None:
        """Seconds since the dispatcher last made progress; None before its first round."""
        return None if self._last_progress is None else self._monotonic() - self._last_progress

    def claim(self, count: int, seconds: float) -> None:
        self.claimed.inc(count)
        self.claim_duration.observe(seconds)
        self.dispatch_ticks.inc()

    def delivered(self, platform: str, lag_seconds: float) -> None:
        self.sent.labels(platform).inc()
        self.responses.labels(platform, "2xx").inc()
        self.dispatch_lag.labels(platform).observe(max(0.0, lag_seconds))

    def skip(self, reason: str) -> None:
        self.skipped.labels(reason).inc()

    def retry(self, platform: str, reason: str) -> None:
        self.retried.labels(platform, reason).inc()

    def response(self, platform: str, cls: str) -> None:
        self.responses.labels(platform, cls).inc()

    def http_observer(self, platform: str) -> Callable[[str], None]:
        """For an adapter's HTTP client: called with each answer's class (`response_class`)."""

        def observe(cls: str) -> None:
            self.http_responses.labels(platform, cls).inc()

        return observe

    def ack_observer(self, platform: str) -> Callable[[float], None]:
        """For an adapter that acknowledges what arrives: called with the seconds from arrival to the ack."""
        return self.ack_latency.labels(platform).observe

    def give_up(self, platform: str) -> None:
        self.failed.labels(platform).inc()

    def mark_unreachable(self, platform: str) -> None:
        self.unreachable.labels(platform).inc()
        self.responses.labels(platform, "4xx").inc()

    # ------------------------------------------------------------ conversation (called by the service)

    def outcome(self, sos: bool, replies: Sequence[Reply]) -> None:
        """Counts /sos and crisis replies from what was answered, never from what was written."""
        if sos:
            self.sos_uses.inc()
        elif any(reply.tone is Tone.CRISIS for reply in replies):
            self.crisis_replies.inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def response_class(status: int) -> str:
    """An HTTP status as the class operators alert on: 429 apart from the other refusals."""
    if status == 429:
        return "429"
    if status >= 500:
        return "5xx"
    if status >= 400:
        return "4xx"
    return "2xx"
