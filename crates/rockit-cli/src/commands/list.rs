//! `rockit tasks list`: one page or, with `--all`, every page; as a table with warning markers
//! and a `shown of total` footer, or as the API's list envelope in JSON.

use std::collections::HashSet;
use std::io::Write;

use futures_util::TryStreamExt as _;
use futures_util::future::join3;
use rockit_model::{ListTasks, TaskName, TaskSummary};
use rockit_tasks::Tasks;
use serde::Serialize;

use crate::cli::{GlobalArgs, ListArgs};
use crate::connect::connect;
use crate::exit::{one_line, usage};
use crate::output::{self, Color, Style, Table, status_color};
use crate::{Exit, Io, parse};

/// The page size of the marker queries: big enough that one request usually covers every task
/// with a warning, small enough for any server.
const MARKER_PAGE: u32 = 100;
/// The most pages one marker query reads: beyond `MARKER_PAGES * MARKER_PAGE` tasks with a
/// warning, the markers are dropped rather than costing a request per hundred tasks.
const MARKER_PAGES: u64 = 5;
/// The most tasks one marker query collects.
const MARKER_LIMIT: u64 = MARKER_PAGES * MARKER_PAGE as u64;

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
    /// With `--all` and a custom order: whether tasks came or went during the listing.
    may_be_incomplete: bool,
}

/// Which tasks carry a warning: unacknowledged (`!`) and acknowledged (`ack`).
struct Markers {
    unacknowledged: HashSet<TaskName>,
    acknowledged: HashSet<TaskName>,
}

/// What one marker query found.
enum Marked {
    /// The names of every task the query matches.
    Names(HashSet<TaskName>),
    /// More than [`MARKER_LIMIT`] tasks match: too many to fetch for a few rows.
    TooMany,
}

pub(super) async fn run(global: &GlobalArgs, args: ListArgs, io: &mut Io<'_>) -> anyhow::Result<Exit> {
    let filters = filters(&args)?;
    let mut request = filters.clone();
    let params = args.param.iter().map(|raw| parse::param(raw)).collect::<anyhow::Result<Vec<_>>>()?;
    for (key, value) in params {
        request = request.param(key, value);
    }
    for key in &args.sort {
        request = request.order(parse::sort_key(key)?);
    }
    if let Some(limit) = args.limit {
        if limit == 0 {
            return Err(usage("invalid --limit 0: ask for at least 1 task per page"));
        }
        request = request.limit(limit);
    }
    if let Some(offset) = args.offset {
        request = request.offset(offset);
    }
    let json = super::json(global);
    let connection = connect(global, io.var, true).await?;
    let tasks = &connection.tasks;

    // A raw `order[]`/`order` parameter sorts the listing as much as `--sort` does.
    let sorted = request.has_custom_order();
    let listing = fetch(tasks, request, args.all, sorted);
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

    // Task summaries carry no warning; one query per marker kind, with the same typed filters,
    // finds the tasks that have one. Extra tasks in these answers are harmless: only listed
    // tasks are marked. Each query reads at most `MARKER_PAGES` pages.
    let unacknowledged = names(tasks, filters.clone().acknowledged(false));
    let acknowledged = names(tasks, filters.acknowledged(true));
    let (listing, unacknowledged, acknowledged) = join3(listing, unacknowledged, acknowledged).await;
    let listing = listing?;
    let markers = match (unacknowledged, acknowledged) {
        (Err(err), _) | (_, Err(err)) => {
            writeln!(io.stderr, "note: no warning markers: {}", one_line(&err.to_string()))?;
            None
        }
        (Ok(Marked::TooMany), _) | (_, Ok(Marked::TooMany)) => {
            writeln!(io.stderr, "note: no warning markers: more than {MARKER_LIMIT} tasks have warnings")?;
            None
        }
        (Ok(Marked::Names(unacknowledged)), Ok(Marked::Names(acknowledged))) => {
            // A task cannot be both: the server ignored the `acknowledged` filter, and every
            // task would get a marker.
            if unacknowledged.is_disjoint(&acknowledged) {
                Some(Markers { unacknowledged, acknowledged })
            } else {
                writeln!(io.stderr, "note: no warning markers: the server ignores the acknowledged filter")?;
                None
            }
        }
    };
    if listing.may_be_incomplete {
        writeln!(
            io.stderr,
            "note: tasks were added or removed during the listing; with --sort it may have missed some"
        )?;
    }
    render(&listing, markers.as_ref(), connection.org.as_deref(), Style::for_stdout(io), io.stdout)?;
    Ok(Exit::Success)
}

/// The typed filters of `args`, without position, order or raw parameters: the part that the
/// marker queries share.
fn filters(args: &ListArgs) -> anyhow::Result<ListTasks> {
    let mut filters = ListTasks::new();
    if let Some(app) = &args.app {
        filters = filters.app(app);
    }
    if let Some(build) = args.build {
        filters = filters.build(build);
    }
    if let Some(status) = &args.status {
        filters = filters.status(parse::status(status)?);
    }
    if let Some(kind) = &args.kind {
        filters = filters.kind(parse::kind(kind)?);
    }
    if let Some(group) = &args.group {
        filters = filters.group(group);
    }
    if let Some(since) = &args.since {
        filters = filters.created_after(parse::unix_time("--since", since)?);
    }
    if let Some(until) = &args.until {
        filters = filters.created_before(parse::unix_time("--until", until)?);
    }
    Ok(filters)
}

async fn fetch(tasks: &Tasks, request: ListTasks, all: bool, sorted: bool) -> anyhow::Result<Listing> {
    if !all {
        let page = tasks.list(request).await?;
        return Ok(Listing {
            total: page.total_count,
            page: Some((page.offset, page.limit)),
            tasks: page.tasks,
            may_be_incomplete: false,
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
        may_be_incomplete: (sorted || report.unordered) && report.total_changed || report.incomplete,
        tasks: listed,
    })
}

/// The names of every task `request` matches, reading at most [`MARKER_PAGES`] pages: more
/// matches than [`MARKER_LIMIT`] give [`Marked::TooMany`].
async fn names(tasks: &Tasks, request: ListTasks) -> rockit_tasks::Result<Marked> {
    let mut names = HashSet::new();
    let mut offset = 0;
    for _ in 0..MARKER_PAGES {
        let page = tasks.list(request.clone().offset(offset).limit(MARKER_PAGE)).await?;
        if page.total_count > MARKER_LIMIT {
            return Ok(Marked::TooMany);
        }
        let count = page.tasks.len() as u64;
        names.extend(page.tasks.into_iter().map(|task| task.name));
        offset += count;
        if count == 0 || offset >= page.total_count {
            return Ok(Marked::Names(names));
        }
    }
    Ok(Marked::TooMany)
}

fn render(
    listing: &Listing,
    markers: Option<&Markers>,
    org: Option<&str>,
    style: Style,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    if !listing.tasks.is_empty() {
        let mut table =
            Table::new(&["NAME", "APP", "BUILD", "KIND", "SERVICE", "STATUS", "CREATED", "FLAGS"]);
        for task in &listing.tasks {
            let parts = task.name.parts();
            let part = |value: Option<String>| (value.unwrap_or_else(|| "-".to_owned()), None);
            let app = parts.map(|parts| org.and_then(|org| parts.app_of_org(org)).unwrap_or(parts.prefix()));
            let flag = match markers {
                Some(markers) if markers.unacknowledged.contains(&task.name) => ("!", Some(Color::Yellow)),
                Some(markers) if markers.acknowledged.contains(&task.name) => ("ack", Some(Color::Dim)),
                _ => ("", None),
            };
            table.push(vec![
                (task.name.to_string(), None),
                part(app.map(str::to_owned)),
                part(parts.map(|parts| parts.build_str().to_owned())),
                part(parts.map(|parts| parts.kind_str().to_owned())),
                (task.service.to_string(), None),
                (task.status.to_string(), status_color(&task.status)),
                part(parts.map(|parts| output::utc_minutes(parts.created_unix()))),
                (flag.0.to_owned(), flag.1),
            ]);
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
        TaskSummary { name: name.parse().unwrap(), service: Service::Engine, status }
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
            may_be_incomplete: false,
        };
        let markers = Markers {
            unacknowledged: HashSet::from(["exampleorg-sushi-0002-1733149403-dltar".parse().unwrap()]),
            acknowledged: HashSet::from(["exampleorg-sushi-0002-1733155401-publish".parse().unwrap()]),
        };
        let mut out = Vec::new();
        render(&listing, Some(&markers), Some("ExampleOrg"), Style::plain(), &mut out).unwrap();
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
        let mut out = Vec::new();
        render(&listing, None, None, Style::plain(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.lines().nth(1).unwrap().contains("  exampleorg-sushi  0002"), "{text}");
    }
}
