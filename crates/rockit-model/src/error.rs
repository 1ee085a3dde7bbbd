//! The crate's error type.

use crate::task_name::InvalidTaskName;

/// Everything that can go wrong in `rockit-model`: validating input and encoding or decoding JSON.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A string is not a valid task name.
    #[error(transparent)]
    InvalidTaskName(#[from] InvalidTaskName),
    /// JSON could not be encoded or decoded.
    #[error("invalid JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// `Result` with this crate's [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
