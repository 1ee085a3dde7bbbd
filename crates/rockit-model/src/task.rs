//! Task data as the server sends it: `TaskSummary` in lists, `TaskDetails` for one task, and the
//! parts of details whose shape the vendor has not published (warnings, exceptions, timestamps).
//!
//! Where the shape is a guess, the type keeps the raw JSON and offers typed views of it, so a
//! server that answers differently never breaks decoding and nothing it sent is lost.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::task_name::TaskName;
use crate::vocab::{Service, TaskStatus};

/// One task in a list response: exactly the three fields the vendor's example shows.
///
/// `#[non_exhaustive]`: the vendor may add fields to list entries, and the SDK will model them
/// without a breaking change; build one with [`TaskSummary::new`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TaskSummary {
    /// The task's name.
    pub name: TaskName,
    /// The back end that runs it.
    pub service: Service,
    /// Its state.
    pub status: TaskStatus,
}

/// Everything known about one task, from `GET /be/v1/tasks/{taskName}`.
///
/// The vendor has not published this response's shape, so apart from `name`, `service` and
/// `status` every field here is a **guess** drawn from the documentation's prose, and all fields the
/// SDK does not model are kept in [`TaskDetails::extra`]. Decoding accepts both a bare task object
/// and one wrapped as `{"task": {...}}` (any other top-level keys of the wrapper are dropped);
/// encoding always writes the bare object.
///
/// `#[non_exhaustive]`: fields move from [`TaskDetails::extra`] into typed fields as the vendor's
/// shape becomes known; build one with [`TaskDetails::new`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TaskDetails {
    /// The task's name.
    pub name: TaskName,
    /// The back end that runs it.
    pub service: Service,
    /// Its state.
    pub status: TaskStatus,
    /// Whether its warning has been acknowledged (guess: `acknowledged`, as in the PATCH body).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged: Option<bool>,
    /// Whether it has been expired (guess: `expired`, as in the PATCH body).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expired: Option<bool>,
    /// Its warning, if any (guess: `warning`, a string or an object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning: Option<Warning>,
    /// What went wrong, if anything (`exception`, as in the webhook schema).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exception: Option<Exception>,
    /// When it was created (guess: `createdAt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// When it last changed (guess: `updatedAt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    /// Every field the SDK does not model, verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl TaskSummary {
    /// A summary with the three fields of a list entry.
    pub fn new(name: TaskName, service: Service, status: TaskStatus) -> Self {
        Self { name, service, status }
    }
}

impl TaskDetails {
    /// Details with only the three documented fields set.
    pub fn new(name: TaskName, service: Service, status: TaskStatus) -> Self {
        Self {
            name,
            service,
            status,
            acknowledged: None,
            expired: None,
            warning: None,
            exception: None,
            created_at: None,
            updated_at: None,
            extra: Map::new(),
        }
    }

    /// The summary a list response would show for this task.
    pub fn summary(&self) -> TaskSummary {
        TaskSummary { name: self.name.clone(), service: self.service.clone(), status: self.status.clone() }
    }

    /// Whether the task carries a warning that nobody has acknowledged yet.
    pub fn has_unacknowledged_warning(&self) -> bool {
        self.warning.is_some() && self.acknowledged != Some(true)
    }
}

impl<'de> Deserialize<'de> for TaskDetails {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(DetailsVisitor { wanted: None })
    }
}

impl TaskDetails {
    /// Decodes a details answer for the task called `wanted`, in any of the three shapes a server
    /// may use (see the type's documentation); from a list envelope it takes the task of that name.
    pub fn from_json_for(body: &[u8], wanted: &TaskName) -> Result<Self, serde_json::Error> {
        let mut deserializer = serde_json::Deserializer::from_slice(body);
        let details = deserializer.deserialize_map(DetailsVisitor { wanted: Some(wanted) })?;
        deserializer.end()?;
        Ok(details)
    }
}

/// Reads task details field by field in one pass, straight from the input: a derived decoder
/// would need `serde(flatten)` for [`TaskDetails::extra`] and an intermediate map for the
/// wrappers, which together cost as much again as the decoding itself.
struct DetailsVisitor<'w> {
    /// The task asked for, to pick from a list envelope; without it, a list must hold one task.
    wanted: Option<&'w TaskName>,
}

impl<'de> Visitor<'de> for DetailsVisitor<'_> {
    type Value = TaskDetails;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a task object, bare, wrapped as {\"task\": {...}} or in a list envelope")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TaskDetails, A::Error> {
        let (mut name, mut service, mut status) = (None, None, None);
        let (mut acknowledged, mut expired, mut warning, mut exception) = (None, None, None, None);
        let (mut created_at, mut updated_at) = (None, None);
        let mut extra = Map::new();
        let (mut wrapped, mut listed) = (None, None);
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            match key.as_ref() {
                "name" => name = Some(map.next_value()?),
                "service" => service = Some(map.next_value()?),
                "status" => status = Some(map.next_value()?),
                // The guessed fields are read leniently: a value of another shape than guessed
                // is kept in `extra` rather than failing the whole task.
                "acknowledged" => match map.next_value()? {
                    Value::Bool(flag) => acknowledged = Some(flag),
                    Value::Null => {}
                    other => drop(extra.insert(key.into_owned(), other)),
                },
                "expired" => match map.next_value()? {
                    Value::Bool(flag) => expired = Some(flag),
                    Value::Null => {}
                    other => drop(extra.insert(key.into_owned(), other)),
                },
                "exception" => match map.next_value()? {
                    Value::Object(fields) => exception = Some(Exception { fields }),
                    Value::Null => {}
                    other => drop(extra.insert(key.into_owned(), other)),
                },
                "warning" => warning = map.next_value()?,
                "createdAt" => created_at = map.next_value()?,
                "updatedAt" => updated_at = map.next_value()?,
                "task" => wrapped = Some(map.next_value::<Value>()?),
                "tasks" => listed = Some(map.next_value::<Value>()?),
                _ => {
                    let value = map.next_value()?;
                    extra.insert(key.into_owned(), value);
                }
            }
        }
        if name.is_none() {
            // A wrapper: `{"status": "success", "task": {...}}` or the list envelope
            // `{"status": "success", "totalCount": 1, "tasks": [{...}]}`. A bare task (one with a
            // name) keeps fields called `task` and `tasks` of its own in `extra`.
            if let Some(Value::Object(task)) = wrapped {
                return TaskDetails::deserialize(Value::Object(task)).map_err(de::Error::custom);
            }
            if let Some(Value::Array(tasks)) = listed {
                return pick(tasks, self.wanted).map_err(de::Error::custom);
            }
        }
        if let Some(other) = wrapped {
            extra.insert("task".to_owned(), other);
        }
        if let Some(other) = listed {
            extra.insert("tasks".to_owned(), other);
        }
        Ok(TaskDetails {
            name: name.ok_or_else(|| de::Error::missing_field("name"))?,
            service: service.ok_or_else(|| de::Error::missing_field("service"))?,
            status: status.ok_or_else(|| de::Error::missing_field("status"))?,
            acknowledged,
            expired,
            warning,
            exception,
            created_at,
            updated_at,
            extra,
        })
    }
}

/// The task of a list envelope that a details answer is about: the one called `wanted`, or, when
/// no name is known, the only one.
fn pick(tasks: Vec<Value>, wanted: Option<&TaskName>) -> Result<TaskDetails, String> {
    let count = tasks.len();
    let Some(wanted) = wanted else {
        let mut tasks = tasks.into_iter();
        return match (tasks.next(), tasks.next()) {
            (Some(task), None) => TaskDetails::deserialize(task).map_err(|err| err.to_string()),
            _ => Err(format!("a list envelope with {count} tasks is not the details of one task")),
        };
    };
    for task in tasks {
        let named = task.get("name").and_then(Value::as_str).is_some_and(|name| name == wanted.as_str());
        if named {
            return TaskDetails::deserialize(task).map_err(|err| err.to_string());
        }
    }
    Err(format!("the list envelope of {count} tasks does not hold task {wanted}"))
}

/// A task's warning, kept as the raw JSON the server sent (its shape is unpublished).
///
/// The emulator and [`Warning::new`] write `{"code": ..., "message": ...}`; a plain string is read
/// as the message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Warning(pub Value);

impl Warning {
    /// A warning object with a machine-readable code and a human-readable message.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        let mut object = Map::new();
        object.insert("code".to_owned(), Value::String(code.into()));
        object.insert("message".to_owned(), Value::String(message.into()));
        Self(Value::Object(object))
    }

    /// The message: the string itself, or the object's `message` field.
    pub fn message(&self) -> Option<&str> {
        match &self.0 {
            Value::String(text) => Some(text),
            Value::Object(object) => object.get("message").and_then(Value::as_str),
            _ => None,
        }
    }

    /// The object's `code` field, if any.
    pub fn code(&self) -> Option<&str> {
        self.0.get("code").and_then(Value::as_str)
    }
}

/// What went wrong in a task, kept as the raw JSON object the server sent.
///
/// The keys `httpDownloadFailed`, `fileReadFailed` and `error` come from the vendor's webhook
/// schema; the fields inside them come from the documentation's prose and are **guesses**. The typed
/// accessors return `None` when a key is absent or has another shape, and the raw object stays
/// available in [`Exception::fields`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Exception {
    /// The exception object, verbatim.
    pub fields: Map<String, Value>,
}

impl Exception {
    /// An exception for a failed download.
    pub fn http_download(failure: &HttpDownloadFailed) -> Self {
        Self::with("httpDownloadFailed", failure)
    }

    /// An exception for an unreadable input file.
    pub fn file_read(failure: &FileReadFailed) -> Self {
        Self::with("fileReadFailed", failure)
    }

    /// An exception with only an error message.
    pub fn error(message: impl Into<String>) -> Self {
        let mut fields = Map::new();
        fields.insert("error".to_owned(), Value::String(message.into()));
        Self { fields }
    }

    fn with(key: &str, value: &impl Serialize) -> Self {
        let mut fields = Map::new();
        // Serialising these plain structs into a `Value` cannot fail: no maps with non-string keys.
        let value = serde_json::to_value(value).unwrap_or(Value::Null);
        fields.insert(key.to_owned(), value);
        Self { fields }
    }

    /// The failed download, if this exception describes one in the expected shape.
    pub fn http_download_failed(&self) -> Option<HttpDownloadFailed> {
        self.typed("httpDownloadFailed")
    }

    /// The unreadable file, if this exception describes one in the expected shape.
    pub fn file_read_failed(&self) -> Option<FileReadFailed> {
        self.typed("fileReadFailed")
    }

    /// The `error` entry as text: a string as is, anything else as compact JSON.
    pub fn error_message(&self) -> Option<String> {
        match self.fields.get("error")? {
            Value::String(text) => Some(text.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        }
    }

    /// A one-line account of what went wrong, such as `download failed (HTTP 200, exit code 18,
    /// 1073741824 of 2147483648 bytes)` or `cannot read game.pak (expected pak, found zip)`;
    /// an exception of unknown shape is shown as compact JSON.
    pub fn summary(&self) -> String {
        if let Some(download) = self.http_download_failed() {
            let mut facts = Vec::new();
            if let Some(status) = download.http_status {
                facts.push(format!("HTTP {status}"));
            }
            if let Some(code) = download.exit_code {
                facts.push(format!("exit code {code}"));
            }
            match (download.size_bytes_actual, download.size_bytes_expected) {
                (Some(actual), Some(expected)) => facts.push(format!("{actual} of {expected} bytes")),
                (Some(actual), None) => facts.push(format!("{actual} bytes")),
                _ => {}
            }
            return if facts.is_empty() {
                "download failed".to_owned()
            } else {
                format!("download failed ({})", facts.join(", "))
            };
        }
        if let Some(read) = self.file_read_failed() {
            let file = read.filename.as_deref().unwrap_or("an input file");
            return match (&read.type_expected, &read.type_detected) {
                (Some(expected), Some(detected)) => {
                    format!("cannot read {file} (expected {expected}, found {detected})")
                }
                (Some(expected), None) => format!("cannot read {file} (expected {expected})"),
                _ => format!("cannot read {file}"),
            };
        }
        self.error_message().unwrap_or_else(|| Value::Object(self.fields.clone()).to_string())
    }

    fn typed<T: serde::de::DeserializeOwned>(&self, key: &str) -> Option<T> {
        T::deserialize(self.fields.get(key)?).ok()
    }
}

/// A failed download of a native build (`dltar`). Field names are **guesses** from the docs' prose.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpDownloadFailed {
    /// The HTTP status the download got.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// The exit code of the download tool.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i64>,
    /// The number of bytes received, on a size mismatch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_bytes_actual: Option<u64>,
    /// The number of bytes expected, on a size mismatch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_bytes_expected: Option<u64>,
    /// Fields the SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An input file a build step (`mkraw`) could not read. Field names are **guesses** from the docs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileReadFailed {
    /// The file's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    /// The file type the step expected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_expected: Option<String>,
    /// The file type it found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_detected: Option<String>,
    /// Fields the SDK does not model.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A point in time as the server wrote it (format unpublished), kept verbatim.
///
/// The emulator writes whole seconds since the Unix epoch; [`Timestamp::unix_seconds`] also reads
/// numeric strings and treats numbers above `10^11` as milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub Value);

impl Timestamp {
    /// A timestamp in whole seconds since the Unix epoch.
    pub fn from_unix(seconds: u64) -> Self {
        Self(Value::from(seconds))
    }

    /// Seconds since the Unix epoch, if the value is a number or a numeric string.
    pub fn unix_seconds(&self) -> Option<u64> {
        const MILLIS_ABOVE: u64 = 100_000_000_000;
        let raw = match &self.0 {
            Value::Number(number) => number.as_u64()?,
            Value::String(text) => text.trim().parse().ok()?,
            _ => return None,
        };
        Some(if raw > MILLIS_ABOVE { raw / 1000 } else { raw })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn details_decode_bare_and_wrapped() {
        let bare = json!({"name": "a-b-0001-1-dltar", "service": "engine", "status": "done", "x": 1});
        let wrapped = json!({"status": "success", "task": bare.clone()});
        let from_bare: TaskDetails = serde_json::from_value(bare.clone()).unwrap();
        let from_wrapped: TaskDetails = serde_json::from_value(wrapped).unwrap();
        assert_eq!(from_bare, from_wrapped);
        assert_eq!(from_bare.extra.get("x"), Some(&json!(1)));
        assert_eq!(serde_json::to_value(&from_bare).unwrap(), bare);
    }

    #[test]
    fn details_decode_from_a_list_envelope_by_name() {
        let wanted: TaskName = "a-b-0001-2-mkraw".parse().unwrap();
        let other = json!({"name": "a-b-0001-1-dltar", "service": "engine", "status": "done"});
        let task = json!({"name": "a-b-0001-2-mkraw", "service": "engine", "status": "failed", "x": [1]});
        let one = json!({"status": "success", "totalCount": 1, "tasks": [task.clone()]});
        let two = json!({"status": "success", "totalCount": 2, "tasks": [other.clone(), task.clone()]});
        let expected: TaskDetails = serde_json::from_value(task.clone()).unwrap();
        assert_eq!(expected.status, TaskStatus::Failed);

        // Without a name only a one-task envelope is the details of a task.
        assert_eq!(serde_json::from_value::<TaskDetails>(one.clone()).unwrap(), expected);
        let err = serde_json::from_value::<TaskDetails>(two.clone()).unwrap_err();
        assert!(err.to_string().contains("with 2 tasks"), "{err}");

        // With the name asked for, the task of that name, wherever it stands.
        let bytes = |value: &Value| serde_json::to_vec(value).unwrap();
        assert_eq!(TaskDetails::from_json_for(&bytes(&two), &wanted).unwrap(), expected);
        assert_eq!(TaskDetails::from_json_for(&bytes(&one), &wanted).unwrap(), expected);
        assert_eq!(TaskDetails::from_json_for(&bytes(&task), &wanted).unwrap(), expected);
        let missing = json!({"status": "success", "totalCount": 1, "tasks": [other]});
        let err = TaskDetails::from_json_for(&bytes(&missing), &wanted).unwrap_err();
        assert!(err.to_string().contains("does not hold task a-b-0001-2-mkraw"), "{err}");
        assert!(TaskDetails::from_json_for(b"{} trailing", &wanted).is_err());

        // A bare task keeps a `tasks` field of its own.
        let bare = json!({"name": "a-b-0001-2-mkraw", "service": "engine", "status": "done", "tasks": [1]});
        let details: TaskDetails = serde_json::from_value(bare.clone()).unwrap();
        assert_eq!(details.extra.get("tasks"), Some(&json!([1])));
        assert_eq!(serde_json::to_value(&details).unwrap(), bare);
    }

    #[test]
    fn guessed_fields_of_another_shape_are_kept_not_fatal() {
        let odd = json!({
            "name": "a-b-0001-1-dltar", "service": "engine", "status": "failed",
            "acknowledged": 1, "expired": "no", "exception": "disk full",
            "task": {"parent": "x"}
        });
        let details: TaskDetails = serde_json::from_value(odd.clone()).unwrap();
        assert_eq!((details.acknowledged, details.expired, details.exception.as_ref()), (None, None, None));
        assert_eq!(details.extra.get("exception"), Some(&json!("disk full")));
        assert_eq!(
            details.extra.get("task"),
            Some(&json!({"parent": "x"})),
            "a bare task keeps its own `task`"
        );
        assert_eq!(serde_json::to_value(&details).unwrap(), odd, "nothing is lost");
    }

    #[test]
    fn exception_views_tolerate_other_shapes() {
        let exception: Exception =
            serde_json::from_value(json!({"httpDownloadFailed": true, "error": {"code": 7}})).unwrap();
        assert_eq!(exception.http_download_failed(), None);
        assert_eq!(exception.error_message().as_deref(), Some(r#"{"code":7}"#));
        let typed =
            Exception::http_download(&HttpDownloadFailed { http_status: Some(404), ..Default::default() });
        assert_eq!(typed.http_download_failed().unwrap().http_status, Some(404));
    }

    #[test]
    fn timestamps_read_seconds_millis_and_numeric_text() {
        assert_eq!(Timestamp(json!(1_732_886_919)).unix_seconds(), Some(1_732_886_919));
        assert_eq!(Timestamp(json!(1_732_886_919_123_u64)).unix_seconds(), Some(1_732_886_919));
        assert_eq!(Timestamp(json!("1732886919")).unix_seconds(), Some(1_732_886_919));
        assert_eq!(Timestamp(json!("2024-11-29T12:00:00Z")).unix_seconds(), None);
    }

    #[test]
    fn warning_reads_string_or_object() {
        assert_eq!(Warning(json!("disk low")).message(), Some("disk low"));
        let warning = Warning::new("size-mismatch", "tar is smaller than announced");
        assert_eq!(warning.code(), Some("size-mismatch"));
        assert_eq!(warning.message(), Some("tar is smaller than announced"));
    }
}
