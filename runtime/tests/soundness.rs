//! Regression tests of the soundness issue's memory-safety half: generated
//! code must never use TLB state that a helper flushed or resized in the
//! middle of a block. The guest programs `wg_walk_revoke` and
//! `iopmp_walk_revoke` make a page walk's A update reprogram a checker (and
//! grow the TLB) inside a block; their behaviour (every later access
//! blocked) is checked under every engine by `tests/tests/guests.rs`. Here
//! the JIT runs them under valgrind, which reported invalid reads of the
//! freed fast table before the fix.

use std::path::Path;
use std::process::{Command, Stdio};

fn have_valgrind() -> bool {
    Command::new("valgrind")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn run_under_valgrind(program: &str, flag: &str) {
    let elf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/guest")
        .join(format!("{program}.elf"));
    let out = Command::new("valgrind")
        .args(["-q", "--error-exitcode=99"])
        .arg(env!("CARGO_BIN_EXE_rvdbt"))
        .args(["run", "--engine", "jit", flag])
        .arg(&elf)
        .stdin(Stdio::null())
        .output()
        .expect("run valgrind");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains("Invalid read") && !err.contains("Invalid write"),
        "{program}: valgrind found invalid accesses:\n{err}"
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{program}: exit status (99 = valgrind errors)\n{err}"
    );
}

#[test]
fn jit_never_reads_a_tlb_freed_mid_block_valgrind() {
    if !have_valgrind() {
        // CI installs valgrind (.ci/run); there this test must run.
        assert!(
            std::env::var_os("CI").is_none(),
            "valgrind is not installed but CI is set"
        );
        eprintln!("NOT RUN: valgrind is not installed (apt-get install valgrind)");
        return;
    }
    run_under_valgrind("wg_walk_revoke", "--worldguard");
    run_under_valgrind("iopmp_walk_revoke", "--iopmp");
}
