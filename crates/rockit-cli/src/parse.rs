//! clap value parsers for what the command line carries as text: durations, points in time, task
//! names, statuses, kinds, sort keys, page sizes and raw query parameters. clap reports a rejected
//! value as `error: invalid value 'RAW' for '--flag <VALUE>': REASON` with exit code 2; each
//! reason here says what is wrong and how to write it instead.

use std::time::{Duration, UNIX_EPOCH};

use rockit_model::{Order, TaskKind, TaskName, TaskStatus};

/// The sort fields the API is known to accept.
const SORT_FIELDS: &[&str] = &["name", "status", "service", "type", "created"];

/// A positive duration like `30s`, `2m`, `1h30m` or `500ms`.
pub(crate) fn duration(raw: &str) -> Result<Duration, String> {
    let parsed = humantime::parse_duration(raw.trim())
        .map_err(|err| format!("{err}; write a duration like 30s, 2m, 1h30m or 500ms"))?;
    if parsed.is_zero() {
        return Err("it must be longer than zero, like 30s".to_owned());
    }
    Ok(parsed)
}

/// A point in time: Unix seconds, a date (`2024-12-01`, midnight UTC), or an RFC 3339 date and
/// time (`2024-12-01T10:00:00Z`; without an offset it is read as UTC).
pub(crate) fn unix_time(raw: &str) -> Result<u64, String> {
    let text = raw.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().map_err(|_| "the number is too large".to_owned());
    }
    let full = if text.len() == 10 { format!("{text}T00:00:00Z") } else { text.to_owned() };
    let at = humantime::parse_rfc3339_weak(&full).map_err(|err| {
        format!("{err}; write Unix seconds, a date like 2024-12-01 or a time like 2024-12-01T10:00:00Z")
    })?;
    at.duration_since(UNIX_EPOCH).map(|since| since.as_secs()).map_err(|_| "it is before 1970".to_owned())
}

/// A task name, as the model validates it; the reason says what is wrong with it.
pub(crate) fn task_name(raw: &str) -> Result<TaskName, String> {
    raw.parse().map_err(|err: rockit_model::Error| match err.task_name_error() {
        Some(reason) => reason.to_string(),
        None => err.to_string(),
    })
}

/// A status the API is known to use. Others would silently match nothing, so they are refused;
/// `--param status=VALUE` still sends any value.
pub(crate) fn status(raw: &str) -> Result<TaskStatus, String> {
    known(raw, TaskStatus::KNOWN, TaskStatus::as_str, "status")
}

/// `parse` with the values it accepts made known to clap, so that shell completion and help offer
/// them; errors are `parse`'s own.
#[derive(Clone)]
pub(crate) struct Known<T: Clone + Send + Sync + 'static> {
    parse: fn(&str) -> Result<T, String>,
    names: &'static [T],
    as_str: fn(&T) -> &str,
}

impl<T: Clone + Send + Sync + 'static> clap::builder::TypedValueParser for Known<T> {
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<T, clap::Error> {
        clap::builder::TypedValueParser::parse_ref(&self.parse, cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        let names: &'static [T] = self.names;
        let as_str = self.as_str;
        Some(Box::new(names.iter().map(move |value| clap::builder::PossibleValue::new(as_str(value)))))
    }
}

/// `--status`: [`status`], completing to the known statuses.
pub(crate) fn statuses() -> Known<TaskStatus> {
    Known { parse: status, names: TaskStatus::KNOWN, as_str: TaskStatus::as_str }
}

/// `--kind`, `--for`: [`kind`], completing to the known kinds.
pub(crate) fn kinds() -> Known<TaskKind> {
    Known { parse: kind, names: TaskKind::KNOWN, as_str: TaskKind::as_str }
}

/// A kind the API is known to use; `--param type=VALUE` sends any other.
pub(crate) fn kind(raw: &str) -> Result<TaskKind, String> {
    known(raw, TaskKind::KNOWN, TaskKind::as_str, "type")
}

fn known<T: Clone>(raw: &str, values: &[T], as_str: fn(&T) -> &str, param: &str) -> Result<T, String> {
    let wanted = raw.trim().to_ascii_lowercase();
    values.iter().find(|value| as_str(value) == wanted).cloned().ok_or_else(|| {
        let names: Vec<&str> = values.iter().map(as_str).collect();
        format!("use one of {}, or --param {param}={raw} to send it anyway", names.join(", "))
    })
}

/// A sort key: `FIELD`, `+FIELD` or `-FIELD`, where `kind` is accepted for `type`.
pub(crate) fn sort_key(raw: &str) -> Result<Order, String> {
    let invalid =
        || "sort by name, status, service, kind or created, with a leading - for descending".to_owned();
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

/// A page size of at least 1.
pub(crate) fn limit(raw: &str) -> Result<u32, String> {
    match raw.trim().parse::<u32>() {
        Ok(0) => Err("ask for at least 1 task per page".to_owned()),
        Ok(limit) => Ok(limit),
        Err(err) => Err(format!("{err}; write a whole number from 1 up")),
    }
}

/// An app's name, as a build names it (no org, nothing a task name cannot hold).
pub(crate) fn app(raw: &str) -> Result<String, String> {
    rockit_model::BuildId::new(raw, 1).map(|id| id.app().to_owned()).map_err(|err| match err {
        rockit_model::Error::InvalidBuildId { reason, .. } => reason,
        other => other.to_string(),
    })
}

/// A build number: `3` or `0003`.
pub(crate) fn build_number(raw: &str) -> Result<u32, String> {
    rockit_model::parse_build_number(raw)
}

/// A raw query parameter `KEY=VALUE`.
pub(crate) fn param(raw: &str) -> Result<(String, String), String> {
    match raw.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
        _ => Err("write it as KEY=VALUE, like acknowledged=false".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration("1m30s").unwrap(), Duration::from_secs(90));
        assert_eq!(duration("10ms").unwrap(), Duration::from_millis(10));
        assert!(duration("10x").unwrap_err().starts_with(r#"unknown time unit "x""#));
        assert!(duration("0s").unwrap_err().contains("longer than zero"));
    }

    #[test]
    fn times() {
        assert_eq!(unix_time("1733149403").unwrap(), 1_733_149_403);
        assert_eq!(unix_time("2024-12-01").unwrap(), 1_733_011_200);
        assert_eq!(unix_time("2024-12-01T10:00:00Z").unwrap(), 1_733_047_200);
        assert_eq!(unix_time("2024-12-01 10:00:00").unwrap(), 1_733_047_200);
        assert!(unix_time("yesterday").unwrap_err().contains("like 2024-12-01"));
        assert!(unix_time("99999999999999999999999").unwrap_err().contains("too large"));
    }

    #[test]
    fn statuses_kinds_sort_keys_and_limits() {
        assert_eq!(status("Running").unwrap(), TaskStatus::Running);
        assert_eq!(
            status("runing").unwrap_err(),
            "use one of pending, running, done, failed, expired, or --param status=runing to send it anyway"
        );
        assert_eq!(kind("dltar").unwrap(), TaskKind::Dltar);
        assert!(kind("upload").unwrap_err().contains("--param type=upload"));
        assert_eq!(sort_key("-created").unwrap(), Order::desc("created"));
        assert_eq!(sort_key("kind").unwrap(), Order::asc("type"));
        assert!(sort_key("-size").unwrap_err().starts_with("sort by name"));
        assert!(sort_key("-").unwrap_err().starts_with("sort by name"));
        assert_eq!(limit("7").unwrap(), 7);
        assert_eq!(limit("0").unwrap_err(), "ask for at least 1 task per page");
        assert!(limit("-1").unwrap_err().contains("whole number"));
    }

    #[test]
    fn apps_and_build_numbers() {
        assert_eq!(app("sushi").unwrap(), "sushi");
        assert!(app("su shi").unwrap_err().contains("contains ' '"));
        assert_eq!(build_number("0003"), Ok(3));
        assert!(build_number("three").unwrap_err().contains("like 3 or 0003"));
    }

    #[test]
    fn params_and_names() {
        assert_eq!(param("a=b=c").unwrap(), ("a".to_owned(), "b=c".to_owned()));
        assert!(param("=x").unwrap_err().contains("KEY=VALUE"));
        assert!(task_name("a b").unwrap_err().starts_with("it contains ' ' at byte 1"));
    }
}
