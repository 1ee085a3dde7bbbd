//! The soak: thousands of mixed operations through 20–40 % mixed faults, each ending correct or with
//! a typed error after the retry budget, and the task store ending in exactly the state the
//! successful operations imply.
//!
//! Size and seed come from `ROCKIT_SOAK_OPS` (default 1,500, which CI runs) and
//! `ROCKIT_SOAK_SEED`; `cargo xtask soak` runs it with 20,000 operations. Operations run one at a
//! time, so the emulator's seeded faults strike the same requests in every run.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use rockit_emulator::{Emulator, Fault, Faults, Fixture, demo};
use rockit_model::{ListTasks, TaskDetails, TaskName, TaskStatus};
use rockit_tasks::{Tasks, WaitOptions, WaitOutcome};
use rockit_transport::{Client, Credentials, RetryPolicy};

/// Attempts per call: at a 30 % fault rate, six faults in a row are rare but do happen.
const ATTEMPTS: u32 = 6;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|value| value.parse().ok()).unwrap_or(default)
}

/// What the test knows a task must look like at the end.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Expected {
    acknowledged: bool,
    expired: bool,
    /// An update failed after the retry budget, and may or may not have been applied.
    uncertain: bool,
}

#[derive(Debug, Default)]
struct Tally {
    ok: u64,
    typed_errors: u64,
    listings: u64,
}

struct Soak {
    emulator: Emulator,
    tasks: Tasks,
    initial: HashMap<TaskName, TaskDetails>,
    names: Vec<TaskName>,
    expected: HashMap<TaskName, Expected>,
    tally: Tally,
}

fn faults(seed: u64) -> Faults {
    Faults::new(0.3).seed(seed).mix([
        (Fault::Unavailable, 3),
        (Fault::RateLimited { retry_after: Duration::ZERO }, 3),
        (Fault::Drop, 2),
        (Fault::Truncate, 2),
        (Fault::DropAfterApply, 2),
        (Fault::Delay(Duration::from_millis(2)), 1),
    ])
}

/// A failure must be a transport error that is transient, after the whole retry budget.
fn assert_typed(err: &rockit_tasks::Error) {
    let transport = err.transport_error().unwrap_or_else(|| panic!("untyped failure: {err:?}"));
    assert!(transport.is_retryable(), "only transient failures may survive the retries: {err}");
    assert_eq!(transport.attempts(), ATTEMPTS, "{err}");
}

impl Soak {
    async fn start(seed: u64) -> Self {
        let emulator = Emulator::builder()
            .fixture(Fixture::generated_with_seed(300, seed))
            .speed(0.0)
            .faults(faults(seed))
            .log_capacity(1_000)
            .start()
            .await
            .unwrap();
        // Without a retry budget: the soak checks that a failure made every attempt of the policy;
        // at 30 % faults a budget would (rightly) stop retrying some calls early, which
        // `rockit-transport`'s retry_budget tests cover.
        let policy = RetryPolicy::default()
            .max_attempts(ATTEMPTS)
            .base_delay(Duration::from_micros(200))
            .max_delay(Duration::from_millis(2))
            .no_budget();
        let client = Client::builder()
            .base_url(emulator.base_url())
            .credentials(Credentials::api_key(demo::ORG, demo::USER, demo::API_KEY))
            .retry_policy(policy)
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap();
        let initial: HashMap<_, _> = emulator.tasks().into_iter().map(|t| (t.name.clone(), t)).collect();
        let mut names: Vec<TaskName> = initial.keys().cloned().collect();
        names.sort();
        let expected = initial
            .values()
            .map(|t| {
                let state = Expected {
                    acknowledged: t.acknowledged == Some(true),
                    expired: t.expired == Some(true),
                    uncertain: false,
                };
                (t.name.clone(), state)
            })
            .collect();
        Self { emulator, tasks: Tasks::new(client), initial, names, expected, tally: Tally::default() }
    }

    fn failed(&mut self, err: &rockit_tasks::Error) {
        assert_typed(err);
        self.tally.typed_errors += 1;
    }

    async fn get(&mut self, name: &TaskName) {
        match self.tasks.get(name).await {
            Ok(details) => {
                assert_eq!(&details.name, name);
                let state = self.expected[name];
                if !state.uncertain {
                    assert_eq!(details.acknowledged == Some(true), state.acknowledged, "{name}");
                    assert_eq!(details.expired == Some(true), state.expired, "{name}");
                }
                self.tally.ok += 1;
            }
            Err(err) => self.failed(&err),
        }
    }

    async fn update(&mut self, name: &TaskName, expire: bool) {
        let result = if expire { self.tasks.expire(name).await } else { self.tasks.acknowledge(name).await };
        match result {
            Ok(()) => {
                let state = self.expected.get_mut(name).unwrap();
                state.acknowledged = true;
                state.expired |= expire;
                self.tally.ok += 1;
            }
            Err(err) => {
                self.expected.get_mut(name).unwrap().uncertain = true;
                self.failed(&err);
            }
        }
    }

    async fn wait(&mut self, name: &TaskName) {
        let options =
            WaitOptions::new().timeout(Duration::from_millis(30)).interval(Duration::from_millis(5));
        match self.tasks.wait(name, options).await {
            Ok(outcome) => {
                match &outcome {
                    WaitOutcome::Succeeded(details) => assert_eq!(details.status, TaskStatus::Done),
                    WaitOutcome::Failed(details) => assert!(details.status.is_failure()),
                    WaitOutcome::TimedOut { last, .. } => {
                        assert!(
                            last.as_ref().is_none_or(|last| !last.status.is_terminal()),
                            "{name}: {last:?}"
                        );
                    }
                    other => panic!("unexpected outcome {other:?}"),
                }
                let state = self.expected[name];
                if state.expired && !state.uncertain {
                    assert!(matches!(outcome, WaitOutcome::Failed(_)), "{name} was expired: {outcome:?}");
                }
                self.tally.ok += 1;
            }
            Err(err) => self.failed(&err),
        }
    }

    async fn stream(&mut self) {
        let mut stream = self.tasks.stream(ListTasks::new().limit(50));
        let mut listed = HashSet::new();
        while let Some(item) = stream.next().await {
            match item {
                Ok(task) => assert!(listed.insert(task.name.clone()), "{} listed twice", task.name),
                Err(err) => return self.failed(&err),
            }
        }
        assert_eq!(listed.len(), self.names.len(), "a listing missed tasks");
        self.tally.listings += 1;
        self.tally.ok += 1;
    }

    /// The store holds exactly the state the successful operations imply.
    fn check_store(&self) {
        self.emulator.set_faults(Faults::none()).unwrap();
        for (name, state) in &self.expected {
            let details = self.emulator.task(name.as_str()).unwrap();
            if state.uncertain {
                // Applied or not, an update never half-applies: an expired task is acknowledged too.
                if details.expired == Some(true) {
                    assert_eq!(details.acknowledged, Some(true), "{name}");
                }
                continue;
            }
            assert_eq!(details.acknowledged == Some(true), state.acknowledged, "{name}: {details:?}");
            assert_eq!(details.expired == Some(true), state.expired, "{name}: {details:?}");
            let status = if state.expired { &TaskStatus::Failed } else { &self.initial[name].status };
            assert_eq!(&details.status, status, "{name}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mixed_operations_survive_mixed_faults() {
    let operations = env_number("ROCKIT_SOAK_OPS", 1_500);
    let seed = env_number("ROCKIT_SOAK_SEED", 20_261_129);
    let started = Instant::now();
    let mut soak = Soak::start(seed).await;
    let mut rng = fastrand::Rng::with_seed(seed);
    for _ in 0..operations {
        let name = soak.names[rng.usize(..soak.names.len())].clone();
        match rng.u32(0..100) {
            0..=59 => soak.get(&name).await,
            60..=74 => soak.update(&name, false).await,
            75..=84 => soak.update(&name, true).await,
            85..=96 => soak.wait(&name).await,
            _ => soak.stream().await,
        }
    }
    soak.check_store();
    let tally = &soak.tally;
    let faulted = soak.emulator.requests().iter().filter(|r| r.fault.is_some()).count();
    assert!(faulted > 0, "faults were injected");
    assert_eq!(tally.ok + tally.typed_errors, operations);
    assert!(tally.ok * 100 >= operations * 99, "too many operations failed: {tally:?}");
    eprintln!(
        "soak: {operations} operations ({} ok, {} typed errors, {} full listings) over {} requests in {:.1?}",
        tally.ok,
        tally.typed_errors,
        tally.listings,
        soak.emulator.counters().requests,
        started.elapsed()
    );
}
