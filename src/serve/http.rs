//! The development server behind `eventref serve`: the HTTP layer only.
//!
//! [`DevServer`] serves a built output directory over HTTP/1.1 from a background
//! thread with its own tokio runtime, and tells the connected browsers to reload
//! (or that the build failed) over server-sent events. Watching files and
//! rebuilding are the caller's job: it calls [`DevServer::notify`] after each
//! build.
//!
//! What this module owns:
//!
//! - **Path safety.** A request path is percent-decoded exactly once, and any
//!   segment that is `.` or `..`, or contains `/`, `\`, `:`, NUL or another
//!   control character, is refused with 400. The file is then canonicalized and
//!   must lie inside the canonicalized output directory, so a symlink (to a file
//!   or a directory) that points outside is a 404. Dotfiles (such as the build
//!   manifest) are not served. `%252e%252e` decodes to the literal name
//!   `%2e%2e`, never to `..`.
//! - **DNS-rebinding protection.** When bound to a loopback address, only
//!   requests whose `Host` names a loopback host (`localhost`, `*.localhost`,
//!   `127.0.0.1`, `[::1]`, any port) are answered; others get 403. A request
//!   with more than one `Host` header gets 400, whatever the address.
//! - **Bounded connections.** At most [`MAX_EVENT_STREAMS`] live-reload
//!   streams are open at once; more get 503 with `Retry-After`.
//! - **Live reload.** Every HTML response gets
//!   `<script src="/__eventref/live.js" defer></script>` before `</body>`. The
//!   script (embedded from `src/serve/live.js`) listens on the event stream at
//!   `/__eventref/events` and reloads the page, keeping its scroll position, or
//!   shows an overlay with the build's diagnostics.
//!
//! The event stream sends, on connect, the current state (`event: ok`, or
//! `event: error` whose data is a JSON array of [`LiveDiagnostic`]), then
//! `event: reload` or `event: error` for each notification, and a keep-alive
//! comment every 15 seconds. Every event carries `id: <server>-<generation>`,
//! which changes with each reload and with each server start: a page that
//! reconnects and sees a different id on `ok` reloads itself.

use std::convert::Infallible;
use std::future::IntoFuture;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tokio::sync::{broadcast, watch};

use crate::diagnostics::{Diagnostic, Location, Severity, slash_path};

/// The URL of the live-reload script.
pub const LIVE_JS_PATH: &str = "/__eventref/live.js";
/// The URL of the server-sent event stream.
pub const EVENTS_PATH: &str = "/__eventref/events";
/// What is injected into every HTML response.
pub const SCRIPT_TAG: &str = "<script src=\"/__eventref/live.js\" defer></script>";

const LIVE_JS: &str = include_str!("live.js");
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// How soon a browser reconnects after losing the event stream (a server restart).
const RETRY: Duration = Duration::from_millis(1000);
/// At most this many live-reload streams at once; more get 503 (each holds a
/// connection and a file descriptor).
pub const MAX_EVENT_STREAMS: usize = 64;

/// What the browser is told.
#[derive(Debug, Clone)]
pub enum LiveEvent {
    /// The site was rebuilt: reload the page (and clear any error overlay).
    Reload,
    /// The build failed: show these diagnostics until the next `Reload`.
    Error(Vec<LiveDiagnostic>),
}

impl LiveEvent {
    /// An [`LiveEvent::Error`] showing these diagnostics.
    pub fn from_diagnostics<'a>(diagnostics: impl IntoIterator<Item = &'a Diagnostic>) -> LiveEvent {
        LiveEvent::Error(diagnostics.into_iter().map(LiveDiagnostic::from).collect())
    }
}

/// One diagnostic as the browser overlay shows it (serialized as JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LiveDiagnostic {
    /// The file, with forward slashes, if known.
    pub file: Option<String>,
    /// 1-based line, if known.
    pub line: Option<usize>,
    /// 1-based column, if known.
    pub column: Option<usize>,
    /// `error` or `warning`.
    pub severity: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// The offending source line with a caret underline, for a `<pre>`.
    pub snippet: Option<String>,
}

impl From<&Diagnostic> for LiveDiagnostic {
    fn from(d: &Diagnostic) -> Self {
        let loc = d.location.as_ref();
        let placed = loc.filter(|l| l.line > 0);
        LiveDiagnostic {
            file: loc.map(|l| slash_path(&l.file)),
            line: placed.map(|l| l.line as usize),
            column: placed.map(|l| l.column as usize),
            severity: match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            }
            .to_string(),
            message: d.message.clone(),
            help: d.help.clone(),
            snippet: loc.and_then(snippet),
        }
    }
}

/// `12 | text` and a caret line under the located characters.
fn snippet(l: &Location) -> Option<String> {
    let text = l.source_line()?;
    let gutter = l.line.to_string();
    let indent: String = text
        .chars()
        .take((l.column as usize).saturating_sub(1))
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    let carets = "^".repeat(l.len.max(1) as usize);
    let pad = " ".repeat(gutter.len());
    Some(format!("{gutter} | {text}\n{pad} | {indent}{carets}"))
}

/// A running development server. Dropping it stops it, like [`DevServer::shutdown`].
pub struct DevServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

struct Shared {
    /// The output directory, absolute but not canonicalized: it may not exist yet,
    /// and a first build replaces it whole, so it is resolved on every request.
    dir: PathBuf,
    /// Bound to loopback: answer only requests for a loopback Host.
    loopback_only: bool,
    live: Mutex<LiveState>,
    tx: broadcast::Sender<Message>,
    /// Open live-reload streams.
    streams: Arc<std::sync::atomic::AtomicUsize>,
}

struct LiveState {
    /// Unique to this server process and start.
    server: String,
    /// Incremented by every reload.
    generation: u64,
    /// The last error's diagnostics as JSON, until the next reload.
    error: Option<Arc<str>>,
}

impl LiveState {
    fn version(&self) -> String {
        format!("{}-{}", self.server, self.generation)
    }

    fn current(&self) -> Message {
        match &self.error {
            Some(json) => Message::Error(self.version(), json.clone()),
            None => Message::Ok(self.version()),
        }
    }
}

#[derive(Clone)]
enum Message {
    Ok(String),
    Reload(String),
    Error(String, Arc<str>),
    /// The server is stopping: end the stream.
    Close,
}

impl Message {
    fn into_event(self) -> Option<Event> {
        Some(match self {
            Message::Ok(v) => Event::default().event("ok").id(v).data("ok"),
            Message::Reload(v) => Event::default().event("reload").id(v).data("reload"),
            Message::Error(v, json) => Event::default().event("error").id(v).data(&*json),
            Message::Close => return None,
        })
    }
}

impl DevServer {
    /// Bind and start serving `dir` on a background thread (its own tokio runtime).
    /// `port` 0 picks a free port; [`DevServer::addr`] tells which.
    ///
    /// The CLI defaults `bind` to 127.0.0.1: the server is for the author's own
    /// browser, and binding to loopback also turns on the `Host` check against DNS
    /// rebinding. Binding elsewhere (`0.0.0.0` to test from a phone) turns it off.
    ///
    /// `dir` need not exist yet: until it does, every page is a 404. Fails if the
    /// address cannot be bound (in use, not permitted).
    pub fn start(bind: IpAddr, port: u16, dir: PathBuf) -> io::Result<DevServer> {
        let dir = if dir.is_absolute() {
            dir
        } else {
            std::env::current_dir()?.join(dir)
        };
        let listener = std::net::TcpListener::bind(SocketAddr::new(bind, port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("eventref-serve")
            .enable_all()
            .build()?;
        let listener = {
            let _guard = runtime.enter();
            tokio::net::TcpListener::from_std(listener)?
        };
        let (tx, _) = broadcast::channel(16);
        let shared = Arc::new(Shared {
            dir,
            loopback_only: bind.is_loopback(),
            live: Mutex::new(LiveState {
                server: server_id(),
                generation: 0,
                error: None,
            }),
            tx,
            streams: Arc::default(),
        });
        let app = Router::new().fallback(handle).with_state(shared.clone());
        let (stop, stopped) = watch::channel(false);
        let thread = std::thread::Builder::new()
            .name("eventref-serve".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let mut graceful = stopped.clone();
                    let serve = axum::serve(listener, app)
                        .with_graceful_shutdown(async move {
                            let _ = graceful.wait_for(|stop| *stop).await;
                        })
                        .into_future();
                    // Event streams end cleanly on shutdown (see `Drop`), so browsers
                    // see a closed stream, not a broken one; whatever still hangs on
                    // after a second is cut.
                    let mut stopped = stopped;
                    let deadline = async move {
                        let _ = stopped.wait_for(|stop| *stop).await;
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    };
                    tokio::select! {
                        _ = serve => {}
                        _ = deadline => {}
                    }
                });
                runtime.shutdown_timeout(Duration::from_secs(1));
            })?;
        Ok(DevServer {
            addr,
            shared,
            stop,
            thread: Some(thread),
        })
    }

    /// The address the server is bound to (with the port it picked, if asked for 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Tell every connected browser (and remember the error state for browsers
    /// that connect later). A `Reload` clears the error state.
    pub fn notify(&self, event: LiveEvent) {
        let mut live = lock(&self.shared.live);
        let message = match event {
            LiveEvent::Reload => {
                live.generation += 1;
                live.error = None;
                Message::Reload(live.version())
            }
            LiveEvent::Error(diagnostics) => {
                let json: Arc<str> = serde_json::to_string(&diagnostics)
                    .unwrap_or_else(|_| "[]".into())
                    .into();
                live.error = Some(json.clone());
                Message::Error(live.version(), json)
            }
        };
        // Sent under the lock, so a browser connecting now gets either the old
        // state and then this message, or the new state only. No receiver is fine.
        let _ = self.shared.tx.send(message);
    }

    /// Stop the server: no new connections, open ones (event streams) are closed.
    /// Returns once the port is free again.
    pub fn shutdown(self) {
        // Drop does it.
    }
}

impl Drop for DevServer {
    fn drop(&mut self) {
        // End the event streams first, then stop accepting and wait for the rest.
        let _ = self.shared.tx.send(Message::Close);
        let _ = self.stop.send(true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn lock(m: &Mutex<LiveState>) -> MutexGuard<'_, LiveState> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn server_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    format!("{:x}{:x}", std::process::id(), nanos)
}

async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let mut response = route(shared, req).await;
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

async fn route(shared: Arc<Shared>, req: Request) -> Response {
    // Two Host headers: which one a proxy or browser saw is anyone's guess.
    if req.headers().get_all(header::HOST).iter().nth(1).is_some() {
        return plain(StatusCode::BAD_REQUEST, "More than one Host header.\n");
    }
    if shared.loopback_only && !loopback_host(&req) {
        return plain(
            StatusCode::FORBIDDEN,
            "eventref serve answers only requests for localhost, 127.0.0.1 or [::1] \
             (DNS-rebinding protection). Bind to another address to serve other names.\n",
        );
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let mut r = plain(StatusCode::METHOD_NOT_ALLOWED, "Only GET and HEAD.\n");
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    match req.uri().path() {
        LIVE_JS_PATH => (
            [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
            LIVE_JS,
        )
            .into_response(),
        EVENTS_PATH => events(&shared),
        path => {
            let path = path.to_string();
            let query = req.uri().query().map(str::to_string);
            let dir = shared.dir.clone();
            tokio::task::spawn_blocking(move || serve_path(&dir, &path, query.as_deref()))
                .await
                .unwrap_or_else(|_| plain(StatusCode::INTERNAL_SERVER_ERROR, "Internal error.\n"))
        }
    }
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response()
}

/// Whether the request's Host header (and absolute-form authority, if any)
/// names a loopback host.
fn loopback_host(req: &Request) -> bool {
    let header = req.headers().get(header::HOST).map(|h| h.to_str().ok());
    let authority = req.uri().authority().map(|a| a.as_str());
    match (header, authority) {
        (None, None) => false,
        (Some(None), _) => false,
        (h, a) => h.flatten().is_none_or(is_loopback_name) && a.is_none_or(is_loopback_name),
    }
}

/// `localhost`, `*.localhost`, `127.x.y.z` or `[::1]`, with or without a port.
pub fn is_loopback_name(host: &str) -> bool {
    let host = host.trim();
    let name = if let Some(rest) = host.strip_prefix('[') {
        match rest.split_once(']') {
            Some((ip, port)) if port.is_empty() || port.strip_prefix(':').is_some_and(is_port) => ip,
            _ => return false,
        }
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if is_port(port) => name,
            Some(_) => return false,
            None => host,
        }
    };
    let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn is_port(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

/// Counts an open live-reload stream until dropped.
struct StreamSlot(Arc<std::sync::atomic::AtomicUsize>);

impl StreamSlot {
    fn take(count: &Arc<std::sync::atomic::AtomicUsize>) -> Option<StreamSlot> {
        use std::sync::atomic::Ordering;
        count
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < MAX_EVENT_STREAMS).then_some(n + 1)
            })
            .ok()
            .map(|_| StreamSlot(count.clone()))
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

fn events(shared: &Shared) -> Response {
    let Some(slot) = StreamSlot::take(&shared.streams) else {
        let mut r = plain(
            StatusCode::SERVICE_UNAVAILABLE,
            "Too many live-reload connections; close some preview tabs.\n",
        );
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        return r;
    };
    let (rx, first) = {
        let live = lock(&shared.live);
        (shared.tx.subscribe(), live.current())
    };
    let first = first.into_event().map(|e| e.retry(RETRY));
    let stream = futures_util::stream::unfold((first, rx, slot), |(first, mut rx, slot)| async move {
        if let Some(event) = first {
            return Some((Ok::<_, Infallible>(event), (None, rx, slot)));
        }
        loop {
            match rx.recv().await {
                Ok(message) => return message.into_event().map(|e| (Ok(e), (None, rx, slot))),
                // Missed some: the ones still queued end with the latest state.
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response()
}

/// Where a request path leads.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup {
    /// A file inside the directory, canonicalized.
    File(PathBuf),
    /// A directory asked for without its trailing slash: the location to redirect to.
    Redirect(String),
    /// Nothing (or nothing that may be served) is there.
    NotFound,
    /// The path is malformed or tries to leave the directory.
    BadRequest(&'static str),
}

/// The decoded segments of a request path, and whether it ends with a slash.
/// Empty segments (`a//b`) are dropped; `.`/`..` and segments with `/` (from
/// `%2F`), `\`, `:`, NUL or control characters are refused.
pub fn parse_path(raw: &str) -> Result<(Vec<String>, bool), &'static str> {
    let rest = raw.strip_prefix('/').ok_or("the path must start with /")?;
    let trailing_slash = rest.is_empty() || rest.ends_with('/');
    let mut segments = Vec::new();
    for raw_segment in rest.split('/').filter(|s| !s.is_empty()) {
        let segment = percent_decode(raw_segment)?;
        if segment == "." || segment == ".." {
            return Err("dot segments are not allowed");
        }
        if segment
            .chars()
            .any(|c| matches!(c, '/' | '\\' | ':') || c.is_control())
        {
            return Err("the path has a forbidden character");
        }
        segments.push(segment);
    }
    Ok((segments, trailing_slash))
}

/// Percent-decode once; a `%` not followed by two hex digits, or bytes that are
/// not UTF-8, are an error.
fn percent_decode(s: &str) -> Result<String, &'static str> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or("bad percent-encoding")?;
            let hex = std::str::from_utf8(hex).map_err(|_| "bad percent-encoding")?;
            let byte = u8::from_str_radix(hex, 16).map_err(|_| "bad percent-encoding")?;
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "the path is not UTF-8")
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Canonicalize `root/segments…` and return it if it is inside `root` (canonical).
fn inside(root: &Path, segments: &[String]) -> Option<PathBuf> {
    let mut path = root.to_path_buf();
    path.extend(segments);
    let canonical = path.canonicalize().ok()?;
    canonical.starts_with(root).then_some(canonical)
}

/// Resolve a raw (still percent-encoded) request path against the output directory.
pub fn lookup(dir: &Path, raw_path: &str, query: Option<&str>) -> Lookup {
    let (segments, trailing_slash) = match parse_path(raw_path) {
        Ok(parsed) => parsed,
        Err(why) => return Lookup::BadRequest(why),
    };
    if segments.iter().any(|s| s.starts_with('.')) {
        return Lookup::NotFound;
    }
    let Ok(root) = dir.canonicalize() else {
        return Lookup::NotFound;
    };
    let Some(found) = inside(&root, &segments) else {
        return Lookup::NotFound;
    };
    if found.is_dir() {
        if !trailing_slash {
            let mut location = String::new();
            for s in &segments {
                location.push('/');
                location.push_str(&percent_encode(s));
            }
            location.push('/');
            if let Some(q) = query {
                location.push('?');
                location.push_str(q);
            }
            return Lookup::Redirect(location);
        }
        let mut index = segments;
        index.push("index.html".to_string());
        return match inside(&root, &index) {
            Some(index) if index.is_file() => Lookup::File(index),
            _ => Lookup::NotFound,
        };
    }
    if trailing_slash || !found.is_file() {
        return Lookup::NotFound;
    }
    Lookup::File(found)
}

/// The Content-Type for a file name.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "wasm" => "application/wasm",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        // Pagefind's index files (and its gzipped `wasm.*.pagefind`) are fetched as bytes.
        _ => "application/octet-stream",
    }
}

fn is_html(path: &Path) -> bool {
    content_type(path).starts_with("text/html")
}

/// Insert the live-reload script before the last `</body>`, or append it.
pub fn inject_script(html: &[u8]) -> Vec<u8> {
    let needle = b"</body";
    let at = html
        .windows(needle.len())
        .rposition(|w| w.eq_ignore_ascii_case(needle))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + SCRIPT_TAG.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(SCRIPT_TAG.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn file_response(status: StatusCode, path: &Path) -> Option<Response> {
    let bytes = std::fs::read(path).ok()?;
    let body = if is_html(path) {
        inject_script(&bytes)
    } else {
        bytes
    };
    Some(
        Response::builder()
            .status(status)
            .header(header::CONTENT_TYPE, content_type(path))
            .body(Body::from(body))
            .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response()),
    )
}

fn serve_path(dir: &Path, raw_path: &str, query: Option<&str>) -> Response {
    match lookup(dir, raw_path, query) {
        Lookup::File(path) => {
            file_response(StatusCode::OK, &path).unwrap_or_else(|| not_found(dir, raw_path))
        }
        Lookup::Redirect(location) => match HeaderValue::from_str(&location) {
            Ok(location) => {
                let mut r = plain(StatusCode::PERMANENT_REDIRECT, "Moved.\n");
                r.headers_mut().insert(header::LOCATION, location);
                r
            }
            Err(_) => plain(StatusCode::BAD_REQUEST, "Bad request.\n"),
        },
        Lookup::NotFound => not_found(dir, raw_path),
        Lookup::BadRequest(_) => plain(StatusCode::BAD_REQUEST, "Bad request.\n"),
    }
}

/// 404 with the language's `404.html` (`/de/…` → `de/404.html`), else the root
/// `404.html`, else plain text.
fn not_found(dir: &Path, raw_path: &str) -> Response {
    let mut candidates = Vec::new();
    if let Ok((segments, _)) = parse_path(raw_path)
        && let Some(first) = segments.first()
        && !first.starts_with('.')
    {
        candidates.push(format!("/{}/404.html", percent_encode(first)));
    }
    candidates.push("/404.html".to_string());
    for candidate in candidates {
        if let Lookup::File(path) = lookup(dir, &candidate, None)
            && let Some(r) = file_response(StatusCode::NOT_FOUND, &path)
        {
            return r;
        }
    }
    plain(StatusCode::NOT_FOUND, "Not found.\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_decode_once_and_refuse_escapes() {
        assert_eq!(parse_path("/"), Ok((vec![], true)));
        assert_eq!(parse_path("/a//b/"), Ok((vec!["a".into(), "b".into()], true)));
        assert_eq!(parse_path("/a%20b"), Ok((vec!["a b".into()], false)));
        // Double encoding stays a literal name.
        assert_eq!(
            parse_path("/%252e%252e/x"),
            Ok((vec!["%2e%2e".into(), "x".into()], false))
        );
        for bad in [
            "/..",
            "/../x",
            "/%2e%2e/x",
            "/%2E%2E%2Fx",
            "/a/..%2f..%2fx",
            "/.",
            "/a/%2e/b",
            "/..\\x",
            "/a%5cb",
            "/a%00b",
            "/C:/x",
            "/c%3a",
            "/%",
            "/%zz",
            "/%ff",
            "relative",
        ] {
            assert!(parse_path(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn loopback_names() {
        for ok in [
            "localhost",
            "localhost:1111",
            "LOCALHOST.",
            "site.localhost:8",
            "127.0.0.1",
            "127.0.0.1:1111",
            "[::1]",
            "[::1]:1111",
        ] {
            assert!(is_loopback_name(ok), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:1111",
            "localhost.evil.example",
            "10.0.0.1",
            "[::2]:1",
            "127.0.0.1:x",
            "[::1]x",
            "[::1]1",
            "",
        ] {
            assert!(!is_loopback_name(bad), "{bad}");
        }
    }

    #[test]
    fn script_goes_before_the_last_body_end() {
        let out = inject_script(b"<body>x</body><!-- </BODY> --></BODY></html>");
        let s = String::from_utf8(out).unwrap();
        assert!(s.ends_with(&format!("{SCRIPT_TAG}</BODY></html>")), "{s}");
        assert_eq!(inject_script(b"<p>x"), format!("<p>x{SCRIPT_TAG}").into_bytes());
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type(Path::new("a/b.WASM")), "application/wasm");
        assert_eq!(
            content_type(Path::new("x.pf_fragment")),
            "application/octet-stream"
        );
        assert_eq!(content_type(Path::new("x.mjs")), "text/javascript; charset=utf-8");
        assert_eq!(content_type(Path::new("noext")), "application/octet-stream");
    }

    #[test]
    fn diagnostics_convert_with_a_snippet() {
        let src: Arc<str> = "source: X\nid: abc\n".into();
        let d = Diagnostic::error("bad-id", "id is not a number")
            .at(Location::new("content/x.yaml", Some(src), 2, 5).with_len(3))
            .help("use 0–65535");
        let live = LiveDiagnostic::from(&d);
        assert_eq!(live.file.as_deref(), Some("content/x.yaml"));
        assert_eq!((live.line, live.column), (Some(2), Some(5)));
        assert_eq!(live.severity, "error");
        assert_eq!(live.snippet.as_deref(), Some("2 | id: abc\n  |     ^^^"));
        assert_eq!(live.help.as_deref(), Some("use 0–65535"));
    }
}
