//! The task store: the organization's tasks by name, their pending timeline steps, and the
//! queries and updates the handlers run against them.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::io::Write as _;
use std::ops::Bound;
use std::time::Duration;

use bytes::Bytes;
use rockit_model::{TaskDetails, Timestamp};

use crate::api_error::{ApiError, shown};
use crate::clock::Clock;
use crate::query::{ListQuery, SortField, SortKey};
use crate::task::{Step, Task};
use entry::Entry;

/// Every task of the emulator's organization.
#[derive(Debug)]
pub(crate) struct Store {
    org: String,
    tasks: BTreeMap<String, Entry>,
    /// Names of the tasks that still have timeline steps to apply.
    active: BTreeSet<String>,
    /// Tasks that appear later, by the emulator time they appear at (earliest first).
    scheduled: Vec<(Duration, Task)>,
    /// Where the last unfiltered page in name order ended: the offset of a task and its name, so
    /// that the next page starts there instead of walking the map from its first task (a listing
    /// of a million tasks would otherwise cost the square of its pages). Forgotten whenever a task
    /// comes or goes.
    bookmark: Option<(usize, String)>,
}

/// What `PATCH /be/v1/tasks` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UpdateFlags {
    pub(crate) acknowledged: Option<bool>,
    pub(crate) expired: Option<bool>,
}

impl Store {
    pub(crate) fn new(org: String) -> Self {
        Self { org, tasks: BTreeMap::new(), active: BTreeSet::new(), scheduled: Vec::new(), bookmark: None }
    }

    /// Stores `task`, replacing a task of the same name; its timeline starts now. A task that
    /// appears later is scheduled instead (and `None` returned).
    pub(crate) fn insert(&mut self, mut task: Task, clock: &Clock) -> Option<TaskDetails> {
        if let Some(after) = task.appears_after.take() {
            let at = clock.now().saturating_add(after);
            let index = self.scheduled.partition_point(|(due, _)| *due <= at);
            self.scheduled.insert(index, (at, task));
            return None;
        }
        self.store_at(task, clock, clock.now())
    }

    /// The names of every task, stored or scheduled to appear later.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.tasks
            .keys()
            .map(String::as_str)
            .chain(self.scheduled.iter().map(|(_, task)| task.details.name.as_str()))
    }

    /// Stores `task` as if it entered the store at emulator time `start`.
    fn store_at(&mut self, task: Task, clock: &Clock, start: Duration) -> Option<TaskDetails> {
        let Task { mut details, timeline, .. } = task;
        let created = details
            .created_at
            .as_ref()
            .and_then(Timestamp::unix_seconds)
            .or_else(|| details.name.parts().map(|parts| parts.created_unix()))
            .unwrap_or_else(|| clock.unix_now());
        details.created_at.get_or_insert_with(|| Timestamp::from_unix(created));
        if details.updated_at.is_none() {
            details.updated_at.clone_from(&details.created_at);
        }
        details.acknowledged.get_or_insert(false);
        details.expired.get_or_insert(false);
        let name = details.name.as_str().to_owned();
        let pending: VecDeque<Step> = timeline.steps.into();
        if pending.is_empty() {
            self.active.remove(&name);
        } else {
            self.active.insert(name.clone());
        }
        let entry = Entry::new(details, created, start, pending);
        let replaced = self.tasks.insert(name, entry);
        if replaced.is_none() {
            self.bookmark = None;
        }
        replaced.map(Entry::into_details)
    }

    pub(crate) fn remove(&mut self, name: &str) -> Option<TaskDetails> {
        self.active.remove(name);
        let removed = self.tasks.remove(name);
        if removed.is_some() {
            self.bookmark = None;
        }
        removed.map(Entry::into_details)
    }

    pub(crate) fn len(&self) -> usize {
        self.tasks.len()
    }

    /// Stores the scheduled tasks that are due, then applies every timeline step that is due at
    /// the clock's current time.
    pub(crate) fn settle(&mut self, clock: &Clock) {
        let now = clock.now();
        let due = self.scheduled.partition_point(|(at, _)| *at <= now);
        if due > 0 {
            let appeared: Vec<(Duration, Task)> = self.scheduled.drain(..due).collect();
            for (at, task) in appeared {
                self.store_at(task, clock, at);
            }
        }
        if self.active.is_empty() {
            return;
        }
        let tasks = &mut self.tasks;
        self.active.retain(|name| {
            let Some(entry) = tasks.get_mut(name) else { return false };
            while let Some(step) = entry.pending.front() {
                let due = entry.start.saturating_add(step.after);
                if due > now {
                    break;
                }
                let Some(step) = entry.pending.pop_front() else { break };
                let details = entry.details_mut();
                step.change.apply(details);
                details.updated_at = Some(Timestamp::from_unix(clock.unix_at(due)));
            }
            !entry.pending.is_empty()
        });
    }

    /// Applies the next timeline step of `name` now, whatever its offset.
    pub(crate) fn advance_task(&mut self, name: &str, clock: &Clock) -> crate::Result<TaskDetails> {
        let entry = self.tasks.get_mut(name).ok_or_else(|| unknown(name))?;
        let step = entry
            .pending
            .pop_front()
            .ok_or_else(|| crate::Error::TimelineFinished { name: name.to_owned() })?;
        let details = entry.details_mut();
        step.change.apply(details);
        details.updated_at = Some(Timestamp::from_unix(clock.unix_now()));
        if entry.pending.is_empty() {
            self.active.remove(name);
        }
        Ok(entry.details().clone())
    }

    pub(crate) fn get(&self, name: &str) -> Option<&TaskDetails> {
        self.tasks.get(name).map(Entry::details)
    }

    pub(crate) fn all(&self) -> Vec<TaskDetails> {
        self.tasks.values().map(|entry| entry.details().clone()).collect()
    }

    /// Changes a task through `change`; its name stays as it is.
    pub(crate) fn update(
        &mut self,
        name: &str,
        clock: &Clock,
        change: impl FnOnce(&mut TaskDetails),
    ) -> crate::Result<TaskDetails> {
        let entry = self.tasks.get_mut(name).ok_or_else(|| unknown(name))?;
        let details = entry.details_mut();
        let original_name = details.name.clone();
        details.updated_at = Some(Timestamp::from_unix(clock.unix_now()));
        change(details);
        details.name = original_name;
        if let Some(created) = details.created_at.as_ref().and_then(Timestamp::unix_seconds) {
            entry.created = created;
        }
        Ok(entry.details().clone())
    }

    /// One page of the tasks matching `query`, and how many match in all.
    #[cfg(test)]
    pub(crate) fn list(&mut self, query: &ListQuery) -> rockit_model::TaskListResponse {
        let (total, page) = self.page(query);
        rockit_model::TaskListResponse::success(
            total as u64,
            page.into_iter().map(|entry| entry.details().summary()).collect(),
        )
    }

    /// One page of the tasks matching `query` as the JSON body the emulator answers: the bytes
    /// `serde_json` writes for a `TaskListResponse`, assembled from each task's summary, encoded
    /// once and kept until the task changes, so a page of unchanged tasks costs a copy per task.
    pub(crate) fn list_json(&mut self, query: &ListQuery) -> serde_json::Result<Vec<u8>> {
        let (total, page) = self.page(query);
        let mut body = Vec::with_capacity(64 + page.len() * 96);
        // Infallible: writing into a `Vec` cannot fail.
        let _ = write!(body, r#"{{"status":"success","totalCount":{total},"tasks":["#);
        for (index, entry) in page.into_iter().enumerate() {
            if index > 0 {
                body.push(b',');
            }
            body.extend_from_slice(entry.summary_json()?);
        }
        body.extend_from_slice(b"]}");
        Ok(body)
    }

    /// The details of `name` as the JSON body the emulator answers, encoded once and kept until
    /// the task changes.
    pub(crate) fn details_json(&mut self, name: &str) -> Option<serde_json::Result<Bytes>> {
        self.tasks.get_mut(name).map(Entry::details_json)
    }

    /// The entries on the page `query` asks for, and how many tasks match in all.
    fn page(&mut self, query: &ListQuery) -> (usize, Vec<&mut Entry>) {
        let offset = usize::try_from(query.offset).unwrap_or(usize::MAX);
        let natural_order = query.order.iter().all(|key| key.field == SortField::Name && !key.descending);
        let total = self.tasks.len();
        if natural_order && !query.filters() {
            // The common case, and the one large stores page through: from the bookmark when the
            // page starts at or after it, so no work beyond the page and the gap to it.
            let (tasks, bookmark) = (&mut self.tasks, &mut self.bookmark);
            let page: Vec<&mut Entry> = match bookmark.as_ref().filter(|(at, _)| *at <= offset) {
                Some((at, name)) => tasks
                    .range_mut::<str, _>((Bound::Included(name.as_str()), Bound::Unbounded))
                    .skip(offset - at)
                    .take(query.limit)
                    .map(|(_, entry)| entry)
                    .collect(),
                None => tasks.values_mut().skip(offset).take(query.limit).collect(),
            };
            if let Some(last) = page.last() {
                *bookmark = Some((offset + page.len() - 1, last.details().name.as_str().to_owned()));
            }
            return (total, page);
        }
        let org = self.org.as_str();
        let matching = self.tasks.values_mut().filter(|entry| matches(org, entry, query));
        if natural_order {
            // The map is ordered by name already: count and cut the page in one pass.
            let mut total = 0;
            let mut page = Vec::new();
            for entry in matching {
                if total >= offset && page.len() < query.limit {
                    page.push(entry);
                }
                total += 1;
            }
            (total, page)
        } else {
            let mut all: Vec<&mut Entry> = matching.collect();
            // Stable sort over name-ordered input: ties stay in name order.
            all.sort_by(|a, b| compare(a, b, &query.order));
            let total = all.len();
            (total, all.into_iter().skip(offset).take(query.limit).collect())
        }
    }

    /// Applies a `PATCH /be/v1/tasks` to `name`. Checks everything before changing anything, so a
    /// rejected update leaves the task as it was. Returns whether anything changed.
    pub(crate) fn apply_update(
        &mut self,
        name: &str,
        flags: UpdateFlags,
        clock: &Clock,
    ) -> Result<bool, ApiError> {
        let entry = self.tasks.get_mut(name).ok_or_else(|| {
            ApiError::not_found(format!("no task named {}; list tasks to see their names", shown(name)))
        })?;
        let already_expired = entry.details().expired == Some(true);
        let will_be_expired = already_expired || flags.expired == Some(true);
        if flags.expired == Some(false) && already_expired {
            return Err(ApiError::invalid_param(format!(
                "task {} is expired and expiring cannot be undone; retry the step to start over",
                shown(name)
            )));
        }
        if flags.acknowledged == Some(false) && will_be_expired {
            return Err(ApiError::invalid_param(format!(
                "an expired task stays acknowledged; drop \"acknowledged\": false from the request for {}",
                shown(name)
            )));
        }
        let flags_of =
            |details: &TaskDetails| (details.status.clone(), details.acknowledged, details.expired);
        let before = flags_of(entry.details());
        let expire = flags.expired == Some(true) && !already_expired;
        if expire {
            entry.pending.clear();
            self.active.remove(name);
        }
        if !expire
            && flags
                .acknowledged
                .is_none_or(|acknowledged| entry.details().acknowledged == Some(acknowledged))
        {
            return Ok(false);
        }
        let details = entry.details_mut();
        if expire {
            details.status = rockit_model::TaskStatus::Failed;
            details.expired = Some(true);
            details.acknowledged = Some(true);
        }
        if let Some(acknowledged) = flags.acknowledged {
            details.acknowledged = Some(acknowledged);
        }
        let changed = before != flags_of(details);
        if changed {
            details.updated_at = Some(Timestamp::from_unix(clock.unix_now()));
        }
        Ok(changed)
    }
}

fn matches(org: &str, entry: &Entry, query: &ListQuery) -> bool {
    let details = entry.details();
    let kind = || details.name.parts().map(|parts| parts.kind_str());
    if let Some(app) = &query.app {
        let Some(app_name) = app_of(org, details) else { return false };
        if !contains_ignore_ascii_case(app_name, app) {
            return false;
        }
    }
    if query.status.as_deref().is_some_and(|status| status != details.status.as_str()) {
        return false;
    }
    if query.kind.as_deref().is_some_and(|wanted| Some(wanted) != kind()) {
        return false;
    }
    if query.group.is_some_and(|kinds| !kind().is_some_and(|kind| kinds.contains(&kind))) {
        return false;
    }
    if query.build.is_some_and(|build| details.name.parts().map(|parts| parts.build()) != Some(build)) {
        return false;
    }
    if query.created_after.is_some_and(|after| entry.created < after) {
        return false;
    }
    if query.created_before.is_some_and(|before| entry.created >= before) {
        return false;
    }
    if let Some(acknowledged) = query.acknowledged
        && (details.warning.is_none() || details.acknowledged.unwrap_or(false) != acknowledged)
    {
        return false;
    }
    true
}

/// The app part of a task's name as the SDK reads it ([`rockit_model::TaskNameParts::app`]): what
/// follows `<org>-`, or, for another org's prefix, the whole prefix.
fn app_of<'a>(org: &str, details: &'a TaskDetails) -> Option<&'a str> {
    Some(details.name.parts()?.app(Some(org)).as_str())
}

fn unknown(name: &str) -> crate::Error {
    crate::Error::UnknownTask { name: name.to_owned() }
}

fn contains_ignore_ascii_case(haystack: &str, needle: &str) -> bool {
    let needle = needle.as_bytes();
    needle.is_empty()
        || haystack.as_bytes().windows(needle.len()).any(|window| window.eq_ignore_ascii_case(needle))
}

fn compare(a: &Entry, b: &Entry, keys: &[SortKey]) -> Ordering {
    for key in keys {
        let ordering = match key.field {
            SortField::Name => a.details().name.as_str().cmp(b.details().name.as_str()),
            SortField::Status => a.details().status.as_str().cmp(b.details().status.as_str()),
            SortField::Service => a.details().service.as_str().cmp(b.details().service.as_str()),
            SortField::Type => kind_of(a).cmp(kind_of(b)),
            SortField::Created => a.created.cmp(&b.created),
        };
        let ordering = if key.descending { ordering.reverse() } else { ordering };
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
    Ordering::Equal
}

fn kind_of(entry: &Entry) -> &str {
    entry.details().name.parts().map_or("", |parts| parts.kind_str())
}

/// A stored task, in a module of its own so that nothing changes its details without dropping
/// their encodings.
mod entry {
    use std::collections::VecDeque;
    use std::time::Duration;

    use bytes::Bytes;
    use rockit_model::TaskDetails;

    use crate::task::Step;

    /// A stored task: its current details, what its timeline has left to do, and its details and
    /// summary as JSON once asked for.
    #[derive(Debug)]
    pub(super) struct Entry {
        details: TaskDetails,
        /// Creation time in Unix seconds, for the filters and `order[]=created`.
        pub(super) created: u64,
        /// Emulator time at which the task entered the store; timeline offsets count from here.
        pub(super) start: Duration,
        pub(super) pending: VecDeque<Step>,
        /// `details` encoded, or `None` until asked for and after every change.
        details_json: Option<Bytes>,
        /// `details.summary()` encoded, or `None` until asked for and after every change.
        summary_json: Option<Box<[u8]>>,
    }

    impl Entry {
        pub(super) fn new(
            details: TaskDetails,
            created: u64,
            start: Duration,
            pending: VecDeque<Step>,
        ) -> Self {
            Self { details, created, start, pending, details_json: None, summary_json: None }
        }

        pub(super) fn details(&self) -> &TaskDetails {
            &self.details
        }

        /// The details, to change: their encodings are dropped.
        pub(super) fn details_mut(&mut self) -> &mut TaskDetails {
            self.details_json = None;
            self.summary_json = None;
            &mut self.details
        }

        pub(super) fn into_details(self) -> TaskDetails {
            self.details
        }

        pub(super) fn details_json(&mut self) -> serde_json::Result<Bytes> {
            if self.details_json.is_none() {
                self.details_json = Some(serde_json::to_vec(&self.details)?.into());
            }
            Ok(self.details_json.clone().unwrap_or_default())
        }

        pub(super) fn summary_json(&mut self) -> serde_json::Result<&[u8]> {
            if self.summary_json.is_none() {
                self.summary_json = Some(serde_json::to_vec(&self.details.summary())?.into_boxed_slice());
            }
            Ok(self.summary_json.as_deref().unwrap_or_default())
        }
    }
}

#[cfg(test)]
mod tests {
    use rockit_model::{Service, TaskStatus, Warning};

    use super::*;
    use crate::task::Timeline;

    fn task(name: &str, status: TaskStatus) -> Task {
        Task::new(name.parse().unwrap(), Service::Engine, status)
    }

    #[test]
    fn pages_from_the_bookmark_are_the_pages_of_the_whole_map() {
        // Overlapping pages (as the SDK's stream asks for them), pages behind the bookmark, and
        // tasks coming and going between pages: every page is the slice of the sorted names.
        let clock = Clock::new(5_000, 0.0);
        let mut store = Store::new("ExampleOrg".into());
        let name = |index: usize| format!("exampleorg-app-{index:04}-1732886919-dltar");
        for index in (0..200).step_by(2) {
            store.insert(task(&name(index), TaskStatus::Done), &clock);
        }
        let mut seed = 7_u64;
        let mut offset = 0_usize;
        for step in 0..60 {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            match step % 7 {
                3 => drop(store.insert(task(&name((seed >> 33) as usize % 200), TaskStatus::Done), &clock)),
                5 => drop(store.remove(&name((seed >> 33) as usize % 200))),
                6 => offset = (seed >> 40) as usize % 60,
                _ => {}
            }
            let query = ListQuery { offset: offset as u64, limit: 10, ..ListQuery::default() };
            let page: Vec<String> =
                store.list(&query).tasks.into_iter().map(|task| task.name.into_string()).collect();
            let expected: Vec<String> = store.tasks.keys().skip(offset).take(10).cloned().collect();
            assert_eq!(page, expected, "step {step}, offset {offset}");
            offset += 9;
        }
    }

    #[test]
    fn insert_fills_defaults_from_the_name() {
        let clock = Clock::new(5_000, 0.0);
        let mut store = Store::new("ExampleOrg".into());
        store.insert(task("exampleorg-sushi-0001-1732886919-dltar", TaskStatus::Done), &clock);
        store.insert(task("unconventional", TaskStatus::Done), &clock);
        let conventional = store.get("exampleorg-sushi-0001-1732886919-dltar").unwrap();
        assert_eq!(conventional.created_at, Some(Timestamp::from_unix(1_732_886_919)));
        assert_eq!(conventional.updated_at, conventional.created_at);
        assert_eq!((conventional.acknowledged, conventional.expired), (Some(false), Some(false)));
        assert_eq!(store.get("unconventional").unwrap().created_at, Some(Timestamp::from_unix(5_000)));
    }

    #[test]
    fn settle_applies_due_steps_only() {
        let clock = Clock::new(0, 0.0);
        let mut store = Store::new("o".into());
        let timeline = Timeline::new()
            .at(Duration::from_secs(1), TaskStatus::Running)
            .at(Duration::from_secs(3), TaskStatus::Done);
        store.insert(task("o-a-0001-1-dltar", TaskStatus::Pending).timeline(timeline), &clock);
        clock.advance(Duration::from_secs(2));
        store.settle(&clock);
        assert_eq!(store.get("o-a-0001-1-dltar").unwrap().status, TaskStatus::Running);
        assert_eq!(store.get("o-a-0001-1-dltar").unwrap().updated_at, Some(Timestamp::from_unix(1)));
        clock.advance(Duration::from_secs(60));
        store.settle(&clock);
        assert_eq!(store.get("o-a-0001-1-dltar").unwrap().status, TaskStatus::Done);
        assert_eq!(store.get("o-a-0001-1-dltar").unwrap().updated_at, Some(Timestamp::from_unix(3)));
        assert!(store.active.is_empty());
    }

    #[test]
    fn expire_stops_the_timeline_and_cannot_be_undone() {
        let clock = Clock::new(0, 0.0);
        let mut store = Store::new("o".into());
        let timeline = Timeline::new().at(Duration::from_secs(1), TaskStatus::Done);
        store.insert(
            task("o-a-0001-1-dltar", TaskStatus::Pending).warning(Warning::new("w", "m")).timeline(timeline),
            &clock,
        );
        let expire = UpdateFlags { acknowledged: None, expired: Some(true) };
        assert!(store.apply_update("o-a-0001-1-dltar", expire, &clock).unwrap());
        assert!(!store.apply_update("o-a-0001-1-dltar", expire, &clock).unwrap());
        clock.advance(Duration::from_secs(5));
        store.settle(&clock);
        let details = store.get("o-a-0001-1-dltar").unwrap();
        assert_eq!(details.status, TaskStatus::Failed);
        assert_eq!((details.acknowledged, details.expired), (Some(true), Some(true)));
        let undo = UpdateFlags { acknowledged: None, expired: Some(false) };
        assert!(store.apply_update("o-a-0001-1-dltar", undo, &clock).is_err());
        let unack = UpdateFlags { acknowledged: Some(false), expired: None };
        assert!(store.apply_update("o-a-0001-1-dltar", unack, &clock).is_err());
    }

    /// Every body the store answers, against `serde_json` encoding what the store holds.
    fn assert_bodies_encode_the_store(store: &mut Store, queries: &[ListQuery]) {
        for query in queries {
            let expected = serde_json::to_vec(&store.list(query)).unwrap();
            let body = store.list_json(query).unwrap();
            assert_eq!(String::from_utf8(body).unwrap(), String::from_utf8(expected).unwrap(), "{query:?}");
        }
        let names: Vec<String> = store.tasks.keys().cloned().collect();
        for name in names {
            let expected = serde_json::to_vec(store.get(&name).unwrap()).unwrap();
            assert_eq!(store.details_json(&name).unwrap().unwrap(), expected, "{name}");
        }
    }

    #[test]
    fn encoded_bodies_follow_every_change() {
        let clock = Clock::new(0, 0.0);
        let mut store = Store::new("o".into());
        let timeline = Timeline::new().at(Duration::from_secs(1), TaskStatus::Running);
        store.insert(task("o-a-0001-1-dltar", TaskStatus::Pending).timeline(timeline), &clock);
        store.insert(
            task("o-b-0002-2-mkraw", TaskStatus::Done)
                .warning(Warning::new("w", "a \"quoted\" \u{202e} line")),
            &clock,
        );
        store.insert(task("o-a-0001-3-mkpat", TaskStatus::Pending).timeline(Timeline::new()), &clock);
        let parse = |raw: &str| ListQuery::parse(Some(raw)).unwrap();
        let queries = [
            ListQuery::default(),
            parse("limit=1&offset=1"),
            parse("offset=7"),
            parse("app=a"),
            parse("status=pending&limit=1"),
            parse("order[]=-name"),
            parse("order[]=created&offset=1"),
        ];
        // Encoded on first use, then served from what was kept.
        assert_bodies_encode_the_store(&mut store, &queries);
        assert_bodies_encode_the_store(&mut store, &queries);

        // Each way a task changes drops what was kept of it.
        clock.advance(Duration::from_secs(2));
        store.settle(&clock);
        assert_eq!(store.get("o-a-0001-1-dltar").unwrap().status, TaskStatus::Running);
        assert_bodies_encode_the_store(&mut store, &queries);
        let acknowledge = UpdateFlags { acknowledged: Some(true), expired: None };
        assert!(store.apply_update("o-b-0002-2-mkraw", acknowledge, &clock).unwrap());
        assert!(!store.apply_update("o-b-0002-2-mkraw", acknowledge, &clock).unwrap());
        assert_bodies_encode_the_store(&mut store, &queries);
        let expire = UpdateFlags { acknowledged: None, expired: Some(true) };
        assert!(store.apply_update("o-a-0001-1-dltar", expire, &clock).unwrap());
        assert_bodies_encode_the_store(&mut store, &queries);
        store.update("o-a-0001-3-mkpat", &clock, |details| details.status = TaskStatus::Failed).unwrap();
        assert_bodies_encode_the_store(&mut store, &queries);
        let with_step = task("o-a-0001-3-mkpat", TaskStatus::Pending)
            .timeline(Timeline::new().at(Duration::from_secs(60), TaskStatus::Done));
        store.insert(with_step, &clock);
        assert_bodies_encode_the_store(&mut store, &queries);
        store.advance_task("o-a-0001-3-mkpat", &clock).unwrap();
        assert_eq!(store.get("o-a-0001-3-mkpat").unwrap().status, TaskStatus::Done);
        assert_bodies_encode_the_store(&mut store, &queries);
        store.remove("o-b-0002-2-mkraw");
        assert_bodies_encode_the_store(&mut store, &queries);
    }

    #[test]
    fn substring_match_ignores_ascii_case() {
        assert!(contains_ignore_ascii_case("sushi", "USH"));
        assert!(contains_ignore_ascii_case("sushi", ""));
        assert!(!contains_ignore_ascii_case("sushi", "sushis"));
    }
}
