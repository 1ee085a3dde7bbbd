//! `rockit tasks show NAME`: one task's details as aligned `key: value` lines (every field the
//! server sent, unknown ones included) or as the details object in JSON.

use std::io::Write;

use rockit_model::{Exception, TaskDetails, TaskName, Timestamp};
use serde_json::Value;

use crate::cli::GlobalArgs;
use crate::connect::connect;
use crate::output::{self, Style, status_color};
use crate::{Exit, Io};

pub(super) async fn run(global: &GlobalArgs, name: &TaskName, io: &mut Io<'_>) -> anyhow::Result<Exit> {
    let connection = connect(global, io.var, true).await?;
    let details = connection.tasks.get(name).await?;
    if super::json(global) {
        output::json(io.stdout, &details)?;
    } else {
        render(&details, connection.org.as_deref(), Style::for_stdout(io), io.stdout)?;
    }
    Ok(Exit::Success)
}

/// A short account of what went wrong (see [`rockit_model::Exception::summary`]); `None` without
/// an exception.
pub(super) fn exception_summary(details: &TaskDetails) -> Option<String> {
    details.exception.as_ref().map(Exception::summary)
}

fn render(
    details: &TaskDetails,
    org: Option<&str>,
    style: Style,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let parts = details.name.parts();
    // Keys and values come from the server: `output::terminal_text` cleans both, before any
    // colour is added.
    let mut rows: Vec<(String, String)> = Vec::new();
    let mut row = |key: &str, value: String| {
        rows.push((output::terminal_text(key), output::terminal_text(&value)));
    };
    row("name", details.name.to_string());
    if let Some(parts) = parts {
        row("app", parts.app(org).as_str().to_owned());
        row("build", parts.build_str().to_owned());
        row("kind", parts.kind_str().to_owned());
        row("created", format!("{} UTC", output::utc_seconds(parts.created_unix())));
    }
    row("service", details.service.to_string());
    row("status", details.status.as_str().to_owned());
    row("acknowledged", yes_no(details.acknowledged));
    row("expired", yes_no(details.expired));
    if let Some(warning) = &details.warning {
        let text = match (warning.code(), warning.message()) {
            (Some(code), Some(message)) => format!("{code}: {message}"),
            (None, Some(message)) => message.to_owned(),
            _ => compact(&warning.0),
        };
        row("warning", text);
    }
    if let Some(exception) = &details.exception {
        row("exception", exception_summary(details).unwrap_or_default());
        exception_rows(exception, &mut row);
    }
    if let Some(at) = &details.created_at {
        row("createdAt", timestamp(at));
    }
    if let Some(at) = &details.updated_at {
        row("updatedAt", timestamp(at));
    }
    for (key, value) in &details.extra {
        row(key, compact(value));
    }
    let width = rows.iter().map(|(key, _)| key.chars().count()).max().unwrap_or(0) + 1;
    for (key, value) in rows {
        // Unknown fields never include `status`: it is a field of the model.
        let color = if key == "status" { status_color(&details.status) } else { None };
        writeln!(out, "{:<width$} {}", format!("{key}:"), style.paint(&value, color))?;
    }
    Ok(())
}

/// Every field of the exception, indented under it: the typed fields of the known failure kinds
/// by name, anything else as compact JSON.
fn exception_rows(exception: &Exception, row: &mut impl FnMut(&str, String)) {
    for (kind, value) in &exception.fields {
        match kind.as_str() {
            "httpDownloadFailed" if exception.http_download_failed().is_some() => {
                let Some(download) = exception.http_download_failed() else { continue };
                row("  failure", kind.clone());
                optional(row, "    httpStatus", download.http_status);
                optional(row, "    exitCode", download.exit_code);
                optional(row, "    sizeBytesActual", download.size_bytes_actual);
                optional(row, "    sizeBytesExpected", download.size_bytes_expected);
                for (key, value) in &download.extra {
                    row(&format!("    {key}"), compact(value));
                }
            }
            "fileReadFailed" if exception.file_read_failed().is_some() => {
                let Some(read) = exception.file_read_failed() else { continue };
                row("  failure", kind.clone());
                optional(row, "    filename", read.filename);
                optional(row, "    typeExpected", read.type_expected);
                optional(row, "    typeDetected", read.type_detected);
                for (key, value) in &read.extra {
                    row(&format!("    {key}"), compact(value));
                }
            }
            "error" => row("  error", exception.error_message().unwrap_or_else(|| compact(value))),
            _ => row(&format!("  {kind}"), compact(value)),
        }
    }
}

fn optional<T: ToString>(row: &mut impl FnMut(&str, String), key: &str, value: Option<T>) {
    if let Some(value) = value {
        row(key, value.to_string());
    }
}

fn yes_no(flag: Option<bool>) -> String {
    match flag {
        Some(true) => "yes",
        Some(false) => "no",
        None => "-",
    }
    .to_owned()
}

/// `2024-12-03 15:39:02 UTC` when the value reads as Unix seconds or milliseconds, else the raw JSON.
fn timestamp(at: &Timestamp) -> String {
    at.unix_seconds().map_or_else(|| compact(&at.0), |unix| format!("{} UTC", output::utc_seconds(unix)))
}

fn compact(value: &Value) -> String {
    value.to_string()
}

#[cfg(test)]
mod tests {
    use rockit_model::{FileReadFailed, Service, TaskStatus, Warning};
    use serde_json::json;

    use super::*;

    #[test]
    fn details_show_every_field() {
        let mut details = TaskDetails::new(
            "exampleorg-sushi-0003-1733240117-mkraw".parse().unwrap(),
            Service::Engine,
            TaskStatus::Failed,
        );
        details.acknowledged = Some(false);
        details.warning = Some(Warning(json!("disk\nlow")));
        let mut exception = Exception::file_read(&FileReadFailed {
            filename: Some("game.pak".into()),
            type_expected: Some("pak".into()),
            type_detected: Some("zip".into()),
            extra: [("offset".to_owned(), json!(7))].into_iter().collect(),
        });
        exception.fields.insert("retryable".into(), json!(false));
        details.exception = Some(exception);
        details.updated_at = Some(Timestamp(json!("soon")));
        details.extra.insert("region".into(), json!({"name": "eu"}));
        let mut out = Vec::new();
        render(&details, None, Style::plain(), &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"name:             exampleorg-sushi-0003-1733240117-mkraw
app:              exampleorg-sushi
build:            0003
kind:             mkraw
created:          2024-12-03 15:35:17 UTC
service:          engine
status:           failed
acknowledged:     no
expired:          -
warning:          disk low
exception:        cannot read game.pak (expected pak, found zip)
  failure:        fileReadFailed
    filename:     game.pak
    typeExpected: pak
    typeDetected: zip
    offset:       7
  retryable:      false
updatedAt:        "soon"
region:           {"name":"eu"}
"#
        );
    }
}
