//! The crate's one error type: what is wrong with a value that failed validation.

use crate::wire::MAX_TASK_NAME_LEN;

/// Everything that can go wrong in `rockit-model`: a string that is not a valid value of one of its
/// validated types. Decoding JSON fails with `serde_json`'s own error, as serde requires.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A string is not a valid [`TaskName`](crate::TaskName).
    #[error("invalid task name {shown}: {reason}")]
    InvalidTaskName {
        /// The rejected input, quoted and escaped, shortened if long.
        shown: String,
        /// What is wrong with it.
        reason: TaskNameError,
    },
    /// A string is not a sort key (`+field`, `-field` or `field`).
    #[error("invalid sort key {shown}: write a field name, with a leading - for descending, like -created")]
    InvalidOrder {
        /// The rejected input, quoted and escaped.
        shown: String,
    },
    /// A string is not a build (`sushi/3`, `sushi 0003`).
    #[error("invalid build {shown}: {reason}")]
    InvalidBuildId {
        /// The rejected input, quoted and escaped, shortened if long.
        shown: String,
        /// What is wrong with it, and how to write it instead.
        reason: String,
    },
}

/// `Result` with this crate's [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn invalid_task_name(input: &str, reason: TaskNameError) -> Self {
        Self::InvalidTaskName { shown: shown(input), reason }
    }

    pub(crate) fn invalid_order(input: &str) -> Self {
        Self::InvalidOrder { shown: shown(input) }
    }

    pub(crate) fn invalid_build_id(input: &str, reason: impl Into<String>) -> Self {
        Self::InvalidBuildId { shown: shown(input), reason: reason.into() }
    }

    /// What is wrong with a rejected task name; `None` for other errors.
    pub fn task_name_error(&self) -> Option<&TaskNameError> {
        match self {
            Self::InvalidTaskName { reason, .. } => Some(reason),
            _ => None,
        }
    }
}

/// The input quoted and escaped as Rust debug-prints it, cut after 64 bytes.
fn shown(input: &str) -> String {
    const SHOWN: usize = 64;
    if input.len() > SHOWN {
        let mut end = SHOWN;
        while !input.is_char_boundary(end) {
            end -= 1;
        }
        format!("{:?}…", &input[..end])
    } else {
        format!("{input:?}")
    }
}

/// What is wrong with a rejected task name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TaskNameError {
    /// The name is empty.
    #[error("it is empty; pass the full name as listed by `tasks list`")]
    Empty,
    /// The name is longer than [`MAX_TASK_NAME_LEN`] bytes.
    #[error("it is {len} bytes long; task names are at most {MAX_TASK_NAME_LEN} bytes")]
    TooLong {
        /// The length of the rejected name, in bytes.
        len: usize,
    },
    /// The name is `.` or `..`, which would address another path level.
    #[error("`.` and `..` are not task names")]
    DotSegment,
    /// The name holds a character that is not allowed.
    #[error(
        "it contains {ch:?} at byte {index}; task names cannot hold whitespace, control characters, '/', '\\', '?', '#' or '%'"
    )]
    ForbiddenChar {
        /// The offending character.
        ch: char,
        /// Its byte offset in the name.
        index: usize,
    },
}
