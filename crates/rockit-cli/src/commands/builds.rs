//! `rockit builds list` and `rockit builds show APP BUILD`: builds as rows with a cell per pipeline
//! stage, or one build in full with what to do next; and the JSON document of a build, shared with
//! `builds wait`.
//!
//! What a build is and where it stands is decided by `rockit_tasks::Build`; this module renders.

use std::collections::VecDeque;
use std::io::Write;

use futures_util::future::join;
use rockit_model::{BuildId, Exception, ListTasks, STAGE_ORDER, TaskKind, TaskStatus, TaskSummary};
use rockit_tasks::{Build, BuildState, NextStep, StageSlot, Tasks};
use serde::Serialize;

use crate::cli::{BuildArgs, BuildsListArgs, GlobalArgs};
use crate::connect::connect;
use crate::output::{self, Color, Style, Table, status_color};
use crate::{Exit, Io};

/// The page size of the task listings behind the builds.
const PAGE: u32 = 500;

/// A build as the JSON documents write it; the tasks inside keep the API's field names.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct BuildDocument<'a> {
    app: &'a str,
    build: u32,
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    failed_stage: Option<TaskKind>,
    /// The stage the build is expected to end with and lacks: `running` waits for it, `stopped`
    /// stopped short of it.
    #[serde(skip_serializing_if = "Option::is_none")]
    missing_stage: Option<TaskKind>,
    first_created: Option<u64>,
    last_created: Option<u64>,
    stages: Vec<StageDocument<'a>>,
    /// `null` when not known.
    unacknowledged_warnings: Option<Vec<&'a str>>,
}

#[derive(Debug, Serialize)]
struct StageDocument<'a> {
    kind: &'a TaskKind,
    status: &'a TaskStatus,
    task: &'a TaskSummary,
    superseded: &'a [TaskSummary],
}

impl<'a> BuildDocument<'a> {
    pub(super) fn new(build: &'a Build) -> Self {
        let state = build.state();
        Self {
            app: build.id().app(),
            build: build.id().build(),
            state: state.as_str(),
            failed_stage: state.failed_stage().cloned(),
            missing_stage: state.missing_stage().cloned(),
            first_created: build.first_created(),
            last_created: build.last_created(),
            stages: build
                .stages()
                .iter()
                .map(|stage| StageDocument {
                    kind: stage.kind(),
                    status: stage.status(),
                    task: stage.current(),
                    superseded: stage.superseded(),
                })
                .collect(),
            unacknowledged_warnings: build
                .unacknowledged_warnings()
                .map(|names| names.iter().map(rockit_model::TaskName::as_str).collect()),
        }
    }
}

#[derive(Debug, Serialize)]
struct ListDocument<'a> {
    builds: Vec<BuildDocument<'a>>,
    shown: usize,
    total: u64,
}

pub(super) async fn list(global: &GlobalArgs, args: BuildsListArgs, io: &mut Io<'_>) -> anyhow::Result<Exit> {
    let mut filters = ListTasks::new();
    if let Some(app) = &args.app {
        filters = filters.app(app);
    }
    if let Some(since) = args.since {
        filters = filters.created_after(since);
    }
    let connection = connect(global, io.var, true).await?;
    let tasks = &connection.tasks;
    if args.all {
        return list_all(tasks, filters, global, io).await;
    }
    let keep = args.limit as usize;
    let (listing, marks) =
        join(last_builds(tasks, filters.clone().limit(PAGE), keep), tasks.warning_marks(&filters)).await;
    let (mut builds, total) = listing?;
    let marks = known_marks(marks);
    for build in &mut builds {
        if let Some(marks) = &marks {
            build.set_warnings(marks);
        }
    }
    if super::jsonl(global) {
        for build in &builds {
            output::json_line(io.stdout, &BuildDocument::new(build))?;
        }
        return Ok(Exit::Success);
    }
    if super::json(global) {
        let document = ListDocument {
            builds: builds.iter().map(BuildDocument::new).collect(),
            shown: builds.len(),
            total,
        };
        output::json(io.stdout, &document)?;
        return Ok(Exit::Success);
    }
    let style = Style::for_stdout(io);
    if !builds.is_empty() {
        let mut table = builds_table();
        for build in &builds {
            table.push(build_row(build));
        }
        table.render(style, io.stdout)?;
    }
    let noun = if total == 1 { "build" } else { "builds" };
    if (builds.len() as u64) < total {
        writeln!(
            io.stdout,
            "{} of {total} {noun} (the last {}; --all for every build)",
            builds.len(),
            builds.len()
        )?;
    } else {
        writeln!(io.stdout, "{} of {total} {noun}", builds.len())?;
    }
    Ok(Exit::Success)
}

/// `builds list --all`: each build written as the listing completes it (a build's tasks are
/// neighbours in name order), as a table row, a JSON line, or an element of the one JSON document
/// (the same bytes as the collected document), so memory holds a page and the table's first
/// rows, not every build. The warning marks are asked for first.
async fn list_all(
    tasks: &Tasks,
    filters: ListTasks,
    global: &GlobalArgs,
    io: &mut Io<'_>,
) -> anyhow::Result<Exit> {
    let marks = known_marks(tasks.warning_marks(&filters).await);
    let mut stream = tasks.builds(filters.limit(PAGE));
    let (jsonl, json) = (super::jsonl(global), super::json(global));
    let style = Style::for_stdout(io);
    let mut table = builds_table();
    let mut shown: u64 = 0;
    while let Some(mut build) = stream.try_next().await? {
        if let Some(marks) = &marks {
            build.set_warnings(marks);
        }
        shown += 1;
        if jsonl {
            output::json_line(io.stdout, &BuildDocument::new(&build))?;
            continue;
        }
        if json {
            json_element(io.stdout, &BuildDocument::new(&build), shown == 1)?;
            continue;
        }
        table.push(build_row(&build));
        // The first rows set the column widths; later ones are written as they come.
        if table.pending() >= super::list::FIRST_ROWS {
            table.flush(style, io.stdout)?;
        }
    }
    if jsonl {
        return Ok(Exit::Success);
    }
    if json {
        // The end of the document `output::json` writes for the collected listing, byte for byte.
        let opening = if shown == 0 { "{\n  \"builds\": [" } else { "\n  " };
        writeln!(io.stdout, "{opening}],\n  \"shown\": {shown},\n  \"total\": {shown}\n}}")?;
        return Ok(Exit::Success);
    }
    if shown > 0 {
        table.flush(style, io.stdout)?;
    }
    let noun = if shown == 1 { "build" } else { "builds" };
    writeln!(io.stdout, "{shown} of {shown} {noun}")?;
    Ok(Exit::Success)
}

/// One build of a JSON document written as the listing goes: the document's opening before the
/// first, a comma before each other, each pretty-printed one level into the `builds` array, as
/// `output::json` would write the whole document.
fn json_element(out: &mut dyn Write, build: &BuildDocument<'_>, first: bool) -> anyhow::Result<()> {
    let pretty = serde_json::to_string_pretty(build)?;
    out.write_all(if first { b"{\n  \"builds\": [\n" } else { b",\n" })?;
    for (index, line) in pretty.lines().enumerate() {
        if index > 0 {
            out.write_all(b"\n")?;
        }
        write!(out, "    {line}")?;
    }
    Ok(())
}

/// The warning marks, when the server could tell them.
fn known_marks(
    marks: rockit_tasks::Result<rockit_tasks::WarningMarks>,
) -> Option<rockit_tasks::WarningMarks> {
    match marks {
        Ok(marks) => {
            if let Some(why) = marks.unknown() {
                tracing::debug!("no warning counts: {why}");
            }
            Some(marks)
        }
        Err(err) => {
            tracing::debug!("no warning counts: {}", output::terminal_text(&err.to_string()));
            None
        }
    }
}

/// The builds table's header: a column per stage of [`STAGE_ORDER`].
fn builds_table() -> Table {
    let stages: Vec<String> = STAGE_ORDER.iter().map(|kind| kind.as_str().to_uppercase()).collect();
    let mut header = vec!["APP", "BUILD", "STARTED", "ELAPSED"];
    header.extend(stages.iter().map(String::as_str));
    header.extend(["STATE", "WARNINGS"]);
    Table::new(&header)
}

/// One build's row.
fn build_row(build: &Build) -> Vec<(String, Option<Color>)> {
    let mut row = vec![
        (build.id().app().to_owned(), None),
        (format!("{:04}", build.id().build()), None),
        (build.first_created().map(output::utc_minutes).unwrap_or_default(), None),
        (elapsed(build), None),
    ];
    row.extend(STAGE_ORDER.iter().map(|kind| stage_cell(build, kind)));
    row.push(state_cell(&build.state()));
    row.push(match build.unacknowledged_warnings() {
        None => ("?".to_owned(), Some(Color::Dim)),
        Some([]) => (String::new(), None),
        Some(names) => (names.len().to_string(), Some(Color::Yellow)),
    });
    row
}

/// The last `keep` builds of the listing, in name order, and how many builds it has: memory for
/// `keep` builds and one page, whatever the listing's size.
async fn last_builds(
    tasks: &Tasks,
    request: ListTasks,
    keep: usize,
) -> rockit_tasks::Result<(Vec<Build>, u64)> {
    let mut stream = tasks.builds(request);
    let mut last = VecDeque::new();
    let mut total = 0;
    while let Some(build) = stream.try_next().await? {
        total += 1;
        if last.len() == keep {
            last.pop_front();
        }
        if keep > 0 {
            last.push_back(build);
        }
    }
    Ok((last.into(), total))
}

/// First to last task's creation, like `1h39m`.
fn elapsed(build: &Build) -> String {
    match (build.first_created(), build.last_created()) {
        (Some(first), Some(last)) => compact_duration(last.saturating_sub(first)),
        _ => String::new(),
    }
}

/// `45s`, `12m30s`, `1h39m`, `2d3h`: the two largest units.
pub(super) fn compact_duration(seconds: u64) -> String {
    let (days, hours, minutes, secs) =
        (seconds / 86_400, seconds / 3600 % 24, seconds / 60 % 60, seconds % 60);
    match (days, hours, minutes) {
        (0, 0, 0) => format!("{secs}s"),
        (0, 0, _) => format!("{minutes}m{secs}s"),
        (0, _, _) => format!("{hours}h{minutes}m"),
        _ => format!("{days}d{hours}h"),
    }
}

/// A stage's cell: its newest attempt's status, `*` if it was retried; `-` for a stage that was
/// skipped (a later one ran), empty for one not reached.
pub(super) fn stage_cell(build: &Build, kind: &TaskKind) -> (String, Option<Color>) {
    match build.stage_slot(kind) {
        StageSlot::Reached(stage) => {
            let (text, color) = status_cell(stage.status());
            let retried = if stage.superseded().is_empty() { "" } else { "*" };
            (format!("{text}{retried}"), color)
        }
        StageSlot::Skipped => ("-".to_owned(), Some(Color::Dim)),
        _ => (String::new(), Some(Color::Dim)),
    }
}

/// A status in four letters or fewer, readable without colour.
pub(super) fn status_cell(status: &TaskStatus) -> (String, Option<Color>) {
    let text = match status {
        TaskStatus::Done => "done",
        TaskStatus::Running => "run",
        TaskStatus::Pending => "pend",
        TaskStatus::Failed => "FAIL",
        TaskStatus::Expired => "exp",
        other => other.as_str(),
    };
    (text.to_owned(), status_color(status))
}

/// The table's STATE cell: `succeeded`, `running`, `stopped, no deploy`, `failed mkdxf`,
/// `expired dltar`.
pub(super) fn state_cell(state: &BuildState) -> (String, Option<Color>) {
    let (text, color) = state_text(state);
    match state {
        BuildState::Stopped { expected, .. } => (format!("stopped, no {expected}"), color),
        BuildState::Waiting { .. } => (state.as_str().to_owned(), color),
        _ => (text, color),
    }
}

/// The state in words, as `builds show` writes it: `succeeded`, `running`, `running, waiting for
/// deploy`, `stopped after publish (no deploy)`, `failed mkdxf`, `expired dltar`.
pub(super) fn state_text(state: &BuildState) -> (String, Option<Color>) {
    let color = match state {
        BuildState::Succeeded => Some(Color::Green),
        BuildState::Running | BuildState::Waiting { .. } => Some(Color::Cyan),
        BuildState::Stopped { .. } => Some(Color::Yellow),
        _ => Some(Color::Red),
    };
    (state.describe(), color)
}

pub(super) async fn show(global: &GlobalArgs, args: &BuildArgs, io: &mut Io<'_>) -> anyhow::Result<Exit> {
    let id = BuildId::new(&args.app, args.build)?;
    let connection = connect(global, io.var, true).await?;
    let tasks = &connection.tasks;
    let build = tasks.build(&id).await?;
    if build.is_empty() {
        anyhow::bail!(
            "no task of build {id} ({id:#}) exists; `rockit builds list --app {}` lists the app's builds",
            id.app()
        );
    }
    // Each failure's exception, from its details: a handful of requests at most.
    let mut exceptions = Vec::new();
    for task in build.failures() {
        let details = tasks.get(&task.name).await?;
        exceptions.push((task, details.exception.as_ref().map(Exception::summary)));
    }
    if super::json(global) {
        #[derive(Serialize)]
        struct Failure<'a> {
            name: &'a str,
            status: &'a TaskStatus,
            exception: Option<&'a str>,
        }
        #[derive(Serialize)]
        struct ShowDocument<'a> {
            #[serde(flatten)]
            build: BuildDocument<'a>,
            failures: Vec<Failure<'a>>,
        }
        let failures = exceptions
            .iter()
            .map(|(task, summary)| Failure {
                name: task.name.as_str(),
                status: &task.status,
                exception: summary.as_deref(),
            })
            .collect();
        output::json(io.stdout, &ShowDocument { build: BuildDocument::new(&build), failures })?;
        return Ok(Exit::Success);
    }
    render_show(&build, &exceptions, Style::for_stdout(io), io.stdout)?;
    Ok(Exit::Success)
}

fn render_show(
    build: &Build,
    exceptions: &[(&TaskSummary, Option<String>)],
    style: Style,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let id = build.id();
    let (state, color) = state_text(&build.state());
    writeln!(out, "build:    {}", output::terminal_text(&format!("{id:#}")))?;
    writeln!(out, "state:    {}", style.paint(&output::terminal_text(&state), color))?;
    if let (Some(first), Some(last)) = (build.first_created(), build.last_created()) {
        writeln!(out, "started:  {} UTC", output::utc_seconds(first))?;
        writeln!(
            out,
            "latest:   {} UTC ({} after the first task)",
            output::utc_seconds(last),
            compact_duration(last - first)
        )?;
    }
    writeln!(out, "stages:")?;
    let mut table = Table::new(&["", "STAGE", "STATUS", "TASK", "NOTE"]);
    let warned =
        |task: &TaskSummary| build.unacknowledged_warnings().is_some_and(|names| names.contains(&task.name));
    for stage in build.stages() {
        let current = stage.current();
        let note = if warned(current) { "unacknowledged warning" } else { "" };
        table.push(vec![
            (String::new(), None),
            (stage.kind().to_string(), None),
            (stage.status().to_string(), status_color(stage.status())),
            (current.name.to_string(), None),
            (note.to_owned(), Some(Color::Yellow)),
        ]);
        for old in stage.superseded().iter().rev() {
            let note = if warned(old) { "superseded; unacknowledged warning" } else { "superseded" };
            table.push(vec![
                (String::new(), None),
                (String::new(), None),
                (old.status.to_string(), status_color(&old.status)),
                (old.name.to_string(), Some(Color::Dim)),
                (note.to_owned(), Some(Color::Dim)),
            ]);
        }
    }
    table.render(style, out)?;
    // Names and exceptions are server text: every line is made printable before it is written.
    let mut line = |text: String| writeln!(out, "{}", output::terminal_text(&text));
    if !exceptions.is_empty() {
        line("failures:".to_owned())?;
        for (task, summary) in exceptions {
            let text = summary.as_deref().unwrap_or("no exception reported");
            line(format!("  {} {}: {text}", task.name, task.status))?;
        }
    }
    match build.unacknowledged_warnings() {
        Some([]) => {}
        Some(names) => {
            line("warnings nobody acknowledged:".to_owned())?;
            for name in names {
                line(format!("  {name}"))?;
            }
        }
        None => line("warnings: not known (the server cannot list them)".to_owned())?,
    }
    let next = next_steps(build);
    if !next.is_empty() {
        writeln!(out, "next:")?;
        for (command, why) in next {
            let (command, why) = (output::terminal_text(&command), output::terminal_text(&why));
            writeln!(out, "  {command}  {}", style.paint(&format!("# {why}"), Some(Color::Dim)))?;
        }
    }
    Ok(())
}

/// What to do about the build ([`Build::next_steps`]), as commands with the reason.
fn next_steps(build: &Build) -> Vec<(String, String)> {
    let id = build.id();
    let wait = format!("rockit builds wait {} {}", id.app(), id.build());
    build
        .next_steps()
        .into_iter()
        .filter_map(|step| {
            Some(match step {
                NextStep::ExpireStuck { task, status } => (
                    format!("rockit tasks expire {task}"),
                    format!("superseded by a newer attempt but still {status}"),
                ),
                NextStep::ExpireFailedUpload { task } => {
                    (format!("rockit tasks expire {task}"), "a failed upload is expired first".to_owned())
                }
                NextStep::UploadAgain => (
                    wait.clone(),
                    "after uploading the build again (a download is not retried by itself)".to_owned(),
                ),
                NextStep::RetryStage { stage } => (
                    format!("{wait} --keep-going"),
                    format!("after retrying the {stage} step (POST /be/v1/trigger, not in this CLI yet)"),
                ),
                NextStep::Wait => (wait.clone(), "the pipeline is still running".to_owned()),
                NextStep::Acknowledge { task } => (
                    format!("rockit tasks ack {task}"),
                    "after reviewing its warning (rockit tasks show)".to_owned(),
                ),
                // Advice a newer SDK gives that this CLI cannot word yet.
                _ => return None,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use rockit_model::Service;

    use super::*;

    fn task(name: &str, status: TaskStatus) -> TaskSummary {
        TaskSummary::new(name.parse().unwrap(), Service::Engine, status)
    }

    #[test]
    fn durations_are_compact() {
        assert_eq!(compact_duration(45), "45s");
        assert_eq!(compact_duration(750), "12m30s");
        assert_eq!(compact_duration(5_998), "1h39m");
        assert_eq!(compact_duration(183_600), "2d3h");
    }

    #[test]
    fn cells_read_without_colour() {
        let id = BuildId::new("app", 1).unwrap();
        let build = Build::from_tasks(
            id,
            Some("org"),
            [
                task("org-app-0001-10-dltar", TaskStatus::Failed),
                task("org-app-0001-20-dltar", TaskStatus::Done),
                task("org-app-0001-30-mkdxf", TaskStatus::Running),
            ],
        );
        let cells: Vec<String> = STAGE_ORDER.iter().map(|kind| stage_cell(&build, kind).0).collect();
        assert_eq!(cells, ["done*", "-", "-", "run", "", ""]);
        assert_eq!(state_cell(&BuildState::Failed { stage: TaskKind::Mkdxf }).0, "failed mkdxf");
        assert_eq!(status_cell(&TaskStatus::Unknown("queued".into())).0, "queued");
    }

    #[test]
    fn server_text_in_the_build_view_is_made_printable() {
        let id = BuildId::new("app", 1).unwrap();
        let tricky = "org-app-0001-10-dl\u{202e}tar";
        let build = Build::from_tasks(id, Some("org"), [task(tricky, TaskStatus::Failed)]);
        let failed = build.failures().next().unwrap();
        let mut out = Vec::new();
        render_show(&build, &[(failed, Some("bad\u{1b}[2J\nnews".to_owned()))], Style::plain(), &mut out)
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains('\u{202e}') && !text.contains('\u{1b}'), "{text}");
        assert!(text.contains("  org-app-0001-10-dl\\u{202e}tar failed: bad\u{fffd}[2J news\n"), "{text}");
        assert!(text.contains("# after retrying the dl\\u{202e}tar step"), "{text}");
    }

    #[test]
    fn next_steps_expire_stuck_attempts_and_say_how_to_retry() {
        let id = BuildId::new("sushi", 2).unwrap();
        let build = Build::from_tasks(
            id,
            Some("exampleorg"),
            [
                task("exampleorg-sushi-0002-1733149403-dltar", TaskStatus::Pending),
                task("exampleorg-sushi-0002-1733154780-dltar", TaskStatus::Done),
                task("exampleorg-sushi-0002-1733154909-mkraw", TaskStatus::Failed),
            ],
        );
        let steps: Vec<String> = next_steps(&build).into_iter().map(|(command, _)| command).collect();
        assert_eq!(
            steps,
            [
                "rockit tasks expire exampleorg-sushi-0002-1733149403-dltar",
                "rockit builds wait sushi 2 --keep-going"
            ]
        );
    }
}
