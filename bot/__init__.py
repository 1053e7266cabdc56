"""A Discord lore bot for the anime Metallic Rouge."""

__version__ = "0.1.0"
