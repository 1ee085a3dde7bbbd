//! How runs are timed and compared: alternating rounds with medians, concurrent callers, and the
//! counting allocator's view of peak and held heap bytes.

use std::cell::Cell;
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::HEAP;

/// The timings of one benchmark: one per round for each side.
#[derive(Debug, Clone, Default)]
pub(crate) struct Paired {
    /// The rockit runs' wall time, in round order.
    pub(crate) rockit: Vec<Duration>,
    /// The baseline runs' wall time, in round order.
    pub(crate) baseline: Vec<Duration>,
    /// The rockit runs' CPU time on the measuring thread (the client), if the OS tells it.
    pub(crate) rockit_cpu: Vec<Duration>,
    /// The baseline runs' CPU time on the measuring thread.
    pub(crate) baseline_cpu: Vec<Duration>,
}

impl Paired {
    /// The median rockit run.
    pub(crate) fn rockit_median(&self) -> Duration {
        median(&self.rockit)
    }

    /// The median baseline run.
    pub(crate) fn baseline_median(&self) -> Duration {
        median(&self.baseline)
    }

    /// The median over the rounds of rockit's time over the baseline's in the same round: above 1
    /// means rockit is slower. Each round's two runs are adjacent in time, so a machine that gets
    /// busier or quieter during the benchmark shifts both alike, which a ratio of the two sides'
    /// overall medians would not guarantee.
    pub(crate) fn ratio(&self) -> f64 {
        median_ratio(&self.rockit, &self.baseline).unwrap_or(f64::NAN)
    }

    /// The same for the client's CPU time, which other processes on the machine disturb far less
    /// than wall time; `None` where the OS does not tell it.
    pub(crate) fn cpu_ratio(&self) -> Option<f64> {
        median_ratio(&self.rockit_cpu, &self.baseline_cpu)
    }
}

/// The median of `rockit[i] / baseline[i]`; `None` for no rounds.
fn median_ratio(rockit: &[Duration], baseline: &[Duration]) -> Option<f64> {
    let mut ratios: Vec<f64> = rockit
        .iter()
        .zip(baseline)
        .map(|(rockit, baseline)| rockit.as_secs_f64() / baseline.as_secs_f64())
        .collect();
    ratios.sort_unstable_by(f64::total_cmp);
    match ratios.len() {
        0 => None,
        len if len % 2 == 1 => Some(ratios[len / 2]),
        len => Some(f64::midpoint(ratios[len / 2 - 1], ratios[len / 2])),
    }
}

/// Runs each side once to warm up (connections, caches), then `rounds` rounds of both, alternating
/// which goes first, and returns every round's time.
pub(crate) async fn alternate(
    rounds: usize,
    mut rockit: impl AsyncFnMut() -> Result<()>,
    mut baseline: impl AsyncFnMut() -> Result<()>,
) -> Result<Paired> {
    rockit().await?;
    baseline().await?;
    let mut paired = Paired::default();
    for round in 0..rounds {
        if round % 2 == 0 {
            paired.push_rockit(timed(&mut rockit).await?);
            paired.push_baseline(timed(&mut baseline).await?);
        } else {
            paired.push_baseline(timed(&mut baseline).await?);
            paired.push_rockit(timed(&mut rockit).await?);
        }
    }
    Ok(paired)
}

impl Paired {
    fn push_rockit(&mut self, (wall, cpu): (Duration, Option<Duration>)) {
        self.rockit.push(wall);
        self.rockit_cpu.extend(cpu);
    }

    fn push_baseline(&mut self, (wall, cpu): (Duration, Option<Duration>)) {
        self.baseline.push(wall);
        self.baseline_cpu.extend(cpu);
    }
}

/// One run's wall time and, where the OS tells it, its CPU time on this thread.
async fn timed(run: &mut impl AsyncFnMut() -> Result<()>) -> Result<(Duration, Option<Duration>)> {
    let cpu_before = thread_cpu();
    let started = Instant::now();
    run().await?;
    let wall = started.elapsed();
    let cpu = thread_cpu().zip(cpu_before).map(|(after, before)| after.saturating_sub(before));
    Ok((wall, cpu))
}

/// The CPU time this thread has used, from Linux's `/proc/thread-self/schedstat` (nanoseconds,
/// brought up to date whenever the thread is scheduled out, which a client waiting on the network
/// is after every request); `None` elsewhere.
pub(crate) fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok().map(Duration::from_nanos)
}

/// Runs `op(0)` to `op(total - 1)` from `callers` concurrent callers, each taking the next index
/// as soon as it is done with its last one.
pub(crate) async fn fan_out(
    callers: usize,
    total: usize,
    op: impl AsyncFn(usize) -> Result<()>,
) -> Result<()> {
    let next = Cell::new(0);
    let caller = async || {
        loop {
            let index = next.get();
            if index >= total {
                return Ok(());
            }
            next.set(index + 1);
            op(index).await?;
        }
    };
    futures_util::future::try_join_all((0..callers).map(|_| caller())).await.map(drop)
}

/// The most heap bytes allocated at once while `run` ran, above what was allocated before.
pub(crate) async fn peak_during<T>(run: impl AsyncFnOnce() -> Result<T>) -> Result<(T, usize)> {
    let before = HEAP.current_usage();
    HEAP.reset_peak_usage();
    let value = run().await?;
    let peak = HEAP.peak_usage().saturating_sub(before);
    Ok((value, peak))
}

/// The heap bytes the value `make` returns holds (allocated by `make` and not freed).
pub(crate) fn held_by<T>(make: impl FnOnce() -> Result<T>) -> Result<usize> {
    let before = HEAP.current_usage();
    let value = make()?;
    let held = HEAP.current_usage().saturating_sub(before);
    drop(value);
    Ok(held)
}

/// The median of `values` (the mean of the middle two for an even count); zero for none.
pub(crate) fn median(values: &[Duration]) -> Duration {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    match sorted.len() {
        0 => Duration::ZERO,
        len if len % 2 == 1 => sorted[len / 2],
        len => (sorted[len / 2 - 1] + sorted[len / 2]) / 2,
    }
}

/// `n` as a float, for rates and ratios; counts here stay far below 2^52.
#[allow(clippy::cast_precision_loss)]
pub(crate) fn float(n: usize) -> f64 {
    n as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(values: &[u64]) -> Vec<Duration> {
        values.iter().copied().map(Duration::from_millis).collect()
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&ms(&[5, 1, 3])), Duration::from_millis(3));
        assert_eq!(median(&ms(&[4, 1, 3, 2])), Duration::from_micros(2500));
        assert_eq!(median(&[]), Duration::ZERO);
    }

    #[test]
    fn ratio_is_the_median_of_each_rounds_rockit_over_baseline() {
        // Round ratios 1.1, 1.25 and 1.2: the machine slowed down between rounds.
        let paired =
            Paired { rockit: ms(&[110, 250, 120]), baseline: ms(&[100, 200, 100]), ..Paired::default() };
        assert!((paired.ratio() - 1.2).abs() < 1e-9, "{}", paired.ratio());
        let even = Paired { rockit: ms(&[110, 130]), baseline: ms(&[100, 100]), ..Paired::default() };
        assert_eq!(even.cpu_ratio(), None);
        assert!((even.ratio() - 1.2).abs() < 1e-9, "{}", even.ratio());
    }

    #[test]
    fn rounds_alternate_and_fan_out_covers_every_index() {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let order = std::cell::RefCell::new(Vec::new());
            let paired = alternate(
                3,
                async || {
                    order.borrow_mut().push('r');
                    Ok(())
                },
                async || {
                    order.borrow_mut().push('b');
                    Ok(())
                },
            )
            .await
            .unwrap();
            assert_eq!(order.borrow().iter().collect::<String>(), "rbrbbrrb");
            assert_eq!((paired.rockit.len(), paired.baseline.len()), (3, 3));

            let seen = std::cell::RefCell::new(Vec::new());
            fan_out(4, 10, async |index| {
                seen.borrow_mut().push(index);
                tokio::task::yield_now().await;
                Ok(())
            })
            .await
            .unwrap();
            let mut seen = seen.into_inner();
            seen.sort_unstable();
            assert_eq!(seen, (0..10).collect::<Vec<_>>());
        });
    }
}
