//! `TaskName`, the validated identifier of a task, and `TaskNameParts`, its naming convention.
//!
//! A task name travels in a URL path segment (`GET /be/v1/tasks/{taskName}`) and in a JSON body
//! (`PATCH /be/v1/tasks`). Validation keeps every character out that could change a URL's
//! structure, so a name can never address a different resource than the one it names.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, TaskNameError};
use crate::vocab::TaskKind;
use crate::wire::MAX_TASK_NAME_LEN;

/// The name of a task, such as `exampleorg-sushi-0001-1732886919-dltar`.
///
/// Accepted names are non-empty, at most [`MAX_TASK_NAME_LEN`] bytes, are not `.` or `..`, and hold
/// no ASCII control character, no whitespace and none of `/`, `\`, `?`, `#` and `%`. Everything
/// else, Unicode included, is accepted: names are the server's to choose. Deserialising goes
/// through the same validation.
///
/// ```
/// use rockit_model::{TaskKind, TaskName};
///
/// let name: TaskName = "exampleorg-sushi-0001-1732886919-dltar".parse()?;
/// let parts = name.parts().expect("follows the naming convention");
/// assert_eq!(parts.kind(), TaskKind::Dltar);
/// assert_eq!(parts.build(), 1);
/// assert_eq!(parts.app(Some("exampleorg")).named(), Some("sushi"));
///
/// assert!("../etc/passwd".parse::<TaskName>().is_err());
/// # Ok::<(), rockit_model::Error>(())
/// ```
#[derive(PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskName(String);

impl Clone for TaskName {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }

    /// Reuses this name's allocation, so that keeping "the last name seen" costs no allocation
    /// per name.
    fn clone_from(&mut self, source: &Self) {
        self.0.clone_from(&source.0);
    }
}

impl TaskName {
    /// Validates `name` and wraps it.
    pub fn new(name: impl Into<String>) -> Result<Self, Error> {
        let name = name.into();
        validate(&name)?;
        Ok(Self(name))
    }

    /// The name as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name as an owned string.
    pub fn into_string(self) -> String {
        self.0
    }

    /// Reads the naming convention `<org>-<app>-<build>-<unix seconds>-<kind>`.
    ///
    /// The convention is a **guess** drawn from the vendor's examples. Parsing goes from the right
    /// because org and app names may contain `-`. Returns `None`, never an error, for names that do
    /// not follow it: names are the server's, and a new naming scheme must not break anything.
    pub fn parts(&self) -> Option<TaskNameParts<'_>> {
        TaskNameParts::parse(&self.0)
    }
}

fn validate(name: &str) -> Result<(), Error> {
    // Fast path for the names servers send: printable ASCII, checked byte by byte. It accepts
    // exactly the ASCII names the full check below accepts (controls and space are outside
    // `is_ascii_graphic`); anything else takes the full check for its precise error.
    let plain = |b: u8| b.is_ascii_graphic() && !matches!(b, b'/' | b'\\' | b'?' | b'#' | b'%');
    if !name.is_empty()
        && name.len() <= MAX_TASK_NAME_LEN
        && name != "."
        && name != ".."
        && name.bytes().all(plain)
    {
        return Ok(());
    }
    let fail = |reason| Err(Error::invalid_task_name(name, reason));
    if name.is_empty() {
        return fail(TaskNameError::Empty);
    }
    if name.len() > MAX_TASK_NAME_LEN {
        return fail(TaskNameError::TooLong { len: name.len() });
    }
    if name == "." || name == ".." {
        return fail(TaskNameError::DotSegment);
    }
    if let Some((index, ch)) = name.char_indices().find(|&(_, ch)| is_forbidden(ch)) {
        return fail(TaskNameError::ForbiddenChar { ch, index });
    }
    Ok(())
}

/// Characters that could change a URL's structure, hide in a terminal, or break a log line: no task
/// name holds one, so no app name (a part of a task name) can either.
pub(crate) fn is_forbidden(ch: char) -> bool {
    ch.is_control() || ch.is_whitespace() || matches!(ch, '/' | '\\' | '?' | '#' | '%')
}

/// The value of a non-empty run of ASCII digits; `None` for anything else or past `u64::MAX`.
fn digits(text: &str) -> Option<u64> {
    if text.is_empty() {
        return None;
    }
    text.bytes().try_fold(0_u64, |value, byte| {
        let digit = byte.checked_sub(b'0').filter(|digit| *digit <= 9)?;
        value.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

impl fmt::Display for TaskName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

impl fmt::Debug for TaskName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl AsRef<str> for TaskName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for TaskName {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        validate(name)?;
        Ok(Self(name.to_owned()))
    }
}

impl TryFrom<String> for TaskName {
    type Error = Error;

    fn try_from(name: String) -> Result<Self, Self::Error> {
        Self::new(name)
    }
}

impl TryFrom<&str> for TaskName {
    type Error = Error;

    fn try_from(name: &str) -> Result<Self, Self::Error> {
        name.parse()
    }
}

impl From<TaskName> for String {
    fn from(name: TaskName) -> Self {
        name.0
    }
}

impl PartialEq<str> for TaskName {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for TaskName {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl Serialize for TaskName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for TaskName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Self::new(name).map_err(serde::de::Error::custom)
    }
}

/// The components of a task name that follows the convention
/// `<org>-<app>-<build>-<unix seconds>-<kind>`; see [`TaskName::parts`].
///
/// The convention is a **guess** drawn from the vendor's examples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskNameParts<'a> {
    prefix: &'a str,
    build: &'a str,
    created: &'a str,
    kind: &'a str,
    build_number: u32,
    created_unix: u64,
}

impl<'a> TaskNameParts<'a> {
    fn parse(name: &'a str) -> Option<Self> {
        // One pass from the right finds the last three dashes (org and app may hold dashes, the
        // other parts may not): kind after the last, creation time and build before it.
        let mut dashes = [0_usize; 3];
        let mut found = 0;
        for (index, byte) in name.bytes().enumerate().rev() {
            if byte == b'-' {
                dashes[found] = index;
                found += 1;
                if found == dashes.len() {
                    break;
                }
            }
        }
        if found < dashes.len() {
            return None;
        }
        let [kind_dash, created_dash, build_dash] = dashes;
        let kind = &name[kind_dash + 1..];
        let created = &name[created_dash + 1..kind_dash];
        let build = &name[build_dash + 1..created_dash];
        let prefix = &name[..build_dash];
        let prefix_ok = prefix
            .split_once('-')
            .is_some_and(|(org, app)| !org.is_empty() && !app.is_empty() && !app.ends_with('-'));
        if kind.is_empty() || !prefix_ok {
            return None;
        }
        Some(Self {
            prefix,
            build,
            created,
            kind,
            build_number: u32::try_from(digits(build)?).ok()?,
            created_unix: digits(created)?,
        })
    }

    /// The `<org>-<app>` part. Both may contain `-`, so use [`Self::app`] with the org's name to
    /// separate them.
    pub fn prefix(&self) -> &'a str {
        self.prefix
    }

    /// Which app the task belongs to: the one rule every listing, build and filter uses.
    ///
    /// With the org known and the prefix starting with `<org>-` (compared
    /// ASCII-case-insensitively: the vendor writes `ExampleOrg` in headers and `exampleorg` in
    /// task names), the app is the rest ([`TaskApp::Named`]). Otherwise the whole `<org>-<app>`
    /// prefix stands in for it ([`TaskApp::Prefix`]).
    pub fn app(&self, org: Option<&str>) -> TaskApp<'a> {
        let named = org.and_then(|org| {
            let head = self.prefix.get(..org.len())?;
            let app = self.prefix.get(org.len()..)?.strip_prefix('-')?;
            (head.eq_ignore_ascii_case(org) && !app.is_empty()).then_some(app)
        });
        named.map_or(TaskApp::Prefix(self.prefix), TaskApp::Named)
    }

    /// The build number (`0001` is build 1).
    pub fn build(&self) -> u32 {
        self.build_number
    }

    /// The build number as written in the name, leading zeros included.
    pub fn build_str(&self) -> &'a str {
        self.build
    }

    /// When the task was created, in seconds since the Unix epoch.
    pub fn created_unix(&self) -> u64 {
        self.created_unix
    }

    /// The creation time as written in the name.
    pub fn created_str(&self) -> &'a str {
        self.created
    }

    /// When the task was created.
    pub fn created_at(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(self.created_unix)
    }

    /// The task's kind.
    pub fn kind(&self) -> TaskKind {
        TaskKind::from(self.kind)
    }

    /// The kind as written in the name.
    pub fn kind_str(&self) -> &'a str {
        self.kind
    }
}

/// Which app a task belongs to, as far as the org's name tells; see [`TaskNameParts::app`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskApp<'a> {
    /// The org is known and the name starts with it: the app's own name (`sushi`).
    Named(&'a str),
    /// The org is unknown, or the name starts with another: the whole `<org>-<app>` prefix
    /// (`exampleorg-sushi`), since `-` may appear in both.
    Prefix(&'a str),
}

impl<'a> TaskApp<'a> {
    /// What to show in an APP column: the app's name, or the prefix standing in for it.
    pub fn as_str(&self) -> &'a str {
        match *self {
            Self::Named(name) | Self::Prefix(name) => name,
        }
    }

    /// The app's own name; `None` where only the prefix is known.
    pub fn named(&self) -> Option<&'a str> {
        match *self {
            Self::Named(name) => Some(name),
            Self::Prefix(_) => None,
        }
    }

    /// Whether the task belongs to `app`. A named app must be `app` exactly. A prefix must be
    /// `app` (an app read as a prefix) or end with `-<app>`: then an app `go` also claims the
    /// tasks of an app `sushi-go`, which is why the org should be passed where it is known.
    pub fn is(&self, app: &str) -> bool {
        match *self {
            Self::Named(name) => name == app,
            Self::Prefix(prefix) => {
                prefix == app
                    || prefix
                        .strip_suffix(app)
                        .and_then(|org| org.strip_suffix('-'))
                        .is_some_and(|org| !org.is_empty())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_name_splits_into_its_parts() {
        let name: TaskName = "exampleorg-sushi-0002-1733149403-dltar".parse().unwrap();
        let parts = name.parts().unwrap();
        assert_eq!(parts.prefix(), "exampleorg-sushi");
        assert_eq!(parts.build(), 2);
        assert_eq!(parts.build_str(), "0002");
        assert_eq!(parts.created_unix(), 1_733_149_403);
        assert_eq!(parts.kind(), TaskKind::Dltar);
        assert_eq!(parts.app(Some("ExampleOrg")), TaskApp::Named("sushi"));
        assert_eq!(parts.app(Some("other")), TaskApp::Prefix("exampleorg-sushi"));
        assert_eq!(parts.app(None), TaskApp::Prefix("exampleorg-sushi"));
    }

    #[test]
    fn dashes_in_org_and_app_stay_in_the_prefix() {
        let name: TaskName = "my-org-sushi-go-0010-1700000000-mkpat".parse().unwrap();
        let parts = name.parts().unwrap();
        assert_eq!(parts.prefix(), "my-org-sushi-go");
        assert_eq!(parts.app(Some("my-org")).named(), Some("sushi-go"));
        assert_eq!(parts.build(), 10);
    }

    #[test]
    fn unconventional_names_have_no_parts() {
        for raw in ["exampleTaskname", "a-1-2-k", "org-app-x1-2-k", "org-app-1-2-", "-app-1-2-k"] {
            let name: TaskName = raw.parse().unwrap();
            assert_eq!(name.parts(), None, "{raw}");
        }
    }

    #[test]
    fn rejections_name_the_problem() {
        let err = "a/b".parse::<TaskName>().unwrap_err();
        assert_eq!(err.task_name_error(), Some(&TaskNameError::ForbiddenChar { ch: '/', index: 1 }));
        assert!(
            err.to_string().starts_with(r#"invalid task name "a/b": it contains '/' at byte 1"#),
            "{err}"
        );
        assert_eq!("".parse::<TaskName>().unwrap_err().task_name_error(), Some(&TaskNameError::Empty));
        assert_eq!("..".parse::<TaskName>().unwrap_err().task_name_error(), Some(&TaskNameError::DotSegment));
        let long = "x".repeat(MAX_TASK_NAME_LEN + 1);
        assert_eq!(
            long.parse::<TaskName>().unwrap_err().task_name_error(),
            Some(&TaskNameError::TooLong { len: MAX_TASK_NAME_LEN + 1 })
        );
    }
}
