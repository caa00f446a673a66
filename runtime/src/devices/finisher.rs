//! The SiFive test finisher (`sifive,test0`): the guest's way to end the run.
//!
//! A 32-bit write of 0x5555 passes (exit 0), `(code << 16) | 0x3333` fails
//! with exit code `code`, 0x7777 resets the machine. Other values are
//! ignored, as on QEMU.

use std::cell::Cell;
use std::rc::Rc;

use softmmu::{BusError, MmioDevice};

/// A request from a device to the execution loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MachineEvent {
    /// Power off with this exit code.
    Exit(u32),
    /// Reset the machine.
    Reset,
    /// The console output contained the `--exit-on-output` string.
    OutputMatched,
    /// The host asked the run to stop (`Ctrl-a x`, a signal).
    Stop,
}

/// Where devices post [`MachineEvent`]s; the run loop checks it after every
/// instruction (a single `Cell` load).
#[derive(Clone, Default, Debug)]
pub struct Events(Rc<Cell<Option<MachineEvent>>>);

impl Events {
    pub fn post(&self, e: MachineEvent) {
        if self.0.get().is_none() {
            self.0.set(Some(e));
        }
    }
    pub fn take(&self) -> Option<MachineEvent> {
        self.0.take()
    }
    #[inline(always)]
    pub fn pending(&self) -> bool {
        self.0.get().is_some()
    }
}

pub const FINISHER_FAIL: u64 = 0x3333;
pub const FINISHER_PASS: u64 = 0x5555;
pub const FINISHER_RESET: u64 = 0x7777;

pub struct Finisher {
    events: Events,
}

impl Finisher {
    pub fn new(events: Events) -> Finisher {
        Finisher { events }
    }
}

impl MmioDevice for Finisher {
    fn read(&mut self, _offset: u64, _size: u8) -> Result<u64, BusError> {
        Ok(0)
    }

    fn write(&mut self, offset: u64, size: u8, value: u64) -> Result<(), BusError> {
        if offset != 0 || size < 4 {
            return Ok(());
        }
        let value = value & 0xffff_ffff;
        match value & 0xffff {
            FINISHER_PASS => self.events.post(MachineEvent::Exit(0)),
            FINISHER_FAIL => self.events.post(MachineEvent::Exit((value >> 16) as u32)),
            FINISHER_RESET => self.events.post(MachineEvent::Reset),
            _ => {}
        }
        Ok(())
    }
}
