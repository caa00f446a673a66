//! The QEMU reference: finding `qemu-system-riscv64`, its version, and timing a program on it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::runner::{bootargs, describe_exit, Engine, Measurement, Status};
use crate::suite::{elf_path, Program, QEMU_MEM};

/// Wall-time limit of one QEMU run at scale 1 (multiplied by `--scale`).
pub const QEMU_TIMEOUT: Duration = Duration::from_secs(60);

/// `qemu-system-riscv64` if it is on the `PATH`.
pub fn find_qemu() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("qemu-system-riscv64"))
        .find(|p| p.is_file())
}

/// The first line of `qemu --version`, for the report header.
pub fn qemu_version(qemu: &Path) -> Option<String> {
    let out = Command::new(qemu).arg("--version").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines().next().map(|l| l.trim().to_string())
}

/// Times `program` on QEMU at `scale`: the wall time of
/// `qemu -M virt -bios none -nographic -m 256M -kernel X [-append
/// bench.scale=N]`, process start-up included (see
/// [`Measurement::startup_secs`] for how the report leaves it out).
pub fn run_qemu(qemu: &Path, program: &Program, scale: u32) -> Measurement {
    let mut m = Measurement {
        program: program.name,
        engine: Engine::Qemu,
        insns: None,
        secs: 0.0,
        startup_secs: None,
        status: Status::Passed,
        output: String::new(),
    };
    let timeout = QEMU_TIMEOUT * scale.max(1);
    let mut cmd = Command::new(qemu);
    cmd.args(["-M", "virt", "-bios", "none", "-nographic", "-m", QEMU_MEM])
        .arg("-kernel")
        .arg(elf_path(program));
    let append = bootargs(program, scale);
    if !append.is_empty() {
        cmd.arg("-append").arg(append);
    }
    let start = Instant::now();
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            m.status = Status::Failed(format!("cannot start {}: {e}", qemu.display()));
            return m;
        }
    };
    // Drain the pipes on threads so a chatty guest cannot block QEMU.
    let drain = |r: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut r) = r {
                let _ = r.read_to_end(&mut buf);
            }
            buf
        })
    };
    let out = drain(child.stdout.take().map(|s| Box::new(s) as _));
    let err = drain(child.stderr.take().map(|s| Box::new(s) as _));
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Ok(s),
            Ok(None) if start.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                break Err(format!("timed out after {}s", timeout.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_micros(200)),
            Err(e) => break Err(format!("waiting for QEMU: {e}")),
        }
    };
    m.secs = start.elapsed().as_secs_f64();
    let mut text = out.join().unwrap_or_default();
    text.extend(err.join().unwrap_or_default());
    m.output = String::from_utf8_lossy(&text).into_owned();
    m.status = match status {
        Ok(s) if s.success() => Status::Passed,
        Ok(s) => match s.code() {
            Some(code) => Status::Failed(describe_exit(code as u32)),
            None => Status::Failed(format!("QEMU ended by a signal ({s})")),
        },
        Err(e) => Status::Failed(e),
    };
    m
}
