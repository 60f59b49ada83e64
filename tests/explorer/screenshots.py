#!/usr/bin/python3
"""The README's screenshots of the explorer (not a test).

    cargo run --release -- serve --no-open &      # prints its address
    /usr/bin/python3 tests/explorer/screenshots.py http://127.0.0.1:PORT/ docs/images

Writes explorer-run.png (the page after a default run with focus 0.8),
explorer-compare.png (that run pinned, the other coupling run beside it)
and explorer-sweep.png (the Sweep tab after a 5 x 5 sweep of focus and
connection). Headless chromium with --no-sandbox, as in browser_test.py.
Also prints how long a run took in the page, from the click on Run to
body[data-run-state=done], measured by the page's own clock.
"""

import os
import sys
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

base, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
opts = webdriver.ChromeOptions()
opts.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
          "--window-size=1400,1500", f"--user-data-dir={tempfile.mkdtemp(prefix='profspace-shots-')}"):
    opts.add_argument(a)
d = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=opts)
d.set_window_size(1400, 1500)
wait = WebDriverWait(d, 300, poll_frequency=0.05)


def js(script, *args):
    return d.execute_script(script, *args)


def state():
    return js("return document.body.dataset.runState")


def set_slider(key, value):
    js("""const s = document.querySelector('input[name="' + arguments[0] + '"]');
          s.value = String(arguments[1]);
          s.dispatchEvent(new Event('input', {bubbles: true}));
          s.dispatchEvent(new Event('change', {bubbles: true}));""", key, value)
    wait.until(lambda _: f"{key.split('.')[1]} = {value}" in d.find_element(By.ID, "scenario-toml").get_attribute("value"))


def timed_run():
    """Clicks Run; the page's own time from the click to data-run-state=done."""
    js("""window.__shotT = null;
          const t0 = performance.now();
          new MutationObserver((m, o) => {
              if (document.body.dataset.runState === 'done') { window.__shotT = performance.now() - t0; o.disconnect(); }
          }).observe(document.body, {attributes: true, attributeFilter: ['data-run-state']});
          document.getElementById('run').click();""")
    wait.until(lambda _: js("return window.__shotT") is not None or state() == "error")
    return js("return window.__shotT")


def quiet():
    js("document.getElementById('status').hidden = true; window.scrollTo(0, 0);")


d.get(base)
wait.until(lambda _: js("return !!document.querySelector('input[name=\"managers.focus\"]')"))
js("document.getElementById('help').open = false")
set_slider("managers.focus", 0.8)
times = [timed_run() for _ in range(3)]
print("a default run (100 professionals, 200 ticks) in the page: " +
      ", ".join(f"{t / 1000:.2f} s" for t in times))
quiet()
d.save_screenshot(os.path.join(out, "explorer-run.png"))

d.find_element(By.ID, "pin").click()
other = js("""const r = [...document.querySelectorAll('input[name="coupling"]')].find(i => !i.checked);
              return r.id;""")
d.find_element(By.CSS_SELECTOR, f'label[for="{other}"]').click()
wait.until(lambda _: "zero_sum" in d.find_element(By.ID, "scenario-toml").get_attribute("value").split("coupling =")[1][:20])
timed_run()
quiet()
d.save_screenshot(os.path.join(out, "explorer-compare.png"))

d.find_element(By.ID, "tab-sweep").click()
js("""const set = (id, v) => { const e = document.getElementById(id); e.value = v;
                               e.dispatchEvent(new Event('change', {bubbles: true})); };
      set('sweep-reps', '2');""")
d.find_element(By.ID, "sweep-start").click()
wait.until(lambda _: js("""const imgs = [...document.querySelectorAll('#sweep-charts img')];
                           return imgs.length > 0 && imgs.every(i => i.complete && i.naturalWidth > 0);"""))
quiet()
d.save_screenshot(os.path.join(out, "explorer-sweep.png"))
d.quit()
