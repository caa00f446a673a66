//! The CLINT (`riscv,clint0`): machine timer and software interrupts.
//!
//! `mtime` runs at 10 MHz from the host's monotonic clock, like QEMU's
//! `virt`. The timer line (MTIP) is recomputed on every `mtimecmp` write and
//! whenever the run loop polls ([`Clint::update`]).

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use softmmu::{BusError, MmioDevice};

use super::{reg_read, reg_write};
use crate::hart::{irq, IrqLines};

pub const MTIME_HZ: u64 = 10_000_000;
const MSIP: u64 = 0x0;
const MTIMECMP: u64 = 0x4000;
const MTIME: u64 = 0xbff8;
pub const CLINT_SIZE: u64 = 0x10000;

/// The guest time base: ticks of 100 ns since the machine started, plus an
/// offset set by writes to `mtime`.
#[derive(Debug)]
pub struct Clock {
    start: Instant,
    offset: Cell<u64>,
}

impl Default for Clock {
    fn default() -> Self {
        Clock {
            start: Instant::now(),
            offset: Cell::new(0),
        }
    }
}

impl Clock {
    pub fn now(&self) -> u64 {
        let ns = self.start.elapsed().as_nanos() as u64;
        (ns / (1_000_000_000 / MTIME_HZ)).wrapping_add(self.offset.get())
    }

    fn set(&self, value: u64) {
        let raw = self.now().wrapping_sub(self.offset.get());
        self.offset.set(value.wrapping_sub(raw));
    }

    /// Host time until `mtime` reaches `deadline` (zero if already there).
    pub fn until(&self, deadline: u64) -> Duration {
        let now = self.now();
        if deadline <= now {
            Duration::ZERO
        } else {
            Duration::from_nanos((deadline - now).saturating_mul(1_000_000_000 / MTIME_HZ))
        }
    }
}

pub struct Clint {
    clock: Rc<Clock>,
    lines: IrqLines,
    msip: bool,
    mtimecmp: u64,
}

impl Clint {
    pub fn new(clock: Rc<Clock>, lines: IrqLines) -> Clint {
        Clint {
            clock,
            lines,
            msip: false,
            mtimecmp: u64::MAX,
        }
    }

    /// Recomputes the timer line from the current time.
    pub fn update(&mut self) {
        self.update_at(self.clock.now());
    }

    /// [`Clint::update`] with `mtime` already read (the run loop reads the
    /// clock once per poll for both timers).
    pub fn update_at(&mut self, now: u64) {
        self.lines.set(irq::MTIP, now >= self.mtimecmp);
    }

    /// The `mtime` value at which the timer fires.
    pub fn deadline(&self) -> u64 {
        self.mtimecmp
    }
}

impl MmioDevice for Clint {
    fn read(&mut self, offset: u64, size: u8) -> Result<u64, BusError> {
        Ok(match offset {
            MSIP..=0x3 => reg_read(self.msip as u64, offset, size),
            MTIMECMP..=0x4007 => reg_read(self.mtimecmp, offset, size),
            MTIME..=0xbfff => reg_read(self.clock.now(), offset, size),
            _ => 0,
        })
    }

    fn write(&mut self, offset: u64, size: u8, value: u64) -> Result<(), BusError> {
        match offset {
            MSIP..=0x3 if offset == 0 => {
                self.msip = value & 1 != 0;
                self.lines.set(irq::MSIP, self.msip);
            }
            MTIMECMP..=0x4007 => {
                self.mtimecmp = reg_write(self.mtimecmp, offset, size, value);
            }
            MTIME..=0xbfff => {
                self.clock
                    .set(reg_write(self.clock.now(), offset, size, value));
            }
            _ => {}
        }
        self.update();
        Ok(())
    }
}
