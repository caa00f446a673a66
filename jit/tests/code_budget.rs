//! The code cache's budget counts the memory TBs occupy (whole pages each,
//! as `cranelift-jit` finalizes them), so a compile storm is flushed before
//! it holds more than `CODE_BUDGET` bytes of code memory.

use frontend_riscv::decode;
use jit::cache::{footprint, CodeCache, JitOptions, CODE_BUDGET, CODE_PAGE};
use jit::translate::TbSource;
use softmmu::GuestVirtAddr;

#[test]
fn every_tb_is_charged_whole_pages() {
    assert_eq!(footprint(1), CODE_PAGE);
    assert_eq!(footprint(CODE_PAGE), CODE_PAGE);
    assert_eq!(footprint(CODE_PAGE + 1), 2 * CODE_PAGE);
    let mut cache = CodeCache::new(JitOptions::default()).expect("host ISA");
    for i in 0..8u64 {
        let src = TbSource {
            pc: GuestVirtAddr(0x8000_1000 + 4 * i),
            insns: vec![decode(0xff85_b503)], // ld a0, -8(a1)
            data_idx: 1,
            fetch_idx: 1,
            cells: [0, 0],
            fp_dirty: false,
            more: Vec::new(),
            prof: None,
            exits: None,
        };
        cache.compile(&src).expect("compiles");
    }
    let s = cache.stats;
    assert_eq!(s.compiled, 8);
    assert!(
        s.code_bytes < 8 * CODE_PAGE,
        "small TBs: {} bytes",
        s.code_bytes
    );
    assert_eq!(s.footprint, 8 * CODE_PAGE, "one page each");
    assert!(!cache.is_full());
}

// A generation is full after CODE_BUDGET / CODE_PAGE small TBs, not after
// CODE_BUDGET bytes of code (ten times as many TBs).
const _: () = assert!(CODE_BUDGET / CODE_PAGE <= 32 * 1024);
