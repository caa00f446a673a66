//! Code that keeps writing next to itself must not make the JIT recompile
//! its page after every store (a compile storm: ~0.2 ms of Cranelift per
//! store), and code that patches itself must run the new instructions.

use runtime::machine::Engine;
use runtime::RunExit;
use rvdbt_tests::{guest_dir, run_guest_args};

/// Loop iterations of `smc_storm`'s first test: each writes its code page.
const STORES: u64 = 20_000;

#[test]
fn a_page_written_again_and_again_is_not_recompiled_every_time() {
    let elf = guest_dir().join("smc_storm.elf");
    for engine in [Engine::Jit, Engine::Tiered] {
        let mut compiled = 0;
        let mut invalidated = 0;
        let o = run_guest_args(&elf, &[], engine, 50_000_000, &mut |m| {
            let j = m.jit.as_ref().expect("a JIT engine");
            compiled = j.jit_stats().compiled;
            invalidated = j.stats.invalidated_tbs;
        });
        assert_eq!(o.exit, RunExit::Exited(0), "{engine:?}: {:?}", o.output);
        println!("{engine:?}: {compiled} TBs compiled, {invalidated} invalidated");
        assert!(
            compiled < STORES / 10,
            "{engine:?}: {compiled} TBs compiled for {STORES} stores into the code page"
        );
    }
}
