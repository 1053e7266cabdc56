"""Shared pieces of the end-to-end tests: the real bot process against the fake Discord.

Starting, watching and stopping the bot live in :mod:`tests.e2e.bot_process` (tests import it);
this file adds what pytest itself needs:

* figures a test reports (the load test's latency distribution) are printed again in the
  terminal summary, so a plain ``pytest`` run shows them, not only ``pytest -s``;
* a bot subprocess still alive when the session ends (a test interrupted mid-way) is killed.
"""

from __future__ import annotations

from typing import Any

from .bot_process import REPORT_LINES, kill_leftovers


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if REPORT_LINES:
        terminalreporter.section("end-to-end figures")
        for line in REPORT_LINES:
            terminalreporter.write_line(line)


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    kill_leftovers()
