//! `Emulator`, the handle of a running emulator, and `EmulatorBuilder`, which configures and
//! starts one.

use std::collections::BTreeSet;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use rockit_model::{PERMISSION_TASKS_READ, PERMISSION_TASKS_UPDATE, TaskDetails};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::auth::{ApiKeyEntry, Credentials, permission_set};
use crate::clock::{Clock, lock, validate_speed};
use crate::demo;
use crate::faults::{Fault, FaultState, Faults, Matcher};
use crate::fixture::Fixture;
use crate::infra::RateLimiter;
use crate::log::{Counters, RecordedRequest, RequestLog};
use crate::pipeline::BuildPlan;
use crate::server::conn::{ConnHandle, Listener, TlsAccept};
use crate::server::{Shared, router};
use crate::store::Store;
use crate::task::Task;

/// The default lifetime of backend auth tokens: 5 minutes, as the vendor documents.
pub const DEFAULT_TOKEN_TTL: Duration = Duration::from_secs(300);

/// How long [`Emulator::shutdown`] waits for open requests before it stops the server anyway.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Configures an emulator; [`EmulatorBuilder::start`] runs it.
///
/// Defaults: listen on `127.0.0.1:0` (a free port), org [`demo::ORG`], the demo credentials
/// (unless any credential is configured), tokens living [`DEFAULT_TOKEN_TTL`], no tasks, real-time
/// speed, the wall clock as epoch, no faults, no added latency, not in maintenance, no rate limit,
/// a log of the last 10,000 requests.
#[derive(Debug)]
#[must_use]
pub struct EmulatorBuilder {
    listen: SocketAddr,
    org: String,
    api_keys: Vec<ApiKeyEntry>,
    tokens: Vec<(String, String, BTreeSet<String>)>,
    /// The user of the demo API key and token when the demo credentials are on.
    demo_user: Option<String>,
    token_ttl: Option<Duration>,
    fixture: Fixture,
    speed: f64,
    epoch: Option<u64>,
    faults: Faults,
    latency: Duration,
    log_capacity: usize,
    mounted: Vec<Router>,
    maintenance: bool,
    rate_limit: Option<u32>,
    /// The certificate chain and private key to serve TLS with (PEM).
    tls: Option<(Vec<u8>, Vec<u8>)>,
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            org: demo::ORG.to_owned(),
            api_keys: Vec::new(),
            tokens: Vec::new(),
            demo_user: None,
            token_ttl: Some(DEFAULT_TOKEN_TTL),
            fixture: Fixture::empty(),
            speed: 1.0,
            epoch: None,
            faults: Faults::none(),
            latency: Duration::ZERO,
            log_capacity: 10_000,
            mounted: Vec::new(),
            maintenance: false,
            rate_limit: None,
            tls: None,
        }
    }
}

impl EmulatorBuilder {
    /// The address to listen on (default `127.0.0.1:0`, a free port chosen by the system).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// The organization's name (default [`demo::ORG`]); `x-rockit-orgname` is compared with it
    /// case-insensitively.
    pub fn org(mut self, org: impl Into<String>) -> Self {
        self.org = org.into();
        self
    }

    /// Adds a machine user with an API key and its permissions (such as `tasks.read`).
    ///
    /// Configuring any credential turns the demo credentials off unless
    /// [`EmulatorBuilder::demo_credentials`] turns them back on.
    pub fn api_key<I, P>(mut self, user: impl Into<String>, key: impl Into<String>, permissions: I) -> Self
    where
        I: IntoIterator<Item = P>,
        P: Into<String>,
    {
        self.api_keys.push(ApiKeyEntry {
            user: user.into(),
            key: key.into(),
            permissions: permission_set(permissions),
        });
        self
    }

    /// Adds a backend auth token of `user` with its permissions; it expires after the token
    /// lifetime, counted from start.
    pub fn token<I, P>(mut self, token: impl Into<String>, user: impl Into<String>, permissions: I) -> Self
    where
        I: IntoIterator<Item = P>,
        P: Into<String>,
    {
        self.tokens.push((token.into(), user.into(), permission_set(permissions)));
        self
    }

    /// Accepts the [`demo`] credentials as well as any configured ones.
    pub fn demo_credentials(self) -> Self {
        self.demo_credentials_for(demo::USER)
    }

    /// Accepts the [`demo`] credentials, with `user` as the user of the demo API key and token
    /// (the read-only [`demo::VIEWER_USER`] stays as it is), as well as any configured ones.
    pub fn demo_credentials_for(mut self, user: impl Into<String>) -> Self {
        self.demo_user = Some(user.into());
        self
    }

    /// How long tokens live in emulator time (default [`DEFAULT_TOKEN_TTL`]); `None` for never.
    pub fn token_ttl(mut self, ttl: Option<Duration>) -> Self {
        self.token_ttl = ttl;
        self
    }

    /// The tasks to start with (default none).
    pub fn fixture(mut self, fixture: Fixture) -> Self {
        self.fixture = fixture;
        self
    }

    /// How fast emulator time runs against real time (default 1.0). `0.0` freezes it, so only
    /// [`Emulator::advance`] moves it: what tests want.
    pub fn speed(mut self, speed: f64) -> Self {
        self.speed = speed;
        self
    }

    /// The Unix time (seconds) that emulator time zero maps to (default: the wall clock at start).
    /// Fix it to make `updatedAt` values predictable.
    pub fn epoch(mut self, unix_seconds: u64) -> Self {
        self.epoch = Some(unix_seconds);
        self
    }

    /// Random faults (default none).
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// Real time added before every request is answered (default none).
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// How many requests the log keeps, the latest ones (default 10,000; 0 keeps none). The
    /// counters count all requests whatever the capacity.
    pub fn log_capacity(mut self, capacity: usize) -> Self {
        self.log_capacity = capacity;
        self
    }

    /// Starts in maintenance mode (default off): every request to the vendor's API (a path under
    /// `/be/`, mounted routes included) gets the vendor gateway's maintenance answer, verbatim
    /// \[infra\]: `503` with `Content-Type: application/json`, `Retry-After: 900` and
    /// `{"status":"failed","error":"maintenance","message":"The service is in maintenance mode.
    /// Please retry later.","retryAfter":"900"}`. It comes before the rate limit, faults and
    /// authentication; such requests are still logged. The emulator's own `/_emulator/…` routes
    /// keep working. Switch it later with [`Emulator::set_maintenance`] or
    /// `POST` [`MAINTENANCE_PATH`](crate::MAINTENANCE_PATH).
    pub fn maintenance(mut self, on: bool) -> Self {
        self.maintenance = on;
        self
    }

    /// A total rate limit on the vendor's API (default none): at most `per_second` requests a
    /// second to paths under `/be/`, for all clients together, as the vendor's gateway counts
    /// (800/s, 33/s on its free tier) \[infra\]. A token bucket holding `per_second` tokens, refilled
    /// at `per_second` a second of real time (not emulator time). A request over the limit gets the
    /// firewall's answer, verbatim \[infra\]: `429` with `Retry-After: 60` and
    /// `{"code":429,"message":"Too Many Requests"}`. Checked after maintenance mode, before faults
    /// and authentication. `None` or `Some(0)`: no limit.
    pub fn rate_limit(mut self, per_second: Option<u32>) -> Self {
        self.rate_limit = per_second;
        self
    }

    /// Serves HTTPS instead of plain HTTP, with the certificate chain (the server's certificate
    /// first) and the private key of these PEM texts, as a real ROCKIT Edge does: for tests of a
    /// client's trust (a private CA, a wrong name, an expired certificate). The base URL becomes
    /// `https://127.0.0.1:PORT`, so the certificate should name that address (or use `localhost`
    /// with [`Emulator::url`] rewritten). Checked at [`EmulatorBuilder::start`].
    pub fn tls(
        mut self,
        certificate_chain_pem: impl Into<Vec<u8>>,
        private_key_pem: impl Into<Vec<u8>>,
    ) -> Self {
        self.tls = Some((certificate_chain_pem.into(), private_key_pem.into()));
        self
    }

    /// Serves the routes of `router` too, behind the same front door: body limit, request log,
    /// maintenance mode and rate limit (for paths under `/be/`), faults and authentication (401
    /// without valid credentials). Handlers check permissions through the
    /// [`Caller`](crate::Caller) extractor and answer errors with [`ApiError`](crate::ApiError).
    ///
    /// Requests no route matches, and requests with a method their route does not serve, get the
    /// firewall's `404` (`{"code":404,"message":"Not Found"}`) without authentication; it replaces
    /// any fallback of `router` (a method router's own `fallback` is kept, behind authentication).
    /// Methods other than GET, POST, PATCH and DELETE get the firewall's `400` whatever the route.
    /// As in axum, a route that collides with another (the Tasks routes included) panics at
    /// [`EmulatorBuilder::start`].
    pub fn mount(mut self, router: Router) -> Self {
        self.mounted.push(router);
        self
    }

    /// Binds the socket, loads the fixture and starts serving on the current tokio runtime.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime, and when mounted routes collide (see [`EmulatorBuilder::mount`]).
    pub async fn start(self) -> crate::Result<Emulator> {
        validate_speed(self.speed)?;
        self.faults.validate()?;
        let epoch = self.epoch.unwrap_or_else(|| {
            SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |since| since.as_secs())
        });
        let clock = Clock::new(epoch, self.speed);
        let credentials = self.credentials();
        let mut store = Store::new(self.org.clone());
        for task in self.fixture.into_tasks(&self.org)? {
            store.insert(task, &clock);
        }
        let shared = Arc::new(Shared {
            clock,
            store: Mutex::new(store),
            credentials: Mutex::new(credentials),
            faults: Mutex::new(FaultState::new(self.faults)),
            log: Mutex::new(RequestLog::new(self.log_capacity)),
            latency: Mutex::new(self.latency),
            next_id: AtomicU64::new(0),
            maintenance: AtomicBool::new(self.maintenance),
            rate_limit: Mutex::new(RateLimiter::new(self.rate_limit, Instant::now())),
        });
        let tls = self.tls.as_ref().map(|(chain, key)| server_tls(chain, key)).transpose()?;
        let listener = TcpListener::bind(self.listen)
            .await
            .map_err(|source| crate::Error::Bind { addr: self.listen, source })?;
        let addr =
            listener.local_addr().map_err(|source| crate::Error::Bind { addr: self.listen, source })?;
        let app = router(shared.clone(), self.mounted).into_make_service_with_connect_info::<ConnHandle>();
        let (shutdown, mut signal) = watch::channel(false);
        let scheme = if tls.is_some() { "https" } else { "http" };
        let tls = tls.map(|config| TlsAccept::new(Arc::new(config)));
        let serve = axum::serve(Listener { inner: listener, shared: shared.clone(), tls }, app)
            .with_graceful_shutdown(async move {
                let _ = signal.wait_for(|stop| *stop).await;
            });
        let server = tokio::spawn(async move { serve.await });
        tracing::debug!(%addr, "rockit-emulator listening");
        Ok(Emulator { shared, addr, scheme, shutdown, server: Some(server) })
    }

    fn credentials(&self) -> Credentials {
        let mut credentials = Credentials::new(self.org.clone(), self.token_ttl);
        let no_credentials = self.api_keys.is_empty() && self.tokens.is_empty();
        let demo_user = self.demo_user.as_deref().or(no_credentials.then_some(demo::USER));
        let both = permission_set([PERMISSION_TASKS_READ, PERMISSION_TASKS_UPDATE]);
        if let Some(demo_user) = demo_user {
            credentials.add_api_key(ApiKeyEntry {
                user: demo_user.to_owned(),
                key: demo::API_KEY.to_owned(),
                permissions: both.clone(),
            });
            credentials.add_api_key(ApiKeyEntry {
                user: demo::VIEWER_USER.to_owned(),
                key: demo::VIEWER_API_KEY.to_owned(),
                permissions: permission_set([PERMISSION_TASKS_READ]),
            });
            credentials.add_token(
                demo::TOKEN.to_owned(),
                demo_user.to_owned(),
                both,
                Duration::ZERO,
                self.token_ttl,
            );
        }
        for entry in &self.api_keys {
            credentials.add_api_key(entry.clone());
        }
        for (token, user, permissions) in &self.tokens {
            credentials.add_token(
                token.clone(),
                user.clone(),
                permissions.clone(),
                Duration::ZERO,
                self.token_ttl,
            );
        }
        credentials
    }
}

/// A running emulator: its address, its task store, its clock, its faults and its request log.
///
/// Dropping the handle shuts the server down gracefully in the background;
/// [`Emulator::shutdown`] does so and waits for it.
#[derive(Debug)]
pub struct Emulator {
    shared: Arc<Shared>,
    addr: SocketAddr,
    /// `http`, or `https` when serving TLS.
    scheme: &'static str,
    shutdown: watch::Sender<bool>,
    server: Option<JoinHandle<std::io::Result<()>>>,
}

impl Emulator {
    /// A builder with the defaults listed on [`EmulatorBuilder`].
    pub fn builder() -> EmulatorBuilder {
        // Equivalent mutant: `Default::default()` is this very call.
        EmulatorBuilder::default()
    }

    /// Starts an emulator with the demo fixture and the demo credentials, its clock frozen
    /// (speed 0), on a free loopback port.
    pub async fn start_demo() -> crate::Result<Self> {
        Self::builder().fixture(Fixture::demo()).speed(0.0).start().await
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL, such as `http://127.0.0.1:41234`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
    }

    /// The URL of `path` (which starts with `/`) on this emulator.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The organization's name.
    pub fn org(&self) -> String {
        lock(&self.shared.credentials).org().to_owned()
    }

    // --- Clock -------------------------------------------------------------------------------

    /// Emulator time since start.
    pub fn now(&self) -> Duration {
        self.shared.clock.now()
    }

    /// The current emulator time as Unix seconds.
    pub fn unix_now(&self) -> u64 {
        self.shared.clock.unix_now()
    }

    /// Moves emulator time forward: timelines progress and tokens age, without anyone sleeping.
    pub fn advance(&self, by: Duration) {
        self.shared.clock.advance(by);
    }

    /// Changes how fast emulator time runs (0 freezes it).
    pub fn set_speed(&self, speed: f64) -> crate::Result<()> {
        validate_speed(speed)?;
        self.shared.clock.set_speed(speed);
        Ok(())
    }

    /// How fast emulator time runs.
    pub fn speed(&self) -> f64 {
        self.shared.clock.speed()
    }

    // --- Task store --------------------------------------------------------------------------

    /// Stores `task`, replacing any task of the same name (whose details are returned); its
    /// timeline starts now.
    pub fn insert(&self, task: Task) -> Option<TaskDetails> {
        lock(&self.shared.store).insert(task, &self.shared.clock)
    }

    /// Starts a new build of `app` that plays out `plan` on the emulator's clock: each stage's
    /// task appears when the stage before it has ended, `pending`, then `running`, then `done`
    /// (or `failed`, after which nothing runs). The build number is one more than the app's
    /// highest so far (stored or scheduled); a first build leaves out `mkpat`, as the vendor's
    /// example does. Returns the build, for `Tasks::wait_build`.
    ///
    /// The pipeline's shape is a **guess** read from the vendor's example; see [`BuildPlan`].
    pub fn start_build(&self, app: &str, plan: &BuildPlan) -> crate::Result<rockit_model::BuildId> {
        let mut store = lock(&self.shared.store);
        store.settle(&self.shared.clock);
        let prefix = format!("{}-{app}", self.org().to_ascii_lowercase());
        let last = store
            .names()
            .filter_map(|name| rockit_model::TaskName::new(name).ok())
            .filter_map(|name| {
                name.parts().filter(|parts| parts.prefix() == prefix).map(|parts| parts.build())
            })
            .max()
            .unwrap_or(0);
        let build = last + 1;
        let invalid = |err: rockit_model::Error| crate::Error::InvalidConfig {
            setting: "app for a build",
            value: format!("{app:?} ({err})"),
            expected: "an app name that makes valid task names (no spaces, '/', '?', '#' or '%')",
        };
        let id = rockit_model::BuildId::new(app, build).map_err(invalid)?;
        let plan =
            if build == 1 { plan.clone().without(&rockit_model::TaskKind::Mkpat) } else { plan.clone() };
        for task in plan.tasks(&prefix, build, &self.shared.clock).map_err(invalid)? {
            store.insert(task, &self.shared.clock);
        }
        tracing::debug!(build = %id, "started a build");
        Ok(id)
    }

    /// Removes a task; returns its last details.
    pub fn remove(&self, name: &str) -> Option<TaskDetails> {
        lock(&self.shared.store).remove(name)
    }

    /// A task's details as a request would see them now.
    pub fn task(&self, name: &str) -> Option<TaskDetails> {
        let mut store = lock(&self.shared.store);
        store.settle(&self.shared.clock);
        store.get(name).cloned()
    }

    /// Every task's details as a request would see them now, by name.
    pub fn tasks(&self) -> Vec<TaskDetails> {
        let mut store = lock(&self.shared.store);
        store.settle(&self.shared.clock);
        store.all()
    }

    /// How many tasks the store holds now (tasks scheduled to appear later are not counted
    /// before they appear).
    pub fn task_count(&self) -> usize {
        let mut store = lock(&self.shared.store);
        store.settle(&self.shared.clock);
        store.len()
    }

    /// Changes a task in place. `updatedAt` is set to now before `change` runs (so `change` may
    /// set another value); a changed name is put back. Returns the new details.
    pub fn update(&self, name: &str, change: impl FnOnce(&mut TaskDetails)) -> crate::Result<TaskDetails> {
        let mut store = lock(&self.shared.store);
        store.settle(&self.shared.clock);
        store.update(name, &self.shared.clock, change)
    }

    /// Applies the next step of a task's timeline now, whatever its offset; returns the new
    /// details. Later steps keep their offsets.
    pub fn advance_task(&self, name: &str) -> crate::Result<TaskDetails> {
        let mut store = lock(&self.shared.store);
        store.settle(&self.shared.clock);
        store.advance_task(name, &self.shared.clock)
    }

    // --- Credentials -------------------------------------------------------------------------

    /// Mints a fresh backend auth token for `user`, valid from now for the token lifetime;
    /// returns its value. Use it to test a client's token refresh.
    pub fn issue_token<I, P>(&self, user: &str, permissions: I) -> String
    where
        I: IntoIterator<Item = P>,
        P: Into<String>,
    {
        let now = self.now();
        lock(&self.shared.credentials).issue_token(user.to_owned(), permission_set(permissions), now)
    }

    /// Adds (or replaces) a token with its own lifetime (`None`: never expires), valid from now.
    pub fn add_token<I, P>(&self, token: &str, user: &str, permissions: I, ttl: Option<Duration>)
    where
        I: IntoIterator<Item = P>,
        P: Into<String>,
    {
        let now = self.now();
        lock(&self.shared.credentials).add_token(
            token.to_owned(),
            user.to_owned(),
            permission_set(permissions),
            now,
            ttl,
        );
    }

    /// Makes a token invalid at once; returns whether it existed.
    pub fn revoke_token(&self, token: &str) -> bool {
        lock(&self.shared.credentials).revoke_token(token)
    }

    /// Adds a machine user's API key.
    pub fn add_api_key<I, P>(&self, user: &str, key: &str, permissions: I)
    where
        I: IntoIterator<Item = P>,
        P: Into<String>,
    {
        lock(&self.shared.credentials).add_api_key(ApiKeyEntry {
            user: user.to_owned(),
            key: key.to_owned(),
            permissions: permission_set(permissions),
        });
    }

    /// The default token lifetime.
    pub fn token_ttl(&self) -> Option<Duration> {
        lock(&self.shared.credentials).token_ttl()
    }

    // --- Faults ------------------------------------------------------------------------------

    /// Gives the next `times` requests that `matcher` matches the fault `fault`, before any random
    /// fault. Scripts apply in the order they were added.
    pub fn script(&self, matcher: Matcher, times: usize, fault: Fault) {
        lock(&self.shared.faults).script(matcher, times, fault);
    }

    /// Removes every script that has not fired yet.
    pub fn clear_scripts(&self) {
        lock(&self.shared.faults).clear_scripts();
    }

    /// Replaces the random faults and restarts their generator from the new seed.
    pub fn set_faults(&self, faults: Faults) -> crate::Result<()> {
        faults.validate()?;
        lock(&self.shared.faults).configure(faults);
        Ok(())
    }

    /// Changes the real time added before every answer.
    pub fn set_latency(&self, latency: Duration) {
        *lock(&self.shared.latency) = latency;
    }

    // --- Gateway -----------------------------------------------------------------------------

    /// Switches maintenance mode on or off; see [`EmulatorBuilder::maintenance`]. Also
    /// `POST` [`MAINTENANCE_PATH`](crate::MAINTENANCE_PATH) with `{"enabled": true|false}`.
    pub fn set_maintenance(&self, on: bool) {
        self.shared.maintenance.store(on, Ordering::Relaxed);
    }

    /// Whether maintenance mode is on.
    pub fn maintenance(&self) -> bool {
        self.shared.maintenance.load(Ordering::Relaxed)
    }

    /// Replaces the total rate limit (`None` or `Some(0)`: none), with a full bucket; see
    /// [`EmulatorBuilder::rate_limit`].
    pub fn set_rate_limit(&self, per_second: Option<u32>) {
        *lock(&self.shared.rate_limit) = RateLimiter::new(per_second, Instant::now());
    }

    /// The total rate limit in requests a second, if any.
    pub fn rate_limit(&self) -> Option<u32> {
        lock(&self.shared.rate_limit).limit()
    }

    // --- Request log -------------------------------------------------------------------------

    /// The logged requests, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.log).entries()
    }

    /// The counters.
    pub fn counters(&self) -> Counters {
        lock(&self.shared.log).counters()
    }

    /// How many requests have been answered (or faulted) so far.
    pub fn request_count(&self) -> u64 {
        lock(&self.shared.log).counters().requests
    }

    /// Empties the log and resets the counters (except the connection count).
    pub fn clear_requests(&self) {
        lock(&self.shared.log).clear();
    }

    /// Waits until at least `count` requests have been answered (or faulted) since start or the
    /// last [`Emulator::clear_requests`]: await a signal, never sleep.
    pub async fn wait_for_requests(&self, count: u64) {
        let mut seen = lock(&self.shared.log).subscribe();
        // The sender lives in `self.shared`, so the channel cannot close while we wait.
        let _ = seen.wait_for(|seen| *seen >= count).await;
    }

    // --- Lifecycle ---------------------------------------------------------------------------

    /// Stops accepting connections, lets open requests finish (for up to 5 seconds, then cuts
    /// them off) and waits for the server to stop.
    pub async fn shutdown(mut self) -> crate::Result<()> {
        self.shutdown.send_replace(true);
        let Some(mut server) = self.server.take() else { return Ok(()) };
        match tokio::time::timeout(SHUTDOWN_GRACE, &mut server).await {
            Ok(Ok(Ok(()))) => Ok(()),
            Ok(Ok(Err(err))) => Err(crate::Error::Server { message: err.to_string() }),
            Ok(Err(err)) => Err(crate::Error::Server { message: err.to_string() }),
            Err(_) => {
                server.abort();
                Err(crate::Error::Server {
                    message: format!("open requests did not finish within {SHUTDOWN_GRACE:?}; cut them off"),
                })
            }
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.shutdown.send_replace(true);
    }
}

/// The TLS configuration of a server with this certificate chain and key (PEM).
fn server_tls(chain_pem: &[u8], key_pem: &[u8]) -> crate::Result<rustls::ServerConfig> {
    use rustls::pki_types::pem::PemObject as _;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let invalid = |message: String| crate::Error::Tls { message };
    let chain = CertificateDer::pem_slice_iter(chain_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| invalid(format!("the certificate is not valid PEM ({err})")))?;
    if chain.is_empty() {
        return Err(invalid("the certificate file holds no -----BEGIN CERTIFICATE----- block".to_owned()));
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem)
        .map_err(|err| invalid(format!("the key is not a PEM private key ({err})")))?;
    rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .and_then(|builder| builder.with_no_client_auth().with_single_cert(chain, key))
        .map_err(|err| invalid(format!("the certificate and key do not make a TLS server ({err})")))
}
