"""The lore site in a real browser: headless Chromium (Debian's ``chromium`` and
``chromium-driver``) driven by Selenium, over the site built from the shipped knowledge and
served on 127.0.0.1. Each step leaves a screenshot in the test's temporary folder
(``<tmp>/screenshots/``), kept as a CI artifact.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

from bot.knowledge.loader import load_knowledge
from bot.site.build import build_site
from bot.site.command import make_server

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")

MISSING = (
    "needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver); .ci/run installs them"
)
pytestmark = pytest.mark.timeout(180)


@pytest.fixture(autouse=True)
def chromium_installed() -> None:
    """Skipped on a machine without Chromium; in CI (which installs it) a missing one fails."""
    if CHROMIUM is None or CHROMEDRIVER is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but Chromium is missing: the browser test {MISSING}")
        pytest.skip(MISSING)


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser") / "site"
    build_site(load_knowledge(ROOT / "knowledge"), folder)
    server = make_server(folder, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def start_browser(*, javascript: bool = True, width: int = 1000, height: int = 1300) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM  # type: ignore[assignment]
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     f"--window-size={width},{height}", "--hide-scrollbars"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = tmp_path / "screenshots"
    folder.mkdir()
    return folder


@pytest.fixture
def browser() -> Iterator[webdriver.Chrome]:
    driver = start_browser()
    try:
        yield driver
    finally:
        driver.quit()


def wait(driver: webdriver.Chrome) -> WebDriverWait:
    return WebDriverWait(driver, 10)


def script_errors(driver: webdriver.Chrome) -> list[dict[str, Any]]:
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def test_index_search_result_picker_and_spoiler(browser: webdriver.Chrome, site_url: str, shots: Path) -> None:
    # 1. the index at episode 5
    browser.get(f"{site_url}/ep/5/index.html")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Metallic Rouge lore guide"
    assert "Watched up to episode 5" in browser.find_element(By.CSS_SELECTOR, ".badge").text
    browser.save_screenshot(str(shots / "1-index-ep5.png"))

    # 2. search from the header: the form goes to search.html, the script lists the matches
    box = browser.find_element(By.ID, "q")
    box.send_keys("rouge mom")
    box.submit()
    wait(browser).until(ready.url_contains("search.html"))
    results = wait(browser).until(ready.presence_of_all_elements_located((By.CSS_SELECTOR, "#search-results a")))
    assert results[0].text == "Who is Rouge's mother?"
    assert "question" in browser.find_element(By.ID, "search-status").text
    typed = browser.find_element(By.ID, "q")
    typed.clear()
    typed.send_keys("immortal nine")  # typing searches as you go
    wait(browser).until(lambda d: d.find_element(By.CSS_SELECTOR, "#search-results a").text == "Who are the Immortal Nine?")
    typed.clear()
    typed.send_keys("rouge mom")
    wait(browser).until(lambda d: d.find_element(By.CSS_SELECTOR, "#search-results a").text == "Who is Rouge's mother?")
    browser.save_screenshot(str(shots / "2-search.png"))

    # 3. follow the first result: the entry as known at episode 5
    browser.find_element(By.CSS_SELECTOR, "#search-results a").click()
    wait(browser).until(ready.url_contains("/ep/5/entry/rouge-mother.html"))
    page = browser.find_element(By.TAG_NAME, "main").text
    assert "Rouge and Gene share a mother; her identity is unrevealed." in page
    assert "Eva Cristella" not in browser.page_source
    browser.save_screenshot(str(shots / "3-entry-ep5.png"))

    # 4. the episode picker: the same page at episode 8, remembered for the front page
    browser.find_element(By.CSS_SELECTOR, 'nav.picker a[data-horizon="8"]').click()
    wait(browser).until(ready.url_contains("/ep/8/entry/rouge-mother.html"))
    assert "She is Eva Cristella" in browser.find_element(By.TAG_NAME, "main").text
    assert browser.execute_script("return window.localStorage.getItem('lore-horizon')") == "8"
    browser.save_screenshot(str(shots / "4-picker-ep8.png"))
    browser.get(f"{site_url}/index.html")
    wait(browser).until(ready.url_contains("/ep/8/index.html"))
    browser.get(f"{site_url}/index.html?choose")
    assert browser.current_url.endswith("/index.html?choose")  # "change how far you have watched" stays

    # 5. all/: every reveal hidden until clicked
    browser.get(f"{site_url}/all/entry/rouge-mother.html")
    first = browser.find_element(By.CSS_SELECTOR, "#ep-5 .text")
    assert not first.is_displayed()
    browser.save_screenshot(str(shots / "5-all-hidden.png"))
    browser.find_element(By.CSS_SELECTOR, "#ep-5 summary").click()
    wait(browser).until(lambda d: first.is_displayed())
    assert first.text == "Rouge and Gene share a mother; her identity is unrevealed."
    assert not browser.find_element(By.CSS_SELECTOR, "#ep-8 .text").is_displayed()
    browser.save_screenshot(str(shots / "6-all-spoiler-opened.png"))

    # 6. search in all/: a question from an episode comes back behind a spoiler too
    browser.get(f"{site_url}/all/search.html?q=rouge+mom")
    result = wait(browser).until(ready.presence_of_element_located((By.CSS_SELECTOR, "#search-results a")))
    assert not result.is_displayed()
    browser.find_element(By.CSS_SELECTOR, "#search-results summary").click()
    assert result.is_displayed() and result.text == "Who is Rouge's mother?"
    browser.save_screenshot(str(shots / "7-all-search.png"))
    assert script_errors(browser) == []


def test_timeline_dark_mode_and_phone_width(site_url: str, shots: Path) -> None:
    driver = start_browser(width=390, height=844)
    try:
        driver.execute_cdp_cmd(
            "Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]}
        )
        driver.get(f"{site_url}/ep/12/mystery/mother.html")
        background = driver.execute_script("return getComputedStyle(document.body).backgroundColor")
        red, green, blue = (int(v) for v in background[background.index("(") + 1 : -1].split(",")[:3])
        assert red + green + blue < 150, f"dark mode background is {background}"
        overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, "the page scrolls sideways on a phone (only the timeline may, inside its box)"
        dots = driver.find_elements(By.CSS_SELECTOR, "svg.timeline .tl-dot")
        assert len(dots) >= 4
        driver.save_screenshot(str(shots / "8-mystery-dark-phone.png"))
        assert script_errors(driver) == []
    finally:
        driver.quit()


def test_picker_and_spoilers_work_with_javascript_off(site_url: str, shots: Path) -> None:
    driver = start_browser(javascript=False)
    try:
        driver.get(f"{site_url}/ep/3/index.html")
        driver.find_element(By.CSS_SELECTOR, 'nav.picker a[data-horizon="all"]').click()
        wait(driver).until(ready.url_contains("/all/index.html"))
        question = driver.find_element(By.CSS_SELECTOR, "section[aria-labelledby=topics] a[href=\"entry/rouge-mother.html\"]")
        assert not question.is_displayed(), "in all/, a question from an episode is behind a spoiler"
        driver.find_element(By.CSS_SELECTOR, "section[aria-labelledby=topics] details.spoiler > summary").click()
        question.click()
        text = driver.find_element(By.CSS_SELECTOR, "#ep-8 .text")
        assert not text.is_displayed()
        driver.find_element(By.CSS_SELECTOR, "#ep-8 summary").click()
        assert text.is_displayed()
        driver.get(f"{site_url}/ep/3/search.html")
        assert "Search needs JavaScript" in driver.find_element(By.TAG_NAME, "main").text
        driver.save_screenshot(str(shots / "9-no-javascript.png"))
    finally:
        driver.quit()
