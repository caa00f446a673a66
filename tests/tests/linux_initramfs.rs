//! Boots Debian's kernel with a busybox initramfs (built by
//! `benches/linux/fetch.sh`) under interp, jit and tiered, as a user would:
//! the test image's `/init` runs real commands and powers off, and their
//! output must match QEMU 7.2's for the same kernel, initramfs and OpenSBI;
//! the shell image takes commands piped into rvdbt's stdin.
//!
//! Each run is `rvdbt run` (this test's profile) as a child process, killed
//! at a deadline. Without the payloads the tests pass with a note, except
//! under CI (`CI` set), where `.ci/run` fetches them and their absence (or
//! QEMU's) is a failure.

use std::ffi::OsStr;
use std::io::Write;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use rvdbt_benches::boot::{
    build_rvdbt, initramfs_sections, payloads_for_test, qemu_initrd_boot, run_child, run_child_fed,
    rvdbt_initrd_boot, ChildRun, Ending, Feed, Payloads, INITRAMFS_DONE, INITRAMFS_SHELL,
    INITRAMFS_TEST, SHELL_READY,
};
use rvdbt_benches::find_qemu;

/// Far above any engine's time in the dev profile (jit, the slowest here,
/// takes about two minutes), so only a hang trips it.
const TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// The sections of one boot: (name, lines).
type Sections = Vec<(String, Vec<String>)>;

/// The sections `init-test` prints, in order.
const SECTIONS: [&str; 7] = [
    "uname",
    "cpuinfo",
    "awk",
    "md5-generated",
    "md5-shipped",
    "dd",
    "text",
];

/// Lines of /proc/cpuinfo that describe the emulated CPU itself (QEMU
/// names its own ISA string and implementation ids), left out of the
/// comparison with QEMU.
const CPU_SPECIFIC: [&str; 4] = ["isa\t", "hart isa\t", "marchid\t", "mimpid\t"];

fn note(line: &str) {
    let _ = writeln!(std::io::stderr(), "linux_initramfs: {line}");
}

/// The payloads with both initramfs images, or None (after saying why,
/// once) when the tests are to be skipped.
fn payloads() -> Option<(Payloads, PathBuf, PathBuf)> {
    let p = payloads_for_test(&[INITRAMFS_TEST, INITRAMFS_SHELL, "fw_jump.elf"], note)?;
    let (test, shell) = (p.file(INITRAMFS_TEST)?, p.file(INITRAMFS_SHELL)?);
    Some((p, test, shell))
}

fn rvdbt() -> &'static PathBuf {
    static RVDBT: OnceLock<PathBuf> = OnceLock::new();
    RVDBT.get_or_init(|| build_rvdbt().unwrap_or_else(|e| panic!("building rvdbt: {e}")))
}

/// The sections of a run that must have powered off (exit status 0) after
/// printing all of them and the done marker.
fn checked_sections(who: &str, run: &ChildRun) -> Sections {
    let failure = || format!("{who}: {}", run.describe_failure());
    assert!(
        matches!(run.ending, Ending::Exited(s) if s.success()),
        "{}",
        failure()
    );
    assert!(run.stdout.contains(INITRAMFS_DONE), "{}", failure());
    assert!(run.stdout.contains("reboot: Power down"), "{}", failure());
    let sections = initramfs_sections(&run.stdout);
    let names: Vec<&str> = sections.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, SECTIONS, "{}", failure());
    sections
}

/// The same with the CPU-specific cpuinfo lines dropped.
fn portable(sections: &[(String, Vec<String>)]) -> Sections {
    sections
        .iter()
        .map(|(name, lines)| {
            let kept = lines
                .iter()
                .filter(|l| name != "cpuinfo" || !CPU_SPECIFIC.iter().any(|p| l.starts_with(p)))
                .cloned()
                .collect();
            (name.clone(), kept)
        })
        .collect()
}

/// QEMU's sections for the test initramfs (one boot shared by the tests),
/// or None outside CI when QEMU is not installed.
fn qemu_sections(
    payloads: &Payloads,
    initrd: &std::path::Path,
) -> Option<&'static [(String, Vec<String>)]> {
    static QEMU: OnceLock<Option<Sections>> = OnceLock::new();
    QEMU.get_or_init(|| {
        let Some(qemu) = find_qemu() else {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI: QEMU 7.2 is not installed"
            );
            note("no qemu-system-riscv64: the outputs are not compared with QEMU's");
            return None;
        };
        let run = run_child(
            &mut qemu_initrd_boot(&qemu, payloads, initrd),
            None,
            TIMEOUT,
        )
        .expect("spawning QEMU");
        note(&format!("qemu: powered off in {:.1} s", run.secs));
        Some(checked_sections("qemu", &run))
    })
    .as_deref()
}

/// Boots the test initramfs under `engine` with firmware `bios` and checks
/// the commands' output: the expected values, and QEMU's.
fn boot_test_initramfs(engine: &str, bios: &OsStr) {
    let Some((payloads, test, _)) = payloads() else {
        return;
    };
    let mut cmd = rvdbt_initrd_boot(rvdbt(), engine, bios, &payloads, &test);
    let run = run_child(&mut cmd, None, TIMEOUT).expect("spawning rvdbt");
    let who = format!("{engine} (--bios {})", bios.to_string_lossy());
    let sections = checked_sections(&who, &run);
    let get = |name: &str| &sections.iter().find(|(n, _)| n == name).expect("checked").1;
    // Values known without QEMU: the kernel, the ISA the device tree
    // advertises (with Sstc), and md5 of 1 MiB of zeros.
    assert!(
        get("uname")[0].starts_with("Linux (none) 6.12"),
        "{who}: {:?}",
        get("uname")
    );
    let isa = get("cpuinfo").iter().find(|l| l.starts_with("isa\t"));
    assert!(
        isa.is_some_and(|l| l.contains("rv64imafdc") && l.contains("_sstc")),
        "{who}: cpuinfo {:?}",
        get("cpuinfo")
    );
    assert_eq!(get("dd"), &["b6d81b360a5672d80c27430f39153e2c  -"], "{who}");
    if let Some(q) = qemu_sections(&payloads, &test) {
        assert_eq!(
            portable(&sections),
            portable(q),
            "{who}: output differs from QEMU's"
        );
    }
    note(&format!("{who}: powered off in {:.1} s", run.secs));
}

#[test]
fn initramfs_interp_bios_default() {
    // `--bios default`: Debian's `opensbi` package (which .ci/run installs).
    boot_test_initramfs("interp", OsStr::new("default"));
}

#[test]
fn initramfs_jit() {
    let Some((p, ..)) = payloads() else { return };
    boot_test_initramfs("jit", p.firmware.as_os_str());
}

#[test]
fn initramfs_tiered_bios_elf() {
    // OpenSBI as a position-independent ELF (ET_DYN, linked at 0).
    let Some((p, ..)) = payloads() else { return };
    let elf = p.file("fw_jump.elf").expect("fetch.sh fetches fw_jump.elf");
    boot_test_initramfs("tiered", elf.as_os_str());
}

#[test]
fn shell_takes_piped_commands() {
    let Some((payloads, _, shell)) = payloads() else {
        return;
    };
    // The commands arrive once the shell is about to start; the pipe then
    // closes, which must not end the guest: the shell runs the commands
    // and `poweroff -f` ends the run.
    let input = b"echo hello-from-$((6*7))\nuname -m\nls /proc/self/ > /dev/null && echo proc-ok\npoweroff -f\n";
    let mut cmd = rvdbt_initrd_boot(
        rvdbt(),
        "tiered",
        payloads.firmware.as_os_str(),
        &payloads,
        &shell,
    );
    let feed = Feed {
        after: SHELL_READY,
        input,
    };
    let run = run_child_fed(&mut cmd, None, Some(feed), None, TIMEOUT).expect("spawning rvdbt");
    let failure = || run.describe_failure();
    assert!(
        matches!(run.ending, Ending::Exited(s) if s.success()),
        "{}",
        failure()
    );
    let out = run.stdout.replace('\r', "");
    let after_ready = out.split(SHELL_READY).nth(1).unwrap_or_default();
    for line in [
        "hello-from-42\n",
        "riscv64\n",
        "proc-ok\n",
        "reboot: Power down",
    ] {
        assert!(
            after_ready.contains(line),
            "missing {line:?}: {}",
            failure()
        );
    }
    note(&format!("shell: powered off in {:.1} s", run.secs));
}
