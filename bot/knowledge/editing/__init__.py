"""Editing the knowledge from Discord: the same YAML files, changed one entry at a time.

* :mod:`~bot.knowledge.editing.fields` reads the form boxes a maintainer fills in;
* :mod:`~bot.knowledge.editing.yamltext` rewrites one entry's lines of a file, and only those;
* :mod:`~bot.knowledge.editing.change` validates a change with the whole folder, previews it and
  saves it through :mod:`bot.knowledge.writes`.
"""
