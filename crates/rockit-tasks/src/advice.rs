//! What a build's state means for the people and programs looking at it: where each stage of the
//! pipeline stands (`StageSlot`, a stage that did not run while a later one did is skipped), and
//! what to do next (`NextStep`). Decided here so that every display, the CLI's and an SDK user's,
//! gives the same advice; rendering them is the display's job.

use rockit_model::{STAGE_ORDER, TaskKind, TaskName, TaskStatus};

use crate::build::{Build, BuildState, Stage};

/// Where one stage of the pipeline stands in a build ([`Build::stage_slot`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StageSlot<'a> {
    /// The stage has tasks.
    Reached(&'a Stage),
    /// The stage has none, but a later stage ran: the pipeline skipped it (a first build has no
    /// `mkpat`).
    Skipped,
    /// The stage has none and no later stage ran (yet).
    NotReached,
}

/// Something to do about a build ([`Build::next_steps`]), with the task it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NextStep {
    /// Expire an attempt that a newer one superseded but that is still pending or running.
    ExpireStuck {
        /// The stuck attempt.
        task: TaskName,
        /// Its status.
        status: TaskStatus,
    },
    /// Expire a failed upload (`dltar`) before uploading again.
    ExpireFailedUpload {
        /// The failed upload.
        task: TaskName,
    },
    /// Upload the build again, then wait for it: a download is not retried by itself.
    UploadAgain,
    /// Retry the failed step (`POST /be/v1/trigger`), then wait through the retry.
    RetryStage {
        /// The failed stage.
        stage: TaskKind,
    },
    /// Wait for the pipeline, which is still running.
    Wait,
    /// Review a warning, then acknowledge it.
    Acknowledge {
        /// The task with the warning.
        task: TaskName,
    },
}

impl Build {
    /// Where the stage of `kind` stands.
    pub fn stage_slot(&self, kind: &TaskKind) -> StageSlot<'_> {
        if let Some(stage) = self.stage(kind) {
            return StageSlot::Reached(stage);
        }
        let index = kind.stage_index();
        if self.stages().iter().any(|stage| stage.kind().stage_index() > index) {
            StageSlot::Skipped
        } else {
            StageSlot::NotReached
        }
    }

    /// Every stage of the pipeline in order ([`STAGE_ORDER`]), with where it stands.
    pub fn stage_slots(&self) -> impl Iterator<Item = (&'static TaskKind, StageSlot<'_>)> {
        STAGE_ORDER.iter().map(|kind| (kind, self.stage_slot(kind)))
    }

    /// What to do about the build: expire stuck attempts; after a failure, expire a failed upload
    /// and upload again, or retry the failed step; wait for a running build; acknowledge the
    /// warnings nobody acknowledged (but those of attempts to expire, which expiring
    /// acknowledges).
    pub fn next_steps(&self) -> Vec<NextStep> {
        let mut steps: Vec<NextStep> = self
            .stuck_attempts()
            .map(|stuck| NextStep::ExpireStuck { task: stuck.name.clone(), status: stuck.status.clone() })
            .collect();
        match self.state() {
            BuildState::Failed { stage: TaskKind::Dltar } => {
                if let Some(upload) = self.stage(&TaskKind::Dltar) {
                    steps.push(NextStep::ExpireFailedUpload { task: upload.current().name.clone() });
                }
                steps.push(NextStep::UploadAgain);
            }
            BuildState::Expired { stage: TaskKind::Dltar } => steps.push(NextStep::UploadAgain),
            BuildState::Failed { stage } | BuildState::Expired { stage } => {
                steps.push(NextStep::RetryStage { stage });
            }
            BuildState::Running | BuildState::Waiting { .. } => steps.push(NextStep::Wait),
            _ => {}
        }
        if let Some(names) = self.unacknowledged_warnings() {
            let expiring: Vec<&TaskName> = self.stuck_attempts().map(|task| &task.name).collect();
            steps.extend(
                names
                    .iter()
                    .filter(|name| !expiring.contains(name))
                    .map(|name| NextStep::Acknowledge { task: name.clone() }),
            );
        }
        steps
    }
}

#[cfg(test)]
mod tests {
    use rockit_model::{BuildId, Service, TaskSummary};

    use super::*;

    fn build(tasks: &[(&str, TaskStatus)]) -> Build {
        let tasks = tasks
            .iter()
            .map(|(name, status)| TaskSummary::new(name.parse().unwrap(), Service::Engine, status.clone()));
        Build::from_tasks(BuildId::new("pho", 1).unwrap(), Some("ExampleOrg"), tasks)
    }

    fn name(raw: &str) -> TaskName {
        raw.parse().unwrap()
    }

    const DLTAR: &str = "exampleorg-pho-0001-1700000000-dltar";
    const RETRY: &str = "exampleorg-pho-0001-1700000100-dltar";
    const MKRAW: &str = "exampleorg-pho-0001-1700000200-mkraw";
    const MKDXF: &str = "exampleorg-pho-0001-1700000300-mkdxf";

    #[test]
    fn a_stage_between_two_that_ran_was_skipped_and_one_after_them_is_not_reached() {
        use TaskStatus::Done;
        let first = build(&[(DLTAR, Done), (MKRAW, Done), (MKDXF, Done)]);
        assert!(
            matches!(first.stage_slot(&TaskKind::Mkraw), StageSlot::Reached(stage) if stage.kind() == &TaskKind::Mkraw)
        );
        assert_eq!(first.stage_slot(&TaskKind::Mkpat), StageSlot::Skipped);
        assert_eq!(first.stage_slot(&TaskKind::Publish), StageSlot::NotReached);
        let slots: Vec<_> = first
            .stage_slots()
            .map(|(kind, slot)| (kind.as_str(), matches!(slot, StageSlot::Reached(_))))
            .collect();
        assert_eq!(slots.len(), STAGE_ORDER.len());
        assert_eq!(slots[0], ("dltar", true));
        assert_eq!(build(&[]).stage_slot(&TaskKind::Dltar), StageSlot::NotReached);
    }

    #[test]
    fn a_failed_upload_is_expired_and_uploaded_again_an_expired_one_only_uploaded_again() {
        assert_eq!(
            build(&[(DLTAR, TaskStatus::Failed)]).next_steps(),
            [NextStep::ExpireFailedUpload { task: name(DLTAR) }, NextStep::UploadAgain]
        );
        assert_eq!(build(&[(DLTAR, TaskStatus::Expired)]).next_steps(), [NextStep::UploadAgain]);
    }

    #[test]
    fn a_failed_step_is_retried_a_running_build_waited_for_a_finished_one_left_alone() {
        use TaskStatus::{Done, Failed, Running};
        assert_eq!(
            build(&[(DLTAR, Done), (MKRAW, Failed)]).next_steps(),
            [NextStep::RetryStage { stage: TaskKind::Mkraw }]
        );
        assert_eq!(build(&[(DLTAR, Done), (MKRAW, Running)]).next_steps(), [NextStep::Wait]);
        assert_eq!(build(&[(DLTAR, Done), (MKRAW, Done)]).next_steps(), []);
    }

    #[test]
    fn stuck_attempts_are_expired_and_their_warnings_not_acknowledged_on_top() {
        use TaskStatus::{Done, Pending};
        let mut stuck = build(&[(DLTAR, Pending), (RETRY, Done), (MKRAW, Done)]);
        let warned = [name(DLTAR), name(MKRAW)].into_iter().collect();
        stuck.set_warnings(&crate::WarningMarks::new(warned, std::collections::HashSet::new()));
        assert_eq!(
            stuck.next_steps(),
            [
                NextStep::ExpireStuck { task: name(DLTAR), status: Pending },
                NextStep::Acknowledge { task: name(MKRAW) },
            ]
        );
    }
}
