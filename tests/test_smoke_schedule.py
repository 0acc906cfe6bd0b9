from adapters.console.adapter import ConsoleAdapter
from bot.scheduling.dispatcher import Dispatcher
from tests.conftest import CollectingTransport, FakeClock


async def test_a_scheduled_prompt_arrives_once_at_the_local_time(console: ConsoleAdapter, dispatcher: Dispatcher,
                                                                 transport: CollectingTransport,
                                                                 clock: FakeClock) -> None:
    out = await console.respond("/schedule 09:00 daily Europe/Berlin")
    assert "Next check-ins: Fri 27 Nov 09:00" in out
    clock.advance(hours=13, minutes=59)  # 2026-11-27 07:59 UTC = 08:59 Berlin
    await dispatcher.tick()
    assert transport.sent == []
    clock.advance(minutes=1, seconds=5)
    stats = await dispatcher.tick()
    assert stats.sent == 1
    assert "A minute for you" in transport.texts_for("ana")[0]
    await dispatcher.tick()
    assert len(transport.sent) == 1
