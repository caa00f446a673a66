//! Boots Linux (Debian's kernel and OpenSBI, fetched by `benches/linux/fetch.sh`) to its root-fs panic under every engine.
//!
//! Each engine is its own test, so libtest runs them two at a time on two
//! cores. Each runs `rvdbt run` (built in this test's profile) as a child
//! process, killed if it has not reached the panic line by its deadline.
//! Without the payloads the tests pass with a note, except under CI (`CI`
//! set), where `.ci/run` fetches them and their absence is a failure.

use std::io::Write;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use rvdbt_benches::boot::{
    build_rvdbt, payloads_for_test, run_child, rvdbt_boot, Ending, Payloads, Stats, PANIC_LINE,
};

/// Far above any engine's boot time in the dev profile (the reference
/// interpreter's, the slowest: about 90 s alone on a 2-core host, 110 s
/// beside another boot), so only a hang trips it, and a hang still leaves
/// CI inside its time.
const TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// Writes to stderr past libtest's capture (which takes `eprintln!`), so
/// a plain `cargo test` shows the line.
fn note(line: &str) {
    let _ = writeln!(std::io::stderr(), "linux_boot: {line}");
}

/// The payloads, or None (after saying why, once) when the tests are to be skipped.
fn payloads() -> Option<Payloads> {
    payloads_for_test(&[], note)
}

/// `rvdbt`, built once for all the tests.
fn rvdbt() -> &'static PathBuf {
    static RVDBT: OnceLock<PathBuf> = OnceLock::new();
    RVDBT.get_or_init(|| build_rvdbt().unwrap_or_else(|e| panic!("building rvdbt: {e}")))
}

fn boot(engine: &str) {
    let Some(payloads) = payloads() else { return };
    let mut cmd = rvdbt_boot(rvdbt(), engine, &payloads);
    let run = run_child(&mut cmd, None, TIMEOUT).expect("spawning rvdbt");
    let failure = || format!("{engine}: {}", run.describe_failure());
    assert!(
        matches!(run.ending, Ending::Exited(s) if s.success()),
        "{}",
        failure()
    );
    assert!(run.stdout.contains("Linux version 6.12"), "{}", failure());
    assert!(run.stdout.contains(PANIC_LINE), "{}", failure());
    let insns = Stats::parse(&run.stderr).insns.unwrap_or(0);
    assert!(
        insns > 100_000_000,
        "{engine}: {insns} instructions (--stats), expected over 100 million; {}",
        failure()
    );
    let secs = run.secs;
    note(&format!(
        "{engine}: reached the panic line in {secs:.1} s, {insns} instructions"
    ));
}

#[test]
fn boot_reference() {
    boot("reference");
}

#[test]
fn boot_interp() {
    boot("interp");
}

#[test]
fn boot_jit() {
    boot("jit");
}

#[test]
fn boot_tiered() {
    boot("tiered");
}
