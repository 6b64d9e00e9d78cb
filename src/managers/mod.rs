//! The facade: one manager per group of Box operations, with the names and
//! signatures Box documents for its SDKs.
//!
//! A manager method checks its arguments, then runs one generated operation through
//! the shared transport; it holds no wire format of its own.

pub mod file_metadata;
pub mod session_termination;
pub mod users;
