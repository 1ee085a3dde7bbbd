//! Fixtures: the tasks an emulator starts with. The `demo` fixture tells the vendor seed's story;
//! generated fixtures hold any number of synthetic tasks; JSON fixtures load tasks from a file.

mod demo;
mod generate;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rockit_model::{Exception, TaskDetails, TaskStatus, Warning};
use serde::Deserialize;
use serde_json::Value;

use crate::task::{Change, Task, Timeline};

/// The tasks an emulator starts with.
///
/// # The JSON format
///
/// [`Fixture::from_json`] and [`Fixture::from_path`] (the binary's `--fixture PATH.json`) read a
/// JSON array of task objects, or an object with such an array under `"tasks"` (so the saved
/// output of a list call is a fixture). A task object is a task-details response: `name`,
/// `service` and `status` are required; `acknowledged`, `expired`, `warning`, `exception`,
/// `createdAt` and `updatedAt` are optional, and any other field is served back verbatim. One more
/// field, `timeline`, lists the task's [`Timeline`]: steps with `after` (seconds of emulator time
/// after start, fractions allowed) and any of `status`, `warning` and `exception`.
///
/// ```
/// use rockit_emulator::Fixture;
///
/// let fixture = Fixture::from_json(r#"[
///   {"name": "acme-game-0001-1700000000-dltar", "service": "engine", "status": "done"},
///   {"name": "acme-game-0002-1700000600-dltar", "service": "engine", "status": "pending",
///    "timeline": [{"after": 1, "status": "running"},
///                 {"after": 4.5, "status": "failed", "exception": {"error": "disk full"}}]}
/// ]"#)?;
/// assert_eq!(fixture.len(), Some(2));
/// # Ok::<(), rockit_emulator::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct Fixture {
    source: Source,
}

#[derive(Debug, Clone, PartialEq)]
enum Source {
    Tasks(Vec<Task>),
    Demo,
    Generated { count: usize, seed: u64 },
}

impl Fixture {
    /// No tasks.
    pub fn empty() -> Self {
        Self { source: Source::Tasks(Vec::new()) }
    }

    /// The vendor seed's story: the 13 tasks of app `sushi` of org `exampleorg`. The first page
    /// (the 10 tasks first by name) is exactly the seed's example response. The three more tasks
    /// are `exampleorg-sushi-0002-1733155401-publish` (done, with an unacknowledged warning),
    /// `exampleorg-sushi-0003-1733240117-dltar` (a failed download with an `httpDownloadFailed`
    /// exception) and `exampleorg-sushi-0003-1733241020-dltar` (running; done 5 seconds of
    /// emulator time after start). The seed's stuck upload `exampleorg-sushi-0002-1733149403-dltar`
    /// stays `pending` with an unacknowledged warning until someone expires it.
    ///
    /// Once the running download is done, the rest of build 0003's pipeline appears, one stage
    /// after another ([`crate::demo::BUILD_3_STAGES`]: `mkraw`, `mkpat`, `mkdxf`, `publish`), the
    /// last done 13 s of emulator time after start: 17 tasks from then on.
    pub fn demo() -> Self {
        Self { source: Source::Demo }
    }

    /// These tasks.
    pub fn tasks(tasks: impl IntoIterator<Item = Task>) -> Self {
        Self { source: Source::Tasks(tasks.into_iter().collect()) }
    }

    /// Exactly `count` synthetic tasks of builds that look like the vendor's pipelines, round the
    /// five apps `sushi`, `ramen`, `tempura`, `udon` and `gyoza`: stages in pipeline order, no
    /// `mkpat` in an app's first build, no `deploy` for `udon` and `gyoza`, about 6 % of builds
    /// ending at a failed stage (with the exception its kind reports) and about 5 % with a retried
    /// stage, the newest build of each app still running, and a warning on about 5 % of the done
    /// tasks. Named after the emulator's org in lower case. The same `count` always gives the same
    /// tasks.
    pub fn generated(count: usize) -> Self {
        Self::generated_with_seed(count, 0)
    }

    /// Like [`Fixture::generated`], with statuses drawn from another seed.
    pub fn generated_with_seed(count: usize, seed: u64) -> Self {
        Self { source: Source::Generated { count, seed } }
    }

    /// Tasks from JSON text in the format described above.
    pub fn from_json(json: &str) -> crate::Result<Self> {
        parse(json, "inline JSON").map(Self::tasks)
    }

    /// Tasks from a JSON file in the format described above.
    pub fn from_path(path: impl AsRef<Path>) -> crate::Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|source| crate::Error::FixtureRead { path: PathBuf::from(path), source })?;
        parse(&text, &path.display().to_string()).map(Self::tasks)
    }

    /// The number of tasks, if known before start (a generated fixture's is its count).
    pub fn len(&self) -> Option<usize> {
        match &self.source {
            Source::Tasks(tasks) => Some(tasks.len()),
            Source::Demo => Some(demo::COUNT),
            Source::Generated { count, .. } => Some(*count),
        }
    }

    /// Whether the fixture holds no tasks.
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    /// The tasks, for an emulator of organization `org`; fails on duplicate names.
    pub(crate) fn into_tasks(self, org: &str) -> crate::Result<Vec<Task>> {
        let tasks = match self.source {
            Source::Tasks(tasks) => tasks,
            Source::Demo => demo::tasks(),
            Source::Generated { count, seed } => generate::tasks(org, count, seed)?,
        };
        let mut seen = BTreeSet::new();
        for task in &tasks {
            if !seen.insert(task.name().as_str()) {
                return Err(crate::Error::DuplicateTask { name: task.name().to_string() });
            }
        }
        Ok(tasks)
    }
}

impl Default for Fixture {
    fn default() -> Self {
        Self::empty()
    }
}

/// One timeline step as a fixture writes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StepJson {
    after: f64,
    #[serde(default)]
    status: Option<TaskStatus>,
    #[serde(default)]
    warning: Option<Warning>,
    #[serde(default)]
    exception: Option<Exception>,
}

fn parse(json: &str, origin: &str) -> crate::Result<Vec<Task>> {
    let format = |message: String| crate::Error::FixtureFormat { origin: origin.to_owned(), message };
    let value: Value = serde_json::from_str(json).map_err(|err| format(format!("not JSON: {err}")))?;
    let items = match value {
        Value::Array(items) => items,
        Value::Object(mut object) => match object.remove("tasks") {
            Some(Value::Array(items)) => items,
            _ => return Err(format("expected an array of tasks or an object with a \"tasks\" array".into())),
        },
        _ => return Err(format("expected an array of tasks or an object with a \"tasks\" array".into())),
    };
    items
        .into_iter()
        .enumerate()
        .map(|(index, item)| parse_task(item).map_err(|message| format(format!("task {index}: {message}"))))
        .collect()
}

fn parse_task(item: Value) -> Result<Task, String> {
    let Value::Object(mut object) = item else { return Err("expected a JSON object".into()) };
    let timeline = object.remove("timeline");
    let details: TaskDetails =
        serde_json::from_value(Value::Object(object)).map_err(|err| err.to_string())?;
    let mut task = Task::from_details(details);
    if let Some(timeline) = timeline {
        let steps: Vec<StepJson> =
            serde_json::from_value(timeline).map_err(|err| format!("{}: timeline: {err}", task.name()))?;
        let mut parsed = Timeline::new();
        for step in steps {
            let after = Duration::try_from_secs_f64(step.after).map_err(|_| {
                format!(
                    "{}: timeline step after {} is not a number of seconds of 0 or more",
                    task.name(),
                    step.after
                )
            })?;
            parsed = parsed
                .at(after, Change { status: step.status, warning: step.warning, exception: step.exception });
        }
        task = task.timeline(parsed);
    }
    Ok(task)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_fixtures_accept_an_array_or_a_list_response() {
        let array = r#"[{"name":"a-b-0001-1-dltar","service":"engine","status":"done","x":1}]"#;
        let envelope = r#"{"status":"success","totalCount":1,"tasks":[{"name":"a-b-0001-1-dltar","service":"engine","status":"done","x":1}]}"#;
        assert_eq!(Fixture::from_json(array).unwrap(), Fixture::from_json(envelope).unwrap());
    }

    #[test]
    fn json_fixture_errors_name_the_task() {
        let err = Fixture::from_json(r#"[{"name":"a/b","service":"engine","status":"done"}]"#).unwrap_err();
        assert!(err.to_string().contains("task 0: invalid task name"), "{err}");
        let err = Fixture::from_json(
            r#"[{"name":"a","service":"engine","status":"done","timeline":[{"after":-1}]}]"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("a: timeline step after -1"), "{err}");
        let err = Fixture::from_json(
            r#"[{"name":"a","service":"engine","status":"done","timeline":[{"after":1,"colour":"red"}]}]"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("unknown field `colour`"), "{err}");
        assert!(Fixture::from_json("{}").is_err());
    }

    #[test]
    fn duplicate_names_are_rejected() {
        let json = r#"[{"name":"a","service":"engine","status":"done"},{"name":"a","service":"edge","status":"done"}]"#;
        let err = Fixture::from_json(json).unwrap().into_tasks("o").unwrap_err();
        assert!(matches!(err, crate::Error::DuplicateTask { name } if name == "a"));
    }

    #[test]
    fn demo_has_thirteen_unique_tasks_at_first_and_four_that_appear_later() {
        let tasks = Fixture::demo().into_tasks("ExampleOrg").unwrap();
        assert_eq!(tasks.len(), 17);
        assert_eq!(tasks.iter().filter(|task| task.appears_after.is_none()).count(), 13);
    }
}
