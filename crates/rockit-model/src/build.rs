//! Builds: `BuildId`, which build of which app a task belongs to, and `STAGE_ORDER`, the order in
//! which a build's pipeline runs its stages.
//!
//! A studio uploads a **build** of an app, and ROCKIT Edge runs it through a pipeline of tasks.
//! Everything here is our reading of the vendor's example [guess], not a published rule:
//!
//! - a task's name is `<org>-<app>-<build>-<unix seconds>-<kind>`, so the build is the number after
//!   the app;
//! - the stages run in the order `dltar`, `mkraw`, `mkpat`, `mkdxf`, `publish`, `deploy` (the
//!   example's build 0001 has no `mkpat`: a first build has nothing to patch against);
//! - a stage can have several **attempts**: a retry is a new task of the same kind with a later
//!   timestamp (the example's build 0002 has a stuck `dltar` and, 5,377 s later, a second one that
//!   is done); the newest attempt decides the stage;
//! - kinds this list does not know take their place by creation time.

use std::fmt;
use std::str::FromStr;

use crate::error::Error;
use crate::task_name::{TaskNameParts, is_forbidden};
use crate::vocab::TaskKind;

/// The stages of a build's pipeline, in the order they run (a **guess** read from the vendor's
/// example). Kinds not listed here run in creation-time order among these.
pub const STAGE_ORDER: &[TaskKind] = &[
    TaskKind::Dltar,
    TaskKind::Mkraw,
    TaskKind::Mkpat,
    TaskKind::Mkdxf,
    TaskKind::Publish,
    TaskKind::Deploy,
];

impl TaskKind {
    /// The kind's place in [`STAGE_ORDER`]; `None` for a kind the order does not know.
    pub fn stage_index(&self) -> Option<usize> {
        STAGE_ORDER.iter().position(|known| known == self)
    }
}

/// One build of one app: `sushi/3`, which task names write as `<org>-sushi-0003-…`.
///
/// Parsed from `sushi/3`, `sushi/0003`, `sushi 3` or `sushi 0003`; printed as `sushi/3`
/// (`{:#}` prints `sushi 0003`, the way task names write it). The app is the name without the org:
/// [`BuildId::of_task`] separates the two with the org's name.
///
/// ```
/// use rockit_model::{BuildId, TaskName};
///
/// let id: BuildId = "sushi 0003".parse()?;
/// assert_eq!((id.app(), id.build()), ("sushi", 3));
/// assert_eq!((id.to_string(), format!("{id:#}")), ("sushi/3".to_owned(), "sushi 0003".to_owned()));
///
/// let name: TaskName = "exampleorg-sushi-0003-1733241020-dltar".parse()?;
/// let parts = name.parts().expect("follows the convention");
/// assert_eq!(BuildId::of_task(&parts, Some("ExampleOrg")), id);
/// assert!(id.contains(&parts, Some("ExampleOrg")));
/// # Ok::<(), rockit_model::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BuildId {
    app: String,
    build: u32,
}

impl BuildId {
    /// Build `build` of app `app` (the app's name without the org). Fails on an app name that no
    /// task name could hold (empty, or with whitespace, `/`, `\`, `?`, `#` or `%`).
    pub fn new(app: impl Into<String>, build: u32) -> Result<Self, Error> {
        let app = app.into();
        if app.is_empty() {
            return Err(Error::invalid_build_id(&app, "the app name is empty; write it like sushi/3"));
        }
        if let Some(ch) = app.chars().find(|&ch| is_forbidden(ch)) {
            return Err(Error::invalid_build_id(
                &app,
                format!("the app name contains {ch:?}, which no task name can hold"),
            ));
        }
        Ok(Self { app, build })
    }

    /// The build of the task whose name has these `parts`: its app as [`TaskNameParts::app`]
    /// reads it with the org's name (without it, the whole `<org>-<app>` prefix stands in for the
    /// app), and its build number.
    pub fn of_task(parts: &TaskNameParts<'_>, org: Option<&str>) -> Self {
        Self { app: parts.app(org).as_str().to_owned(), build: parts.build() }
    }

    /// Whether the task whose name has these `parts` belongs to this build: the same build
    /// number, and an app [`TaskApp::is`](crate::TaskApp::is) this build's.
    ///
    /// With the org known and the name starting with it, the rest must be exactly the app. Without
    /// the org, or for a name that starts with another org, the prefix must be the app or end
    /// with `-<app>`: then an app `go` also claims the tasks of an app `sushi-go`, so pass the org
    /// where it is known.
    pub fn contains(&self, parts: &TaskNameParts<'_>, org: Option<&str>) -> bool {
        parts.build() == self.build && parts.app(org).is(&self.app)
    }

    /// The build before this one of the same app; `None` for build 0 and 1.
    pub fn previous(&self) -> Option<Self> {
        let build = self.build.checked_sub(1).filter(|build| *build > 0)?;
        Some(Self { app: self.app.clone(), build })
    }

    /// The app's name, without the org.
    pub fn app(&self) -> &str {
        &self.app
    }

    /// The build number.
    pub fn build(&self) -> u32 {
        self.build
    }
}

/// `sushi/3`; with `{:#}`, `sushi 0003`.
impl fmt::Display for BuildId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            write!(f, "{} {:04}", self.app, self.build)
        } else {
            write!(f, "{}/{}", self.app, self.build)
        }
    }
}

/// Reads `APP/BUILD` or `APP BUILD`, with or without leading zeros.
impl FromStr for BuildId {
    type Err = Error;

    fn from_str(raw: &str) -> Result<Self, Error> {
        let text = raw.trim();
        let Some((app, build)) = text.rsplit_once(['/', ' ']) else {
            return Err(Error::invalid_build_id(
                raw,
                "write the app and the build number, like sushi/3 or \"sushi 0003\"",
            ));
        };
        let build = parse_build_number(build).map_err(|reason| Error::invalid_build_id(raw, reason))?;
        Self::new(app.trim_end(), build).map_err(|err| match err {
            Error::InvalidBuildId { reason, .. } => Error::invalid_build_id(raw, reason),
            other => other,
        })
    }
}

/// A build number as people and task names write it: `3` or `0003`.
pub fn parse_build_number(raw: &str) -> Result<u32, String> {
    let digits = raw.trim();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{digits:?} is not a build number; write it like 3 or 0003"));
    }
    digits.parse().map_err(|_| format!("{digits} is larger than any build number"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task_name::TaskName;

    fn parts(name: &TaskName) -> TaskNameParts<'_> {
        name.parts().expect("follows the convention")
    }

    #[test]
    fn builds_parse_in_every_written_form_and_print_two_ways() {
        for raw in ["sushi/3", "sushi/0003", "sushi 3", "sushi 0003", " sushi/3 "] {
            let id: BuildId = raw.parse().unwrap();
            assert_eq!((id.app(), id.build()), ("sushi", 3), "{raw}");
        }
        let id: BuildId = "my-app/12".parse().unwrap();
        assert_eq!((id.to_string(), format!("{id:#}")), ("my-app/12".to_owned(), "my-app 0012".to_owned()));
        assert_eq!(id.to_string().parse::<BuildId>().unwrap(), id);
        assert_eq!(format!("{id:#}").parse::<BuildId>().unwrap(), id);
        assert_eq!(id.previous().map(|previous| previous.to_string()).as_deref(), Some("my-app/11"));
        assert_eq!(BuildId::new("a", 1).unwrap().previous(), None);
    }

    #[test]
    fn bad_builds_say_how_to_write_them() {
        for (raw, says) in [
            ("sushi", "write the app and the build number"),
            ("sushi/x3", "is not a build number"),
            ("sushi/", "is not a build number"),
            ("/3", "the app name is empty"),
            ("su%shi/3", "contains '%'"),
            ("sushi/99999999999", "larger than any build number"),
        ] {
            let err = raw.parse::<BuildId>().unwrap_err().to_string();
            assert!(err.starts_with(&format!("invalid build {raw:?}")), "{err}");
            assert!(err.contains(says), "{raw}: {err}");
        }
        assert_eq!(parse_build_number("0003"), Ok(3));
        assert!(parse_build_number("-3").is_err());
    }

    #[test]
    fn a_build_claims_exactly_its_tasks() {
        let id = BuildId::new("sushi", 2).unwrap();
        let own: TaskName = "exampleorg-sushi-0002-1733149403-dltar".parse().unwrap();
        let other_build: TaskName = "exampleorg-sushi-0003-1733149403-dltar".parse().unwrap();
        let longer_app: TaskName = "exampleorg-sushi2-0002-1733149403-dltar".parse().unwrap();
        let dashed_app: TaskName = "exampleorg-go-sushi-0002-1733149403-dltar".parse().unwrap();
        for org in [Some("ExampleOrg"), None] {
            assert!(id.contains(&parts(&own), org), "{org:?}");
            assert!(!id.contains(&parts(&other_build), org), "{org:?}");
            assert!(!id.contains(&parts(&longer_app), org), "{org:?}");
        }
        // With the org, `go-sushi` is another app; without it, the suffix rule cannot tell.
        assert!(!id.contains(&parts(&dashed_app), Some("exampleorg")));
        assert!(id.contains(&parts(&dashed_app), None));
        let by_prefix = BuildId::of_task(&parts(&own), None);
        assert_eq!(by_prefix.app(), "exampleorg-sushi");
        assert!(by_prefix.contains(&parts(&own), None));
        assert!(!by_prefix.contains(&parts(&longer_app), None));
        assert!(!BuildId::new("ushi", 2).unwrap().contains(&parts(&own), None), "a whole app, not a tail");
        assert_eq!(BuildId::of_task(&parts(&own), Some("EXAMPLEORG")), id);
        assert_eq!(BuildId::of_task(&parts(&own), Some("other")), by_prefix);
    }

    #[test]
    fn stages_run_in_the_example_order() {
        let order: Vec<&str> = STAGE_ORDER.iter().map(TaskKind::as_str).collect();
        assert_eq!(order, ["dltar", "mkraw", "mkpat", "mkdxf", "publish", "deploy"]);
        assert_eq!(TaskKind::Mkpat.stage_index(), Some(2));
        assert_eq!(TaskKind::Unknown("scan".into()).stage_index(), None);
    }
}
