//! What the `hashbank hash` tests share: running the binary, reading its
//! JSON lines, and scratch folders.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

/// Runs `hashbank` with `args`.
pub fn hashbank(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hashbank"))
        .args(args)
        .output()
        .expect("run hashbank")
}

/// The JSON lines `hashbank` wrote.
pub fn lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

/// An empty folder of this test process's own, named `name`.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hashbank-hash-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
