//! `rockit tasks list`: one page or, with `--all`, every page; as a table with warning markers
//! and a `shown of total` footer, or as the API's list envelope in JSON.

use std::io::Write;

use futures_util::future::join;
use rockit_model::{ListTasks, TaskSummary};
use rockit_tasks::{MissedReason, Tasks, WarningMark, WarningMarks};
use serde::Serialize;

use crate::cli::{GlobalArgs, ListArgs};
use crate::connect::connect;
use crate::output::{self, Color, Style, Table, status_color};
use crate::{Exit, Io};

/// The list envelope as the API writes it, with the page's position when there is one.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ListDocument<'a> {
    status: &'static str,
    total_count: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    offset: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    limit: Option<u32>,
    tasks: &'a [TaskSummary],
}

/// What was listed: the tasks, how many match in all, and the page's position (none for `--all`).
struct Listing {
    tasks: Vec<TaskSummary>,
    total: u64,
    page: Option<(u64, u32)>,
    /// With `--all`: why the listing may have missed tasks, if it may have.
    missed: Option<MissedReason>,
}

pub(super) async fn run(global: &GlobalArgs, args: ListArgs, io: &mut Io<'_>) -> anyhow::Result<Exit> {
    let filters = filters(&args);
    let mut request = filters.clone();
    for (key, value) in args.param {
        request = request.param(key, value);
    }
    for order in args.sort {
        request = request.order(order);
    }
    if let Some(limit) = args.limit {
        request = request.limit(limit);
    }
    if let Some(offset) = args.offset {
        request = request.offset(offset);
    }
    let json = super::json(global);
    let connection = connect(global, io.var, true).await?;
    let tasks = &connection.tasks;

    if super::jsonl(global) {
        return lines(tasks, request, args.all, io).await;
    }
    if args.all && !json {
        return stream_table(tasks, request, &filters, args.no_markers, connection.org.as_deref(), io).await;
    }
    let listing = fetch(tasks, request, args.all);
    if json {
        let listing = listing.await?;
        let document = ListDocument {
            status: "success",
            total_count: listing.total,
            offset: listing.page.map(|(offset, _)| offset),
            limit: listing.page.map(|(_, limit)| limit),
            tasks: &listing.tasks,
        };
        output::json(io.stdout, &document)?;
        return Ok(Exit::Success);
    }

    // Task summaries carry no warning: the library asks two filtered listings, with the same
    // typed filters, concurrently with the listing itself. When it cannot tell (the server ignores
    // the guessed filter, or too many tasks have warnings) the FLAGS cells show `?`, and `-v` says
    // why once: not a note on every call against such a server.
    let (listing, marks) = if args.no_markers {
        (listing.await?, None)
    } else {
        let (listing, marks) = join(listing, tasks.warning_marks(&filters)).await;
        (listing?, Some(marks))
    };
    let flags = flags_of(marks.as_ref());
    if let Some(reason) = listing.missed {
        writeln!(io.stderr, "note: {reason}")?;
    }
    render(&listing, &flags, connection.org.as_deref(), Style::for_stdout(io), io.stdout)?;
    Ok(Exit::Success)
}

/// What the FLAGS column shows, from the marks asked for (`None`: not asked); says why marks are
/// unknown once, under `-v`.
fn flags_of(marks: Option<&rockit_tasks::Result<WarningMarks>>) -> Flags<'_> {
    match marks {
        None => Flags::Off,
        Some(Ok(marks)) => {
            if let Some(why) = marks.unknown() {
                tracing::debug!("no warning markers: {why}");
            }
            Flags::Marks(marks)
        }
        Some(Err(err)) => {
            tracing::debug!("no warning markers: {}", output::terminal_text(&err.to_string()));
            Flags::Unknown
        }
    }
}

/// How many rows of a streamed table set its column widths before the first are written.
pub(super) const FIRST_ROWS: usize = 500;

/// `--all` as a table, written as the pages arrive: memory holds a few hundred rows, not the
/// listing. The first [`FIRST_ROWS`] rows set the column widths; the marks are asked first.
async fn stream_table(
    tasks: &Tasks,
    request: ListTasks,
    filters: &ListTasks,
    no_markers: bool,
    org: Option<&str>,
    io: &mut Io<'_>,
) -> anyhow::Result<Exit> {
    let marks = if no_markers { None } else { Some(tasks.warning_marks(filters).await) };
    let flags = flags_of(marks.as_ref());
    let style = Style::for_stdout(io);
    let mut table = Table::new(header(&flags));
    let mut stream = tasks.stream(request);
    let mut shown = 0_u64;
    while let Some(task) = stream.try_next().await? {
        table.push(row(&task, &flags, org));
        shown += 1;
        if table.pending() >= FIRST_ROWS {
            table.flush(style, io.stdout)?;
        }
    }
    table.flush(style, io.stdout)?;
    let report = stream.report();
    if let Some(reason) = report.missed_reason() {
        writeln!(io.stderr, "note: {reason}")?;
    }
    let total = report.last_total.unwrap_or(shown);
    let noun = if total == 1 { "task" } else { "tasks" };
    writeln!(io.stdout, "{shown} of {total} {noun}")?;
    Ok(Exit::Success)
}

/// The table's columns: FLAGS only with markers.
fn header(flags: &Flags<'_>) -> &'static [&'static str] {
    const HEADER: [&str; 8] = ["NAME", "APP", "BUILD", "KIND", "SERVICE", "STATUS", "CREATED", "FLAGS"];
    if matches!(flags, Flags::Off) { &HEADER[..7] } else { &HEADER }
}

/// One task's row.
fn row(task: &TaskSummary, flags: &Flags<'_>, org: Option<&str>) -> Vec<(String, Option<Color>)> {
    let parts = task.name.parts();
    let part = |value: Option<String>| (value.unwrap_or_else(|| "-".to_owned()), None);
    let app = parts.map(|parts| parts.app(org).as_str());
    let mut row = vec![
        (task.name.to_string(), None),
        part(app.map(str::to_owned)),
        part(parts.map(|parts| parts.build_str().to_owned())),
        part(parts.map(|parts| parts.kind_str().to_owned())),
        (task.service.to_string(), None),
        (task.status.to_string(), status_color(&task.status)),
        part(parts.map(|parts| output::utc_minutes(parts.created_unix()))),
    ];
    let mark = match flags {
        Flags::Off => return row,
        Flags::Marks(marks) => marks.mark(&task.name),
        Flags::Unknown => None,
    };
    row.push(match mark {
        Some(WarningMark::Unacknowledged) => ("!".to_owned(), Some(Color::Yellow)),
        Some(WarningMark::Acknowledged) => ("ack".to_owned(), Some(Color::Dim)),
        Some(WarningMark::None) => (String::new(), None),
        // Not known: visibly so, rather than an empty cell that reads "no warning".
        None => ("?".to_owned(), Some(Color::Dim)),
    });
    row
}

/// The typed filters of `args`, without position, order or raw parameters: the part that the
/// marker queries share.
fn filters(args: &ListArgs) -> ListTasks {
    let mut filters = ListTasks::new();
    if let Some(app) = &args.app {
        filters = filters.app(app);
    }
    if let Some(build) = args.build {
        filters = filters.build(build);
    }
    if let Some(status) = &args.status {
        filters = filters.status(status.clone());
    }
    if let Some(kind) = &args.kind {
        filters = filters.kind(kind.clone());
    }
    if let Some(group) = &args.group {
        filters = filters.group(group);
    }
    if let Some(since) = args.since {
        filters = filters.created_after(since);
    }
    if let Some(until) = args.until {
        filters = filters.created_before(until);
    }
    filters
}

/// `--output jsonl`: each task on a line of its own, as `--output json` writes it, written as it
/// arrives (with `--all`, page by page).
async fn lines(tasks: &Tasks, request: ListTasks, all: bool, io: &mut Io<'_>) -> anyhow::Result<Exit> {
    if !all {
        for task in &tasks.list(request).await?.tasks {
            output::json_line(io.stdout, task)?;
        }
        return Ok(Exit::Success);
    }
    let mut stream = tasks.stream(request);
    while let Some(task) = stream.try_next().await? {
        output::json_line(io.stdout, &task)?;
    }
    if let Some(reason) = stream.report().missed_reason() {
        writeln!(io.stderr, "note: {reason}")?;
    }
    Ok(Exit::Success)
}

async fn fetch(tasks: &Tasks, request: ListTasks, all: bool) -> anyhow::Result<Listing> {
    if !all {
        let page = tasks.list(request).await?;
        return Ok(Listing {
            total: page.total_count,
            page: Some((page.offset, page.limit)),
            tasks: page.tasks,
            missed: None,
        });
    }
    let mut stream = tasks.stream(request);
    let mut listed = Vec::new();
    while let Some(task) = stream.try_next().await? {
        listed.push(task);
    }
    let report = stream.report();
    Ok(Listing {
        total: report.last_total.unwrap_or(listed.len() as u64),
        page: None,
        missed: report.missed_reason(),
        tasks: listed,
    })
}

/// What the FLAGS column shows.
enum Flags<'a> {
    /// No column (`--no-markers`).
    Off,
    /// The marks could not be asked for: every cell `?`.
    Unknown,
    /// The marks, known or not ([`WarningMarks::mark`] is `None` when not: `?`).
    Marks(&'a WarningMarks),
}

/// Writes the table and the footer.
fn render(
    listing: &Listing,
    flags: &Flags<'_>,
    org: Option<&str>,
    style: Style,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    if !listing.tasks.is_empty() {
        let mut table = Table::new(header(flags));
        for task in &listing.tasks {
            table.push(row(task, flags, org));
        }
        table.render(style, out)?;
    }
    let noun = if listing.total == 1 { "task" } else { "tasks" };
    writeln!(out, "{} of {} {noun}", listing.tasks.len(), listing.total)
}

#[cfg(test)]
mod tests {
    use rockit_model::{Service, TaskStatus};

    use super::*;

    fn summary(name: &str, status: TaskStatus) -> TaskSummary {
        TaskSummary::new(name.parse().unwrap(), Service::Engine, status)
    }

    #[test]
    fn table_marks_warnings_and_falls_back_for_unconventional_names() {
        let listing = Listing {
            tasks: vec![
                summary("exampleorg-sushi-0002-1733149403-dltar", TaskStatus::Pending),
                summary("exampleorg-sushi-0002-1733155401-publish", TaskStatus::Done),
                summary("exampleTaskname", TaskStatus::Unknown("queued".into())),
            ],
            total: 13,
            page: Some((0, 10)),
            missed: None,
        };
        let markers = WarningMarks::new(
            ["exampleorg-sushi-0002-1733149403-dltar".parse().unwrap()].into(),
            ["exampleorg-sushi-0002-1733155401-publish".parse().unwrap()].into(),
        );
        let mut out = Vec::new();
        render(&listing, &Flags::Marks(&markers), Some("ExampleOrg"), Style::plain(), &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\
NAME                                      APP    BUILD  KIND     SERVICE  STATUS   CREATED           FLAGS
exampleorg-sushi-0002-1733149403-dltar    sushi  0002   dltar    engine   pending  2024-12-02 14:23  !
exampleorg-sushi-0002-1733155401-publish  sushi  0002   publish  engine   done     2024-12-02 16:03  ack
exampleTaskname                           -      -      -        engine   queued   -
3 of 13 tasks
"
        );
        // Marks that are not known show as `?`; without markers there is no FLAGS column.
        let mut out = Vec::new();
        render(&listing, &Flags::Unknown, None, Style::plain(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.lines().nth(1).unwrap().contains("  exampleorg-sushi  0002"), "{text}");
        assert!(text.lines().skip(1).take(3).all(|line| line.ends_with("  ?")), "{text}");
        let mut out = Vec::new();
        render(&listing, &Flags::Off, None, Style::plain(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("NAME ") && text.lines().next().unwrap().ends_with("CREATED"), "{text}");
        assert!(text.lines().nth(1).unwrap().ends_with("2024-12-02 14:23"), "{text}");
    }
}
