//! The decoded-instruction cache: instructions are decoded once per physical page.
//!
//! Each main-RAM page that the hart executes from gets an array of decoded
//! slots, one per 2-byte position, filled lazily. The cache remembers the
//! page the pc is on (virtual page, MMU index and TLB generation), so code
//! that stays on one page is fetched without any TLB lookup. Pages are
//! marked as code in softmmu; a write to one (self-modifying code, a loader
//! in the guest) is reported by `Mmu::take_dirty_code` and drops the page.
//!
//! Code outside main RAM (the boot ROM) and 32-bit instructions straddling
//! a page boundary are fetched and decoded on every execution.

use std::collections::HashMap;

use frontend_riscv::{decode, Decoded, Insn};
use softmmu::tlb::PAGE_MASK;
use softmmu::{GuestPhysAddr, GuestVirtAddr, Mmu, MmuIdx};

use crate::hart::walk::Walker;
use crate::hart::{Exception, Hart};
use crate::interp;

const SLOTS: usize = 2048;
const EMPTY: Decoded = Decoded {
    insn: Insn::Illegal,
    raw: 0,
    len: 0,
};

struct Page {
    pa_page: u64,
    slots: Box<[Decoded; SLOTS]>,
}

/// The page the pc is on, valid while the TLB generation is unchanged.
#[derive(Clone, Copy)]
struct Current {
    va_page: u64,
    idx: MmuIdx,
    generation: u64,
    /// Index into `pages`, or `None` for uncacheable code (not main RAM).
    page: Option<usize>,
}

/// Counters of the decoded-instruction cache.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ICacheStats {
    pub decoded: u64,
    pub page_entries: u64,
    pub invalidated_pages: u64,
}

pub struct DecodeCache {
    pages: Vec<Page>,
    free: Vec<usize>,
    by_phys: HashMap<u64, usize>,
    current: Option<Current>,
    /// Holds an instruction fetched outside the cache, so `fetch` can
    /// always return a reference.
    scratch: Decoded,
    pub stats: ICacheStats,
}

impl Default for DecodeCache {
    fn default() -> Self {
        DecodeCache {
            pages: Vec::new(),
            free: Vec::new(),
            by_phys: HashMap::new(),
            current: None,
            scratch: EMPTY,
            stats: ICacheStats::default(),
        }
    }
}

impl DecodeCache {
    /// Fetches and decodes the instruction at the hart's pc. Returns a
    /// reference so the hot path copies nothing.
    #[inline]
    pub fn fetch(&mut self, hart: &mut Hart, mmu: &mut Mmu) -> Result<&Decoded, Exception> {
        let pc = hart.state.pc;
        let idx = hart.fetch_idx();
        let cur = match self.current {
            Some(c)
                if c.va_page == pc & PAGE_MASK
                    && c.idx == idx
                    && c.generation == mmu.generation() =>
            {
                c
            }
            _ => self.enter_page(hart, mmu, pc, idx)?,
        };
        let Some(page) = cur.page else {
            self.scratch = interp::fetch(hart, mmu)?;
            return Ok(&self.scratch);
        };
        let off = (pc & !PAGE_MASK) as usize;
        if self.pages[page].slots[off >> 1].len == 0 {
            return self.decode_slot(hart, mmu, page, off);
        }
        Ok(&self.pages[page].slots[off >> 1])
    }

    #[cold]
    fn decode_slot(
        &mut self,
        hart: &mut Hart,
        mmu: &mut Mmu,
        page: usize,
        off: usize,
    ) -> Result<&Decoded, Exception> {
        let pa = GuestPhysAddr(self.pages[page].pa_page + off as u64);
        let lo = mmu.space.read(pa, 2).unwrap_or(0) as u32;
        if lo & 3 == 3 && off == SLOTS * 2 - 2 {
            // Straddles the page end: the next page needs its own translation.
            self.scratch = interp::fetch(hart, mmu)?;
            return Ok(&self.scratch);
        }
        let raw = if lo & 3 == 3 {
            mmu.space.read(pa, 4).unwrap_or(0) as u32
        } else {
            lo
        };
        self.pages[page].slots[off >> 1] = decode(raw);
        self.stats.decoded += 1;
        Ok(&self.pages[page].slots[off >> 1])
    }

    #[cold]
    fn enter_page(
        &mut self,
        hart: &mut Hart,
        mmu: &mut Mmu,
        pc: u64,
        idx: MmuIdx,
    ) -> Result<Current, Exception> {
        self.stats.page_entries += 1;
        let pa = mmu.translate_code(&mut Walker::new(hart), idx, GuestVirtAddr(pc))?;
        let pa_page = pa.0 & PAGE_MASK;
        let page = if mmu.space.is_ram(GuestPhysAddr(pa_page), 1 << 12) {
            mmu.mark_code(pa);
            Some(match self.by_phys.get(&pa_page) {
                Some(&i) => i,
                None => self.alloc(pa_page),
            })
        } else {
            None
        };
        let cur = Current {
            va_page: pc & PAGE_MASK,
            idx,
            generation: mmu.generation(),
            page,
        };
        self.current = Some(cur);
        Ok(cur)
    }

    fn alloc(&mut self, pa_page: u64) -> usize {
        let i = match self.free.pop() {
            Some(i) => {
                self.pages[i].pa_page = pa_page;
                i
            }
            None => {
                self.pages.push(Page {
                    pa_page,
                    slots: Box::new([EMPTY; SLOTS]),
                });
                self.pages.len() - 1
            }
        };
        self.by_phys.insert(pa_page, i);
        i
    }

    /// Drops the pages softmmu reports as written since they were decoded.
    pub fn invalidate_dirty(&mut self, mmu: &mut Mmu) {
        for pa in mmu.take_dirty_code() {
            if let Some(i) = self.by_phys.remove(&pa.0) {
                self.pages[i].slots.fill(EMPTY);
                self.free.push(i);
                self.stats.invalidated_pages += 1;
                if self.current.is_some_and(|c| c.page == Some(i)) {
                    self.current = None;
                }
            }
        }
    }
}
