//! Runs every guest program of the manifest under every engine and checks its exit status and output.

use runtime::RunExit;
use rvdbt_tests::{manifest, run_guest_args, ENGINES};

/// Generous: the longest program runs a few million instructions.
const MAX_INSNS: u64 = 200_000_000;

#[test]
fn every_guest_program_passes_under_every_engine() {
    let programs = manifest();
    assert!(programs.len() >= 10, "manifest lists too few programs");
    let mut failures = Vec::new();
    for p in &programs {
        for engine in ENGINES {
            let o = run_guest_args(&p.elf, &p.args, engine, MAX_INSNS, &mut |_| {});
            let ok_exit = o.exit == RunExit::Exited(p.expected_exit);
            let ok_out = o.output == p.expected_output;
            println!(
                "{:<16} {:<9} exit={:?} insns={} {}",
                p.name,
                format!("{engine:?}"),
                o.exit,
                o.insns,
                if ok_exit && ok_out { "ok" } else { "FAIL" }
            );
            if !ok_exit {
                failures.push(format!(
                    "{} ({engine:?}): exit {:?}, expected {}",
                    p.name, o.exit, p.expected_exit
                ));
            }
            if !ok_out {
                failures.push(format!(
                    "{} ({engine:?}): output differs\n--- got ---\n{}\n--- expected ---\n{}",
                    p.name,
                    String::from_utf8_lossy(&o.output),
                    String::from_utf8_lossy(&p.expected_output)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
