//! The emulator's clock: real elapsed time scaled by a speed factor, plus manual advances.
//!
//! Emulator time starts at zero when the emulator starts and maps to Unix time through an epoch
//! (the wall clock at start, unless the builder fixes one). Timelines, token lifetimes, `createdAt`
//! and `updatedAt` all read this clock, so a test that sets the speed to `0.0` and calls
//! [`Emulator::advance`](crate::Emulator::advance) controls time completely.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The clock shared by the server and the handle.
#[derive(Debug)]
pub(crate) struct Clock {
    epoch_unix: u64,
    state: Mutex<ClockState>,
}

#[derive(Debug)]
struct ClockState {
    speed: f64,
    /// The real instant at which `base` was the emulator time.
    real_base: Instant,
    base: Duration,
}

impl Clock {
    pub(crate) fn new(epoch_unix: u64, speed: f64) -> Self {
        Self {
            epoch_unix,
            state: Mutex::new(ClockState { speed, real_base: Instant::now(), base: Duration::ZERO }),
        }
    }

    /// Emulator time since start.
    pub(crate) fn now(&self) -> Duration {
        lock(&self.state).now()
    }

    /// Unix seconds at emulator time `at`.
    pub(crate) fn unix_at(&self, at: Duration) -> u64 {
        self.epoch_unix.saturating_add(at.as_secs())
    }

    /// Unix seconds now.
    pub(crate) fn unix_now(&self) -> u64 {
        self.unix_at(self.now())
    }

    /// Moves emulator time forward by `by`.
    pub(crate) fn advance(&self, by: Duration) {
        let mut state = lock(&self.state);
        let now = state.now();
        state.base = now.saturating_add(by);
        state.real_base = Instant::now();
    }

    /// Changes the speed from now on; time already elapsed keeps its old scale.
    pub(crate) fn set_speed(&self, speed: f64) {
        let mut state = lock(&self.state);
        state.base = state.now();
        state.real_base = Instant::now();
        state.speed = speed;
    }

    pub(crate) fn speed(&self) -> f64 {
        lock(&self.state).speed
    }
}

impl ClockState {
    fn now(&self) -> Duration {
        if self.speed == 0.0 {
            return self.base;
        }
        let real = self.real_base.elapsed().as_secs_f64() * self.speed;
        // `speed` is validated finite and non-negative; an absurd product saturates instead of panicking.
        let scaled = Duration::try_from_secs_f64(real).unwrap_or(Duration::MAX);
        self.base.saturating_add(scaled)
    }
}

/// Checks a speed factor: finite and not negative.
pub(crate) fn validate_speed(speed: f64) -> crate::Result<()> {
    if speed.is_finite() && speed >= 0.0 {
        Ok(())
    } else {
        Err(crate::Error::InvalidConfig {
            setting: "speed",
            value: speed.to_string(),
            expected: "expected a finite number of 0 or more (0 freezes time, 1 is real time)",
        })
    }
}

/// Locks a mutex, recovering the data if a panicking thread poisoned it: every critical section in
/// this crate leaves its data consistent, so the data stays usable.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frozen_clock_moves_only_when_advanced() {
        let clock = Clock::new(1_000, 0.0);
        assert_eq!(clock.now(), Duration::ZERO);
        clock.advance(Duration::from_millis(1500));
        assert_eq!(clock.now(), Duration::from_millis(1500));
        assert_eq!(clock.unix_now(), 1_001);
    }

    #[test]
    fn speed_changes_keep_elapsed_time() {
        let clock = Clock::new(0, 0.0);
        clock.advance(Duration::from_secs(5));
        clock.set_speed(1000.0);
        assert!(clock.now() >= Duration::from_secs(5));
        clock.set_speed(0.0);
        let frozen = clock.now();
        assert_eq!(clock.now(), frozen);
    }

    #[test]
    fn speeds_are_validated() {
        assert!(validate_speed(0.0).is_ok());
        assert!(validate_speed(12.5).is_ok());
        for bad in [-1.0, f64::NAN, f64::INFINITY] {
            assert!(validate_speed(bad).is_err(), "{bad}");
        }
    }
}
