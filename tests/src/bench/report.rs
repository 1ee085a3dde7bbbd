//! The results: one row per measurement, printed as one table and written as JSON.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, Result};
use serde::Serialize;

use crate::cases::Sizes;
use crate::harness::{Paired, float};

/// What every ratio means.
pub(crate) const RATIO_MEANING: &str = "ratio = rockit cost / baseline cost (cost = time: the median of \
     each round's ratio; or peak heap bytes); at or below the target passes. cpu ratio = the same \
     for the client thread's CPU time, not judged";

/// All rows of one run, with what the run was.
#[derive(Debug, Serialize)]
pub(crate) struct Report {
    /// `quick` or `full`.
    mode: &'static str,
    /// The cargo profile the benchmark was built with.
    profile: &'static str,
    /// Whether the figures are measurements (a full run of a release build).
    measurement: bool,
    /// Rounds of alternating runs per benchmark.
    rounds: usize,
    /// What the ratio column means.
    ratio: &'static str,
    /// How big each workload was.
    sizes: Sizes,
    /// The measurements.
    rows: Vec<Row>,
}

/// One measurement: rockit's figure, the baseline's, their ratio and the verdict.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Row {
    /// A stable identifier, such as `latency` or `listing.peak_stream`.
    pub(crate) id: &'static str,
    /// What was measured, for the table.
    pub(crate) title: String,
    /// Rockit's figure (the emulator's, for the emulator rows).
    pub(crate) rockit: Figure,
    /// The baseline's figure (the floor's, for the emulator rows), if there is a baseline.
    pub(crate) baseline: Option<Figure>,
    /// Rockit cost / baseline cost.
    pub(crate) ratio: Option<f64>,
    /// The same for the client's CPU time, for the timed client rows (not judged: the issue's
    /// targets are on time).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) cpu_ratio: Option<f64>,
    /// The target, as text (`≤ 1.05`, `≤ 2 pages`), or `-` when the figure is only reported.
    pub(crate) target: String,
    /// Whether the target was met.
    pub(crate) verdict: Verdict,
    /// Every round's time in seconds, for the timed rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) seconds: Option<Samples>,
}

/// A figure: its value in `unit`, and how the table shows it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Figure {
    /// The value.
    pub(crate) value: f64,
    /// Its unit.
    pub(crate) unit: &'static str,
    /// As the table shows it.
    pub(crate) text: String,
}

/// Every round's time in seconds, per side.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Samples {
    /// Rockit's rounds, wall time.
    pub(crate) rockit: Vec<f64>,
    /// The baseline's rounds, wall time.
    pub(crate) baseline: Vec<f64>,
    /// Rockit's rounds, the client thread's CPU time.
    pub(crate) rockit_cpu: Vec<f64>,
    /// The baseline's rounds, the client thread's CPU time.
    pub(crate) baseline_cpu: Vec<f64>,
}

/// Whether a row met its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Verdict {
    /// At or below the target.
    Ok,
    /// Above the target.
    Missed,
    /// Reported without a target.
    Reported,
}

/// What `cargo xtask bench` measured of the build.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Footprint {
    /// Crates in rockit-tasks' normal dependency tree, itself included.
    pub(crate) crates: usize,
    /// Seconds of its clean release build.
    pub(crate) build_secs: f64,
}

impl Row {
    /// A timed row with a target ratio.
    pub(crate) fn timed(
        id: &'static str,
        title: String,
        paired: &Paired,
        show: impl Fn(Duration) -> Figure,
        target: Option<f64>,
    ) -> Self {
        let ratio = paired.ratio();
        let (target_text, verdict) = match target {
            Some(max) => (format!("≤ {max:.2}"), if ratio <= max { Verdict::Ok } else { Verdict::Missed }),
            None => ("-".to_owned(), Verdict::Reported),
        };
        Self {
            id,
            title,
            rockit: show(paired.rockit_median()),
            baseline: Some(show(paired.baseline_median())),
            ratio: Some(ratio),
            cpu_ratio: paired.cpu_ratio(),
            target: target_text,
            verdict,
            seconds: Some(Samples {
                rockit: paired.rockit.iter().map(Duration::as_secs_f64).collect(),
                baseline: paired.baseline.iter().map(Duration::as_secs_f64).collect(),
                rockit_cpu: paired.rockit_cpu.iter().map(Duration::as_secs_f64).collect(),
                baseline_cpu: paired.baseline_cpu.iter().map(Duration::as_secs_f64).collect(),
            }),
        }
    }
}

impl Figure {
    /// A figure in `unit`, shown as `text`.
    pub(crate) fn new(value: f64, unit: &'static str, text: String) -> Self {
        Self { value, unit, text }
    }

    /// Time per operation, in microseconds.
    pub(crate) fn per_op(total: Duration, ops: usize) -> Self {
        let micros = total.as_secs_f64() * 1e6 / float(ops);
        Self::new(micros, "µs/op", format!("{micros:.1} µs/req"))
    }

    /// Operations per second.
    pub(crate) fn rate(total: Duration, ops: usize) -> Self {
        let rate = float(ops) / total.as_secs_f64();
        Self::new(rate, "req/s", format!("{} req/s", thousands(rate)))
    }

    /// A total time in milliseconds.
    pub(crate) fn millis(total: Duration) -> Self {
        let millis = total.as_secs_f64() * 1e3;
        Self::new(millis, "ms", format!("{millis:.1} ms"))
    }

    /// Heap bytes, shown in KiB and in pages' worth.
    pub(crate) fn heap(bytes: usize, page_bytes: usize) -> Self {
        let pages = float(bytes) / float(page_bytes.max(1));
        Self::new(
            float(bytes),
            "bytes",
            format!("{} KiB ({pages:.2} pages)", thousands(float(bytes) / 1024.0)),
        )
    }
}

impl Report {
    /// An empty report of a run.
    pub(crate) fn new(quick: bool, profile: &'static str, rounds: usize, sizes: Sizes) -> Self {
        Self {
            mode: if quick { "quick" } else { "full" },
            profile,
            measurement: !quick && profile == "release",
            rounds,
            ratio: RATIO_MEANING,
            sizes,
            rows: Vec::new(),
        }
    }

    /// Adds rows.
    pub(crate) fn extend(&mut self, rows: impl IntoIterator<Item = Row>) {
        self.rows.extend(rows);
    }

    /// Adds the build footprint rows.
    pub(crate) fn footprint(&mut self, footprint: &Footprint) {
        let crates = footprint.crates;
        let secs = footprint.build_secs;
        self.rows.push(Row {
            id: "footprint.crates",
            title: "footprint: crates in rockit-tasks' normal dependency tree".to_owned(),
            rockit: Figure::new(float(crates), "crates", format!("{crates} crates")),
            baseline: None,
            ratio: None,
            cpu_ratio: None,
            target: "-".to_owned(),
            verdict: Verdict::Reported,
            seconds: None,
        });
        self.rows.push(Row {
            id: "footprint.build",
            title: "footprint: clean release build of rockit-tasks".to_owned(),
            rockit: Figure::new(secs, "s", format!("{secs:.1} s")),
            baseline: None,
            ratio: None,
            cpu_ratio: None,
            target: "-".to_owned(),
            verdict: Verdict::Reported,
            seconds: None,
        });
    }

    /// The table: a heading, then one row per measurement.
    pub(crate) fn table(&self) -> String {
        let heading = format!(
            "rockit-rs benchmarks: {} mode, {} build, {} alternating rounds, figures are medians\n{}",
            self.mode, self.profile, self.rounds, RATIO_MEANING
        );
        let header =
            ["benchmark", "rockit", "baseline", "ratio", "cpu ratio", "target", "verdict"].map(str::to_owned);
        let mut lines = vec![header];
        for row in &self.rows {
            let verdict = match (row.verdict, self.measurement) {
                (Verdict::Reported, _) => "-",
                (_, false) => "smoke",
                (Verdict::Ok, true) => "ok",
                (Verdict::Missed, true) => "MISSED",
            };
            lines.push([
                row.title.clone(),
                row.rockit.text.clone(),
                row.baseline.as_ref().map_or_else(|| "-".to_owned(), |figure| figure.text.clone()),
                row.ratio.map_or_else(|| "-".to_owned(), |ratio| format!("{ratio:.3}")),
                row.cpu_ratio.map_or_else(|| "-".to_owned(), |ratio| format!("{ratio:.3}")),
                row.target.clone(),
                verdict.to_owned(),
            ]);
        }
        let mut widths = [0; 7];
        for line in &lines {
            for (width, cell) in widths.iter_mut().zip(line) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let mut out = format!("{heading}\n");
        for line in &lines {
            let mut text = String::new();
            for (index, (cell, width)) in line.iter().zip(widths).enumerate() {
                let pad = width - cell.chars().count();
                // Text columns left-aligned, figures right-aligned.
                if index == 0 || index >= 5 {
                    let _ = write!(text, "{cell}{}  ", " ".repeat(pad));
                } else {
                    let _ = write!(text, "{}{cell}  ", " ".repeat(pad));
                }
            }
            out.push_str(text.trim_end());
            out.push('\n');
        }
        if self.rows.iter().any(|row| row.id.starts_with("emulator")) {
            out.push_str("(emulator rows: the rockit column is the emulator, the baseline column the floor, a minimal axum handler answering the same bytes)\n");
        }
        out
    }

    /// Writes the report as pretty JSON to `path`, creating its directory.
    pub(crate) fn write_json(&self, path: &Path) -> Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let json = serde_json::to_vec_pretty(self)?;
        std::fs::write(path, json).with_context(|| format!("cannot write {}", path.display()))
    }
}

/// `12345.6` as `12,346`.
fn thousands(value: f64) -> String {
    let rounded = format!("{value:.0}");
    let (sign, digits) = rounded.strip_prefix('-').map_or(("", rounded.as_str()), |rest| ("-", rest));
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    format!("{sign}{out}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0.4), "0");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(12_345.6), "12,346");
        assert_eq!(thousands(1_234_567.0), "1,234,567");
    }

    #[test]
    fn timed_rows_judge_the_ratio_against_the_target() {
        let paired = Paired {
            rockit: vec![Duration::from_millis(106)],
            baseline: vec![Duration::from_millis(100)],
            ..Paired::default()
        };
        let row = Row::timed("x", "x".to_owned(), &paired, Figure::millis, Some(1.05));
        assert_eq!(row.verdict, Verdict::Missed);
        let row = Row::timed("x", "x".to_owned(), &paired, Figure::millis, Some(1.10));
        assert_eq!(row.verdict, Verdict::Ok);
        assert_eq!(row.target, "≤ 1.10");
    }
}
