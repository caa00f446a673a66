//! The PLIC (`sifive,plic-1.0.0`): external interrupts for hart 0's M and S contexts.
//!
//! Layout as on QEMU's `virt`: source priorities at 0x0, pending bits at
//! 0x1000, per-context enables at 0x2000 + 0x80 * ctx, per-context threshold
//! and claim/complete at 0x20_0000 + 0x1000 * ctx. Context 0 drives MEIP,
//! context 1 drives SEIP. Sources are level-triggered: a source's gateway
//! forwards one request and waits for completion before forwarding another.

use softmmu::{BusError, MmioDevice};

use crate::hart::{irq, IrqLines};

/// Number of interrupt sources including the reserved source 0.
pub const NUM_SOURCES: usize = 96;
pub const NUM_CONTEXTS: usize = 2;
pub const PLIC_SIZE: u64 = 0x60_0000;
const PRIORITY_MASK: u32 = 7;
const WORDS: usize = NUM_SOURCES.div_ceil(32);

pub struct Plic {
    lines: IrqLines,
    priority: [u32; NUM_SOURCES],
    /// Input levels from devices.
    level: [bool; NUM_SOURCES],
    pending: [bool; NUM_SOURCES],
    /// Claimed and not yet completed.
    in_service: [bool; NUM_SOURCES],
    enable: [[u32; WORDS]; NUM_CONTEXTS],
    threshold: [u32; NUM_CONTEXTS],
}

impl Plic {
    pub fn new(lines: IrqLines) -> Plic {
        Plic {
            lines,
            priority: [0; NUM_SOURCES],
            level: [false; NUM_SOURCES],
            pending: [false; NUM_SOURCES],
            in_service: [false; NUM_SOURCES],
            enable: [[0; WORDS]; NUM_CONTEXTS],
            threshold: [0; NUM_CONTEXTS],
        }
    }

    /// Sets the input level of `source` (1..NUM_SOURCES).
    pub fn set_level(&mut self, source: usize, level: bool) {
        if source == 0 || source >= NUM_SOURCES {
            return;
        }
        self.level[source] = level;
        if level && !self.in_service[source] {
            self.pending[source] = true;
        }
        self.update();
    }

    /// One source's state, for `--stats`.
    pub fn source_state(&self, s: usize) -> String {
        format!(
            "level {} pending {} in-service {} priority {} enabled m/s {}/{} thresholds {}/{}",
            self.level[s],
            self.pending[s],
            self.in_service[s],
            self.priority[s],
            self.enabled(0, s),
            self.enabled(1, s),
            self.threshold[0],
            self.threshold[1]
        )
    }

    fn enabled(&self, ctx: usize, s: usize) -> bool {
        self.enable[ctx][s / 32] >> (s % 32) & 1 != 0
    }

    /// The highest-priority pending, enabled source above the threshold.
    fn best(&self, ctx: usize) -> Option<usize> {
        let mut best: Option<(u32, usize)> = None;
        for s in 1..NUM_SOURCES {
            let p = self.priority[s];
            if self.pending[s] && self.enabled(ctx, s) && p > self.threshold[ctx] {
                // Ties go to the lowest source number.
                if best.is_none_or(|(bp, _)| p > bp) {
                    best = Some((p, s));
                }
            }
        }
        best.map(|(_, s)| s)
    }

    fn update(&mut self) {
        self.lines.set(irq::MEIP, self.best(0).is_some());
        self.lines.set(irq::SEIP, self.best(1).is_some());
    }

    fn claim(&mut self, ctx: usize) -> u32 {
        match self.best(ctx) {
            Some(s) => {
                self.pending[s] = false;
                self.in_service[s] = true;
                self.update();
                s as u32
            }
            None => 0,
        }
    }

    fn complete(&mut self, ctx: usize, source: u64) {
        let s = source as usize;
        if s == 0 || s >= NUM_SOURCES || !self.enabled(ctx, s) {
            return;
        }
        self.in_service[s] = false;
        if self.level[s] {
            self.pending[s] = true;
        }
        self.update();
    }
}

impl MmioDevice for Plic {
    fn read(&mut self, offset: u64, size: u8) -> Result<u64, BusError> {
        if size != 4 {
            return Err(BusError);
        }
        let o = offset as usize;
        Ok(match o {
            0..0x1000 => self.priority.get(o / 4).copied().unwrap_or(0) as u64,
            0x1000..0x2000 => {
                let w = (o - 0x1000) / 4;
                let mut v = 0u32;
                for b in 0..32 {
                    if self.pending.get(w * 32 + b).copied().unwrap_or(false) {
                        v |= 1 << b;
                    }
                }
                v as u64
            }
            0x2000..0x20_0000 => {
                let (ctx, w) = ((o - 0x2000) / 0x80, (o - 0x2000) % 0x80 / 4);
                self.enable
                    .get(ctx)
                    .and_then(|e| e.get(w))
                    .copied()
                    .unwrap_or(0) as u64
            }
            _ => {
                let (ctx, r) = ((o - 0x20_0000) / 0x1000, (o - 0x20_0000) % 0x1000);
                match (ctx < NUM_CONTEXTS, r) {
                    (true, 0) => self.threshold[ctx] as u64,
                    (true, 4) => self.claim(ctx) as u64,
                    _ => 0,
                }
            }
        })
    }

    fn write(&mut self, offset: u64, size: u8, value: u64) -> Result<(), BusError> {
        if size != 4 {
            return Err(BusError);
        }
        let o = offset as usize;
        let v = value as u32;
        match o {
            0..0x1000 => {
                if let Some(p) = self.priority.get_mut(o / 4) {
                    if o >= 4 {
                        *p = v & PRIORITY_MASK;
                    }
                }
            }
            0x1000..0x2000 => {} // Pending bits are read-only.
            0x2000..0x20_0000 => {
                let (ctx, w) = ((o - 0x2000) / 0x80, (o - 0x2000) % 0x80 / 4);
                if let Some(e) = self.enable.get_mut(ctx).and_then(|e| e.get_mut(w)) {
                    // Source 0 does not exist.
                    *e = if w == 0 { v & !1 } else { v };
                }
            }
            _ => {
                let (ctx, r) = ((o - 0x20_0000) / 0x1000, (o - 0x20_0000) % 0x1000);
                match (ctx < NUM_CONTEXTS, r) {
                    (true, 0) => self.threshold[ctx] = v & PRIORITY_MASK,
                    (true, 4) => self.complete(ctx, value),
                    _ => {}
                }
            }
        }
        self.update();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claim_complete_cycle_with_priorities_and_threshold() {
        let lines = IrqLines::default();
        let mut p = Plic::new(lines.clone());
        p.write(4 * 10, 4, 1).unwrap();
        p.write(4 * 3, 4, 5).unwrap();
        p.write(0x2000, 4, (1 << 10) | (1 << 3)).unwrap();
        p.set_level(10, true);
        assert_eq!(lines.get() & irq::MEIP, irq::MEIP);
        p.set_level(3, true);
        assert_eq!(p.read(0x20_0004, 4), Ok(3), "higher priority first");
        assert_eq!(p.read(0x20_0004, 4), Ok(10));
        assert_eq!(lines.get() & irq::MEIP, 0, "both in service");
        p.write(0x20_0000, 4, 5).unwrap();
        p.set_level(3, false);
        p.write(0x20_0004, 4, 3).unwrap();
        p.write(0x20_0004, 4, 10).unwrap();
        assert_eq!(
            lines.get() & irq::MEIP,
            0,
            "source 10 (prio 1) below threshold 5"
        );
        p.write(0x20_0000, 4, 0).unwrap();
        assert_eq!(
            lines.get() & irq::MEIP,
            irq::MEIP,
            "level still high: re-pended"
        );
        assert_eq!(lines.get() & irq::SEIP, 0, "not enabled for S");
    }
}
