//! HTTP on top of `tiny_http`: what a request says (method, path, query,
//! the headers that matter), the checks every request passes (Host, and for
//! writes the method, Origin, size and type of the body), and replies with
//! the headers every response carries.

use serde_json::{Value as Json, json};
use std::io::Read;
use std::net::IpAddr;
use tiny_http::{Header, Method, Request, Response};

/// The largest request body accepted.
pub(super) const MAX_BODY: usize = 256 * 1024;
/// A declared body beyond this is never read (not even drained): the
/// connection is dropped without an answer.
const ABSURD_BODY: usize = 64 * 1024 * 1024;

/// A reply to send.
pub(super) struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub headers: Vec<(&'static str, String)>,
}

impl Reply {
    /// A JSON reply.
    pub fn json(status: u16, value: &Json) -> Reply {
        Reply::bytes(status, "application/json", value.to_string().into_bytes())
    }

    /// `{"error": message}`.
    pub fn error(status: u16, message: impl AsRef<str>) -> Reply {
        Reply::json(status, &json!({ "error": message.as_ref() }))
    }

    /// Any bytes.
    pub fn bytes(status: u16, content_type: &'static str, body: Vec<u8>) -> Reply {
        Reply {
            status,
            content_type,
            body,
            headers: Vec::new(),
        }
    }

    /// No content.
    pub fn empty(status: u16) -> Reply {
        Reply::bytes(status, "", Vec::new())
    }

    /// With one more header.
    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }

    /// A download: `Content-Disposition: attachment`.
    pub fn attachment(self, file: &str) -> Reply {
        self.with(
            "Content-Disposition",
            format!("attachment; filename=\"{file}\""),
        )
    }
}

/// The method of a request, as far as the server cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Verb {
    Get,
    Head,
    Post,
    Other,
}

/// What the server reads from a request before routing it.
pub(super) struct Incoming {
    pub verb: Verb,
    /// The path, exactly as sent (not decoded).
    pub path: String,
    /// The query's pairs, decoded.
    pub query: Vec<(String, String)>,
    pub host: Option<String>,
    pub origin: Option<String>,
    /// `Sec-Fetch-Site`, which browsers send with every request.
    pub fetch_site: Option<String>,
    pub content_type: Option<String>,
    pub session: Option<String>,
    pub content_length: Option<usize>,
}

impl Incoming {
    /// Reads the request line and headers.
    pub fn of(req: &Request) -> Incoming {
        let verb = match req.method() {
            Method::Get => Verb::Get,
            Method::Head => Verb::Head,
            Method::Post => Verb::Post,
            _ => Verb::Other,
        };
        let url = req.url();
        let (path, query) = url.split_once('?').unwrap_or((url, ""));
        let header = |name: &str| {
            req.headers()
                .iter()
                .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
                .map(|h| h.value.as_str().to_string())
        };
        let query = parse_query(query);
        let session = header("X-Profspace-Session").or_else(|| {
            query
                .iter()
                .find(|(k, _)| k == "session")
                .map(|(_, v)| v.clone())
        });
        Incoming {
            verb,
            path: path.to_string(),
            query,
            host: header("Host"),
            origin: header("Origin"),
            fetch_site: header("Sec-Fetch-Site"),
            content_type: header("Content-Type"),
            session,
            content_length: req.body_length(),
        }
    }

    /// The decoded value of a query parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The pairs of a query string, percent-decoded (`+` is a space).
fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The names this server answers to: `localhost`, `127.0.0.1` and `[::1]`
/// with its port, and the address it was bound to.
pub(super) fn allowed_hosts(port: u16, bind: IpAddr) -> Vec<String> {
    let mut hosts = vec![
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
    ];
    let own = match bind {
        IpAddr::V4(a) => format!("{a}:{port}"),
        IpAddr::V6(a) => format!("[{a}]:{port}"),
    };
    if !bind.is_unspecified() && !hosts.contains(&own) {
        hosts.push(own);
    }
    hosts
}

/// Refuses a request whose Host is not one of ours (DNS rebinding: a page
/// of another site whose name now points here sends its own name).
pub(super) fn check_host(inc: &Incoming, hosts: &[String]) -> Result<(), Reply> {
    match &inc.host {
        Some(h) if hosts.iter().any(|a| a.eq_ignore_ascii_case(h)) => Ok(()),
        Some(h) => Err(Reply::error(
            403,
            format!(
                "this server answers only to {}; not to Host {h}",
                hosts.join(", ")
            ),
        )),
        None => Err(Reply::error(403, "a request must say its Host")),
    }
}

/// The checks of a write, before its body is read: the browser's Origin,
/// when sent, must be the server's own; the body must be JSON and small.
pub(super) fn check_write(inc: &Incoming) -> Result<(), Reply> {
    if let (Some(origin), Some(host)) = (&inc.origin, &inc.host)
        && !origin.eq_ignore_ascii_case(&format!("http://{host}"))
    {
        return Err(Reply::error(
            403,
            format!("writes come only from this page (http://{host}), not from {origin}"),
        ));
    }
    if let Some(site) = &inc.fetch_site
        && !site.eq_ignore_ascii_case("same-origin")
    {
        return Err(Reply::error(
            403,
            format!("writes come only from this page, not from a {site} request"),
        ));
    }
    if inc.content_length.is_some_and(|n| n > MAX_BODY) {
        return Err(too_large());
    }
    let ctype = inc.content_type.as_deref().unwrap_or("");
    let mime = ctype.split(';').next().unwrap_or("").trim();
    if !mime.eq_ignore_ascii_case("application/json") {
        return Err(Reply::error(
            415,
            format!(
                "a write must send Content-Type: application/json, not `{}`",
                if ctype.is_empty() { "none" } else { ctype }
            ),
        ));
    }
    Ok(())
}

fn too_large() -> Reply {
    Reply::error(
        413,
        format!("the request body is larger than {} KiB", MAX_BODY / 1024),
    )
}

/// Reads a JSON object body of at most [`MAX_BODY`] bytes (reading at most
/// one byte more to know).
pub(super) fn read_json(req: &mut Request) -> Result<serde_json::Map<String, Json>, Reply> {
    let mut body = Vec::new();
    let limit = MAX_BODY as u64 + 1;
    if let Err(e) = req.as_reader().take(limit).read_to_end(&mut body) {
        return Err(Reply::error(400, format!("cannot read the body: {e}")));
    }
    if body.len() > MAX_BODY {
        return Err(too_large());
    }
    match serde_json::from_slice::<Json>(&body) {
        Ok(Json::Object(map)) => Ok(map),
        Ok(_) => Err(Reply::error(400, "the body must be a JSON object")),
        Err(e) => Err(Reply::error(400, format!("the body is not JSON: {e}"))),
    }
}

/// Whether the request declared a body too large to drain.
pub(super) fn absurd(inc: &Incoming) -> bool {
    inc.content_length.is_some_and(|n| n > ABSURD_BODY)
}

/// Sends `reply` with the headers every response carries.
pub(super) fn send(req: Request, reply: Reply, api: bool) {
    let mut response = Response::from_data(reply.body).with_status_code(reply.status);
    let mut headers: Vec<(&str, String)> = vec![
        ("Content-Security-Policy", "default-src 'self'".into()),
        ("X-Content-Type-Options", "nosniff".into()),
        ("Referrer-Policy", "no-referrer".into()),
    ];
    if !reply.content_type.is_empty() {
        headers.push(("Content-Type", reply.content_type.into()));
    }
    if api {
        headers.push(("Cache-Control", "no-store".into()));
    }
    headers.extend(reply.headers);
    for (name, value) in headers {
        if let Ok(h) = Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(h);
        }
    }
    // A client that went away is not an error of the server.
    let _ = req.respond(response);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_decoded() {
        assert_eq!(
            parse_query("since=5&session=a%2Fb&x=1+2&bad=%zz&end=%4"),
            vec![
                ("since".to_string(), "5".to_string()),
                ("session".to_string(), "a/b".to_string()),
                ("x".to_string(), "1 2".to_string()),
                ("bad".to_string(), "%zz".to_string()),
                ("end".to_string(), "%4".to_string()),
            ]
        );
    }

    #[test]
    fn hosts_include_the_bound_address() {
        let h = allowed_hosts(80, "10.0.0.2".parse().unwrap());
        assert!(h.contains(&"10.0.0.2:80".to_string()));
        assert_eq!(allowed_hosts(80, "0.0.0.0".parse().unwrap()).len(), 3);
    }
}
