#!/usr/bin/python3
"""End-to-end test of the profspace explorer in a real headless browser.

    /usr/bin/python3 browser_test.py BASE_URL SCREENSHOT_DIR --profspace BIN [--sweep] [--timeout S]

BASE_URL is where `profspace serve` listens, e.g. http://127.0.0.1:8765/;
BIN is the profspace binary, used to replay the page's run with
`profspace run`. Needs Debian's chromium, chromium-driver and
python3-selenium (apt-get install -y chromium chromium-driver python3-selenium).
Called by tests/explorer.rs, which starts the server.

Steps: load the page; move the managers.focus slider and see the scenario
text follow; run and wait for body[data-run-state=done]; check
window.__profspace.lastRun: its resolved scenario has the slider's value,
and `profspace run` of that scenario and seed writes a ticks.csv whose
numbers are the run's series exactly and whose bytes are those of the
page's ticks.csv download; pin, switch the coupling, run again and check
that both runs are drawn and differ; type invalid TOML and check the
line-numbered problem and the disabled Run button; screenshots along the
way. Exits 0 when every step passes, 1 with a message naming the failed
step otherwise.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait


class StepFailed(Exception):
    pass


def check(cond, message):
    if not cond:
        raise StepFailed(message)


class ExplorerTest:
    def __init__(self, base, shots, timeout, chromium, driver_path, sweep, server_wait=10.0,
                 profspace=None):
        self.base = base if base.endswith("/") else base + "/"
        self.profspace = profspace
        self.shots = shots
        self.timeout = timeout
        self.chromium = chromium
        self.driver_path = driver_path
        self.do_sweep = sweep
        self.server_wait = server_wait
        self.profile = tempfile.mkdtemp(prefix="profspace-chromium-")
        self.driver = None
        self.step_name = "setup"

    # ---------------------------------------------------------------- plumbing

    def start_browser(self):
        opts = webdriver.ChromeOptions()
        opts.binary_location = self.chromium
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--no-first-run", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1400,1000",
                    f"--user-data-dir={self.profile}"):
            opts.add_argument(arg)
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(executable_path=self.driver_path), options=opts)
        self.driver.set_window_size(1400, 1000)
        self.driver.set_script_timeout(self.timeout)

    def stop_browser(self):
        if self.driver is not None:
            try:
                self.driver.quit()
            except WebDriverException:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def wait(self, what, fn, timeout=None):
        try:
            return WebDriverWait(self.driver, timeout or self.timeout, poll_frequency=0.05).until(
                lambda d: fn())
        except TimeoutException:
            raise StepFailed(f"timed out after {timeout or self.timeout} s waiting for {what}") from None

    def css(self, selector):
        return self.driver.find_element(By.CSS_SELECTOR, selector)

    def run_state(self):
        return self.js("return document.body.dataset.runState")

    def toml(self):
        return self.css("#scenario-toml").get_attribute("value")

    def parsed_toml(self):
        try:
            return tomllib.loads(self.toml())
        except tomllib.TOMLDecodeError as e:
            raise StepFailed(f"#scenario-toml does not hold valid TOML: {e}") from None

    def shot(self, name):
        os.makedirs(self.shots, exist_ok=True)
        path = os.path.join(self.shots, name)
        check(self.driver.save_screenshot(path), f"could not save the screenshot {path}")
        print(f"    screenshot {path}")

    def wait_done(self):
        self.wait("body[data-run-state=done]", lambda: self.run_state() in ("done", "error"))
        state = self.run_state()
        if state != "done":
            status = self.js("return document.getElementById('status').textContent")
            raise StepFailed(f"the run ended in state {state!r}: {status}")

    def browser_errors(self):
        """Console errors, less the favicon the page does not have."""
        out = []
        for entry in self.driver.get_log("browser"):
            msg = entry.get("message", "")
            if "favicon.ico" in msg:
                continue
            # The invalid text of step 6 is answered 400 on purpose.
            if "Failed to load resource" in msg and "/api/scenario/text" in msg and "400" in msg:
                continue
            if entry.get("level") == "SEVERE" or "Content Security Policy" in msg:
                out.append(msg)
        return out

    # ---------------------------------------------------------------- steps

    def step_headers(self):
        # The server may still be starting (CI starts it in the background).
        deadline = time.time() + self.server_wait
        while True:
            try:
                with urllib.request.urlopen(self.base, timeout=10) as res:
                    csp = res.headers.get("Content-Security-Policy", "")
                    status = res.status
                break
            except urllib.error.HTTPError as e:
                raise StepFailed(f"GET {self.base} answered {e.code}") from None
            except (urllib.error.URLError, OSError) as e:
                if time.time() > deadline:
                    raise StepFailed(f"no server at {self.base} after {self.server_wait:.0f} s: {e}") from None
                time.sleep(0.25)
        check(status == 200, f"GET / answered {status}")
        check("default-src 'self'" in csp, f"GET / has no Content-Security-Policy default-src 'self' (got {csp!r})")

    def step_load(self):
        self.driver.get(self.base)
        self.wait("the managers.focus slider", lambda: self.js(
            "return !!document.querySelector('input[type=range][name=\"managers.focus\"]')"))
        self.wait("the scenario text", lambda: len(self.toml()) > 0)
        check(self.run_state() == "idle", f"data-run-state is {self.run_state()!r} on load, expected idle")
        for key in ("managers.rationale", "managers.effect", "managers.focus", "managers.energy",
                    "managers.connection", "managers.dominance", "managers.listening",
                    "professionals.need", "professionals.consequentialism"):
            n = self.js("return document.querySelectorAll('input[type=range][name=\"' + arguments[0] + '\"]').length", key)
            check(n == 1, f"no slider named {key}")
        n = self.js("return document.querySelectorAll('[name=\"coupling\"]').length")
        check(n >= 1, "no coupling control")
        for sel in ("#run", "#step", "#reset", "#pin", "#speed", "#chart-windows", "#chart-tradeoff",
                    "#chart-essential", "#chart-situations", "#chart-licence", "#teams", "#copy-command"):
            check(self.driver.find_elements(By.CSS_SELECTOR, sel), f"the page has no {sel}")
        check(self.js("return typeof uPlot") == "function", "uPlot did not load (CSP or a missing vendor file?)")

    def step_slider(self):
        slider = self.css('input[name="managers.focus"]')
        old = float(slider.get_attribute("value"))
        self.value = 0.8 if abs(old - 0.8) > 1e-9 else 0.3
        self.js("""
            const s = arguments[0];
            s.value = String(arguments[1]);
            s.dispatchEvent(new Event('input', {bubbles: true}));
            s.dispatchEvent(new Event('change', {bubbles: true}));""", slider, self.value)

        def text_follows():
            try:
                doc = tomllib.loads(self.toml())
            except tomllib.TOMLDecodeError:
                return False
            return abs(float(doc.get("managers", {}).get("focus", -1)) - self.value) < 1e-9
        self.wait(f"#scenario-toml to say focus = {self.value}", text_follows)
        shown = self.js("return document.getElementById(arguments[0].id + '-v').textContent", slider)
        check(shown.strip() == f"{self.value:.2f}", f"the slider shows {shown!r} beside it, expected {self.value:.2f}")

    def step_run(self):
        self.js("window.__profspace.lastRun = null")
        started = time.time()
        self.css("#run").click()
        self.wait_done()
        print(f"    run done in {time.time() - started:.2f} s")

    def step_last_run(self):
        last = self.js("return window.__profspace.lastRun")
        check(isinstance(last, dict), "window.__profspace.lastRun is not set after the run")
        for field in ("scenario", "seed", "series"):
            check(field in last, f"lastRun has no {field}")
        try:
            doc = tomllib.loads(last["scenario"])
        except (tomllib.TOMLDecodeError, TypeError) as e:
            raise StepFailed(f"lastRun.scenario is not TOML: {e}") from None
        focus = doc.get("managers", {}).get("focus")
        check(focus is not None and abs(float(focus) - self.value) < 1e-9,
              f"lastRun.scenario has managers.focus = {focus}, expected {self.value}")
        series = last["series"]
        check(isinstance(series, list) and len(series) > 0, "lastRun.series is empty")
        check(all(isinstance(row, list) and row and all(isinstance(v, (int, float)) for v in row) for row in series),
              "lastRun.series holds something other than rows of numbers")
        check(isinstance(last["seed"], int), f"lastRun.seed is {last['seed']!r}, not a whole number")
        drawn = self.js("""
            const u = window.__profspace.charts.essential;
            return u.data[1].filter(v => v !== null && v !== undefined).length;""")
        check(drawn == len(series), f"#chart-essential draws {drawn} points of essential, the run has {len(series)} rows")
        links = self.js("""return ['#dl-ticks', '#dl-runs', '#dl-png', '#dl-svg']
            .map(s => document.querySelector(s)).filter(a => a && a.href && a.offsetParent !== null).length""")
        check(links == 4, f"{links} of the 4 download links are shown after the run")
        command = self.css("#command").text
        check(command.startswith("profspace "), f"the command shown is {command!r}")
        self.check_replay(last)
        self.first = last
        self.shot("01-after-run.png")

    def check_replay(self, last):
        """`profspace run` of the run's resolved scenario and seed: its
        ticks.csv holds exactly the numbers of the run's series, and is byte
        for byte the page's ticks.csv download."""
        if not self.profspace:
            raise StepFailed("no --profspace binary to replay the run with")
        work = tempfile.mkdtemp(prefix="profspace-replay-")
        try:
            scenario = os.path.join(work, "explorer.toml")
            with open(scenario, "w", encoding="utf-8") as f:
                f.write(last["scenario"])
            out = os.path.join(work, "out")
            done = subprocess.run([self.profspace, "run", scenario, "--seed", str(last["seed"]),
                                   "--out", out, "--no-plots"], capture_output=True, text=True)
            check(done.returncode == 0, f"profspace run of the resolved scenario failed: {done.stderr}")
            with open(os.path.join(out, "ticks.csv"), "rb") as f:
                cli = f.read()
        finally:
            shutil.rmtree(work, ignore_errors=True)
        lines = cli.decode("utf-8").splitlines()
        header = lines[0].split(",")
        check("tick" in header, f"ticks.csv has no tick column: {header}")
        start = header.index("tick")
        columns = last.get("columns")
        if columns:
            check(list(columns) == header[start:],
                  f"the run's columns {columns} are not those of ticks.csv {header[start:]}")
        table = [[float(v) for v in line.split(",")[start:]] for line in lines[1:]]
        series = [[float(v) for v in row] for row in last["series"]]
        check(len(table) == len(series),
              f"profspace run wrote {len(table)} tick rows, the page's run has {len(series)}")
        for a, b in zip(table, series):
            # Exact: the same f64 (Python's float() and JSON.parse both round correctly).
            check(a == b, f"tick {a[0]:g}: profspace run has {a}, the page's run {b}")
        href = self.js("return document.querySelector('#dl-ticks').href")
        with urllib.request.urlopen(href, timeout=60) as res:
            served = res.read()
        check(served == cli, "the page's ticks.csv download differs from profspace run's ticks.csv")
        print(f"    profspace run --seed {last['seed']} of the resolved scenario: "
              f"{len(table)} rows, identical")

    def step_pin_compare(self):
        self.css("#pin").click()
        self.wait("#compare to show", lambda: self.css("#compare").is_displayed())
        first_coupling = self.parsed_toml().get("coupling")
        other = self.js("""
            const r = [...document.querySelectorAll('input[name="coupling"]')].find(i => !i.checked);
            return r ? r.value : null;""")
        check(other, "no other coupling to switch to")
        radio_id = self.js("return document.querySelector('input[name=\"coupling\"][value=\"' + arguments[0] + '\"]').id", other)
        self.css(f'label[for="{radio_id}"]').click()
        self.wait(f"#scenario-toml to say coupling = {other}", lambda: self.parsed_toml().get("coupling") == other)
        check(self.css("#status").is_displayed() and "Pinned" in self.css("#status").text,
              "pressing Pin shows no notice")
        self.js("window.__profspace.lastRun = null")
        self.css("#run").click()
        # The notice goes as the run starts: it would cover the charts it draws.
        self.wait("the Pinned notice to go when the run starts",
                  lambda: not self.css("#status").is_displayed())
        self.wait("the second run to finish", lambda: self.js("return window.__profspace.lastRun") is not None
                  and self.run_state() == "done")
        second = self.js("return window.__profspace.lastRun")
        doc = tomllib.loads(second["scenario"])
        check(doc.get("coupling") == other, f"the second run's scenario has coupling {doc.get('coupling')!r}, expected {other!r}")
        check(second["seed"] == self.first["seed"], "the two runs have different seeds")
        check(second["series"] != self.first["series"], f"the {first_coupling} and {other} runs have the same series")
        info = self.js("""
            const u = window.__profspace.charts.essential;
            const count = i => u.data[i].filter(v => v !== null && v !== undefined).length;
            return u.series.slice(1).map((s, k) => ({label: s.label, points: count(k + 1)}));""")
        pinned = [s for s in info if "pinned" in s["label"]]
        current = [s for s in info if "pinned" not in s["label"]]
        check(len(pinned) >= 1 and len(current) >= 1,
              f"#chart-essential should draw a current and a pinned set of lines; its series are {info}")
        check(all(s["points"] > 0 for s in pinned), f"the pinned lines of #chart-essential are empty: {pinned}")
        check(all(s["points"] > 0 for s in current), f"the current lines of #chart-essential are empty: {current}")
        legend = self.css("#compare").text
        check("pinned:" in legend and "current:" in legend and other in legend and first_coupling in legend,
              f"the comparison legend does not name both runs: {legend!r}")
        self.shot("02-after-pin.png")

    def step_invalid_toml(self):
        text = self.toml()
        lines = text.split("\n")
        table = ""
        line_no = None
        for i, line in enumerate(lines, 1):
            m = re.match(r"^\s*\[\s*([A-Za-z0-9_.]+)\s*\]", line)
            if m:
                table = m.group(1)
            elif table == "managers" and re.match(r"^\s*focus\s*=", line):
                line_no = i
                break
        check(line_no is not None, "no `focus = …` line under [managers] in #scenario-toml")
        m = re.match(r"^(\s*focus\s*=\s*)([^\s#]+)", lines[line_no - 1])
        start = sum(len(l) + 1 for l in lines[:line_no - 1]) + len(m.group(1))
        end = start + len(m.group(2))
        area = self.css("#scenario-toml")
        area.click()
        self.js("arguments[0].focus(); arguments[0].setSelectionRange(arguments[1], arguments[2]);", area, start, end)
        area.send_keys("1.5")  # typed: the old value is selected, so this replaces it
        self.wait("a line-numbered problem under #scenario-toml",
                  lambda: re.search(r"line \d+", self.css("#toml-problems").text or ""))
        problems = self.css("#toml-problems").text
        check(f"line {line_no}" in problems, f"the problem should name line {line_no}: {problems!r}")
        check(self.css("#run").get_attribute("disabled") is not None, "#run is not disabled while the text is invalid")
        self.js("document.getElementById('toml-problems').scrollIntoView({block: 'center'})")
        self.shot("03-invalid-toml.png")
        # Typing a valid value again brings Run back.
        self.js("arguments[0].focus(); arguments[0].setSelectionRange(arguments[1], arguments[2]);", area, start, start + 3)
        area.send_keys("0.6")
        self.wait("#run to be enabled again", lambda: self.css("#run").get_attribute("disabled") is None)
        check(not self.css("#toml-problems").text.strip(), "problems are still shown after fixing the text")
        self.wait("the focus slider to follow the text",
                  lambda: abs(float(self.css('input[name="managers.focus"]').get_attribute("value")) - 0.6) < 1e-9)
        area.send_keys(Keys.TAB)

    def step_sweep(self):
        self.css("#tab-sweep").click()
        self.js("""
            const set = (id, v) => { const e = document.getElementById(id); e.value = v;
                                     e.dispatchEvent(new Event('change', {bubbles: true})); };
            set('sweep-x-steps', '3'); set('sweep-y-steps', '3'); set('sweep-reps', '1');""")
        # Limits are shown as the user types, before Start.
        start = self.css("#sweep-start")
        field = self.css("#sweep-x-from")
        field.clear()
        field.send_keys("1.5")
        self.wait("a value out of range to disable Start", lambda: start.get_attribute("disabled") is not None)
        summary = self.css("#sweep-summary").text
        check("outside" in summary and "1.5" in summary, f"the summary does not say 1.5 is out of range: {summary!r}")
        check(field.get_attribute("aria-invalid") == "true", "the out-of-range field is not marked")
        check(field.get_attribute("value") == "1.5", "the field no longer shows what was typed")
        field.clear()
        field.send_keys("0.1")
        self.wait("Start to come back", lambda: start.get_attribute("disabled") is None)
        self.js("""
            const set = (id, v) => { const e = document.getElementById(id); e.value = v;
                                     e.dispatchEvent(new Event('change', {bubbles: true})); };
            set('sweep-x-steps', '7'); set('sweep-y-steps', '7'); set('sweep-reps', '50');""")
        self.wait("a design over the run limit to disable Start", lambda: start.get_attribute("disabled") is not None)
        summary = self.css("#sweep-summary").text
        check("at most" in summary, f"the summary does not say the design is too large: {summary!r}")
        self.js("""
            const set = (id, v) => { const e = document.getElementById(id); e.value = v;
                                     e.dispatchEvent(new Event('change', {bubbles: true})); };
            set('sweep-x-steps', '3'); set('sweep-y-steps', '3'); set('sweep-reps', '1');""")
        self.wait("Start to come back", lambda: start.get_attribute("disabled") is None)
        self.css("#sweep-start").click()
        self.wait("the sweep's charts", lambda: self.js("""
            const imgs = [...document.querySelectorAll('#sweep-charts img')];
            return imgs.length > 0 && imgs.every(i => i.complete && i.naturalWidth > 0);"""))
        widths = self.js("return [...document.querySelectorAll('#sweep-charts img')].map(i => i.clientWidth)")
        check(all(w >= 700 for w in widths), f"the sweep's charts are shown as thumbnails: {widths} px wide")
        self.js("document.getElementById('sweep-charts').scrollIntoView({block: 'start'})")
        self.shot("04-sweep.png")
        self.css("#tab-explore").click()

    def step_close(self):
        """Leaving the page closes its session on the server (and so stops
        its runs): the session's id is then unknown (404)."""
        session = self.js("return window.__profspace.state.session")
        check(isinstance(session, str) and session, f"the page has no session id: {session!r}")

        def status():
            req = urllib.request.Request(self.base + "api/scenario",
                                         headers={"X-Profspace-Session": session})
            try:
                with urllib.request.urlopen(req, timeout=30) as res:
                    return res.status
            except urllib.error.HTTPError as e:
                return e.code
        check(status() == 200, "the page's session is not known to the server")
        self.driver.get("about:blank")
        self.wait("the closed tab's session to be gone", lambda: status() == 404)

    # ---------------------------------------------------------------- driver

    def run(self):
        steps = [("server headers", self.step_headers),
                 ("1 load the page", self.step_load),
                 ("2 move the focus slider", self.step_slider),
                 ("3 run", self.step_run),
                 ("4 lastRun", self.step_last_run),
                 ("5 pin and compare", self.step_pin_compare),
                 ("6 invalid TOML", self.step_invalid_toml)]
        if self.do_sweep:
            steps.append(("7 sweep", self.step_sweep))
        steps.append(("8 close the tab", self.step_close))
        try:
            for name, fn in steps:
                self.step_name = name
                print(f"step {name}")
                if self.driver is None and fn != self.step_headers:
                    self.start_browser()
                fn()
            self.step_name = "console"
            errors = self.browser_errors()
            check(not errors, "the browser console has errors:\n  " + "\n  ".join(errors))
        except StepFailed as e:
            print(f"FAIL at step '{self.step_name}': {e}", file=sys.stderr)
            self.try_failure_shot()
            return 1
        except WebDriverException as e:
            print(f"FAIL at step '{self.step_name}': the browser said: {e.msg or e}", file=sys.stderr)
            self.try_failure_shot()
            return 1
        finally:
            self.stop_browser()
        print("browser test: all steps passed")
        return 0

    def try_failure_shot(self):
        if self.driver is None:
            return
        try:
            self.shot("failure.png")
            for msg in self.browser_errors():
                print(f"    console: {msg}", file=sys.stderr)
        except (WebDriverException, StepFailed, OSError):
            pass


def main():
    ap = argparse.ArgumentParser(description="End-to-end test of the profspace explorer in headless chromium.")
    ap.add_argument("base_url", help="where the explorer is served, e.g. http://127.0.0.1:8765/")
    ap.add_argument("screenshot_dir", help="folder for the PNG screenshots (created if missing)")
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for each condition")
    ap.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    ap.add_argument("--chromedriver", default=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    ap.add_argument("--sweep", action="store_true", help="also run a small sweep from the sweep tab")
    ap.add_argument("--profspace", help="the profspace binary, to replay the page's run with profspace run")
    ap.add_argument("--server-wait", type=float, default=10.0,
                    help="seconds to wait for the server to answer GET / before failing")
    args = ap.parse_args()
    test = ExplorerTest(args.base_url, args.screenshot_dir, args.timeout, args.chromium,
                        args.chromedriver, args.sweep, args.server_wait, args.profspace)
    sys.exit(test.run())


if __name__ == "__main__":
    main()
