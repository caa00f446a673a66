//! Shared helpers for the end-to-end tests: the guest manifest and in-process runs.

use std::cell::RefCell;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use runtime::machine::{Config, Engine, RunExit};

pub mod difftest;

/// One guest program of `tests/guest/manifest.txt`.
#[derive(Clone, Debug)]
pub struct GuestProgram {
    pub name: String,
    pub elf: PathBuf,
    pub expected_exit: u32,
    pub expected_output: Vec<u8>,
    /// Whether the program also runs on QEMU's `virt` (false for HTIF programs).
    pub on_qemu: bool,
    /// Extra `rvdbt run` flags the program needs (e.g. `--worldguard`).
    pub args: Vec<String>,
}

/// The directory holding the guest programs.
pub fn guest_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("guest")
}

/// Reads the manifest: `<name> <exit code> <qemu|noqemu> [rvdbt run flags]` per line.
pub fn manifest() -> Vec<GuestProgram> {
    let dir = guest_dir();
    let text = std::fs::read_to_string(dir.join("manifest.txt")).expect("tests/guest/manifest.txt");
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            assert!(f.len() >= 3, "bad manifest line: {l}");
            let name = f[0].to_string();
            let expected_output = std::fs::read(dir.join("expected").join(format!("{name}.out")))
                .unwrap_or_else(|e| panic!("expected output of {name}: {e}"));
            GuestProgram {
                elf: dir.join(format!("{name}.elf")),
                expected_exit: f[1].parse().expect("exit code"),
                on_qemu: f[2] == "qemu",
                args: f[3..].iter().map(|a| a.to_string()).collect(),
                expected_output,
                name,
            }
        })
        .collect()
}

/// A `Write` sink that keeps what the guest printed.
#[derive(Clone, Default)]
pub struct Capture(pub Rc<RefCell<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The result of running a guest in-process.
#[derive(Debug)]
pub struct Outcome {
    pub exit: RunExit,
    pub output: Vec<u8>,
    pub insns: u64,
}

/// Every engine a guest program must pass under.
pub const ENGINES: [Engine; 4] = [
    Engine::Interp,
    Engine::Reference,
    Engine::Jit,
    Engine::Tiered,
];

/// Runs `elf` on a fresh `virt` machine with `engine`.
pub fn run_guest(elf: &Path, engine: Engine, max_insns: u64) -> Outcome {
    run_guest_args(elf, &[], engine, max_insns, &mut |_| {})
}

/// The configuration `rvdbt run <args> <elf>` would use.
pub fn config_for(elf: &Path, args: &[String]) -> Config {
    use clap::Parser;
    let mut argv: Vec<std::ffi::OsString> = vec!["rvdbt".into(), "run".into()];
    argv.extend(args.iter().map(Into::into));
    argv.push(elf.into());
    match runtime::cli::Cli::try_parse_from(argv) {
        Ok(cli) => match cli.command {
            runtime::cli::Command::Run(a) => a.config(),
            runtime::cli::Command::Compare(_) | runtime::cli::Command::Report(_) => {
                unreachable!("parsed as `rvdbt run`")
            }
        },
        Err(e) => panic!("bad flags {args:?}: {e}"),
    }
}

/// Runs `elf` with extra `rvdbt run` flags; `finish` sees the machine after
/// the run (its counters).
pub fn run_guest_args(
    elf: &Path,
    args: &[String],
    engine: Engine,
    max_insns: u64,
    finish: &mut dyn FnMut(&mut runtime::Machine),
) -> Outcome {
    let mut cfg = config_for(elf, args);
    cfg.engine = engine;
    cfg.max_insns = Some(max_insns);
    let cap = Capture::default();
    let out_cap = cap.clone();
    let out = move || -> Box<dyn Write> { Box::new(out_cap.clone()) };
    let (exit, insns) =
        runtime::machine::run_program_with(&cfg, &out, &|_| {}, finish).expect("machine builds");
    let output = cap.0.borrow().clone();
    Outcome {
        exit,
        output,
        insns,
    }
}
