"""Answering: question normalisation, matching, rendering, and the lore service built on them."""
