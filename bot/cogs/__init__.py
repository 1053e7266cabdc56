"""The Discord layer's cogs, each an extension with ``async def setup(bot)`` (loaded by bot.app)."""
