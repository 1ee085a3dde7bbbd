//! Decodes the vendor's example `PATCH /be/v1/tasks` response (or a list response read from the
//! file given as the first argument) and prints one line per task.
//!
//! ```text
//! cargo run -p rockit-model --example decode_seed [-- response.json]
//! ```

use std::process::ExitCode;

use rockit_model::TaskListResponse;

fn main() -> ExitCode {
    let body = match std::env::args_os().nth(1) {
        Some(path) => match std::fs::read_to_string(&path) {
            Ok(body) => body,
            Err(err) => {
                eprintln!("error: cannot read {}: {err}", path.to_string_lossy());
                return ExitCode::from(2);
            }
        },
        None => rockit_test_support::seed::response_body().to_owned(),
    };
    let response: TaskListResponse = match serde_json::from_str(&body) {
        Ok(response) => response,
        Err(err) => {
            eprintln!("error: not a task list response: {err}");
            return ExitCode::FAILURE;
        }
    };
    println!("{:<42} {:<8} {:>5}  {:<20} {:<7} STATUS", "NAME", "KIND", "BUILD", "CREATED (UTC)", "SERVICE");
    for task in &response.tasks {
        let (kind, build, created) = match task.name.parts() {
            Some(parts) => (parts.kind().to_string(), parts.build().to_string(), utc(parts.created_unix())),
            None => ("?".to_owned(), "?".to_owned(), "?".to_owned()),
        };
        println!("{:<42} {kind:<8} {build:>5}  {created:<20} {:<7} {}", task.name, task.service, task.status);
    }
    println!("{} of {} tasks (status: {})", response.tasks.len(), response.total_count, response.status);
    ExitCode::SUCCESS
}

/// Formats Unix seconds as `YYYY-MM-DD HH:MM:SS` (proleptic Gregorian calendar, UTC).
fn utc(unix: u64) -> String {
    let days = i64::try_from(unix / 86_400).unwrap_or(i64::MAX / 2);
    let secs = unix % 86_400;
    // Howard Hinnant's days-from-civil inverse.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}", secs / 3600, secs % 3600 / 60, secs % 60)
}
