//! A Box Platform API client generated from Box's OpenAPI spec.
//!
//! Pipeline: `cargo xtask spec update` slices the operations this crate exposes out
//! of Box's published spec into `openapi/box-openapi.json`; build.rs generates a
//! typed client from it with progenitor (the private `generated` module); every
//! generated operation sends its requests through `transport`.

#![deny(missing_docs)]

mod generated;
pub mod network;
mod transport;

#[cfg(test)]
mod tests;
