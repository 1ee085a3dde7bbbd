//! A prefetching stream and a resumed stream keep the listing's promise while tasks come and go
//! between pages: every task that exists throughout is yielded exactly once, in name order.

use std::collections::{BTreeSet, HashMap};

use futures_util::StreamExt;
use rockit_emulator::{Emulator, Fixture, Task};
use rockit_model::{ListTasks, Service, TaskName, TaskStatus};
use rockit_tasks::{StreamPosition, TaskStream};

use crate::support::{self, numbered, numbered_name};

const TASKS: usize = 300;

/// The tasks of the fixture still in the store: those that existed throughout the listing.
struct Listing {
    removed: BTreeSet<usize>,
    changes: usize,
}

impl Listing {
    fn new() -> Self {
        Self { removed: BTreeSet::new(), changes: 0 }
    }

    /// One round of changes around the cursor (the number of the last task yielded): two tasks
    /// before it removed and, every other round, one inserted there, so that offsets shift under
    /// the stream; one task after it removed and one inserted.
    fn change(&mut self, emulator: &Emulator, cursor: usize) {
        self.changes += 1;
        let round = self.changes;
        for skip in [round % 5, round % 3] {
            let before = (0..cursor).rev().skip(skip).find(|i| !self.removed.contains(i));
            if let Some(i) = before {
                self.remove(emulator, i);
            }
        }
        let after = cursor + 3 + round % 11;
        if after < TASKS && !self.removed.contains(&after) {
            self.remove(emulator, after);
        }
        if round.is_multiple_of(2) {
            emulator.insert(Task::new(
                numbered_name(cursor.saturating_sub(2), "mkraw"),
                Service::Engine,
                TaskStatus::Done,
            ));
        }
        emulator.insert(Task::new(numbered_name(cursor + 5, "mkpat"), Service::Engine, TaskStatus::Done));
    }

    fn remove(&mut self, emulator: &Emulator, i: usize) {
        assert!(emulator.remove(numbered_name(i, "dltar").as_str()).is_some(), "task {i} was there");
        self.removed.insert(i);
    }

    /// Removes the task called `name`, whatever its kind.
    fn remove_name(&mut self, emulator: &Emulator, name: &TaskName) {
        if emulator.remove(name.as_str()).is_some() && *name == numbered_name(number(name), "dltar") {
            self.removed.insert(number(name));
        }
    }

    fn survivors(&self) -> impl Iterator<Item = TaskName> + '_ {
        (0..TASKS).filter(|i| !self.removed.contains(i)).map(|i| numbered_name(i, "dltar"))
    }

    /// Every survivor yielded exactly once, nothing yielded twice, everything in name order.
    fn check(&self, yielded: &[TaskName]) {
        let mut counts: HashMap<&TaskName, usize> = HashMap::new();
        for name in yielded {
            *counts.entry(name).or_default() += 1;
        }
        let repeated: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).map(|(name, _)| *name).collect();
        assert!(repeated.is_empty(), "yielded more than once: {repeated:?}");
        let missing: Vec<_> = self.survivors().filter(|name| !counts.contains_key(name)).collect();
        assert!(missing.is_empty(), "existed throughout but never yielded: {missing:?}");
        assert!(yielded.windows(2).all(|pair| pair[0] < pair[1]), "not in name order");
        assert!(self.changes >= 10 && self.removed.len() >= 10, "the listing really changed");
    }
}

/// The number in `acme-game-NNNN-…`.
fn number(name: &TaskName) -> usize {
    name.parts().expect("numbered names follow the convention").build() as usize
}

/// Consumes `stream` to the end, changing the listing every `every` tasks.
async fn drain_changing(
    stream: &mut TaskStream,
    emulator: &Emulator,
    listing: &mut Listing,
    every: usize,
    yielded: &mut Vec<TaskName>,
) {
    let mut count: usize = 0;
    support::within(async {
        while let Some(task) = stream.next().await {
            let name = task.unwrap().name;
            count += 1;
            if count.is_multiple_of(every) {
                listing.change(emulator, number(&name));
            }
            yielded.push(name);
        }
    })
    .await;
}

async fn emulator() -> Emulator {
    Emulator::builder().fixture(Fixture::tasks(numbered(TASKS))).speed(0.0).start().await.unwrap()
}

#[tokio::test]
async fn a_prefetching_stream_yields_each_lasting_task_once_while_the_listing_changes() {
    let emulator = emulator().await;
    let tasks = support::tasks(&emulator);
    let mut listing = Listing::new();
    let mut yielded = Vec::new();
    let mut stream = tasks.stream_prefetch(ListTasks::new().limit(10));
    drain_changing(&mut stream, &emulator, &mut listing, 7, &mut yielded).await;
    listing.check(&yielded);
    let report = stream.report();
    assert!(report.total_changed && report.steps_back >= 1, "{report:?}");
    assert!(!report.may_have_missed(), "{report:?}");
}

#[tokio::test]
async fn a_resumed_stream_yields_each_lasting_task_once_while_the_listing_changes() {
    let emulator = emulator().await;
    let tasks = support::tasks(&emulator);
    let mut listing = Listing::new();
    let mut yielded = Vec::new();

    // A first listing stops part-way and saves its position.
    let mut first = tasks.stream(ListTasks::new().limit(10));
    while yielded.len() < 47 {
        let name = support::within(first.next()).await.expect("more tasks").unwrap().name;
        if yielded.len() % 9 == 8 {
            listing.change(&emulator, number(&name));
        }
        yielded.push(name);
    }
    let saved = serde_json::to_string(&first.position()).unwrap();
    drop(first);

    // While nobody lists, tasks before the saved cursor disappear (the last one yielded
    // included) and others appear on both sides of it.
    let last = yielded.last().unwrap().clone();
    for _ in 0..3 {
        listing.change(&emulator, number(&last));
    }
    listing.remove_name(&emulator, &last);

    // The resumed listing goes on from the saved position, the listing changing under it.
    let position: StreamPosition = serde_json::from_str(&saved).unwrap();
    let mut resumed = tasks.stream_from(ListTasks::new().limit(10), position);
    drain_changing(&mut resumed, &emulator, &mut listing, 7, &mut yielded).await;
    listing.check(&yielded);
    assert!(resumed.report().steps_back >= 1, "{:?}", resumed.report());
    assert!(!resumed.report().may_have_missed(), "{:?}", resumed.report());
}
