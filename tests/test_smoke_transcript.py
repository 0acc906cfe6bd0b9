from adapters.console.adapter import ConsoleAdapter


async def test_daily_checkin_ends_with_a_tip(console: ConsoleAdapter) -> None:
    out = await console.respond("/checkin")
    assert "How emotionally safe" in out
    out = await console.respond("2")
    assert "Which boundaries" in out
    out = await console.respond("1,3")
    assert "note" in out
    out = await console.respond("skip")
    assert "“" in out
