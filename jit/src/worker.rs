//! Background compilation: a thread that owns a `CodeCache` and compiles TBs on request.
//!
//! The tiered engine submits hot blocks and keeps interpreting them until
//! their code arrives, so the hart never waits for Cranelift. The worker's
//! `CodeCache` (and so the machine code) lives on the worker thread; only
//! entry addresses cross the channel. A flush request drops the current
//! generation there; the requester must already have stopped using every
//! TB of that generation (it clears its maps before sending).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::cache::{CodeCache, JitOptions, JitStats, TbCode};
use crate::translate::TbSource;

/// Compile requests the worker takes into one batch at most.
const BATCH: usize = 8;

enum Request {
    Compile { id: u64, src: TbSource },
    Flush,
}

/// A finished compilation.
pub struct Compiled {
    /// The id given to [`CompileWorker::submit`].
    pub id: u64,
    /// The code, or `None` if compilation failed (a host bug, logged).
    pub code: Option<TbCode>,
    /// Compiler counters after this compilation.
    pub stats: JitStats,
}

struct Raw {
    id: u64,
    code: Option<(u64, u64, u64, u64, u32)>,
    stats: JitStats,
}

pub struct CompileWorker {
    tx: Option<Sender<Request>>,
    rx: Receiver<Raw>,
    thread: Option<JoinHandle<()>>,
    in_flight: usize,
    /// Results the worker has sent, and those `poll` has taken: polling
    /// with nothing new costs one atomic load, not a channel operation.
    sent: Arc<AtomicU64>,
    taken: u64,
}

impl CompileWorker {
    /// Starts the worker thread.
    pub fn start(opts: JitOptions) -> std::io::Result<CompileWorker> {
        let (tx, req_rx) = channel::<Request>();
        let (res_tx, rx) = channel::<Raw>();
        let sent = Arc::new(AtomicU64::new(0));
        let sent_by_worker = sent.clone();
        let thread = std::thread::Builder::new()
            .name("rvdbt-jit".into())
            .spawn(move || {
                let mut cache = match CodeCache::new(opts) {
                    Ok(c) => c,
                    Err(e) => {
                        tracing::error!("JIT worker cannot start: {e}");
                        return;
                    }
                };
                // Compile requests queued together are compiled as one
                // batch (see `CodeCache::compile_batch`), at most `BATCH`.
                let mut pending = None;
                loop {
                    let req = match pending.take() {
                        Some(r) => r,
                        None => match req_rx.recv() {
                            Ok(r) => r,
                            Err(_) => break,
                        },
                    };
                    match req {
                        Request::Compile { id, src } => {
                            let mut batch = vec![(id, src)];
                            while batch.len() < BATCH {
                                match req_rx.try_recv() {
                                    Ok(Request::Compile { id, src }) => batch.push((id, src)),
                                    Ok(other) => {
                                        pending = Some(other);
                                        break;
                                    }
                                    Err(_) => break,
                                }
                            }
                            let (ids, srcs): (Vec<u64>, Vec<TbSource>) = batch.into_iter().unzip();
                            let results = cache.compile_batch(&srcs);
                            let mut gone = false;
                            for ((id, src), r) in ids.into_iter().zip(&srcs).zip(results) {
                                let code = match r {
                                    Ok(c) => Some((
                                        c.entry as u64,
                                        c.tramp as u64,
                                        c.exit_stub as u64,
                                        c.generation,
                                        c.size,
                                    )),
                                    Err(e) => {
                                        tracing::error!(
                                            "JIT compile of TB at {:#x} failed: {e}",
                                            src.pc.0
                                        );
                                        None
                                    }
                                };
                                let raw = Raw {
                                    id,
                                    code,
                                    stats: cache.stats,
                                };
                                if res_tx.send(raw).is_err() {
                                    gone = true;
                                    break;
                                }
                                sent_by_worker.fetch_add(1, Ordering::Release);
                            }
                            if gone {
                                break;
                            }
                        }
                        Request::Flush => {
                            // SAFETY: `CompileWorker::flush`'s caller keeps
                            // `CodeCache::flush`'s contract for this request.
                            #[allow(unsafe_code)]
                            let flushed = unsafe { cache.flush() };
                            if let Err(e) = flushed {
                                tracing::error!("JIT worker flush failed: {e}");
                            }
                        }
                    }
                }
            })?;
        Ok(CompileWorker {
            tx: Some(tx),
            rx,
            thread: Some(thread),
            in_flight: 0,
            sent,
            taken: 0,
        })
    }

    /// Queues `src` for compilation under `id`.
    pub fn submit(&mut self, id: u64, src: TbSource) {
        if let Some(tx) = &self.tx {
            if tx.send(Request::Compile { id, src }).is_ok() {
                self.in_flight += 1;
            }
        }
    }

    /// Compilations not yet collected.
    pub fn in_flight(&self) -> usize {
        self.in_flight
    }

    /// Drops every TB compiled so far (the worker frees the generation).
    ///
    /// # Safety
    ///
    /// The contract of [`CodeCache::flush`]: nothing runs or keeps a pointer
    /// into code this worker delivered before the call.
    #[allow(unsafe_code)]
    pub unsafe fn flush(&mut self) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(Request::Flush);
        }
    }

    /// Finished compilations, without waiting.
    pub fn poll(&mut self) -> Vec<Compiled> {
        let mut out = Vec::new();
        if self.sent.load(Ordering::Acquire) == self.taken {
            return out;
        }
        while let Ok(r) = self.rx.try_recv() {
            self.taken += 1;
            out.push(self.unpack(r));
        }
        out
    }

    /// Every compilation in flight, waiting for those not finished (a
    /// deterministic tier-up for tests: `JitEngine::set_sync_tier_up`).
    pub fn wait(&mut self) -> Vec<Compiled> {
        let mut out = Vec::new();
        while self.in_flight > 0 {
            let Ok(r) = self.rx.recv() else { break };
            self.taken += 1;
            out.push(self.unpack(r));
        }
        out
    }

    fn unpack(&mut self, r: Raw) -> Compiled {
        self.in_flight = self.in_flight.saturating_sub(1);
        let code = r
            .code
            .map(|(entry, tramp, exit_stub, generation, size)| TbCode {
                entry: entry as *const u8,
                tramp: tramp as *const u8,
                exit_stub: exit_stub as *const u8,
                generation,
                size,
            });
        Compiled {
            id: r.id,
            code,
            stats: r.stats,
        }
    }
}

impl Drop for CompileWorker {
    fn drop(&mut self) {
        // Closing the channel ends the thread's loop.
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
