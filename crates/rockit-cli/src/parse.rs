//! Checks of the values clap hands over as text: durations, points in time, task names, statuses,
//! kinds, sort keys and raw query parameters. Each mistake is a usage error (exit 2) whose message
//! names the flag, the value and the fix.

use std::time::{Duration, UNIX_EPOCH};

use rockit_model::{Order, TaskKind, TaskName, TaskStatus};

use crate::exit::usage;

/// The sort fields the API is known to accept.
const SORT_FIELDS: &[&str] = &["name", "status", "service", "type", "created"];

/// A positive duration like `30s`, `2m`, `1h30m` or `500ms`, given to `flag`.
pub(crate) fn duration(flag: &str, raw: &str) -> anyhow::Result<Duration> {
    let parsed = humantime::parse_duration(raw.trim()).map_err(|err| {
        usage(format!("invalid {flag} {raw:?}: {err}; write a duration like 30s, 2m, 1h30m or 500ms"))
    })?;
    if parsed.is_zero() {
        return Err(usage(format!("invalid {flag} {raw:?}: it must be longer than zero, like 30s")));
    }
    Ok(parsed)
}

/// A point in time given to `flag`: Unix seconds, a date (`2024-12-01`, midnight UTC), or an
/// RFC 3339 date and time (`2024-12-01T10:00:00Z`; without an offset it is read as UTC).
pub(crate) fn unix_time(flag: &str, raw: &str) -> anyhow::Result<u64> {
    let text = raw.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().map_err(|_| usage(format!("invalid {flag} {raw:?}: the number is too large")));
    }
    let full = if text.len() == 10 { format!("{text}T00:00:00Z") } else { text.to_owned() };
    let at = humantime::parse_rfc3339_weak(&full).map_err(|err| {
        usage(format!(
            "invalid {flag} {raw:?}: {err}; write Unix seconds, a date like 2024-12-01 or a time like 2024-12-01T10:00:00Z"
        ))
    })?;
    at.duration_since(UNIX_EPOCH)
        .map(|since| since.as_secs())
        .map_err(|_| usage(format!("invalid {flag} {raw:?}: it is before 1970")))
}

/// A task name, as the model validates it.
pub(crate) fn task_name(raw: &str) -> anyhow::Result<TaskName> {
    raw.parse::<TaskName>().map_err(anyhow::Error::new)
}

/// Every name of `raw`, all checked before any is used.
pub(crate) fn task_names(raw: &[String]) -> anyhow::Result<Vec<TaskName>> {
    raw.iter().map(|name| task_name(name)).collect()
}

/// A status the API is known to use. Others would silently match nothing, so they are refused;
/// `--param status=VALUE` still sends any value.
pub(crate) fn status(raw: &str) -> anyhow::Result<TaskStatus> {
    known(raw, TaskStatus::KNOWN, TaskStatus::as_str, "--status", "status")
}

/// A kind the API is known to use; `--param type=VALUE` sends any other.
pub(crate) fn kind(raw: &str) -> anyhow::Result<TaskKind> {
    known(raw, TaskKind::KNOWN, TaskKind::as_str, "--kind", "type")
}

fn known<T: Clone>(
    raw: &str,
    values: &[T],
    as_str: fn(&T) -> &str,
    flag: &str,
    param: &str,
) -> anyhow::Result<T> {
    let wanted = raw.trim().to_ascii_lowercase();
    values.iter().find(|value| as_str(value) == wanted).cloned().ok_or_else(|| {
        let names: Vec<&str> = values.iter().map(as_str).collect();
        usage(format!(
            "unknown {flag} value {raw:?}; use one of {}, or --param {param}={raw} to send it anyway",
            names.join(", ")
        ))
    })
}

/// A sort key: `FIELD`, `+FIELD` or `-FIELD`, where `kind` is accepted for `type`.
pub(crate) fn sort_key(raw: &str) -> anyhow::Result<Order> {
    let invalid = || {
        usage(format!(
            "invalid --sort {raw:?}: sort by name, status, service, kind or created, with a leading - for descending"
        ))
    };
    let order: Order = raw.trim().parse().map_err(|_| invalid())?;
    let field = match order.field() {
        "kind" => "type",
        other => other,
    };
    if !SORT_FIELDS.contains(&field) {
        return Err(invalid());
    }
    Ok(if order.is_descending() { Order::desc(field) } else { Order::asc(field) })
}

/// A raw query parameter `KEY=VALUE`.
pub(crate) fn param(raw: &str) -> anyhow::Result<(String, String)> {
    match raw.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
        _ => Err(usage(format!("invalid --param {raw:?}: write it as KEY=VALUE, like acknowledged=false"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::{Exit, classify};

    fn message(result: anyhow::Result<impl std::fmt::Debug>) -> String {
        let err = result.unwrap_err();
        assert_eq!(classify(&err), Exit::Usage, "{err}");
        err.to_string()
    }

    #[test]
    fn durations() {
        assert_eq!(duration("--timeout", "1m30s").unwrap(), Duration::from_secs(90));
        assert_eq!(duration("--interval", "10ms").unwrap(), Duration::from_millis(10));
        assert!(message(duration("--timeout", "10x")).starts_with(r#"invalid --timeout "10x": "#));
        assert!(message(duration("--timeout", "0s")).contains("longer than zero"));
    }

    #[test]
    fn times() {
        assert_eq!(unix_time("--since", "1733149403").unwrap(), 1_733_149_403);
        assert_eq!(unix_time("--since", "2024-12-01").unwrap(), 1_733_011_200);
        assert_eq!(unix_time("--since", "2024-12-01T10:00:00Z").unwrap(), 1_733_047_200);
        assert_eq!(unix_time("--since", "2024-12-01 10:00:00").unwrap(), 1_733_047_200);
        assert!(message(unix_time("--until", "yesterday")).contains("like 2024-12-01"));
    }

    #[test]
    fn statuses_kinds_and_sort_keys() {
        assert_eq!(status("Running").unwrap(), TaskStatus::Running);
        assert_eq!(
            message(status("runing")),
            r#"unknown --status value "runing"; use one of pending, running, done, failed, expired, or --param status=runing to send it anyway"#
        );
        assert_eq!(kind("dltar").unwrap(), TaskKind::Dltar);
        assert!(message(kind("upload")).contains("--param type=upload"));
        assert_eq!(sort_key("-created").unwrap(), Order::desc("created"));
        assert_eq!(sort_key("kind").unwrap(), Order::asc("type"));
        assert!(message(sort_key("-size")).starts_with(r#"invalid --sort "-size""#));
    }

    #[test]
    fn params_and_names() {
        assert_eq!(param("a=b=c").unwrap(), ("a".to_owned(), "b=c".to_owned()));
        assert!(message(param("=x")).contains("KEY=VALUE"));
        assert!(message(task_name("a b")).starts_with(r#"invalid task name "a b""#));
    }
}
