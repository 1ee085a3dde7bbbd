//! Injected faults: what a fault does (`Fault`), a seeded share of random faults (`Faults`), and
//! scripted faults for exact tests ("the next 2 requests to this route get 503") matched by a
//! `Matcher`.
//!
//! Faults apply to every request a route serves, the Tasks routes, the emulator's token route and
//! mounted routes alike, after the gateway's and firewall's own answers (maintenance, rate limit,
//! unknown routes and methods) and before authentication. Scripted faults win over random ones.

use std::fmt;
use std::time::Duration;

use rockit_model::Method;

/// What the emulator does instead of (or on top of) answering a request normally.
///
/// Faults strike before authentication and, except where said otherwise, before the request is
/// served, so a faulted `PATCH` changes nothing. They do not strike requests the vendor's gateway
/// or firewall answers itself (maintenance mode, the total rate limit, a path or method no route
/// serves), nor the maintenance switch [`MAINTENANCE_PATH`](crate::MAINTENANCE_PATH).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// `503` with `{"status": "failed", "error": "unavailable", ...}` (the application's envelope,
    /// its code a **guess**). State is unchanged.
    Unavailable,
    /// `429` with `Retry-After: <whole seconds>` and the vendor firewall's body,
    /// `{"code":429,"message":"Too Many Requests"}` \[infra\] (the firewall itself asks for 60 s).
    /// State is unchanged.
    RateLimited {
        /// The wait the `Retry-After` header asks for (whole seconds; `0` is allowed).
        retry_after: Duration,
    },
    /// Waits this long (real time), then serves the request normally.
    Delay(Duration),
    /// Closes the connection without sending a byte of the response. State is unchanged.
    Drop,
    /// Serves the request (so a `PATCH` **is applied**), then sends the response head and only
    /// half of the body before closing the connection; `Content-Length` announces the full body.
    Truncate,
    /// Serves the request (so a `PATCH` **is applied**), then closes the connection without
    /// sending the response: "the request went through but the answer was lost".
    DropAfterApply,
}

impl Fault {
    /// A `429` asking to retry after one second.
    pub fn rate_limited() -> Self {
        Self::RateLimited { retry_after: Duration::from_secs(1) }
    }

    /// Whether a client receives no complete response.
    pub fn loses_response(&self) -> bool {
        matches!(self, Self::Drop | Self::Truncate | Self::DropAfterApply)
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unavailable => f.write_str("503 unavailable"),
            Self::RateLimited { retry_after } => write!(f, "429 rate-limited (retry after {retry_after:?})"),
            Self::Delay(delay) => write!(f, "delay of {delay:?}"),
            Self::Drop => f.write_str("dropped connection"),
            Self::Truncate => f.write_str("truncated body"),
            Self::DropAfterApply => f.write_str("dropped connection after applying"),
        }
    }
}

/// A seeded share of random faults.
///
/// Each request draws from a random generator seeded with [`Faults::seed`]: with probability
/// `rate` it gets a fault, picked from the mix by weight. Requests draw in the order they arrive,
/// so a client that sends one request at a time sees the same faults on every run.
///
/// ```
/// use std::time::Duration;
/// use rockit_emulator::{Fault, Faults};
///
/// // A quarter of all requests fail, three 503s for every 429.
/// let faults = Faults::new(0.25)
///     .seed(7)
///     .mix([(Fault::Unavailable, 3), (Fault::RateLimited { retry_after: Duration::ZERO }, 1)]);
/// assert_eq!(faults.rate(), 0.25);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct Faults {
    rate: f64,
    seed: u64,
    mix: Vec<(Fault, u32)>,
}

impl Faults {
    /// Faults on a share `rate` (from 0 to 1) of requests, seed 0, in the default mix: an even
    /// share of [`Fault::Unavailable`], [`Fault::rate_limited`], a [`Fault::Delay`] of one second,
    /// [`Fault::Drop`] and [`Fault::Truncate`].
    pub fn new(rate: f64) -> Self {
        Self {
            rate,
            seed: 0,
            mix: vec![
                (Fault::Unavailable, 1),
                (Fault::rate_limited(), 1),
                (Fault::Delay(Duration::from_secs(1)), 1),
                (Fault::Drop, 1),
                (Fault::Truncate, 1),
            ],
        }
    }

    /// No random faults.
    pub fn none() -> Self {
        Self::new(0.0)
    }

    /// Seeds the random generator.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Replaces the mix: each fault with its relative weight.
    pub fn mix(mut self, mix: impl IntoIterator<Item = (Fault, u32)>) -> Self {
        self.mix = mix.into_iter().filter(|(_, weight)| *weight > 0).collect();
        self
    }

    /// The share of requests that get a fault.
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// The seed.
    pub fn get_seed(&self) -> u64 {
        self.seed
    }

    pub(crate) fn validate(&self) -> crate::Result<()> {
        if !(0.0..=1.0).contains(&self.rate) {
            return Err(crate::Error::InvalidConfig {
                setting: "fault rate",
                value: self.rate.to_string(),
                expected: "expected a share from 0 to 1, such as 0.1 for one request in ten",
            });
        }
        if self.rate > 0.0 && self.mix.is_empty() {
            return Err(crate::Error::InvalidConfig {
                setting: "fault mix",
                value: "[]".to_owned(),
                expected: "expected at least one fault with a weight above 0",
            });
        }
        Ok(())
    }
}

impl Default for Faults {
    fn default() -> Self {
        Self::none()
    }
}

/// Which requests a scripted fault applies to: a method (or any), and a path (exact, or a prefix).
///
/// Paths are compared with the path as the client sent it, still percent-encoded.
///
/// ```
/// use rockit_emulator::Matcher;
/// use rockit_model::Method;
///
/// assert!(Matcher::list_tasks().matches("GET", "/be/v1/tasks"));
/// assert!(!Matcher::list_tasks().matches("PATCH", "/be/v1/tasks"));
/// assert!(Matcher::get_task().matches("GET", "/be/v1/tasks/exampleorg-sushi-0001-1732886919-dltar"));
/// assert!(Matcher::new(Method::Post, "/be/v1/trigger").matches("POST", "/be/v1/trigger"));
/// assert!(Matcher::any().matches("DELETE", "/anything"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct Matcher {
    method: Option<Method>,
    path: String,
    prefix: bool,
}

impl Matcher {
    /// Every request.
    pub fn any() -> Self {
        Self { method: None, path: String::new(), prefix: true }
    }

    /// Requests with this method and exactly this path.
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Self { method: Some(method), path: path.into(), prefix: false }
    }

    /// Requests with any method whose path starts with `prefix`.
    pub fn path_prefix(prefix: impl Into<String>) -> Self {
        Self { method: None, path: prefix.into(), prefix: true }
    }

    /// Restricts the matcher to one method.
    pub fn method(mut self, method: Method) -> Self {
        self.method = Some(method);
        self
    }

    /// `GET /be/v1/tasks`.
    pub fn list_tasks() -> Self {
        Self::new(Method::Get, "/be/v1/tasks")
    }

    /// `GET /be/v1/tasks/{taskName}`, any task.
    pub fn get_task() -> Self {
        Self::path_prefix("/be/v1/tasks/").method(Method::Get)
    }

    /// `PATCH /be/v1/tasks`.
    pub fn update_task() -> Self {
        Self::new(Method::Patch, "/be/v1/tasks")
    }

    /// Whether a request with this method and raw path matches.
    pub fn matches(&self, method: &str, raw_path: &str) -> bool {
        let method_ok = self.method.is_none_or(|wanted| wanted.as_str().eq_ignore_ascii_case(method));
        let path_ok = if self.prefix { raw_path.starts_with(&self.path) } else { raw_path == self.path };
        method_ok && path_ok
    }
}

/// The fault state of a running emulator: the random generator and the scripts.
#[derive(Debug)]
pub(crate) struct FaultState {
    faults: Faults,
    rng: fastrand::Rng,
    scripts: Vec<Script>,
}

#[derive(Debug)]
struct Script {
    matcher: Matcher,
    remaining: usize,
    fault: Fault,
}

impl FaultState {
    pub(crate) fn new(faults: Faults) -> Self {
        let rng = fastrand::Rng::with_seed(faults.seed);
        Self { faults, rng, scripts: Vec::new() }
    }

    /// Replaces the random faults and reseeds the generator.
    pub(crate) fn configure(&mut self, faults: Faults) {
        self.rng = fastrand::Rng::with_seed(faults.seed);
        self.faults = faults;
    }

    pub(crate) fn script(&mut self, matcher: Matcher, times: usize, fault: Fault) {
        if times > 0 {
            self.scripts.push(Script { matcher, remaining: times, fault });
        }
    }

    pub(crate) fn clear_scripts(&mut self) {
        self.scripts.clear();
    }

    /// The fault for the next request, if any: the first matching script, else a random draw.
    pub(crate) fn pick(&mut self, method: &str, raw_path: &str) -> Option<Fault> {
        if let Some(index) = self.scripts.iter().position(|script| script.matcher.matches(method, raw_path)) {
            let script = &mut self.scripts[index];
            script.remaining -= 1;
            let fault = script.fault.clone();
            if script.remaining == 0 {
                self.scripts.remove(index);
            }
            return Some(fault);
        }
        if self.faults.rate <= 0.0 {
            return None;
        }
        // Two draws per request, whatever the outcome, so one request's result never shifts the
        // faults of the requests after it.
        let roll = self.rng.f64();
        let total: u64 = self.faults.mix.iter().map(|(_, weight)| u64::from(*weight)).sum();
        let mut pick = self.rng.u64(0..total.max(1));
        if roll >= self.faults.rate {
            return None;
        }
        for (fault, weight) in &self.faults.mix {
            let weight = u64::from(*weight);
            if pick < weight {
                return Some(fault.clone());
            }
            pick -= weight;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_fire_the_given_number_of_times_before_random_faults() {
        let mut state = FaultState::new(Faults::none());
        state.script(Matcher::list_tasks(), 2, Fault::Unavailable);
        assert_eq!(state.pick("PATCH", "/be/v1/tasks"), None);
        assert_eq!(state.pick("GET", "/be/v1/tasks"), Some(Fault::Unavailable));
        assert_eq!(state.pick("GET", "/be/v1/tasks"), Some(Fault::Unavailable));
        assert_eq!(state.pick("GET", "/be/v1/tasks"), None);
    }

    #[test]
    fn random_faults_follow_the_seed_and_rate() {
        let draw = |seed| {
            let mut state = FaultState::new(Faults::new(0.2).seed(seed));
            (0..10_000).map(|_| state.pick("GET", "/")).collect::<Vec<_>>()
        };
        let first = draw(42);
        assert_eq!(first, draw(42));
        assert_ne!(first, draw(43));
        let faulted = first.iter().filter(|fault| fault.is_some()).count();
        assert!((1_800..=2_200).contains(&faulted), "{faulted}");
        let drops = first.iter().filter(|fault| **fault == Some(Fault::Drop)).count();
        assert!((300..=500).contains(&drops), "{drops}");
    }

    #[test]
    fn invalid_rates_are_rejected() {
        assert!(Faults::new(1.5).validate().is_err());
        assert!(Faults::new(f64::NAN).validate().is_err());
        assert!(Faults::new(0.5).mix([]).validate().is_err());
        assert!(Faults::new(1.0).validate().is_ok());
    }
}
