"""A live nnbook slider in JupyterLab (issue 17.4): moved by the reader, it recomputes its image.

Starts JupyterLab from the project's venv on 127.0.0.1 (no token, no browser; `expose_app_in_browser`
gives the test the app's commands), opens a small notebook with one `nnbook.widgets.sliders` (two
controls) in headless Chromium with every request outside 127.0.0.1 blocked, runs it, moves each live
control with the keyboard and waits for the image and caption to be recomputed. About 20-40 s; skipped when no Chromium is installed.
"""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from browser_deps import SKIP_MESSAGE, find_browser

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = find_browser()
LAB = Path(sys.executable).with_name("jupyter-lab")
if CHROMIUM is None and os.environ.get("NNBOOK_REQUIRE_BROWSER"):
    raise RuntimeError("NNBOOK_REQUIRE_BROWSER is set but no Chromium or Chrome was found")

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(CHROMIUM is None, reason=SKIP_MESSAGE),
              pytest.mark.skipif(not LAB.exists(), reason="jupyter-lab is not installed in this environment")]

NOTEBOOK_CELLS = [
    "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\nfrom nnbook.widgets import sliders\n",
    "def draw(k, m):\n"
    "    fig, ax = plt.subplots(figsize=(2, 2), dpi=50)\n"
    "    ax.imshow([[k, m], [m, 3 - k]], vmin=0, vmax=3)\n"
    "    ax.set_title(f'k = {k}, m = {m}')\n"
    "    return fig, f'caption k = {k}, m = {m}'\n\n"
    "sliders([('k', 'k', [1, 2, 3]), ('m', 'm', [0, 1])], draw, key='lab-test', initial={'k': 2, 'm': 0})\n",
]


def _notebook():
    cells = [{"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {}, "outputs": [],
              "source": src} for i, src in enumerate(NOTEBOOK_CELLS)]
    return {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)",
                                                        "language": "python", "name": "python3"}},
            "nbformat": 4, "nbformat_minor": 5}


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lab")
    (tmp / "slider.ipynb").write_text(json.dumps(_notebook()), encoding="utf-8")
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT), JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"), JUPYTER_CONFIG_DIR=str(tmp / "config"),
               TQDM_DISABLE="1")
    args = [str(LAB), "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--ServerApp.token=",
            "--ServerApp.password=", "--LabApp.expose_app_in_browser=True", f"--ServerApp.root_dir={tmp}",
            "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--allow-root")
    log = open(tmp / "lab.log", "w")
    proc = subprocess.Popen(args, cwd=tmp, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(url + "api/status", timeout=2)
                break
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not start:\n" + (tmp / "lab.log").read_text()[-2000:])
        assert proc.poll() is None, "JupyterLab exited:\n" + (tmp / "lab.log").read_text()[-2000:]
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


_IMAGE = """() => { const w = document.querySelector('.jp-OutputArea .widget-image, .jp-OutputArea img.widget-image');
  const t = Array.from(document.querySelectorAll('.jp-OutputArea .widget-html-content')).map(e => e.textContent).join('|');
  return w ? [w.src, t] : null; }"""


def test_live_sliders_recompute_their_image(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        blocked = []

        def route(r):
            if r.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1")):
                r.continue_()
            else:
                blocked.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.goto(lab + "lab/tree/slider.ipynb")
        page.wait_for_function("window.jupyterapp && window.jupyterapp.shell && "
                               "window.jupyterapp.shell.currentWidget && "
                               "window.jupyterapp.shell.currentWidget.sessionContext", timeout=60000)
        # Wait for the kernel, then run every cell.
        page.wait_for_function("""() => { const w = window.jupyterapp.shell.currentWidget;
            const k = w.sessionContext.session && w.sessionContext.session.kernel;
            return k && k.status === 'idle'; }""", timeout=60000)
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        page.wait_for_function(_IMAGE, timeout=60000)
        page.wait_for_function("document.querySelector('.jp-OutputArea .widget-slider .noUi-handle, "
                               ".jp-OutputArea .widget-slider input')", timeout=30000)
        states = [page.evaluate(_IMAGE)]
        assert "caption k = 2, m = 0" in states[0][1], f"the sliders start at k = 2, m = 0: {states[0][1]!r}"
        # The reader moves each live control with the keyboard, one step right: each move recomputes.
        handles = page.locator(".jp-OutputArea .widget-slider .noUi-handle")
        assert handles.count() == 2, f"{handles.count()} live controls, expected 2"
        for j, want in ((0, "caption k = 3, m = 0"), (1, "caption k = 3, m = 1")):
            handles.nth(j).focus()
            page.keyboard.press("ArrowRight")
            # image and caption are two widgets updated one after the other: wait for both
            page.wait_for_function(
                f"() => {{ const v = ({_IMAGE})(); return v && v[0] !== {json.dumps(states[-1][0])} "
                f"&& v[1].includes({json.dumps(want)}); }}",
                timeout=30000)
            states.append(page.evaluate(_IMAGE))
            assert want in states[-1][1], (j, states[-1][1])
        browser.close()
    assert not blocked, f"requests outside 127.0.0.1: {blocked[:5]}"
