//! Helpers the CLI test files share.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Runs the `rvdbt` binary with `args`, stdin closed.
pub fn rvdbt(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rvdbt"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run rvdbt")
}

/// A bundled guest program, `tests/guest/<name>.elf`.
#[allow(dead_code)]
pub fn guest(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/guest")
        .join(format!("{name}.elf"))
}

/// Writes `bytes` to `name` in this test binary's scratch directory.
pub fn scratch(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "rvdbt-{}-{}",
        env!("CARGO_CRATE_NAME"),
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Asserts a clean usage/input error: exit 2, a message naming `needle`,
/// no panic; returns the message.
pub fn assert_input_error(out: &Output, needle: &str) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert!(
        err.contains(needle),
        "stderr should mention {needle:?}: {err}"
    );
    assert!(!err.contains("panicked"), "panic: {err}");
    err
}
