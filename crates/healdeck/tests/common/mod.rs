//! What several integration tests share.

#![allow(dead_code)]

pub(crate) mod llm;
pub(crate) mod venv;
