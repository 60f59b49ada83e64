//! `profspace serve`: the explorer, a local web page where students move the
//! levers and watch the organisation respond.
//!
//! The binary's own HTTP server (`tiny_http`, a few plain worker threads)
//! serves the page embedded in the binary (`assets`) and the JSON API of
//! `docs/explorer-api.md` (`routes`). Each browser tab has a session
//! (`session`): a scenario text edited with `toml_edit` (`edit`) and checked
//! by the engine's own reader. Runs (`runs`) and sweeps (`sweeps`) go
//! through the library's public API in threads of their own: a run calls
//! `Model::simulate` with a live view of its rows, and writes its tables
//! with `sweep::execute` when they are asked for, so that they are the
//! bytes of `profspace run`; a sweep is `sweep::execute` and
//! `plot::plot_dir`. The checks every request passes are in `http`.
//! Nothing is read from disk but the result folders the server writes in
//! its temporary folder, which it removes when it stops.

mod assets;
mod edit;
mod http;
mod routes;
mod runs;
mod session;
mod sweeps;
mod tar;

use crate::exit::{self, usage};
use anyhow::Result;
use session::Session;
use std::collections::HashMap;
use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// HTTP worker threads.
const WORKERS: usize = 4;
/// A session unused this long is closed (its runs stopped, its files removed).
const IDLE: Duration = Duration::from_secs(600);
/// Sessions kept at once: a new one beyond them closes the least recently
/// used.
const MAX_SESSIONS: usize = 32;
/// The port tried first when none is given.
const DEFAULT_PORT: u16 = 8765;

/// The options of `profspace serve`.
pub(crate) struct ServeOptions {
    pub port: Option<u16>,
    pub bind: IpAddr,
    pub open: bool,
    /// The scenario text a new tab starts from (`None`: the explorer's own,
    /// `assets/explorer/explorer.toml`).
    pub start: Option<String>,
}

/// The scenario text in `path`, for `profspace serve FILE`: a user error
/// naming the file, line and key when the explorer cannot start from it.
pub(crate) fn start_text(path: &std::path::Path) -> Result<String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| profspace::error::Error::io(format!("cannot read {}", path.display()), e))?;
    let file = path.display().to_string();
    if let Err(problems) = session::check_file(&text, &file) {
        let lines: Vec<String> = problems
            .iter()
            .map(|p| {
                let at = p.line.map(|l| format!(":{l}")).unwrap_or_default();
                let key = p
                    .key
                    .as_deref()
                    .map(|k| format!(" `{k}`:"))
                    .unwrap_or_default();
                format!("{file}{at}:{key} {}", p.message)
            })
            .collect();
        return Err(profspace::error::Error::usage(format!(
            "the explorer cannot start from {file}:\n{}",
            lines.join("\n")
        ))
        .into());
    }
    Ok(text)
}

/// Locks a mutex, recovering it when a thread panicked while holding it
/// (the data are plain values that stay usable).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The server's shared state.
pub(crate) struct App {
    hosts: Vec<String>,
    dir: PathBuf,
    sessions: Mutex<HashMap<String, Arc<Mutex<Session>>>>,
    /// The scenario text a new tab starts from.
    start: String,
    next_id: AtomicU64,
    /// Runs and sweeps going on in the whole server.
    active: Arc<AtomicUsize>,
}

impl App {
    fn new(hosts: Vec<String>, dir: PathBuf, start: String) -> App {
        App {
            hosts,
            dir,
            sessions: Mutex::new(HashMap::new()),
            start,
            next_id: AtomicU64::new(1),
            active: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// A new session with the default scenario (closing the least recently
    /// used one when there are `MAX_SESSIONS`).
    fn new_session(&self) -> Arc<Mutex<Session>> {
        let oldest = {
            let sessions = lock(&self.sessions);
            if sessions.len() >= MAX_SESSIONS {
                sessions
                    .iter()
                    .map(|(id, s)| (lock(s).touched, id.clone()))
                    .min()
                    .map(|(_, id)| id)
            } else {
                None
            }
        };
        if let Some(id) = oldest {
            self.close(&id);
        }
        let id: String = rand::random::<[u8; 16]>()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let s = Arc::new(Mutex::new(Session::new(
            id.clone(),
            self.dir.join(&id),
            &self.start,
        )));
        lock(&self.sessions).insert(id, s.clone());
        s
    }

    /// The session called `id`, touched.
    fn session(&self, id: &str) -> Option<Arc<Mutex<Session>>> {
        let s = lock(&self.sessions).get(id).cloned()?;
        lock(&s).touched = Instant::now();
        Some(s)
    }

    /// A new id for a run (`r1`) or a sweep (`w1`).
    fn id(&self, prefix: &str) -> String {
        format!("{prefix}{}", self.next_id.fetch_add(1, Ordering::Relaxed))
    }

    /// Closes a session: stops its runs and sweeps, removes its files.
    fn close(&self, id: &str) {
        let Some(s) = lock(&self.sessions).remove(id) else {
            return;
        };
        let s = lock(&s);
        for r in &s.runs {
            r.stop.store(true, Ordering::Relaxed);
        }
        for w in &s.sweeps {
            w.request_stop();
        }
        let _ = std::fs::remove_dir_all(&s.dir);
    }

    /// Closes the sessions idle for longer than `idle`.
    fn close_idle(&self, idle: Duration) {
        let old: Vec<String> = lock(&self.sessions)
            .iter()
            .filter(|(_, s)| lock(s).touched.elapsed() > idle)
            .map(|(id, _)| id.clone())
            .collect();
        for id in old {
            self.close(&id);
        }
    }

    fn close_all(&self) {
        let ids: Vec<String> = lock(&self.sessions).keys().cloned().collect();
        for id in ids {
            self.close(&id);
        }
    }
}

/// The address to print: loopback unless the server is bound elsewhere.
fn shown_host(bind: IpAddr) -> String {
    match bind {
        b if b.is_unspecified() || b == IpAddr::V4(Ipv4Addr::LOCALHOST) => "127.0.0.1".into(),
        IpAddr::V6(a) => format!("[{a}]"),
        IpAddr::V4(a) => a.to_string(),
    }
}

fn listen(opts: &ServeOptions) -> Result<tiny_http::Server> {
    let try_port = |port: u16| tiny_http::Server::http(SocketAddr::new(opts.bind, port));
    let server = match opts.port {
        Some(p) => try_port(p),
        None => try_port(DEFAULT_PORT).or_else(|_| try_port(0)),
    };
    server.map_err(|e| {
        usage(format!(
            "cannot listen on {}:{}: {e}; choose another --port (0 picks a free one)",
            opts.bind,
            opts.port.unwrap_or(DEFAULT_PORT)
        ))
    })
}

/// Runs the server until Ctrl-C (SIGINT), SIGTERM or SIGHUP.
pub(crate) fn serve(opts: &ServeOptions) -> Result<i32> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])
        .map_err(|e| anyhow::anyhow!("cannot watch for Ctrl-C: {e}"))?;
    let server = Arc::new(listen(opts)?);
    let port = server
        .server_addr()
        .to_ip()
        .map_or(opts.port.unwrap_or(0), |a| a.port());
    let dir = std::env::temp_dir().join(format!(
        "profspace-serve-{}-{:08x}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir_all(&dir)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
    let url = format!("http://{}:{port}/", shown_host(opts.bind));
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "profspace explorer: {url}");
        let _ = out.flush();
    }
    errln!("serving the explorer on {url} (Ctrl-C stops it)");
    let start = opts
        .start
        .clone()
        .unwrap_or_else(|| assets::TEMPLATE.to_string());
    let app = Arc::new(App::new(
        http::allowed_hosts(port, opts.bind),
        dir.clone(),
        start,
    ));
    let mut workers = Vec::new();
    for i in 0..WORKERS {
        let (server, app) = (server.clone(), app.clone());
        workers.push(
            std::thread::Builder::new()
                .name(format!("http {i}"))
                .spawn(move || {
                    while let Ok(req) = server.recv() {
                        routes::handle(&app, req);
                    }
                })?,
        );
    }
    let janitor = app.clone();
    std::thread::Builder::new()
        .name("idle sessions".into())
        .spawn(move || {
            loop {
                std::thread::sleep(Duration::from_secs(30));
                janitor.close_idle(IDLE);
            }
        })?;
    if opts.open {
        open_browser(&url);
    }
    let _ = signals.forever().next();
    errln!("\nstopping the explorer");
    app.close_all();
    server.unblock();
    let _ = std::fs::remove_dir_all(&dir);
    Ok(exit::OK)
}

/// Opens the page in the default browser, if one can be started; a failure
/// is not an error (the address is printed).
fn open_browser(url: &str) {
    let program = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let _ = std::process::Command::new(program)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}
