"""Feature modules: each owns its commands and the tokens of its namespace; `bot.conversation` routes to them."""
