//! The HTTP server: a JSON API over the store, the OpenAPI document and the
//! embedded web map. See `docs/api.md`.
//!
//! Every request opens its own read connection (SQLite in WAL mode lets
//! readers run beside a writer); ingest requests are serialised by one
//! lock. Work that needs the pipeline (ingest, control timelines,
//! briefings) comes in as [`Hooks`] from the caller, so this crate depends
//! on no stage crate; a missing hook answers 501.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
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

use crate::{assets, formats};

/// The most events one page may hold.
pub const MAX_LIMIT: usize = 5000;
/// Events per page when `limit` is not given.
pub const DEFAULT_LIMIT: usize = 100;

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
}

impl Config {
    pub fn new(db: PathBuf) -> Config {
        Config {
            db,
            ingest_token: None,
            cors_origin: None,
            body_limit: 16 * 1024 * 1024,
            timeout: Duration::from_secs(120),
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
    writer: tokio::sync::Mutex<()>,
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

/// Run `f` with a read connection on the blocking pool.
async fn with_store<T, F>(st: &Shared, f: F) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce(&Store) -> ApiResult<T> + Send + 'static,
{
    let db = st.cfg.db.clone();
    tokio::task::spawn_blocking(move || {
        let store = Store::open(&db)?;
        f(&store)
    })
    .await
    .map_err(ApiError::internal)?
}

/// The router: API, OpenAPI document, web page.
pub fn router(cfg: Config, hooks: Hooks) -> Result<Router, ServerError> {
    let body_limit = cfg.body_limit;
    let timeout = cfg.timeout;
    let cors = match &cfg.cors_origin {
        None => None,
        Some(o) => Some(
            CorsLayer::new()
                .allow_origin(AllowOrigin::exact(
                    HeaderValue::from_str(o).map_err(|_| ServerError::Cors(o.clone()))?,
                ))
                .allow_methods([Method::GET, Method::POST])
                .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE]),
        ),
    };
    let state = Arc::new(AppState {
        cfg,
        hooks,
        writer: tokio::sync::Mutex::new(()),
    });
    let mut app = Router::new()
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
        .route("/api/ingest", post(ingest))
        .fallback(not_found)
        .with_state(state)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(RequestBodyLimitLayer::new(body_limit))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
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

/// Start serving on `addr` (`127.0.0.1:0` for an ephemeral port) in a
/// background thread.
pub fn spawn(cfg: Config, hooks: Hooks, addr: &str) -> Result<Running, ServerError> {
    check_db(&cfg)?;
    let app = router(cfg, hooks)?;
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
            if let Err(e) = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
            {
                eprintln!("sitrep serve: {e}");
            }
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
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
        Ok(())
    })
}

// ---- parameters ----

type Params = Vec<(String, String)>;

fn params(q: Result<Query<Params>, QueryRejection>) -> ApiResult<Params> {
    q.map(|Query(p)| p)
        .map_err(|e| ApiError::bad(format!("malformed query string: {}", e.body_text())))
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

const EVENT_PARAMS: &[&str] = &[
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
    if id.len() > 200 {
        return Err(ApiError::bad("event id too long"));
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
    if place.trim().is_empty() || place.len() > 200 {
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
    let _guard = st.writer.lock().await;
    let db = st.cfg.db.clone();
    tokio::task::spawn_blocking(move || {
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
