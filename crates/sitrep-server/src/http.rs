//! The HTTP server: a JSON API over the store, the OpenAPI document and the
//! embedded web map. See `docs/api.md`.
//!
//! Reads run on the blocking pool over a small pool of read connections
//! (SQLite in WAL mode lets readers run beside a writer), at most
//! [`Config::max_readers`] at once; ingest requests are serialised by one
//! lock and rate-limited per client and globally ([`crate::limits`]).
//!
//! Hardening (see docs/api.md, "Limits and security"): a body limit (413),
//! a time limit per request (408) and for reading request headers (the
//! connection is closed), a cap on open connections, bounded query
//! parameters, panics caught (500), every error as JSON without internal
//! details, no CORS headers unless an origin is configured, and security
//! headers on every response. Work that needs the pipeline (ingest, control timelines,
//! briefings) comes in as [`Hooks`] from the caller, so this crate depends
//! on no stage crate; a missing hook answers 501.

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use sitrep_store::{EventQuery, EventSource, EventView, Store};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

use crate::limits::{Limiter, Rate};
use crate::{assets, formats};

/// The most events one page may hold.
pub const MAX_LIMIT: usize = 5000;
/// Events per page when `limit` is not given.
pub const DEFAULT_LIMIT: usize = 100;
/// The most query parameters one request may give.
pub const MAX_PARAMS: usize = 32;
/// The longest query parameter value, in bytes.
pub const MAX_PARAM_BYTES: usize = 1024;
/// The longest path parameter (event id, place), in bytes.
pub const MAX_PATH_PARAM_BYTES: usize = 200;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The SQLite database (it must exist).
    pub db: PathBuf,
    /// Bearer token for `POST /api/ingest`; `None` keeps the server
    /// read-only.
    pub ingest_token: Option<String>,
    /// An origin allowed to call the API from a browser (CORS); `None`
    /// sends no CORS headers.
    pub cors_origin: Option<String>,
    /// Largest request body, in bytes.
    pub body_limit: usize,
    /// Longest time a request may take.
    pub timeout: Duration,
    /// Longest time a client may take to send a request's headers; also
    /// how long an idle keep-alive connection stays open.
    pub header_timeout: Duration,
    /// Most connections open at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// Most database reads at once (each holds a pooled connection).
    pub max_readers: usize,
    /// Rate of `POST /api/ingest` per client address (IPv6: per /64).
    pub ingest_rate: Rate,
    /// Rate of `POST /api/ingest` for all clients together.
    pub ingest_global_rate: Rate,
}

impl Config {
    pub fn new(db: PathBuf) -> Config {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Config {
            db,
            ingest_token: None,
            cors_origin: None,
            body_limit: 16 * 1024 * 1024,
            timeout: Duration::from_secs(120),
            header_timeout: Duration::from_secs(10),
            max_connections: 512,
            max_readers: (2 * cores).max(4),
            ingest_rate: Rate {
                per_minute: 30,
                burst: 10,
            },
            ingest_global_rate: Rate {
                per_minute: 120,
                burst: 20,
            },
        }
    }
}

/// The address of the client a request came from (set by the server loop
/// as a request extension).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub SocketAddr);

/// How the server loop treats connections.
#[derive(Debug, Clone, Copy)]
pub struct ConnLimits {
    pub header_timeout: Duration,
    pub max_connections: usize,
}

impl ConnLimits {
    pub fn of(cfg: &Config) -> ConnLimits {
        ConnLimits {
            header_timeout: cfg.header_timeout,
            max_connections: cfg.max_connections.max(1),
        }
    }
}

/// An error a hook reports: an HTTP status and a message for the client.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct HookError {
    pub status: u16,
    pub message: String,
}

impl HookError {
    pub fn bad_request(message: impl Into<String>) -> HookError {
        HookError {
            status: 400,
            message: message.into(),
        }
    }
    pub fn not_found(message: impl Into<String>) -> HookError {
        HookError {
            status: 404,
            message: message.into(),
        }
    }
    pub fn internal(message: impl Into<String>) -> HookError {
        HookError {
            status: 500,
            message: message.into(),
        }
    }
}

/// Runs the pipeline over a body of JSON Lines reports and stores them;
/// returns a summary for the client.
pub type IngestHook = Arc<dyn Fn(&mut Store, &[u8]) -> Result<Value, HookError> + Send + Sync>;
/// A view of a place (its control timeline): `Ok(None)` when no place
/// matches.
pub type PlaceHook = Arc<dyn Fn(&Store, &str) -> Result<Option<Value>, HookError> + Send + Sync>;
/// What `GET /api/briefing` asks for, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BriefingQuery {
    /// Place name (any spelling), region, country or GeoNames id.
    pub place: String,
    /// First day, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD`.
    pub to: Option<String>,
    /// The most events listed under "Key events".
    pub max_events: usize,
}

/// A briefing in the three forms the endpoint serves.
#[derive(Debug, Clone)]
pub struct RenderedBriefing {
    /// The structured briefing (sections, sentences, notes).
    pub json: Value,
    pub markdown: String,
    /// A standalone HTML page.
    pub html: String,
}

/// A briefing for a place or region over a period; a `HookError` with
/// status 404 when the place is unknown.
pub type BriefingHook =
    Arc<dyn Fn(&Store, &BriefingQuery) -> Result<RenderedBriefing, HookError> + Send + Sync>;

/// What the caller plugs in; each missing hook makes its endpoint answer
/// 501 Not Implemented.
#[derive(Clone, Default)]
pub struct Hooks {
    pub ingest: Option<IngestHook>,
    pub control: Option<PlaceHook>,
    pub briefing: Option<BriefingHook>,
}

/// Errors starting or running the server.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error("database {0} does not exist: run `sitrep ingest PATH` first, or pass --db FILE")]
    NoDatabase(String),
    #[error("invalid --cors-origin {0:?}")]
    Cors(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

struct AppState {
    cfg: Config,
    hooks: Hooks,
    writer: Arc<tokio::sync::Mutex<()>>,
    readers: Arc<tokio::sync::Semaphore>,
    pool: std::sync::Mutex<Vec<Store>>,
    limiter: Limiter,
}

type Shared = Arc<AppState>;

/// A JSON error response: `{"error": {"status": N, "message": "..."}}`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }
    fn bad(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }
    fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }
    fn internal(detail: impl std::fmt::Display) -> ApiError {
        // Details go to the server's log, never to the client.
        eprintln!("sitrep serve: internal error: {detail}");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal error; the server log has the details",
        )
    }
}

impl From<sitrep_store::StoreError> for ApiError {
    fn from(e: sitrep_store::StoreError) -> ApiError {
        ApiError::internal(e)
    }
}

impl From<HookError> for ApiError {
    fn from(e: HookError) -> ApiError {
        let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_server_error() {
            ApiError::internal(e.message)
        } else {
            ApiError::new(status, e.message)
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"status": self.status.as_u16(), "message": self.message}});
        let mut r = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        r
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// Run `f` with a pooled read connection on the blocking pool, once one of
/// the [`Config::max_readers`] permits is free. The permit goes with the
/// work, so a request that times out still counts until its read ends.
async fn with_store<T, F>(st: &Shared, f: F) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce(&Store) -> ApiResult<T> + Send + 'static,
{
    let permit = st
        .readers
        .clone()
        .acquire_owned()
        .await
        .map_err(ApiError::internal)?;
    let st = st.clone();
    tokio::task::spawn_blocking(move || {
        let pooled = st.pool.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let store = match pooled {
            Some(s) => s,
            None => Store::open(&st.cfg.db)?,
        };
        let out = f(&store);
        st.pool
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(store);
        drop(permit);
        out
    })
    .await
    .map_err(ApiError::internal)?
}

/// The router: API, OpenAPI document, web page, with [`harden`]'s layers.
pub fn router(cfg: Config, hooks: Hooks) -> Result<Router, ServerError> {
    let limits = cfg.clone();
    let state = Arc::new(AppState {
        readers: Arc::new(tokio::sync::Semaphore::new(cfg.max_readers.max(1))),
        limiter: Limiter::new(cfg.ingest_rate, cfg.ingest_global_rate),
        cfg,
        hooks,
        writer: Arc::new(tokio::sync::Mutex::new(())),
        pool: std::sync::Mutex::new(Vec::new()),
    });
    let app = Router::new()
        .route("/", get(index))
        .route("/assets/{file}", get(asset))
        .route("/openapi.json", get(openapi))
        .route("/api/health", get(health))
        .route("/api/events", get(events))
        .route("/api/events.geojson", get(events_geojson))
        .route("/api/events/{id}", get(event))
        .route("/api/places", get(places))
        .route("/api/places/{place}/control", get(control))
        .route("/api/briefing", get(briefing))
        .route(
            "/api/ingest",
            post(ingest).layer(middleware::from_fn_with_state(state.clone(), ingest_rate)),
        )
        .fallback(not_found)
        .with_state(state);
    harden(app, &limits)
}

/// The layers that protect `app`: request body limit, request time limit,
/// errors rewritten as JSON without details, security headers, panics
/// caught as 500, and CORS only for `cfg.cors_origin`. Public so that
/// tests can check them on routes of their own.
pub fn harden(app: Router, cfg: &Config) -> Result<Router, ServerError> {
    let (body_limit, timeout) = (cfg.body_limit, cfg.timeout);
    let cors = match &cfg.cors_origin {
        None => None,
        Some(o) => Some(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list([
                    HeaderValue::from_str(o).map_err(|_| ServerError::Cors(o.clone()))?
                ]))
                .allow_methods([Method::GET, Method::POST])
                .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE]),
        ),
    };
    let header =
        |name, value| SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value));
    let mut app = app
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(RequestBodyLimitLayer::new(body_limit))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(middleware::map_response(move |r: Response| async move {
            json_errors(r, body_limit, timeout)
        }))
        .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header(header::REFERRER_POLICY, "no-referrer"))
        .layer(header(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'",
        ))
        .layer(CatchPanicLayer::custom(
            |_panic: Box<dyn std::any::Any + Send>| {
                ApiError::internal("a request handler panicked").into_response()
            },
        ));
    if let Some(c) = cors {
        app = app.layer(c);
    }
    Ok(app)
}

/// Rewrite an error response that is not JSON (from a layer or an axum
/// rejection: 405, 408, 413, a malformed path …) as the API's JSON error,
/// with a fixed message: nothing from the original body reaches the
/// client.
fn json_errors(r: Response, body_limit: usize, timeout: Duration) -> Response {
    let status = r.status();
    let json = r
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if json || !(status.is_client_error() || status.is_server_error()) {
        return r;
    }
    let message = match status {
        StatusCode::PAYLOAD_TOO_LARGE => {
            format!("the request body is over the {body_limit}-byte limit")
        }
        StatusCode::REQUEST_TIMEOUT => format!(
            "the request took longer than the {}-second limit",
            timeout.as_secs_f64()
        ),
        StatusCode::METHOD_NOT_ALLOWED => {
            "method not allowed here; GET /openapi.json lists the endpoints and their methods"
                .into()
        }
        s if s.is_server_error() => "internal error; the server log has the details".into(),
        s => format!(
            "{}: the request is malformed",
            s.canonical_reason().unwrap_or("bad request").to_lowercase()
        ),
    };
    let (mut parts, _) = r.into_parts();
    let mut out = ApiError::new(status, message).into_response();
    for h in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(v) = parts.headers.remove(&h) {
            out.headers_mut().insert(h, v);
        }
    }
    out
}

/// Token buckets on `POST /api/ingest` (before the token is checked, so
/// guessing tokens is rate-limited too): 429 with `Retry-After`.
async fn ingest_rate(State(st): State<Shared>, req: Request, next: Next) -> Response {
    let client = req.extensions().get::<ClientAddr>().map(|c| c.0.ip());
    match st.limiter.check(client, Instant::now()) {
        Ok(()) => next.run(req).await,
        Err(wait) => {
            let secs = (wait.as_secs_f64().ceil() as u64).max(1);
            let mut r = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!("too many ingest requests; retry in {secs} s"),
            )
            .into_response();
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            r
        }
    }
}

/// A running server (for tests and embedding): its address and a way to
/// stop it.
pub struct Running {
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Running {
    /// Stop the server and wait for it.
    pub fn stop(mut self) {
        self.shutdown();
    }
    fn shutdown(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
}

fn check_db(cfg: &Config) -> Result<(), ServerError> {
    if !cfg.db.exists() {
        return Err(ServerError::NoDatabase(cfg.db.display().to_string()));
    }
    Ok(())
}

/// Serve `app` on `listener` until `shutdown` completes, then let open
/// connections finish their requests (up to ten seconds).
///
/// Each connection gets a header read timeout (a client that trickles its
/// headers, or keeps an idle connection, is dropped) and its address as a
/// [`ClientAddr`] extension; at most `limits.max_connections` are open at
/// once, the next ones waiting in the kernel's listen backlog.
async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    limits: ConnLimits,
    shutdown: impl Future<Output = ()>,
) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt;
    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            _ = &mut shutdown => break,
            s = slots.clone().acquire_owned() => match s {
                Ok(s) => s,
                Err(_) => break,
            },
        };
        let (stream, peer) = tokio::select! {
            _ = &mut shutdown => break,
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    // Out of file descriptors and the like: back off.
                    eprintln!("sitrep serve: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let svc = app
            .clone()
            .map_request(move |mut req: Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ClientAddr(peer));
                req.map(Body::new)
            });
        let svc = hyper_util::service::TowerToHyperService::new(svc);
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_timeout)
                .max_headers(64);
            let conn = builder.serve_connection(TokioIo::new(stream), svc);
            tokio::pin!(conn);
            let stopping = tokio::select! {
                _ = conn.as_mut() => false,
                r = stop.wait_for(|s| *s) => r.is_ok(),
            };
            if stopping {
                conn.as_mut().graceful_shutdown();
                let _ = conn.await;
            }
            drop(slot);
        });
    }
    let _ = stop_tx.send(true);
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(Duration::from_secs(10), slots.acquire_many(all)).await;
}

/// Start serving on `addr` (`127.0.0.1:0` for an ephemeral port) in a
/// background thread.
pub fn spawn(cfg: Config, hooks: Hooks, addr: &str) -> Result<Running, ServerError> {
    check_db(&cfg)?;
    let limits = ConnLimits::of(&cfg);
    let app = router(cfg, hooks)?;
    spawn_app(app, limits, addr)
}

/// Serve any router (with [`harden`]'s layers, say) in a background thread.
pub fn spawn_app(app: Router, limits: ConnLimits, addr: &str) -> Result<Running, ServerError> {
    let std_listener = std::net::TcpListener::bind(addr).map_err(|source| ServerError::Bind {
        addr: addr.to_string(),
        source,
    })?;
    std_listener.set_nonblocking(true)?;
    let local = std_listener.local_addr()?;
    let rt = runtime()?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        rt.block_on(async move {
            let Ok(listener) = tokio::net::TcpListener::from_std(std_listener) else {
                eprintln!("sitrep serve: cannot use the listening socket");
                return;
            };
            let shutdown = async {
                let _ = rx.await;
            };
            serve(listener, app, limits, shutdown).await;
        });
    });
    Ok(Running {
        addr: local,
        stop: Some(tx),
        thread: Some(thread),
    })
}

/// Serve on `addr` until Ctrl-C; `ready` is called with the bound address.
pub fn run(
    cfg: Config,
    hooks: Hooks,
    addr: &str,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), ServerError> {
    check_db(&cfg)?;
    let limits = ConnLimits::of(&cfg);
    let app = router(cfg, hooks)?;
    let rt = runtime()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| ServerError::Bind {
                addr: addr.to_string(),
                source,
            })?;
        ready(listener.local_addr()?);
        serve(listener, app, limits, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await;
        Ok(())
    })
}

// ---- parameters ----

type Params = Vec<(String, String)>;

fn params(q: Result<Query<Params>, QueryRejection>) -> ApiResult<Params> {
    let p = q
        .map(|Query(p)| p)
        .map_err(|e| ApiError::bad(format!("malformed query string: {}", e.body_text())))?;
    if p.len() > MAX_PARAMS {
        return Err(ApiError::bad(format!(
            "{} query parameters; at most {MAX_PARAMS} are accepted",
            p.len()
        )));
    }
    if let Some((k, _)) = p
        .iter()
        .find(|(k, v)| k.len() > MAX_PARAM_BYTES || v.len() > MAX_PARAM_BYTES)
    {
        let k: String = k.chars().take(40).collect();
        return Err(ApiError::bad(format!(
            "query parameter {k:?} is over {MAX_PARAM_BYTES} bytes"
        )));
    }
    Ok(p)
}

fn check_known(p: &Params, known: &[&str]) -> ApiResult<()> {
    for (k, _) in p {
        if !known.contains(&k.as_str()) {
            return Err(ApiError::bad(format!(
                "unknown parameter {k:?}; this endpoint takes: {}",
                known.join(", ")
            )));
        }
    }
    Ok(())
}

fn day(name: &str, v: &str) -> ApiResult<String> {
    v.parse::<chrono::NaiveDate>()
        .map(|d| d.to_string())
        .map_err(|_| ApiError::bad(format!("{name}={v:?} is not a date: use YYYY-MM-DD")))
}

fn uint(name: &str, v: &str) -> ApiResult<usize> {
    v.parse::<usize>()
        .map_err(|_| ApiError::bad(format!("{name}={v:?} is not a whole number >= 0")))
}

/// The query parameters of `/api/events` and `/api/events.geojson`.
pub const EVENT_PARAMS: &[&str] = &[
    "bbox",
    "from",
    "to",
    "type",
    "actor",
    "place",
    "min_sources",
    "limit",
    "offset",
    "source",
];

/// Parse the event filters; bbox is `west,south,east,north` in degrees.
fn event_query(p: &Params) -> ApiResult<(EventSource, EventQuery, usize)> {
    check_known(p, EVENT_PARAMS)?;
    let mut q = EventQuery::default();
    let mut source = EventSource::Auto;
    let mut limit = DEFAULT_LIMIT;
    for (k, v) in p {
        let v = v.trim();
        match k.as_str() {
            "bbox" => {
                let n: Vec<f64> = v
                    .split(',')
                    .map(|x| x.trim().parse::<f64>())
                    .collect::<Result<_, _>>()
                    .map_err(|_| {
                        ApiError::bad("bbox must be four numbers: west,south,east,north")
                    })?;
                let [w, s, e, n] = n[..] else {
                    return Err(ApiError::bad(
                        "bbox must be four numbers: west,south,east,north",
                    ));
                };
                let ok = [w, s, e, n].iter().all(|x| x.is_finite())
                    && (-180.0..=180.0).contains(&w)
                    && (-180.0..=180.0).contains(&e)
                    && (-90.0..=90.0).contains(&s)
                    && (-90.0..=90.0).contains(&n)
                    && w <= e
                    && s <= n;
                if !ok {
                    return Err(ApiError::bad(
                        "bbox out of range: west <= east within [-180, 180], south <= north within [-90, 90]",
                    ));
                }
                q.bbox = Some((s, w, n, e));
            }
            "from" => q.from = Some(day("from", v)?),
            "to" => q.to = Some(day("to", v)?),
            "type" if !v.is_empty() => q.event_type = Some(v.to_string()),
            "actor" if !v.is_empty() => q.actor = Some(v.to_string()),
            "place" if !v.is_empty() => q.place = Some(v.to_string()),
            "min_sources" => q.min_sources = Some(uint(k, v)?),
            "offset" => q.offset = uint(k, v)?,
            "limit" => {
                limit = uint(k, v)?;
                if limit == 0 || limit > MAX_LIMIT {
                    return Err(ApiError::bad(format!(
                        "limit={limit} is out of range: 1 to {MAX_LIMIT}"
                    )));
                }
            }
            "source" => {
                source = match v {
                    "auto" => EventSource::Auto,
                    "fused" => EventSource::Fused,
                    "documents" => EventSource::Documents,
                    _ => {
                        return Err(ApiError::bad(format!(
                            "source={v:?}: use auto, fused or documents"
                        )))
                    }
                }
            }
            _ => {}
        }
    }
    if let (Some(f), Some(t)) = (&q.from, &q.to) {
        if f > t {
            return Err(ApiError::bad(format!("from={f} is after to={t}")));
        }
    }
    q.limit = Some(limit);
    Ok((source, q, limit))
}

/// The list form of an event: what a map or a table needs.
pub fn summary(e: &EventView) -> Value {
    json!({
        "id": e.id,
        "fused": e.fused,
        "event_type": e.event_type,
        "sub_event_type": e.sub_event_type,
        "date": e.date,
        "location": e.location.as_ref().map(|l| json!({
            "name": l.name, "text": l.text, "geonames_id": l.geonames_id, "lat": l.lat,
            "lon": l.lon, "country_code": l.country_code, "admin1": l.admin1,
            "precision": l.precision,
        })),
        "actor1": e.actor1.as_ref().map(|a| json!({"id": a.id, "name": a.name, "kind": a.kind})),
        "actor2": e.actor2.as_ref().map(|a| json!({"id": a.id, "name": a.name, "kind": a.kind})),
        "fatalities": e.fatalities.as_ref().and_then(|f| f.best),
        "modality": e.modality,
        "sources": e.sources,
        "n_sources": e.sources.len(),
        "n_reports": e.reports.len(),
        "confidence": e.confidence,
        "flags": e.flags,
        "summary": formats::summary(e),
    })
}

// ---- handlers ----

async fn index() -> Response {
    asset_response("index.html")
}

async fn asset(Path(file): Path<String>) -> Response {
    asset_response(&file)
}

fn asset_response(name: &str) -> Response {
    match assets::get(name) {
        Some((bytes, mime)) => {
            let mut r = (
                [
                    (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
                    (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
                ],
                bytes,
            )
                .into_response();
            if mime.starts_with("text/html") {
                r.headers_mut().insert(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(
                        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
                         connect-src 'self'; object-src 'none'; frame-ancestors 'none'",
                    ),
                );
            }
            r
        }
        None => ApiError::not_found(format!("no asset {name:?}")).into_response(),
    }
}

async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        crate::OPENAPI_JSON,
    )
        .into_response()
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such endpoint; GET /openapi.json lists them")
}

async fn health(State(st): State<Shared>) -> ApiResult<Json<Value>> {
    let read_only = st.cfg.ingest_token.is_none();
    with_store(&st, move |s| {
        let source = s.resolve_source(EventSource::Auto)?;
        Ok(Json(json!({
            "ok": true,
            "documents": s.count()?,
            "events": s.event_count()?,
            "fused_events": s.fused_count()?,
            "source": source,
            "read_only": read_only,
        })))
    })
    .await
}

async fn events(
    State(st): State<Shared>,
    q: Result<Query<Params>, QueryRejection>,
) -> ApiResult<Json<Value>> {
    let (source, q, limit) = event_query(&params(q)?)?;
    with_store(&st, move |s| {
        let page = s.event_views(source, &q)?;
        let next = page.offset + page.events.len();
        Ok(Json(json!({
            "total": page.total,
            "offset": page.offset,
            "limit": limit,
            "next_offset": if next < page.total { Some(next) } else { None },
            "source": page.source,
            "events": page.events.iter().map(summary).collect::<Vec<_>>(),
        })))
    })
    .await
}

async fn events_geojson(
    State(st): State<Shared>,
    q: Result<Query<Params>, QueryRejection>,
) -> ApiResult<Response> {
    let (source, mut q, _) = event_query(&params(q)?)?;
    q.texts = true;
    with_store(&st, move |s| {
        let page = s.event_views(source, &q)?;
        Ok((
            [(header::CONTENT_TYPE, "application/geo+json")],
            Json(formats::feature_collection(&page.events)),
        )
            .into_response())
    })
    .await
}

async fn event(State(st): State<Shared>, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    if id.len() > MAX_PATH_PARAM_BYTES {
        return Err(ApiError::bad(format!(
            "event id over {MAX_PATH_PARAM_BYTES} bytes"
        )));
    }
    with_store(&st, move |s| match s.event_view(&id)? {
        Some(e) => {
            let mut v = serde_json::to_value(&e).map_err(ApiError::internal)?;
            if let Some(o) = v.as_object_mut() {
                o.insert("summary".into(), Value::String(formats::summary(&e)));
                o.insert("n_sources".into(), json!(e.sources.len()));
                o.insert("n_reports".into(), json!(e.reports.len()));
            }
            Ok(Json(v))
        }
        None => Err(ApiError::not_found(format!(
            "no event {id:?}: ids are fused keys (F…) or DOCID#eN; GET /api/events lists them"
        ))),
    })
    .await
}

async fn places(State(st): State<Shared>) -> ApiResult<Json<Value>> {
    with_store(&st, |s| {
        let places = s.place_names()?;
        Ok(Json(json!({
            "places": places.iter().map(|p| json!({
                "geonames_id": p.geonames_id, "name": p.name, "written": p.written,
                "lat": p.lat, "lon": p.lon,
            })).collect::<Vec<_>>()
        })))
    })
    .await
}

async fn control(State(st): State<Shared>, Path(place): Path<String>) -> ApiResult<Json<Value>> {
    let Some(hook) = st.hooks.control.clone() else {
        return Err(ApiError::new(
            StatusCode::NOT_IMPLEMENTED,
            "control timelines are not available: this server was started without the fusion stage",
        ));
    };
    if place.trim().is_empty() || place.len() > MAX_PATH_PARAM_BYTES {
        return Err(ApiError::bad("give a place name or GeoNames id"));
    }
    with_store(&st, move |s| match hook(s, &place)? {
        Some(v) => Ok(Json(v)),
        None => Err(ApiError::not_found(format!(
            "no stored event names a place matching {place:?}; GET /api/places lists them"
        ))),
    })
    .await
}

/// The most events a briefing may list.
pub const MAX_BRIEFING_EVENTS: usize = 200;

/// The briefing parameters, checked; and the format (`json`, `md`, `html`).
fn briefing_query(p: &Params) -> ApiResult<(BriefingQuery, String)> {
    check_known(p, &["place", "from", "to", "format", "max_events"])?;
    let mut q = BriefingQuery {
        place: String::new(),
        from: None,
        to: None,
        max_events: 12,
    };
    let mut format = "json".to_string();
    for (k, v) in p {
        let v = v.trim();
        match k.as_str() {
            "place" => q.place = v.to_string(),
            "from" => q.from = Some(day("from", v)?),
            "to" => q.to = Some(day("to", v)?),
            "format" => {
                if !["json", "md", "html"].contains(&v) {
                    return Err(ApiError::bad(format!(
                        "format={v:?} is not one of json, md, html"
                    )));
                }
                format = v.to_string();
            }
            "max_events" => {
                q.max_events = uint(k, v)?;
                if q.max_events == 0 || q.max_events > MAX_BRIEFING_EVENTS {
                    return Err(ApiError::bad(format!(
                        "max_events={v} is out of range: 1 to {MAX_BRIEFING_EVENTS}"
                    )));
                }
            }
            _ => {}
        }
    }
    if q.place.is_empty() || q.place.len() > 200 {
        return Err(ApiError::bad(
            "give place=NAME (a place in any spelling, a governorate, a country) or a GeoNames id",
        ));
    }
    if let (Some(f), Some(t)) = (&q.from, &q.to) {
        if f > t {
            return Err(ApiError::bad(format!("from={f} is after to={t}")));
        }
    }
    Ok((q, format))
}

async fn briefing(
    State(st): State<Shared>,
    q: Result<Query<Params>, QueryRejection>,
) -> ApiResult<Response> {
    let (q, format) = briefing_query(&params(q)?)?;
    let Some(hook) = st.hooks.briefing.clone() else {
        return Err(ApiError::new(
            StatusCode::NOT_IMPLEMENTED,
            "briefings are not available: this server was started without the briefing stage",
        ));
    };
    with_store(&st, move |s| {
        let b = hook(s, &q)?;
        Ok(match format.as_str() {
            "md" => (
                [(header::CONTENT_TYPE, "text/markdown; charset=utf-8")],
                b.markdown,
            )
                .into_response(),
            "html" => (
                [
                    (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                    // Nothing in a briefing runs: no scripts, no fetches.
                    (
                        header::CONTENT_SECURITY_POLICY,
                        "default-src 'none'; style-src 'unsafe-inline'",
                    ),
                ],
                b.html,
            )
                .into_response(),
            _ => Json(b.json).into_response(),
        })
    })
    .await
}

/// Constant-time comparison (the time depends on the lengths only).
fn same_token(given: &[u8], expected: &[u8]) -> bool {
    let mut diff = given.len() ^ expected.len();
    for (i, b) in expected.iter().enumerate() {
        diff |= usize::from(b ^ given.get(i).copied().unwrap_or(0));
    }
    diff == 0
}

fn bearer(headers: &HeaderMap) -> Option<&[u8]> {
    let v = headers.get(header::AUTHORIZATION)?.as_bytes();
    let rest = v.strip_prefix(b"Bearer ")?;
    Some(rest)
}

async fn ingest(
    State(st): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let Some(token) = st.cfg.ingest_token.as_deref() else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "this server is read-only: start it with --ingest-token to accept reports",
        ));
    };
    match bearer(&headers) {
        Some(t) if same_token(t, token.as_bytes()) => {}
        _ => return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "ingest needs the header `Authorization: Bearer TOKEN` with the server's ingest token",
        )),
    }
    let Some(hook) = st.hooks.ingest.clone() else {
        return Err(ApiError::new(
            StatusCode::NOT_IMPLEMENTED,
            "this server was started without an ingest pipeline",
        ));
    };
    let text = std::str::from_utf8(&body)
        .map_err(|e| ApiError::bad(format!("the body is not UTF-8 (byte {})", e.valid_up_to())))?;
    let mut records = 0usize;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(_)) => records += 1,
            Ok(_) => {
                return Err(ApiError::bad(format!(
                    "line {}: each line must be one JSON object (a report)",
                    i + 1
                )))
            }
            Err(e) => return Err(ApiError::bad(format!("line {}: {e}", i + 1))),
        }
    }
    if records == 0 {
        return Err(ApiError::bad(
            "empty body: POST JSON Lines, one report object per line",
        ));
    }
    // The guard goes with the work: a timed-out request keeps the lock
    // until its ingest ends.
    let guard = st.writer.clone().lock_owned().await;
    let db = st.cfg.db.clone();
    tokio::task::spawn_blocking(move || {
        let _guard = guard;
        let mut store = Store::open(&db)?;
        Ok(Json(hook(&mut store, &body)?))
    })
    .await
    .map_err(ApiError::internal)?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare() {
        assert!(same_token(b"abc", b"abc"));
        assert!(!same_token(b"abd", b"abc"));
        assert!(!same_token(b"ab", b"abc"));
        assert!(!same_token(b"abcd", b"abc"));
        assert!(!same_token(b"", b"abc"));
    }

    #[test]
    fn event_params() {
        let p = |s: &[(&str, &str)]| -> Params {
            s.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        let (_, q, l) = event_query(&p(&[("bbox", "40,34,41,35"), ("limit", "5")])).unwrap();
        assert_eq!(q.bbox, Some((34.0, 40.0, 35.0, 41.0)));
        assert_eq!(l, 5);
        assert!(event_query(&p(&[("bbox", "1,2,3")])).is_err());
        assert!(event_query(&p(&[("from", "2017-13-01")])).is_err());
        assert!(event_query(&p(&[("limit", "0")])).is_err());
        assert!(event_query(&p(&[("colour", "red")])).is_err());
        assert!(event_query(&p(&[("from", "2018-01-01"), ("to", "2017-01-01")])).is_err());
    }
}
