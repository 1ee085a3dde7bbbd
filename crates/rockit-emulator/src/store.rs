//! The task store: the organization's tasks by name, their pending timeline steps, and the
//! queries and updates the handlers run against them.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::Duration;

use rockit_model::{TaskDetails, TaskListResponse, Timestamp};

use crate::api_error::{ApiError, shown};
use crate::clock::Clock;
use crate::query::{ListQuery, SortField, SortKey};
use crate::task::{Step, Task};

/// Every task of the emulator's organization.
#[derive(Debug)]
pub(crate) struct Store {
    org: String,
    tasks: BTreeMap<String, Entry>,
    /// Names of the tasks that still have timeline steps to apply.
    active: BTreeSet<String>,
    /// Tasks that appear later, by the emulator time they appear at (earliest first).
    scheduled: Vec<(Duration, Task)>,
}

/// A stored task: its current details and what its timeline has left to do.
#[derive(Debug)]
struct Entry {
    details: TaskDetails,
    /// Creation time in Unix seconds, for the filters and `order[]=created`.
    created: u64,
    /// Emulator time at which the task entered the store; timeline offsets count from here.
    start: Duration,
    pending: VecDeque<Step>,
}

/// What `PATCH /be/v1/tasks` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UpdateFlags {
    pub(crate) acknowledged: Option<bool>,
    pub(crate) expired: Option<bool>,
}

impl Store {
    pub(crate) fn new(org: String) -> Self {
        Self { org, tasks: BTreeMap::new(), active: BTreeSet::new(), scheduled: Vec::new() }
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
        let entry = Entry { details, created, start, pending };
        self.tasks.insert(name, entry).map(|old| old.details)
    }

    pub(crate) fn remove(&mut self, name: &str) -> Option<TaskDetails> {
        self.active.remove(name);
        self.tasks.remove(name).map(|entry| entry.details)
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
                step.change.apply(&mut entry.details);
                entry.details.updated_at = Some(Timestamp::from_unix(clock.unix_at(due)));
                entry.pending.pop_front();
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
        step.change.apply(&mut entry.details);
        entry.details.updated_at = Some(Timestamp::from_unix(clock.unix_now()));
        if entry.pending.is_empty() {
            self.active.remove(name);
        }
        Ok(entry.details.clone())
    }

    pub(crate) fn get(&self, name: &str) -> Option<&TaskDetails> {
        self.tasks.get(name).map(|entry| &entry.details)
    }

    pub(crate) fn all(&self) -> Vec<TaskDetails> {
        self.tasks.values().map(|entry| entry.details.clone()).collect()
    }

    /// Changes a task through `change`; its name stays as it is.
    pub(crate) fn update(
        &mut self,
        name: &str,
        clock: &Clock,
        change: impl FnOnce(&mut TaskDetails),
    ) -> crate::Result<TaskDetails> {
        let entry = self.tasks.get_mut(name).ok_or_else(|| unknown(name))?;
        let original_name = entry.details.name.clone();
        entry.details.updated_at = Some(Timestamp::from_unix(clock.unix_now()));
        change(&mut entry.details);
        entry.details.name = original_name;
        if let Some(created) = entry.details.created_at.as_ref().and_then(Timestamp::unix_seconds) {
            entry.created = created;
        }
        Ok(entry.details.clone())
    }

    /// One page of the tasks matching `query`, and how many match in all.
    pub(crate) fn list(&self, query: &ListQuery) -> TaskListResponse {
        let offset = usize::try_from(query.offset).unwrap_or(usize::MAX);
        let natural_order = query.order.iter().all(|key| key.field == SortField::Name && !key.descending);
        if natural_order && !query.filters() {
            // The common case, and the one large stores page through: no work beyond the page.
            let tasks =
                self.tasks.values().skip(offset).take(query.limit).map(|entry| entry.details.summary());
            return TaskListResponse::success(self.tasks.len() as u64, tasks.collect());
        }
        let matching = self.tasks.values().filter(|entry| self.matches(entry, query));
        let (total, page): (usize, Vec<&Entry>) = if natural_order {
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
            let mut all: Vec<&Entry> = matching.collect();
            // Stable sort over name-ordered input: ties stay in name order.
            all.sort_by(|a, b| compare(a, b, &query.order));
            let total = all.len();
            (total, all.into_iter().skip(offset).take(query.limit).collect())
        };
        let tasks = page.into_iter().map(|entry| entry.details.summary()).collect();
        TaskListResponse::success(total as u64, tasks)
    }

    fn matches(&self, entry: &Entry, query: &ListQuery) -> bool {
        let details = &entry.details;
        let kind = || details.name.parts().map(|parts| parts.kind_str());
        if let Some(app) = &query.app {
            let Some(app_name) = self.app_of(details) else { return false };
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

    /// The app part of a task's name: what follows `<org>-` in `<org>-<app>-<build>-<time>-<kind>`,
    /// or, for another org's prefix, what follows its first `-`.
    fn app_of<'a>(&self, details: &'a TaskDetails) -> Option<&'a str> {
        let parts = details.name.parts()?;
        parts.app_of_org(&self.org).or_else(|| parts.prefix().split_once('-').map(|(_, app)| app))
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
        let already_expired = entry.details.expired == Some(true);
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
        let before = (entry.details.status.clone(), entry.details.acknowledged, entry.details.expired);
        if flags.expired == Some(true) && !already_expired {
            entry.details.status = rockit_model::TaskStatus::Failed;
            entry.details.expired = Some(true);
            entry.details.acknowledged = Some(true);
            entry.pending.clear();
            self.active.remove(name);
        }
        if let Some(acknowledged) = flags.acknowledged {
            entry.details.acknowledged = Some(acknowledged);
        }
        let changed =
            before != (entry.details.status.clone(), entry.details.acknowledged, entry.details.expired);
        if changed {
            entry.details.updated_at = Some(Timestamp::from_unix(clock.unix_now()));
        }
        Ok(changed)
    }
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
            SortField::Name => a.details.name.as_str().cmp(b.details.name.as_str()),
            SortField::Status => a.details.status.as_str().cmp(b.details.status.as_str()),
            SortField::Service => a.details.service.as_str().cmp(b.details.service.as_str()),
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
    entry.details.name.parts().map_or("", |parts| parts.kind_str())
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

    #[test]
    fn substring_match_ignores_ascii_case() {
        assert!(contains_ignore_ascii_case("sushi", "USH"));
        assert!(contains_ignore_ascii_case("sushi", ""));
        assert!(!contains_ignore_ascii_case("sushi", "sushis"));
    }
}
