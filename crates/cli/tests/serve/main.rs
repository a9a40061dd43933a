//! The bank over HTTP, tested through the real `hashbank` binary on SQLite
//! and on PostgreSQL (`HASHBANK_TEST_POSTGRES`, set up by
//! `bash scripts/test.sh`; the PostgreSQL tests fail without it).

mod api;
mod audit_chain;
mod auth;
mod crash;
mod erasure;
mod exchange;
mod feed_mixing;
mod finds;
mod labels;
mod limits;
mod lists;
mod lockout;
mod memory;
mod operator;
mod restart;
mod shared;
mod statements;
mod stopncii;
mod support;
mod suspend;
mod transport;
mod validation;
mod values;
mod videos;
