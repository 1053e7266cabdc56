"""The lore guide on the web: a static, spoiler-safe site generated from the knowledge.

``build.site_files`` renders it, ``build.build_site`` writes it, ``urls`` says where each page
lives (and gives the bot its "Read more" links), ``command`` is ``python -m bot site``.
Plain Python: nothing here imports discord.
"""
