//! Which handler answers which request: the static table, then the API of
//! `docs/explorer-api.md`. Every request gets a response; a handler that
//! panics answers 500.

use super::http::{self, Incoming, Reply, Verb};
use super::runs::{Run, Status};
use super::session::{Session, caps, problems_json};
use super::sweeps::{self, Sweep};
use super::{App, assets, lock};
use serde_json::{Map, Value as Json, json};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use tiny_http::Request;

/// The tables of a run the page offers for download.
const DOWNLOADS: [profspace::output::tables::Table; 2] = [
    profspace::output::tables::RUNS,
    profspace::output::tables::TICKS,
];

/// Runs kept per session (older ones and their files are dropped).
const KEEP_RUNS: usize = 6;
/// Sweeps kept per session.
const KEEP_SWEEPS: usize = 3;

type Body = Map<String, Json>;

/// Answers one request.
pub(super) fn handle(app: &App, mut req: Request) {
    let inc = Incoming::of(&req);
    if http::absurd(&inc) {
        // tiny_http would drain (and buffer) the declared body when the
        // request is dropped: give no answer and keep the connection.
        errln!(
            "refused a request declaring a body of {:?} bytes",
            inc.content_length
        );
        std::mem::forget(req);
        return;
    }
    let reply = catch_unwind(AssertUnwindSafe(|| route(app, &inc, &mut req))).unwrap_or_else(|p| {
        Reply::error(
            500,
            format!("internal error: {}", super::runs::panic_message(&*p)),
        )
    });
    http::send(req, reply, inc.path.starts_with("/api/"));
}

fn route(app: &App, inc: &Incoming, req: &mut Request) -> Reply {
    if let Err(r) = http::check_host(inc, &app.hosts) {
        return r;
    }
    if !inc.path.starts_with("/api/") {
        return static_file(inc);
    }
    let write = is_write(&inc.path);
    match (write, inc.verb) {
        (true, Verb::Post) | (false, Verb::Get | Verb::Head) => {}
        (true, _) => {
            return Reply::error(405, format!("{} takes POST", inc.path)).with("Allow", "POST");
        }
        (false, _) => {
            return Reply::error(405, format!("{} takes GET", inc.path)).with("Allow", "GET, HEAD");
        }
    }
    if !write {
        return get(app, inc);
    }
    if let Err(r) = http::check_write(inc) {
        return r;
    }
    match http::read_json(req) {
        Ok(body) => post(app, inc, &body),
        Err(r) => r,
    }
}

fn is_write(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    matches!(
        path,
        "/api/scenario/set"
            | "/api/scenario/text"
            | "/api/run"
            | "/api/sweep"
            | "/api/session/close"
    ) || matches!(parts.as_slice(), ["", "api", "run" | "sweep", _, "stop"])
}

fn static_file(inc: &Incoming) -> Reply {
    if !matches!(inc.verb, Verb::Get | Verb::Head) {
        return Reply::error(405, "the page's files take GET").with("Allow", "GET, HEAD");
    }
    if inc.path == "/favicon.ico" {
        return Reply::empty(204);
    }
    match assets::find(&inc.path) {
        Some(a) => Reply::bytes(200, a.content_type, a.bytes.to_vec()),
        None => Reply::error(404, format!("no such file: {}", inc.path)),
    }
}

/// The session a request names, or 404.
fn session_of(app: &App, id: Option<&str>) -> Result<Arc<Mutex<Session>>, Reply> {
    let id =
        id.ok_or_else(|| Reply::error(404, "no session given; GET /api/scenario starts one"))?;
    app.session(id).ok_or_else(|| {
        Reply::error(
            404,
            "no such session (closed, idle for 10 minutes, or the server restarted)",
        )
    })
}

/// 409 unless the body's version is the session's.
fn check_version(s: &Session, body: &Body) -> Result<(), Reply> {
    match body.get("version").and_then(Json::as_u64) {
        Some(v) if v == s.version => Ok(()),
        Some(v) => {
            let mut state = s.state();
            state["error"] = json!(format!(
                "the scenario changed (version {} is current, the request was based on {v}); reload it",
                s.version
            ));
            Err(Reply::json(409, &state))
        }
        None => Err(Reply::error(
            400,
            "the body must carry the scenario's `version`",
        )),
    }
}

fn get(app: &App, inc: &Incoming) -> Reply {
    let parts: Vec<&str> = inc.path.split('/').skip(3).collect();
    let result = match inc.path.split('/').nth(2) {
        Some("scenario") if parts.is_empty() => scenario(app, inc),
        Some("run") if !parts.is_empty() => {
            session_of(app, inc.session.as_deref()).and_then(|s| run_get(&s, inc, &parts))
        }
        Some("sweep") if !parts.is_empty() => {
            session_of(app, inc.session.as_deref()).and_then(|s| sweep_get(&s, &parts))
        }
        _ => Err(Reply::error(404, format!("no such endpoint: {}", inc.path))),
    };
    result.unwrap_or_else(|r| r)
}

fn scenario(app: &App, inc: &Incoming) -> Result<Reply, Reply> {
    let s = match inc.session.as_deref() {
        None | Some("") => app.new_session(),
        Some(id) => session_of(app, Some(id))?,
    };
    let state = lock(&s).state();
    Ok(Reply::json(200, &state))
}

fn find_run(s: &Mutex<Session>, id: &str) -> Result<Arc<Run>, Reply> {
    lock(s)
        .runs
        .iter()
        .find(|r| r.id == id)
        .cloned()
        .ok_or_else(|| Reply::error(404, format!("no run {id} in this session")))
}

fn find_sweep(s: &Mutex<Session>, id: &str) -> Result<Arc<Sweep>, Reply> {
    lock(s)
        .sweeps
        .iter()
        .find(|w| w.id == id)
        .cloned()
        .ok_or_else(|| Reply::error(404, format!("no sweep {id} in this session")))
}

fn run_get(s: &Mutex<Session>, inc: &Incoming, parts: &[&str]) -> Result<Reply, Reply> {
    let run = find_run(s, parts[0])?;
    let not_ready = |e: String| Reply::error(404, e);
    let reply = match &parts[1..] {
        [] => Reply::json(200, &run.info()),
        ["series"] => {
            let since = inc.param("since").and_then(|v| v.parse().ok()).unwrap_or(0);
            Reply::json(200, &run.series(since))
        }
        ["teams"] => {
            let tick = inc.param("tick").and_then(|v| v.parse().ok());
            Reply::json(200, &run.teams(tick))
        }
        ["table", name] if DOWNLOADS.iter().any(|t| t.file == *name) => Reply::bytes(
            200,
            "text/csv; charset=utf-8",
            run.table(name).map_err(not_ready)?,
        )
        .attachment(name),
        ["scenario.toml"] => Reply::bytes(
            200,
            "application/toml",
            profspace::scenario::render_resolved(&run.scenario).into_bytes(),
        )
        .attachment("explorer.toml"),
        ["chart", file @ ("timeseries.png" | "timeseries.svg")] => {
            let ext = if file.ends_with("svg") { "svg" } else { "png" };
            let ctype = if ext == "svg" {
                "image/svg+xml"
            } else {
                "image/png"
            };
            Reply::bytes(200, ctype, run.chart(ext).map_err(not_ready)?)
        }
        _ => return Err(Reply::error(404, format!("no such resource: {}", inc.path))),
    };
    Ok(reply)
}

fn sweep_get(s: &Mutex<Session>, parts: &[&str]) -> Result<Reply, Reply> {
    let sweep = find_sweep(s, parts[0])?;
    match &parts[1..] {
        [] => Ok(Reply::json(200, &sweep.info())),
        ["chart", file] => sweep
            .chart(file)
            .map(|(bytes, ctype)| Reply::bytes(200, ctype, bytes))
            .ok_or_else(|| Reply::error(404, format!("no chart {file} in this sweep"))),
        ["folder.tar"] => sweep
            .tar()
            .map(|t| {
                Reply::bytes(200, "application/x-tar", t)
                    .attachment(&format!("sweep-{}.tar", sweep.id))
            })
            .map_err(|e| Reply::error(404, e)),
        _ => Err(Reply::error(404, "no such resource of a sweep")),
    }
}

fn post(app: &App, inc: &Incoming, body: &Body) -> Reply {
    let sid = body.get("session").and_then(Json::as_str);
    if inc.path == "/api/session/close" {
        if let Some(id) = sid {
            app.close(id);
        }
        return Reply::json(200, &json!({"closed": sid}));
    }
    let s = match session_of(app, sid) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let parts: Vec<&str> = inc.path.split('/').skip(2).collect();
    let result = match parts.as_slice() {
        ["scenario", "set"] => edit_scenario(&s, body, true),
        ["scenario", "text"] => edit_scenario(&s, body, false),
        ["run"] => start_run(app, &s, body),
        ["sweep"] => start_sweep(app, &s, body),
        ["run", id, "stop"] => find_run(&s, id).map(|r| {
            r.stop.store(true, Ordering::Relaxed);
            Reply::json(200, &r.info())
        }),
        ["sweep", id, "stop"] => find_sweep(&s, id).map(|w| {
            w.request_stop();
            Reply::json(200, &w.info())
        }),
        _ => Err(Reply::error(404, format!("no such endpoint: {}", inc.path))),
    };
    result.unwrap_or_else(|r| r)
}

fn edit_scenario(s: &Mutex<Session>, body: &Body, one_key: bool) -> Result<Reply, Reply> {
    let mut s = lock(s);
    check_version(&s, body)?;
    let result = if one_key {
        let key = body
            .get("key")
            .and_then(Json::as_str)
            .ok_or_else(|| Reply::error(400, "no `key`"))?;
        let value = body
            .get("value")
            .ok_or_else(|| Reply::error(400, "no `value`"))?;
        s.set_key(key, value)
    } else {
        let text = body
            .get("toml")
            .and_then(Json::as_str)
            .ok_or_else(|| Reply::error(400, "no `toml` text"))?;
        s.set_text(text.to_string())
    };
    match result {
        Ok(()) => Ok(Reply::json(200, &s.state())),
        Err(problems) => Err(Reply::json(400, &problems_json(&problems))),
    }
}

/// Refuses a new run or sweep beyond the caps on what goes on at once.
fn check_busy(app: &App, s: &Session) -> Result<(), Reply> {
    let live = s
        .runs
        .iter()
        .filter(|r| r.status() == Status::Running && !r.stop.load(Ordering::Relaxed))
        .count()
        + s.sweeps.iter().filter(|w| w.running()).count();
    if live >= caps::RUNS {
        return Err(Reply::error(
            400,
            format!(
                "this tab already has {live} runs or sweeps going on (at most {}); stop one first",
                caps::RUNS
            ),
        ));
    }
    if app.active.load(Ordering::SeqCst) >= caps::ALL_RUNS {
        return Err(Reply::error(
            503,
            format!(
                "the server already runs {} runs and sweeps (its most); try again in a moment",
                caps::ALL_RUNS
            ),
        ));
    }
    Ok(())
}

/// A closure that counts a run or sweep as going on until it is called.
fn count_active(app: &App) -> impl FnOnce() + Send + 'static {
    let active = app.active.clone();
    active.fetch_add(1, Ordering::SeqCst);
    move || {
        active.fetch_sub(1, Ordering::SeqCst);
    }
}

fn start_run(app: &App, s: &Mutex<Session>, body: &Body) -> Result<Reply, Reply> {
    let mut s = lock(s);
    check_version(&s, body)?;
    for r in &s.runs {
        r.stop.store(true, Ordering::Relaxed);
    }
    check_busy(app, &s)?;
    let id = app.id("r");
    let dir = s.dir.join(&id);
    let run = Run::start(id.clone(), s.scenario.clone(), dir, count_active(app))
        .map_err(|e| Reply::error(500, format!("cannot start a run: {e}")))?;
    s.runs.push(run);
    while s.runs.len() > KEEP_RUNS {
        let old = s.runs.remove(0);
        let _ = std::fs::remove_dir_all(s.dir.join(&old.id));
    }
    Ok(Reply::json(200, &json!({"id": id})))
}

fn start_sweep(app: &App, s: &Mutex<Session>, body: &Body) -> Result<Reply, Reply> {
    let mut s = lock(s);
    check_version(&s, body)?;
    if s.sweeps.iter().any(|w| w.running()) {
        return Err(Reply::error(
            400,
            "a sweep of this tab is going on; stop it first",
        ));
    }
    check_busy(app, &s)?;
    let (text, scenario) = match sweeps::sweep_text(&s.toml, &s.scenario, body) {
        Ok(x) => x,
        Err(Ok(msg)) => return Err(Reply::error(400, msg)),
        Err(Err(problems)) => return Err(Reply::json(400, &problems_json(&problems))),
    };
    let id = app.id("w");
    let dir = s.dir.join(&id);
    let sweep = Sweep::start(id.clone(), text, scenario, dir, count_active(app))
        .map_err(|e| Reply::error(500, format!("cannot start a sweep: {e}")))?;
    s.sweeps.push(sweep);
    while s.sweeps.len() > KEEP_SWEEPS {
        let old = s.sweeps.remove(0);
        old.request_stop();
        let _ = std::fs::remove_dir_all(s.dir.join(&old.id));
    }
    Ok(Reply::json(200, &json!({"id": id})))
}
