#!/usr/bin/python3
"""The explorer shows a model it has never been told about: March (1991).

    profspace serve march.toml --no-open &          # prints its address
    /usr/bin/python3 tests/explorer/march_test.py http://127.0.0.1:PORT/ SHOTS_DIR

The page must build itself from the model's declaration (here the plain
page every model gets): March's keys as controls, one chart of its metrics,
no trade-off chart and no team tiles; a run must draw its metrics period by
period. Writes explorer-march.png in SHOTS_DIR. Exit code 0 and the line
"march test: all steps passed" when every check holds.
"""

import argparse
import os
import sys
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

ap = argparse.ArgumentParser()
ap.add_argument("base_url")
ap.add_argument("screenshot_dir")
ap.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
ap.add_argument("--chromedriver", default=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
ap.add_argument("--timeout", type=float, default=60.0)
args = ap.parse_args()
os.makedirs(args.screenshot_dir, exist_ok=True)

opts = webdriver.ChromeOptions()
opts.binary_location = args.chromium
for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
          "--window-size=1400,1100", f"--user-data-dir={tempfile.mkdtemp(prefix='profspace-march-')}"):
    opts.add_argument(a)
d = webdriver.Chrome(service=Service(args.chromedriver), options=opts)
d.set_window_size(1400, 1100)
wait = WebDriverWait(d, args.timeout, poll_frequency=0.05)
failures = []


def js(script, *a):
    return d.execute_script(script, *a)


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


try:
    d.get(args.base_url)
    wait.until(lambda _: js("return !!document.querySelector('input[name=\"march.socialization\"]')"))
    check(js("return !!document.getElementById('chart-metrics')"), "the page has the chart of March's metrics")
    check(not js("return !!document.getElementById('chart-windows') || !!document.getElementById('chart-tradeoff')"),
          "no chart of the professional-space model")
    check(js("return document.getElementById('teams-card').hidden"), "no team tiles (March has no teams)")
    check(not js("return !!document.querySelector('input[name^=\"managers.\"]')"), "no manager levers")
    check("March" in js("return document.getElementById('tagline').textContent"), "the tagline names the model")
    labels = js("return window.__profspace.charts.metrics.series.slice(1).map(s => s.label)")
    check(labels[:2] == ["knowledge", "individual_knowledge"], f"the chart's lines are March's metrics: {labels}")
    js("document.getElementById('help').open = false")
    d.find_element("id", "run").click()
    wait.until(lambda _: js("return document.body.dataset.runState") in ("done", "error"))
    check(js("return document.body.dataset.runState") == "done", "the run finishes")
    drawn = js("""const u = window.__profspace.charts.metrics;
                  return u.data[1].filter(v => v !== null && v !== undefined).length;""")
    check(drawn > 0, f"the run drew {drawn} periods of knowledge")
    js("document.getElementById('status').hidden = true; window.scrollTo(0, 0);")
    d.save_screenshot(os.path.join(args.screenshot_dir, "explorer-march.png"))
finally:
    d.quit()

if failures:
    print(f"march test: {len(failures)} failed")
    sys.exit(1)
print("march test: all steps passed")
