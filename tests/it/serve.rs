//! `profspace serve` over raw HTTP (std::net::TcpStream): the first line it
//! prints, the checks every request passes (Host, traversal, body size,
//! methods, content type, origin, stale versions), the headers every
//! response carries, and a run through the API whose series and tables are
//! those of `profspace run` of the same scenario and seed, byte for byte.

use serde_json::{Value as Json, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A `profspace serve --port 0 --no-open` of this test, stopped on drop.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start() -> Server {
        Server::start_with(&[])
    }

    /// `profspace serve` with `args` before its options.
    fn start_with(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_profspace"))
            .arg("serve")
            .args(args)
            .args(["--port", "0", "--no-open"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("profspace serve starts");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("stdout is piped");
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("profspace serve prints a line");
        let rest = line
            .trim_end()
            .strip_prefix("profspace explorer: http://127.0.0.1:")
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"));
        let port: u16 = rest
            .strip_suffix('/')
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {line:?}"));
        assert_ne!(port, 0, "port 0 must pick a free port");
        Server { child, port }
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Sends `head` (request line and headers, without the blank line) and
    /// `body`, with `Connection: close`; returns the response.
    fn raw(&self, head: &str, body: &[u8]) -> Response {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        // Only so that a broken server fails the test instead of hanging it.
        s.set_read_timeout(Some(Duration::from_secs(300))).unwrap();
        let mut req = format!("{head}\r\nConnection: close\r\n");
        if !body.is_empty() {
            req.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        req.push_str("\r\n");
        let mut bytes = req.into_bytes();
        bytes.extend_from_slice(body);
        // The server may answer (413) and close before reading all of a
        // large body: a failed write is not the test's concern, the answer is.
        let _ = s.write_all(&bytes);
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        Response::parse(&out)
    }

    fn get(&self, path: &str, session: Option<&str>) -> Response {
        let mut head = format!("GET {path} HTTP/1.1\r\nHost: {}", self.host());
        if let Some(s) = session {
            head.push_str(&format!("\r\nX-Profspace-Session: {s}"));
        }
        self.raw(&head, b"")
    }

    fn post(&self, path: &str, body: &Json) -> Response {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nOrigin: http://{}\r\nSec-Fetch-Site: same-origin",
            self.host(),
            self.host()
        );
        self.raw(&head, body.to_string().as_bytes())
    }

    /// A new session: its id and version.
    fn session(&self) -> (String, u64) {
        let r = self.get("/api/scenario", None);
        assert_eq!(r.status, 200, "{}", r.text());
        let j = r.json();
        (
            j["session"].as_str().expect("a session id").to_string(),
            j["version"].as_u64().expect("a version"),
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        stop(&mut self.child);
    }
}

/// Stops a `profspace serve` the way Ctrl-C would (SIGTERM), so that it
/// removes its temporary folder; kills it if it is still there after a while.
fn stop(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    for _ in 0..100 {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn parse(raw: &[u8]) -> Response {
        let end = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or_else(|| panic!("no complete response: {:?}", String::from_utf8_lossy(raw)));
        let head = String::from_utf8_lossy(&raw[..end]).to_string();
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap_or("");
        let status = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let mut body = raw[end + 4..].to_vec();
        let chunked = headers
            .iter()
            .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"));
        if chunked {
            body = dechunk(&body);
        }
        Response {
            status,
            headers,
            body,
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).to_string()
    }

    fn json(&self) -> Json {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = b.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size = std::str::from_utf8(&b[..eol])
            .ok()
            .and_then(|s| usize::from_str_radix(s.split(';').next().unwrap_or("").trim(), 16).ok())
            .unwrap_or(0);
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + size]);
        b = &b[eol + 2 + size + 2..];
    }
}

#[test]
fn a_wrong_host_is_refused() {
    let srv = Server::start();
    let ok = srv.raw(
        &format!("GET / HTTP/1.1\r\nHost: localhost:{}", srv.port),
        b"",
    );
    assert_eq!(ok.status, 200);
    let port = srv.port;
    let other_port = if port == 1 { 2 } else { port - 1 };
    for host in [
        format!("evil.example:{port}"),
        "evil.example".to_string(),
        format!("127.0.0.1:{other_port}"),
        format!("localhost.evil.example:{port}"),
        "127.0.0.1".to_string(),
    ] {
        for path in ["/", "/api/scenario"] {
            let r = srv.raw(&format!("GET {path} HTTP/1.1\r\nHost: {host}"), b"");
            assert_eq!(r.status, 403, "Host {host} on {path}: {}", r.text());
            assert!(r.text().contains("answers only to"), "{}", r.text());
            assert!(
                !r.text().contains("<html"),
                "the page was served to Host {host}"
            );
        }
    }
    let r = srv.raw(
        &format!(
            "POST /api/scenario/text HTTP/1.1\r\nHost: evil.example:{port}\r\nContent-Type: application/json"
        ),
        b"{}",
    );
    assert_eq!(r.status, 403);
    let v6 = srv.raw(&format!("GET / HTTP/1.1\r\nHost: [::1]:{port}"), b"");
    assert_eq!(v6.status, 200);
}

#[test]
fn paths_outside_the_embedded_table_are_404() {
    let srv = Server::start();
    for path in [
        "/../Cargo.toml",
        "/../../../../etc/passwd",
        "/vendor/../app.js",
        "/%2e%2e/Cargo.toml",
        "/%2E%2E%2FCargo.toml",
        "/..%2f..%2fetc%2fpasswd",
        "/assets/explorer/app.js",
        "/src/main.rs",
        "/vendor/",
        "//etc/passwd",
        "/app.js/..",
    ] {
        let r = srv.get(path, None);
        assert_eq!(r.status, 404, "{path}: {}", r.text());
        assert!(!r.text().contains("[package]") && !r.text().contains("root:"));
    }
    let app = srv.get("/app.js", None);
    assert_eq!(app.status, 200);
    let on_disk =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/explorer/app.js"))
            .expect("assets/explorer/app.js");
    assert_eq!(app.body, on_disk, "/app.js is not the embedded file");
    let lic = srv.get("/licenses", None);
    assert_eq!(lic.status, 200);
    assert!(lic.text().contains("uPlot") && lic.text().contains("MIT"));
}

#[test]
fn an_oversized_body_is_413() {
    let srv = Server::start();
    let (session, version) = srv.session();
    let big = "#".repeat(300 * 1024);
    let body = json!({"session": session, "version": version, "toml": big});
    let r = srv.post("/api/scenario/text", &body);
    assert_eq!(r.status, 413, "{}", r.text());
    assert!(r.text().contains("256 KiB"), "{}", r.text());
    // Just under the limit is read (and refused for what it says, not its size).
    let small = format!("replications = 1\n{}", "#".repeat(200 * 1024));
    let body = json!({"session": session, "version": version, "toml": small});
    let r = srv.post("/api/scenario/text", &body);
    assert_eq!(r.status, 200, "a valid all-comment scenario: {}", r.text());
    // A chunked body (no Content-Length) is cut at the limit too.
    let mut chunked = Vec::new();
    let payload = json!({"session": session, "version": version + 1, "toml": big}).to_string();
    for part in payload.as_bytes().chunks(8192) {
        chunked.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
        chunked.extend_from_slice(part);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let mut s = TcpStream::connect(("127.0.0.1", srv.port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(300))).unwrap();
    let head = format!(
        "POST /api/scenario/text HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        srv.host()
    );
    let _ = s.write_all(head.as_bytes());
    let _ = s.write_all(&chunked);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    assert_eq!(Response::parse(&out).status, 413);
}

#[test]
fn get_on_a_write_endpoint_is_405() {
    let srv = Server::start();
    for path in [
        "/api/scenario/set",
        "/api/scenario/text",
        "/api/run",
        "/api/sweep",
        "/api/session/close",
        "/api/run/r1/stop",
    ] {
        let r = srv.get(path, None);
        assert_eq!(r.status, 405, "GET {path}: {}", r.text());
        assert_eq!(r.header("allow"), Some("POST"), "GET {path}");
    }
    let r = srv.raw(
        &format!(
            "PUT /api/scenario HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json",
            srv.host()
        ),
        b"{}",
    );
    assert_eq!(r.status, 405);
    let r = srv.raw(
        &format!(
            "POST / HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json",
            srv.host()
        ),
        b"{}",
    );
    assert_eq!(r.status, 405);
}

#[test]
fn every_response_carries_csp_and_nosniff() {
    let srv = Server::start();
    let (session, _) = srv.session();
    for (path, status) in [
        ("/", 200),
        ("/app.js", 200),
        ("/style.css", 200),
        ("/vendor/uPlot.iife.min.js", 200),
        ("/api/scenario", 200),
        ("/nothing-here", 404),
        ("/api/run/r999", 404),
    ] {
        let r = srv.get(path, Some(&session));
        assert_eq!(r.status, status, "{path}");
        assert_eq!(
            r.header("content-security-policy"),
            Some("default-src 'self'"),
            "{path}"
        );
        assert_eq!(
            r.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
    }
    assert!(
        srv.get("/", None)
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/html"))
    );
    let page = srv.get("/", None).text();
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "the page loads something from elsewhere"
    );
}

#[test]
fn writes_are_json_from_this_origin_and_stale_versions_get_409() {
    let srv = Server::start();
    let (session, version) = srv.session();
    let body =
        json!({"session": session, "version": version, "key": "managers.focus", "value": 0.7});
    let text = body.to_string();
    let r = srv.raw(
        &format!(
            "POST /api/scenario/set HTTP/1.1\r\nHost: {}\r\nContent-Type: text/plain",
            srv.host()
        ),
        text.as_bytes(),
    );
    assert_eq!(r.status, 415, "{}", r.text());
    let r = srv.raw(
        &format!(
            "POST /api/scenario/set HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nOrigin: http://evil.example",
            srv.host()
        ),
        text.as_bytes(),
    );
    assert_eq!(r.status, 403, "{}", r.text());
    let r = srv.raw(
        &format!(
            "POST /api/scenario/set HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nSec-Fetch-Site: cross-site",
            srv.host()
        ),
        text.as_bytes(),
    );
    assert_eq!(r.status, 403, "{}", r.text());
    let r = srv.post("/api/scenario/set", &body);
    assert_eq!(r.status, 200, "{}", r.text());
    let state = r.json();
    assert_eq!(state["version"], json!(version + 1));
    assert_eq!(state["values"]["managers.focus"], json!(0.7));
    let toml = state["toml"].as_str().unwrap();
    assert!(toml.starts_with("# explorer.toml"), "comments are kept");
    assert!(toml.contains("focus = 0.7 "), "{toml}");
    // The same edit again is based on an old version.
    let r = srv.post("/api/scenario/set", &body);
    assert_eq!(r.status, 409, "{}", r.text());
    assert_eq!(r.json()["version"], json!(version + 1));
    // Another tab's session is its own.
    let (other, other_version) = srv.session();
    assert_ne!(other, session);
    assert_eq!(other_version, version);
    // An out-of-range value: profspace's message, with the line.
    let r = srv.post(
        "/api/scenario/text",
        &json!({"session": session, "version": version + 1,
                "toml": "seed = 3\nreplications = 1\n\n[managers]\nfocus = 1.5\n"}),
    );
    assert_eq!(r.status, 400, "{}", r.text());
    let p = &r.json()["problems"][0];
    assert_eq!(p["line"], json!(5), "{p}");
    assert_eq!(p["key"], json!("managers.focus"), "{p}");
    assert!(
        p["message"].as_str().unwrap().contains("from 0 to 1"),
        "{p}"
    );
    // Broken TOML: the line too.
    let r = srv.post(
        "/api/scenario/text",
        &json!({"session": session, "version": version + 1, "toml": "seed = 3\nticks = = 4\n"}),
    );
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(r.json()["problems"][0]["line"], json!(2), "{}", r.text());
    // The invalid text blocked nothing but itself: the scenario is unchanged.
    let r = srv.get("/api/scenario", Some(&session));
    assert_eq!(r.json()["version"], json!(version + 1));
    // Caps: too many ticks is refused with the line.
    let r = srv.post(
        "/api/scenario/set",
        &json!({"session": session, "version": version + 1, "key": "ticks", "value": 100000}),
    );
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.text().contains("at most 5000"), "{}", r.text());
}

/// The `rows` of a series answer, each number read exactly by Rust's own
/// parser (serde_json's default float parsing may be off by one ulp).
fn exact_rows(body: &str) -> Vec<Vec<f64>> {
    let start = body.find("\"rows\":[").expect("a rows field") + "\"rows\":[".len();
    let mut rest = &body[start..];
    let mut rows = Vec::new();
    while let Some(r) = rest.strip_prefix('[') {
        let end = r.find(']').expect("a row's end");
        rows.push(
            r[..end]
                .split(',')
                .map(|v| v.trim().parse::<f64>().expect("a number"))
                .collect(),
        );
        rest = r[end + 1..].trim_start_matches(',');
    }
    assert!(rest.starts_with(']'), "rows end with ]: {rest:.40}");
    rows
}

/// Polls a run's series until it is no longer running; the rows.
fn series_of(srv: &Server, session: &str, id: &str) -> (String, Vec<Vec<f64>>, Vec<String>) {
    series_from(srv, session, id, 0.0)
}

/// The series of a run whose first tick is `first` (a period 1 for March).
fn series_from(
    srv: &Server,
    session: &str,
    id: &str,
    first: f64,
) -> (String, Vec<Vec<f64>>, Vec<String>) {
    let mut rows = Vec::new();
    let mut since = 0u64;
    loop {
        let r = srv.get(
            &format!("/api/run/{id}/series?since={since}"),
            Some(session),
        );
        assert_eq!(r.status, 200, "{}", r.text());
        let j = r.json();
        assert_eq!(j["since"], json!(since));
        let parsed = exact_rows(&r.text());
        assert_eq!(parsed.len(), j["rows"].as_array().expect("rows").len());
        for row in parsed {
            // Rows come once each, in tick order.
            assert_eq!(row[0], first + rows.len() as f64, "tick order");
            rows.push(row);
        }
        since = j["next"].as_u64().expect("next");
        let status = j["status"].as_str().expect("status").to_string();
        if status != "running" {
            let columns = j["columns"]
                .as_array()
                .expect("columns")
                .iter()
                .map(|c| c.as_str().unwrap_or("").to_string())
                .collect();
            return (status, rows, columns);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn an_api_run_equals_profspace_run_byte_for_byte() {
    let srv = Server::start();
    let (session, version) = srv.session();
    let text = "# a small organisation\nseed = 7\nticks = 60\nreplications = 1\ncoupling = \"zero_sum\"\n\n\
                [organization]\nteams = 4\nteam_size = 6\n\n[managers]\nfocus = 0.8\n";
    let r = srv.post(
        "/api/scenario/text",
        &json!({"session": session, "version": version, "toml": text}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let r = srv.post(
        "/api/scenario/set",
        &json!({"session": session, "version": version + 1, "key": "managers.connection", "value": 0.3}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let edited = r.json()["toml"].as_str().unwrap().to_string();
    assert!(
        edited.starts_with("# a small organisation\nseed = 7\n"),
        "{edited}"
    );
    let r = srv.post(
        "/api/run",
        &json!({"session": session, "version": version + 2}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.json()["id"].as_str().expect("a run id").to_string();
    let (status, rows, columns) = series_of(&srv, &session, &id);
    assert_eq!(status, "done");
    assert_eq!(rows.len(), 60, "one row per tick, from tick 0");
    let info = srv.get(&format!("/api/run/{id}"), Some(&session)).json();
    assert_eq!(info["status"], json!("done"));
    assert_eq!(info["seed"], json!(7));
    assert_eq!(info["ticks_done"], json!(60));
    assert_eq!(
        info["command"],
        json!("profspace run explorer.toml --seed 7")
    );
    let resolved = info["scenario"].as_str().expect("the resolved scenario");
    let doc: toml::Table = resolved.parse().expect("resolved TOML");
    assert_eq!(doc["managers"]["focus"].as_float(), Some(0.8));
    assert_eq!(doc["managers"]["connection"].as_float(), Some(0.3));

    // profspace run of the session's text and of the resolved scenario.
    let dir = tempfile::tempdir().unwrap();
    let mut cli_ticks = Vec::new();
    for (name, toml) in [("edited", edited.as_str()), ("resolved", resolved)] {
        let file = dir.path().join(format!("{name}.toml"));
        std::fs::write(&file, toml).unwrap();
        let out = dir.path().join(name);
        let st = Command::new(env!("CARGO_BIN_EXE_profspace"))
            .args([
                "run",
                file.to_str().unwrap(),
                "--seed",
                "7",
                "--no-plots",
                "--out",
            ])
            .arg(&out)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(st.success(), "profspace run {name}.toml");
        cli_ticks.push((
            std::fs::read(out.join("ticks.csv")).unwrap(),
            std::fs::read(out.join("runs.csv")).unwrap(),
        ));
    }
    assert_eq!(
        cli_ticks[0], cli_ticks[1],
        "the resolved scenario reproduces the text"
    );
    let (ticks_csv, runs_csv) = &cli_ticks[0];

    // The run's tables, downloaded: byte for byte those of profspace run.
    let t = srv.get(&format!("/api/run/{id}/table/ticks.csv"), Some(&session));
    assert_eq!(t.status, 200);
    assert_eq!(&t.body, ticks_csv, "ticks.csv differs from profspace run's");
    let t = srv.get(&format!("/api/run/{id}/table/runs.csv"), Some(&session));
    assert_eq!(&t.body, runs_csv, "runs.csv differs from profspace run's");

    // The streamed series: every number of profspace run's ticks.csv,
    // exactly (the same f64 in both).
    let csv = String::from_utf8(ticks_csv.clone()).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let from = header
        .iter()
        .position(|h| *h == "tick")
        .expect("a tick column");
    assert_eq!(
        header[from..],
        columns.iter().map(String::as_str).collect::<Vec<_>>()[..]
    );
    let table: Vec<Vec<f64>> = lines
        .map(|l| {
            l.split(',')
                .skip(from)
                .map(|v| v.parse::<f64>().expect("a number"))
                .collect()
        })
        .collect();
    assert_eq!(table.len(), rows.len());
    for (a, b) in table.iter().zip(&rows) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            assert_eq!(x.to_bits(), y.to_bits(), "tick {}: {x} vs {y}", a[0]);
        }
    }

    // The chart of the run, drawn by the plot code.
    let png = srv.get(
        &format!("/api/run/{id}/chart/timeseries.png"),
        Some(&session),
    );
    assert_eq!(png.status, 200);
    assert_eq!(&png.body[..8], b"\x89PNG\r\n\x1a\n");
    let svg = srv.get(
        &format!("/api/run/{id}/chart/timeseries.svg"),
        Some(&session),
    );
    assert!(svg.text().contains("<svg"), "{}", svg.text());
}

#[test]
fn a_stopped_run_stops() {
    let srv = Server::start();
    let (session, version) = srv.session();
    let text = "ticks = 5000\nreplications = 1\n[organization]\nteams = 100\nteam_size = 200\n";
    let r = srv.post(
        "/api/scenario/text",
        &json!({"session": session, "version": version, "toml": text}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let r = srv.post(
        "/api/run",
        &json!({"session": session, "version": version + 1}),
    );
    let id = r.json()["id"].as_str().expect("a run id").to_string();
    let r = srv.post(&format!("/api/run/{id}/stop"), &json!({"session": session}));
    assert_eq!(r.status, 200, "{}", r.text());
    let (status, rows, _) = series_of(&srv, &session, &id);
    assert_eq!(status, "stopped");
    // A run to the end records all 5000 ticks; a stopped one far fewer.
    assert!(
        rows.len() < 5000,
        "the run went on to the end: {} of 5000 ticks recorded",
        rows.len()
    );
    // The tables of a stopped run are not those of profspace run: none.
    let t = srv.get(&format!("/api/run/{id}/table/ticks.csv"), Some(&session));
    assert_eq!(t.status, 404);
    // Closing the tab closes its session.
    let r = srv.post("/api/session/close", &json!({"session": session}));
    assert_eq!(r.status, 200);
    assert_eq!(
        srv.get(&format!("/api/run/{id}"), Some(&session)).status,
        404
    );
}

#[test]
fn sessions_are_capped_least_recently_used_first() {
    let srv = Server::start();
    let (first, _) = srv.session();
    let (second, _) = srv.session();
    for _ in 0..30 {
        srv.session();
    }
    // 32 sessions, all still there; using the first makes the second the
    // least recently used, which the 33rd closes.
    assert_eq!(srv.get("/api/scenario", Some(&first)).status, 200);
    srv.session();
    assert_eq!(srv.get("/api/scenario", Some(&second)).status, 404);
    assert_eq!(srv.get("/api/scenario", Some(&first)).status, 200);
}

#[test]
fn the_explorer_presents_any_model_by_its_own_declaration() {
    // March (1991): no teams, no trade-off, its own metrics and keys.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("march.toml");
    std::fs::write(
        &file,
        "model = \"march1991\"\nseed = 3\nreplications = 1\n\n[march]\nindividuals = 20\nmax_periods = 40\n",
    )
    .unwrap();
    let srv = Server::start_with(&[file.to_str().unwrap()]);
    let st = srv.get("/api/scenario", None).json();
    assert_eq!(st["model"], json!("march1991"), "{st}");
    assert_eq!(st["ticks_key"], json!("march.max_periods"));
    let page = &st["page"];
    assert!(
        page["tiles"].is_null() && page["tradeoff"].is_null(),
        "{page}"
    );
    let metrics: Vec<&str> = st["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    let charted: Vec<&str> = page["charts"][0]["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["metric"].as_str().unwrap())
        .collect();
    assert_eq!(charted, metrics, "the plain page charts every tick metric");
    let keys: Vec<&str> = st["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    for key in [
        "march.socialization",
        "march.code_learning",
        "seed",
        "march.max_periods",
    ] {
        assert!(keys.contains(&key), "no control for {key}: {keys:?}");
    }
    assert!(keys.iter().all(|k| !k.starts_with("managers.")), "{keys:?}");
    assert_eq!(st["values"]["march.individuals"], json!(20));

    // A run of March draws its own metrics, period by period.
    let (session, version) = (
        st["session"].as_str().unwrap().to_string(),
        st["version"].as_u64().unwrap(),
    );
    let r = srv.post("/api/run", &json!({"session": session, "version": version}));
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_string();
    let (status, rows, columns) = series_from(&srv, &session, &id, 1.0);
    assert_eq!(status, "done");
    assert!(!rows.is_empty() && rows.len() <= 40, "{} rows", rows.len());
    for m in &metrics {
        assert!(
            columns.iter().any(|c| c == m),
            "no column {m} in {columns:?}"
        );
    }

    // The professional-space page keeps its own vocabulary.
    let psm = Server::start();
    let st = psm.get("/api/scenario", None).json();
    assert_eq!(st["model"], json!("professional_space"));
    assert_eq!(st["page"]["tradeoff"]["x"][0], json!("autonomy"));
    assert_eq!(st["page"]["tiles"]["value"][0], json!("licence"));
    assert_eq!(
        st["page"]["sweep"],
        json!(["managers.focus", "managers.connection"])
    );
}

#[test]
fn serve_refuses_a_scenario_the_explorer_cannot_run_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("many.toml");
    std::fs::write(&file, "seed = 1\nreplications = 5\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_profspace"))
        .args(["serve", file.to_str().unwrap(), "--port", "0", "--no-open"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("many.toml:2") && err.contains("replications = 1"),
        "{err}"
    );
}
