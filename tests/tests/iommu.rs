//! IOMMU acceptance checks that need the machine's counters, not just a
//! guest's exit code: lazy, access-typed translation keeps reads of a
//! read-only page in generated code while every write goes to the checker.

use runtime::machine::Engine;
use runtime::RunExit;
use rvdbt_tests::{guest_dir, run_guest_args};

const MAX_INSNS: u64 = 200_000_000;
/// Loads and stores `wg_alternate` makes on its read-only page.
const ALTERNATIONS: u64 = 1_000_000;

#[test]
fn alternating_reads_and_writes_on_a_read_only_page_do_not_thrash() {
    let elf = guest_dir().join("wg_alternate.elf");
    let args = ["--worldguard".to_string()];
    for engine in [Engine::Interp, Engine::Jit, Engine::Tiered] {
        let mut stats = None;
        let mut jit_runs = 0;
        let o = run_guest_args(&elf, &args, engine, MAX_INSNS, &mut |m| {
            stats = Some(m.mmu.stats);
            jit_runs = m.jit.as_ref().map_or(0, |j| j.stats.tb_runs);
        });
        assert_eq!(o.exit, RunExit::Exited(0), "{engine:?}: {:?}", o.output);
        let s = stats.expect("the run ends");
        println!("{engine:?}: {s:?}, TB runs {jit_runs}");
        // Every write reaches the checker (through the slow path)...
        assert!(
            s.iommu_slow[1] >= ALTERNATIONS && s.iommu_blocked >= ALTERNATIONS,
            "{engine:?}: writes bypassed the checker: {s:?}"
        );
        // ...while reads were translated once and then stayed on the fast
        // path (under the JIT: in generated code, whose inline compare
        // would otherwise fail into the helper and be counted here): a
        // handful of slow reads for the whole program, not one per
        // iteration.
        assert!(
            s.iommu_slow[0] <= 16,
            "{engine:?}: reads keep taking the IOMMU slow path: {s:?}"
        );
        assert!(
            s.iommu_translations[1] < 100,
            "{engine:?}: the write answer is not kept: {s:?}"
        );
        if engine == Engine::Jit {
            assert!(jit_runs > 0, "generated code ran");
        }
    }
}
