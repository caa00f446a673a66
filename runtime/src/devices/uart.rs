//! An NS16550A UART: guest output to a host sink, host input to the guest.
//!
//! Transmission is instantaneous (THR is always empty). Received bytes wait
//! in a FIFO; the interrupt line (PLIC source 10 on `virt`) follows the
//! enabled conditions: received data available (IER bit 0) and transmitter
//! holding register empty (IER bit 1).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::Write;
use std::rc::Rc;

use softmmu::{BusError, MmioDevice};

use super::finisher::{Events, MachineEvent};
use super::plic::Plic;

pub const UART_SIZE: u64 = 0x100;
pub const UART_IRQ: usize = 10;

const IER_RDI: u8 = 1;
const IER_THRI: u8 = 2;
const LCR_DLAB: u8 = 0x80;
const LSR_DR: u8 = 0x01;
const LSR_THRE: u8 = 0x20;
const LSR_TEMT: u8 = 0x40;
const IIR_NONE: u8 = 0x01;
const IIR_THRI: u8 = 0x02;
const IIR_RDI: u8 = 0x04;
const IIR_FIFO: u8 = 0xc0;

pub struct Uart {
    out: Box<dyn Write>,
    rx: VecDeque<u8>,
    plic: Rc<RefCell<Plic>>,
    ier: u8,
    lcr: u8,
    mcr: u8,
    scr: u8,
    fcr: u8,
    dll: u8,
    dlm: u8,
    /// A THR-empty interrupt is outstanding (set on THR write or on enabling
    /// IER.THRI, cleared by reading IIR when it is the reported cause).
    thr_irq: bool,
    /// `--exit-on-output`: the byte string to watch the console for, the
    /// last bytes written (as many as it is long), and where to report it.
    watch: Option<Watch>,
}

/// A byte string the console output is watched for.
struct Watch {
    pattern: Vec<u8>,
    recent: VecDeque<u8>,
    events: Events,
}

impl Watch {
    /// Feeds one output byte; true when the output now ends with the pattern.
    fn feed(&mut self, b: u8) -> bool {
        if self.recent.len() == self.pattern.len() {
            self.recent.pop_front();
        }
        self.recent.push_back(b);
        self.recent.len() == self.pattern.len() && self.recent.iter().eq(self.pattern.iter())
    }
}

impl Uart {
    pub fn new(out: Box<dyn Write>, plic: Rc<RefCell<Plic>>) -> Uart {
        Uart {
            out,
            rx: VecDeque::new(),
            plic,
            ier: 0,
            lcr: 0,
            mcr: 0,
            scr: 0,
            fcr: 0,
            dll: 0,
            dlm: 0,
            thr_irq: false,
            watch: None,
        }
    }

    /// Posts [`MachineEvent::OutputMatched`] to `events` once the guest's
    /// console output (UART and HTIF) contains `pattern` (non-empty).
    pub fn watch_output(&mut self, pattern: &[u8], events: Events) {
        self.watch = (!pattern.is_empty()).then(|| Watch {
            pattern: pattern.to_vec(),
            recent: VecDeque::with_capacity(pattern.len()),
            events,
        });
    }

    fn watch_bytes(&mut self, bytes: &[u8]) {
        if let Some(w) = self.watch.as_mut() {
            if bytes.iter().any(|&b| w.feed(b)) {
                w.events.post(MachineEvent::OutputMatched);
            }
        }
    }

    /// Queues bytes typed on the host for the guest.
    pub fn receive(&mut self, bytes: &[u8]) {
        self.rx.extend(bytes);
        self.update_irq();
    }

    /// Writes bytes that another guest channel (HTIF) sends to the console.
    pub fn host_write(&mut self, bytes: &[u8]) {
        let _ = self.out.write_all(bytes);
        let _ = self.out.flush();
        self.watch_bytes(bytes);
    }

    /// Flushes buffered guest output to the host.
    /// Registers and interrupt state, for `--stats`.
    pub fn state(&self) -> String {
        format!(
            "ier {:#x} iir {:#x} lcr {:#x} thr-irq {} rx {} plic[{UART_IRQ}] {}",
            self.ier,
            self.iir(),
            self.lcr,
            self.thr_irq,
            self.rx.len(),
            self.plic.borrow().source_state(UART_IRQ)
        )
    }

    pub fn flush(&mut self) {
        let _ = self.out.flush();
    }

    fn iir(&self) -> u8 {
        let fifo = if self.fcr & 1 != 0 { IIR_FIFO } else { 0 };
        let cause = if self.ier & IER_RDI != 0 && !self.rx.is_empty() {
            IIR_RDI
        } else if self.ier & IER_THRI != 0 && self.thr_irq {
            IIR_THRI
        } else {
            IIR_NONE
        };
        fifo | cause
    }

    fn update_irq(&mut self) {
        let level = self.iir() & IIR_NONE == 0;
        self.plic.borrow_mut().set_level(UART_IRQ, level);
    }
}

impl MmioDevice for Uart {
    fn read(&mut self, offset: u64, size: u8) -> Result<u64, BusError> {
        if size != 1 {
            return Err(BusError);
        }
        let dlab = self.lcr & LCR_DLAB != 0;
        let v = match offset {
            0 if dlab => self.dll,
            0 => {
                let b = self.rx.pop_front().unwrap_or(0);
                self.update_irq();
                b
            }
            1 if dlab => self.dlm,
            1 => self.ier,
            2 => {
                let iir = self.iir();
                if iir & 0x0f == IIR_THRI {
                    self.thr_irq = false;
                    self.update_irq();
                }
                iir
            }
            3 => self.lcr,
            4 => self.mcr,
            5 => LSR_THRE | LSR_TEMT | if self.rx.is_empty() { 0 } else { LSR_DR },
            6 => 0xb0, // DCD, DSR, CTS asserted.
            7 => self.scr,
            _ => 0,
        };
        Ok(v as u64)
    }

    fn write(&mut self, offset: u64, size: u8, value: u64) -> Result<(), BusError> {
        if size != 1 {
            return Err(BusError);
        }
        let v = value as u8;
        let dlab = self.lcr & LCR_DLAB != 0;
        match offset {
            0 if dlab => self.dll = v,
            0 => {
                let _ = self.out.write_all(&[v]);
                if v == b'\n' {
                    let _ = self.out.flush();
                }
                self.watch_bytes(&[v]);
                self.thr_irq = true;
            }
            1 if dlab => self.dlm = v,
            1 => {
                if v & IER_THRI != 0 && self.ier & IER_THRI == 0 {
                    self.thr_irq = true;
                }
                self.ier = v & 0x0f;
            }
            2 => {
                self.fcr = v;
                if v & 2 != 0 {
                    self.rx.clear();
                }
            }
            3 => self.lcr = v,
            4 => self.mcr = v & 0x1f,
            7 => self.scr = v,
            _ => {}
        }
        self.update_irq();
        Ok(())
    }
}
