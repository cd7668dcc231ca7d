"""The step_through player in a real headless Chromium (Selenium and the system browser).

At every step of the backward pass the highlighted node and the gradient on the page must
be the engine's: the test gets those from an ordinary `backward()` of its own. It also
checks previous, reset, play/pause, the keyboard, two players on one page, and that the
page made no network request. Skips, with the reason, where no Chromium can be found
(.ci/run installs Debian's chromium and chromium-driver).
"""

import json
import shutil
import tempfile
import time

import numpy as np
import pytest

pytest.importorskip("graphviz", reason="the viz extra: pip install graphviz")
webdriver = pytest.importorskip("selenium.webdriver",
                                reason="Selenium is in the test extra: pip install selenium")
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from autograd_lite import Tensor, Value, retain_grads
from autograd_lite.engine import topological_order, walk
from autograd_lite.viz import step_through

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")
DRIVERS = ("chromedriver",)
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1200,900")


def _find(names):
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="module")
def browser():
    binary, driver_path = _find(BROWSERS), _find(DRIVERS)
    if binary is None or driver_path is None:
        pytest.skip("no Chromium and chromedriver on PATH (Debian: apt-get install chromium "
                    "chromium-driver; .ci/run does this)")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="agl-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def open_page(driver, path):
    driver.get(path.resolve().as_uri())
    driver.get_log("performance")  # start the next page's log afresh
    driver.refresh()
    return driver.find_element(By.CSS_SELECTOR, ".agl-player")


def click(player, role):
    player.find_element(By.CSS_SELECTOR, f'[data-role="{role}"]').click()


def state(player):
    """(step, phase, highlighted node id, the upstream gradient on the page or None)."""
    upstream = player.find_elements(By.CSS_SELECTOR, '[data-role="upstream"]')
    value = upstream[0].get_attribute("data-value") if upstream else None
    return (int(player.get_attribute("data-step")), player.get_attribute("data-phase"),
            player.get_attribute("data-node"), value)


def highlighted(player):
    """The SVG <title> (the node id) of every node drawn as the current one."""
    return [g.find_element(By.TAG_NAME, "title").get_attribute("textContent")
            for g in player.find_elements(By.CSS_SELECTOR, "g.node.agl-current")]


def requests_made(driver, page_url):
    """URLs the page asked the network stack for, other than the page itself."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] in ("Network.requestWillBeSent", "Network.webSocketCreated"):
            url = message["params"].get("request", {}).get("url") or message["params"].get("url")
            if url != page_url:
                urls.append(url)
    resources = driver.execute_script(
        "return performance.getEntriesByType('resource').map(function (e) { return e.name; })")
    return urls + list(resources)


def expected_steps(root):
    """(node id, dL/dnode) in the driver's order, from an ordinary backward of the engine."""
    nodes, _ = walk(root)  # draw_graph numbers the nodes n0, n1, ... in this order
    ids = {node: f"n{i}" for i, node in enumerate(nodes)}
    order = topological_order(root, requiring_grad=True)
    if isinstance(root, Tensor):
        retain_grads(root)
    root.backward()
    return [(ids[node], node.grad) for node in reversed(order)]


def same(exact_text, grad):
    value = np.asarray(json.loads(exact_text), dtype=np.float64)
    return np.array_equal(value, np.asarray(grad, dtype=np.float64))


def neuron_with_fan_out():
    x, w, b = Value(2.0, label="x"), Value(-0.5, label="w"), Value(0.3, label="b")
    y = (w * x + b).tanh()
    y.label = "y"
    loss = (y - 0.5) ** 2 + w * w  # w is used three times: its gradient has 3 parts
    loss.label = "loss"
    return loss, w


def tensor_xor():
    rng = np.random.default_rng(1)
    x = Tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], label="x")
    t = Tensor([[0.0], [1.0], [1.0], [0.0]], label="target")
    w1 = Tensor(rng.normal(size=(2, 2)), requires_grad=True, label="W1")
    b1 = Tensor(np.zeros(2), requires_grad=True, label="b1")
    w2 = Tensor(rng.normal(size=(2, 1)), requires_grad=True, label="W2")
    h = (x @ w1 + b1).sigmoid()
    out = (h @ w2).sigmoid()
    return ((out - t) ** 2).mean()


@pytest.mark.parametrize("make", [lambda: neuron_with_fan_out()[0], tensor_xor],
                         ids=["value-neuron", "tensor-xor"])
def test_next_walks_the_engines_backward_pass_and_previous_undoes(browser, tmp_path, make):
    root = make()
    path = step_through(root, tmp_path / "player.html", max_elements=4)
    expected = expected_steps(root)  # after step_through: its pass changed no .grad
    player = open_page(browser, path)
    assert state(player)[:3] == (0, "start", "")
    # Through the forward pass to the first backward step.
    while state(player)[1] != "backward":
        assert state(player)[1] in ("start", "forward")
        click(player, "next")
    seen = []
    while state(player)[1] == "backward":
        _, _, node, value = state(player)
        assert highlighted(player) == [node]
        seen.append((node, value))
        click(player, "next")
    assert state(player)[1] == "end"
    assert [node for node, _ in seen] == [node for node, _ in expected]
    for (node, shown), (_, grad) in zip(seen, expected):
        assert same(shown, grad), (node, shown, grad)
    # "previous" undoes a step: back into the last backward step, then one more.
    end = state(player)[0]
    click(player, "prev")
    assert state(player)[:3] == (end - 1, "backward", expected[-1][0])
    assert same(state(player)[3], expected[-1][1])
    click(player, "prev")
    assert state(player)[:3] == (end - 2, "backward", expected[-2][0])
    assert highlighted(player) == [expected[-2][0]]
    click(player, "next")
    assert state(player)[2] == expected[-1][0]
    click(player, "reset")
    assert state(player)[:3] == (0, "start", "")
    assert requests_made(browser, path.resolve().as_uri()) == []
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


def test_fan_out_shows_the_running_sum_of_every_contribution(browser, tmp_path):
    loss, w = neuron_with_fan_out()
    path = step_through(loss, tmp_path / "fanout.html", forward=False)
    loss.backward()
    player = open_page(browser, path)
    sums = []
    while state(player)[1] != "end":
        click(player, "next")
        for send in player.find_elements(By.CSS_SELECTOR, '[data-role="send"]'):
            target = send.find_element(By.TAG_NAME, "strong").text
            if target.startswith("to w "):
                cell = send.find_element(By.CSS_SELECTOR, '[data-role="sum"]')
                sums.append((cell.get_attribute("data-value"), cell.text))
    assert len(sums) == 3
    assert [text.split("(")[-1] for _, text in sums] == [
        "1 of 3 contributions)", "2 of 3 contributions)", "3 of 3 contributions: complete)"]
    assert float(sums[-1][0]) == w.grad  # the last running sum is the stored gradient


def test_keyboard_arrows_space_and_home(browser, tmp_path):
    loss, _ = neuron_with_fan_out()
    path = step_through(loss, tmp_path / "keys.html")
    player = open_page(browser, path)
    browser.find_element(By.ID, "agl-player-next")  # the documented stable ids
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.ARROW_RIGHT)
    body.send_keys(Keys.ARROW_RIGHT)
    assert state(player)[0] == 2
    body.send_keys(Keys.ARROW_LEFT)
    assert state(player)[0] == 1
    body.send_keys(Keys.SPACE)  # play
    assert player.get_attribute("data-playing") == "true"
    deadline = time.monotonic() + 10
    while state(player)[0] < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
    body.send_keys(Keys.SPACE)  # pause
    assert player.get_attribute("data-playing") == "false"
    paused_at = state(player)[0]
    assert paused_at >= 3
    time.sleep(1.5)
    assert state(player)[0] == paused_at
    body.send_keys(Keys.HOME)
    assert state(player)[0] == 0
    assert requests_made(browser, path.resolve().as_uri()) == []


def test_two_inline_players_on_one_page_do_not_clash(browser, tmp_path):
    loss, _ = neuron_with_fan_out()
    first, second = step_through(loss), step_through(tensor_xor(), forward=False)
    page = tmp_path / "notebook.html"
    page.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"
                    f"{first._repr_html_()}<p>between</p>{second._repr_html_()}</body></html>",
                    encoding="utf-8")
    browser.get(page.resolve().as_uri())
    one, two = browser.find_elements(By.CSS_SELECTOR, ".agl-player")
    assert one.get_attribute("id") != two.get_attribute("id")
    click(one, "next")
    click(one, "next")
    assert state(one)[0] == 2 and state(two)[0] == 0
    click(two, "next")
    assert state(two)[1] == "backward" and state(one)[0] == 2
    # Keys go to the focused player only (inside a notebook, the page has other uses).
    two.click()
    two.send_keys(Keys.ARROW_RIGHT)
    assert state(two)[0] == 2 and state(one)[0] == 2


def test_the_network_check_sees_a_request(browser, tmp_path):
    """The check above can fail: a page that loads an image over the network is caught."""
    page = tmp_path / "fetches.html"
    page.write_text("<!DOCTYPE html><html><body><img src='http://127.0.0.1:9/x.png'>"
                    "</body></html>", encoding="utf-8")
    browser.get(page.resolve().as_uri())
    browser.get_log("performance")
    browser.refresh()
    time.sleep(0.5)
    assert "http://127.0.0.1:9/x.png" in requests_made(browser, page.resolve().as_uri())


@pytest.fixture(scope="module")
def built_site(tmp_path_factory):
    pytest.importorskip("mkdocs", reason='the docs extra: pip install -e ".[docs]"')
    pytest.importorskip("mkdocstrings", reason='the docs extra: pip install -e ".[docs]"')
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    site = tmp_path_factory.mktemp("site")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--quiet", "--config-file",
                           str(root / "mkdocs.yml"), "--site-dir", str(site)], cwd=root,
                          env=dict(os.environ, NO_MKDOCS_2_WARNING="1"), capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    return site


@pytest.mark.parametrize("page, player", [("getting-started.html", "player_neuron.html"),
                                          ("reverse-mode.html", "player_xor.html")])
def test_embedded_players_work_in_the_site_opened_from_disk(browser, built_site, page, player):
    from selenium.webdriver.support.ui import WebDriverWait

    browser.set_window_size(1280, 1600)  # the whole player in view, below the site's header
    browser.get((built_site / page).as_uri())
    frame = browser.find_element(By.CSS_SELECTOR, f'iframe[src="images/{player}"]')
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", frame)
    browser.switch_to.frame(frame)
    try:
        box = WebDriverWait(browser, 20).until(
            lambda d: d.find_element(By.CSS_SELECTOR, ".agl-player[data-ready]"))
        while state(box)[1] != "backward":
            click(box, "next")
        step, _, node, value = state(box)
        assert highlighted(box) == [node] and float(json.loads(value)) == 1.0  # dL/dL
        click(box, "prev")
        assert state(box)[0] == step - 1
    finally:
        browser.switch_to.default_content()
        browser.set_window_size(1200, 900)
    # The navigation opens pages, not folder listings.
    link = browser.find_element(By.CSS_SELECTOR, 'nav.md-nav a[href="drawing.html"]')
    browser.get(link.get_attribute("href"))
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Drawing")
