//! The client progenitor generates from `openapi/box-openapi.json` at build time.
//!
//! It is private: the facade in `managers` is the public API, and `transport`
//! implements the hooks every generated operation calls. Items the facade does not
//! use yet (progenitor emits a `prelude` and every component type) are expected,
//! hence the allowances below.

#![allow(dead_code, unused_imports, missing_docs, clippy::all)]

// progenitor emits `self.client.options(url)` for OPTIONS operations, and
// reqwest's client has no such method; this extension supplies it, so that the
// generated code compiles unedited.
use crate::transport::OptionsMethod;

include!(concat!(env!("OUT_DIR"), "/box_client.rs"));
