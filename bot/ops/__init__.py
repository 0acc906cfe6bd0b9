"""Operations: health, readiness and metrics for the people who run the bot, never about the people using it."""
