//! The report: all measurements of a run, their MIPS and speed ratios, the tables and the target checks.

use std::fmt::Write as _;

use crate::runner::{Engine, Measurement, Status};
use crate::suite::suite;
use crate::targets::{RatioTarget, FEW_SECONDS, PROGRAM_FLOOR, RATIO_TARGETS, TARGETS};

/// All measurements of one run of the runner.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub rows: Vec<Measurement>,
}

/// A measured speed ratio.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ratio {
    pub value: f64,
    /// At least one of the runs behind it was capped (a rate over part of
    /// the program, not the whole).
    pub capped: bool,
}

/// `a / b` when both are known and `b` is not zero.
fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    }
}

/// A ratio, or why there is none.
fn fmt_ratio(r: Option<f64>) -> String {
    r.map_or_else(|| "n/a (a run failed)".to_string(), |r| format!("{r:.3}"))
}

/// A speed ratio, or why there is none (`n/a (engine not built)`, ...).
fn fmt_speed(r: &Result<Ratio, String>) -> String {
    match r {
        Ok(r) if r.capped => format!("{:.3} (capped)", r.value),
        Ok(r) => format!("{:.3}", r.value),
        Err(why) => why.clone(),
    }
}

fn fmt_opt(v: Option<f64>, prec: usize) -> String {
    v.map_or_else(|| "n/a".to_string(), |v| format!("{v:.prec$}"))
}

/// The text for an engine that is not built.
pub const NOT_BUILT: &str = "n/a (engine not built)";

impl Report {
    pub fn row(&self, program: &str, engine: Engine) -> Option<&Measurement> {
        self.rows
            .iter()
            .find(|m| m.program == program && m.engine == engine)
    }

    /// The row of the engine called `name` ([`Engine::name`]).
    pub fn row_named(&self, program: &str, name: &str) -> Option<&Measurement> {
        self.rows
            .iter()
            .find(|m| m.program == program && m.engine.name() == name)
    }

    /// The instruction count of `program`: from the first in-process engine
    /// that ran it to the end (the programs are deterministic, so every
    /// engine executes the same instructions). None for capped or failed runs.
    pub fn reference_insns(&self, program: &str) -> Option<u64> {
        self.rows
            .iter()
            .find(|m| m.program == program && m.engine.counts_insns() && m.status == Status::Passed)
            .and_then(|m| m.insns)
    }

    /// Instructions and whether they are the engine's own count.
    fn insns_of(&self, m: &Measurement) -> Option<(u64, bool)> {
        if m.engine.counts_insns() {
            m.insns.map(|n| (n, true))
        } else {
            self.reference_insns(m.program).map(|n| (n, false))
        }
    }

    /// The wall time that counts: QEMU's without its start-up when that
    /// was measured, otherwise the whole run.
    pub fn net_secs(m: &Measurement) -> f64 {
        match m.startup_secs {
            Some(s) if m.secs > s => m.secs - s,
            _ => m.secs,
        }
    }

    /// Guest MIPS of a row that ran to the end (or to its cap).
    pub fn mips(&self, m: &Measurement) -> Option<f64> {
        if matches!(m.status, Status::Failed(_) | Status::NotBuilt) || m.secs <= 0.0 {
            return None;
        }
        self.insns_of(m)
            .map(|(n, _)| n as f64 / Report::net_secs(m) / 1e6)
    }

    fn mips_of(&self, program: &str, engine: Engine) -> Option<f64> {
        self.row(program, engine).and_then(|m| self.mips(m))
    }

    fn secs_of(&self, program: &str, engine: Engine) -> Option<f64> {
        self.row(program, engine)
            .filter(|m| !matches!(m.status, Status::Failed(_) | Status::NotBuilt))
            .map(|m| m.secs)
    }

    /// The speed of the engine called `name` on `program` (MIPS) and
    /// whether its run was capped, or why there is none.
    fn speed_of(&self, program: &str, name: &str) -> Result<(f64, bool), String> {
        let Some(m) = self.row_named(program, name) else {
            let missing = matches!(Engine::from_name(name), Some(Engine::Missing(_)));
            return Err(if missing { NOT_BUILT } else { "n/a (not run)" }.to_string());
        };
        match &m.status {
            Status::NotBuilt => Err(NOT_BUILT.to_string()),
            Status::Failed(_) => Err("n/a (a run failed)".to_string()),
            status => match self.mips(m) {
                Some(v) if v > 0.0 => Ok((v, *status == Status::Capped)),
                _ => Err("n/a (no complete run to count instructions)".to_string()),
            },
        }
    }

    /// How many times faster `num` ran `program` than `den` (engine names):
    /// the ratio of their MIPS, which for complete runs is `den`'s time over
    /// `num`'s (QEMU's without its start-up).
    pub fn speed_ratio(&self, program: &str, num: &str, den: &str) -> Result<Ratio, String> {
        let (a, a_capped) = self.speed_of(program, num)?;
        let (b, b_capped) = self.speed_of(program, den)?;
        Ok(Ratio {
            value: a / b,
            capped: a_capped || b_capped,
        })
    }

    /// The suite programs this report has rows for.
    fn suite_ran(&self) -> Vec<&'static str> {
        suite()
            .filter(|p| self.rows.iter().any(|m| m.program == p.name))
            .map(|p| p.name)
            .collect()
    }

    /// The geometric mean of [`Report::speed_ratio`] over the suite programs
    /// that ran, and how many they were; n/a when any of them has none.
    pub fn suite_geomean(&self, num: &str, den: &str) -> Result<(Ratio, usize), String> {
        let programs = self.suite_ran();
        if programs.is_empty() {
            return Err("n/a (no suite program ran)".to_string());
        }
        let mut log_sum = 0.0;
        let mut capped = false;
        for p in &programs {
            let r = self.speed_ratio(p, num, den)?;
            log_sum += r.value.ln();
            capped |= r.capped;
        }
        let value = (log_sum / programs.len() as f64).exp();
        Ok((Ratio { value, capped }, programs.len()))
    }

    pub fn any_failed(&self) -> bool {
        self.rows
            .iter()
            .any(|m| matches!(m.status, Status::Failed(_)))
    }

    pub fn table_header() -> String {
        format!(
            "{:<14} {:<7} {:>14} {:>9} {:>9}  result",
            "program", "engine", "instructions", "seconds", "MIPS"
        )
    }

    /// One table line; QEMU's instruction count is rvdbt's, in parentheses,
    /// and its seconds leave out its start-up when that was measured.
    pub fn table_line(&self, m: &Measurement) -> String {
        if m.status == Status::NotBuilt {
            return format!(
                "{:<14} {:<7} {:>14} {:>9} {:>9}  {NOT_BUILT}",
                m.program,
                m.engine.name(),
                "n/a",
                "n/a",
                "n/a"
            );
        }
        let insns = match self.insns_of(m) {
            Some((n, true)) => n.to_string(),
            Some((n, false)) => format!("({n})"),
            None => "n/a".to_string(),
        };
        let mut result = match &m.status {
            Status::Passed => "ok".to_string(),
            Status::Capped => "capped (not self-checked)".to_string(),
            Status::NotBuilt => NOT_BUILT.to_string(),
            Status::Failed(why) => format!("FAILED: {why}"),
        };
        if let Some(s) = m.startup_secs.filter(|&s| m.secs > s) {
            let _ = write!(result, " (start-up {s:.3} s left out)");
        }
        format!(
            "{:<14} {:<7} {:>14} {:>9.3} {:>9}  {result}",
            m.program,
            m.engine.name(),
            insns,
            Report::net_secs(m),
            fmt_opt(self.mips(m), 1),
        )
    }

    /// The table, the ratios and the target checks.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "{}", Report::table_header());
        for m in &self.rows {
            let _ = writeln!(s, "{}", self.table_line(m));
        }
        s.push_str(&self.render_summary());
        s
    }

    /// The columns of the ratio table: the targets' ratios, then every
    /// other in-process engine that ran against QEMU, when QEMU ran.
    fn ratio_columns(&self) -> Vec<(String, String)> {
        let mut cols: Vec<(String, String)> = Vec::new();
        let mut add = |n: String, d: String| {
            if !cols.contains(&(n.clone(), d.clone())) {
                cols.push((n, d));
            }
        };
        for t in RATIO_TARGETS {
            add(t.num.to_string(), t.den.to_string());
        }
        if self.rows.iter().any(|m| m.engine == Engine::Qemu) {
            for e in Engine::all().into_iter().filter(|e| e.counts_insns()) {
                if self.rows.iter().any(|m| m.engine == e) {
                    add(e.name(), Engine::Qemu.name());
                }
            }
        }
        cols
    }

    /// Per-program speed ratios and their geometric means over the suite.
    pub fn render_ratio_table(&self) -> String {
        let mut programs: Vec<&'static str> = Vec::new();
        for m in &self.rows {
            if !programs.contains(&m.program) {
                programs.push(m.program);
            }
        }
        if programs.is_empty() {
            return String::new();
        }
        let cols = self.ratio_columns();
        let mut lines: Vec<Vec<String>> = vec![std::iter::once("program".to_string())
            .chain(cols.iter().map(|(n, d)| format!("{n}/{d}")))
            .collect()];
        for p in &programs {
            lines.push(
                std::iter::once(p.to_string())
                    .chain(
                        cols.iter()
                            .map(|(n, d)| fmt_speed(&self.speed_ratio(p, n, d))),
                    )
                    .collect(),
            );
        }
        let ran = self.suite_ran().len();
        if ran > 0 {
            lines.push(
                std::iter::once(format!("geomean ({ran} C)"))
                    .chain(
                        cols.iter()
                            .map(|(n, d)| fmt_speed(&self.suite_geomean(n, d).map(|(r, _)| r))),
                    )
                    .collect(),
            );
        }
        let widths: Vec<usize> = (0..=cols.len())
            .map(|i| lines.iter().map(|l| l[i].len()).max().unwrap_or(0))
            .collect();
        let mut s = String::from(
            "\nspeed ratios (same run; MIPS over MIPS, which for QEMU is its time \
             without start-up over rvdbt's; geomean over the C suite programs that ran):\n",
        );
        for l in &lines {
            let cells: Vec<String> = l
                .iter()
                .zip(&widths)
                .map(|(c, &w)| format!("{c:<w$}"))
                .collect();
            let _ = writeln!(s, "  {}", cells.join("   ").trim_end());
        }
        s
    }

    /// Everything after the table: failures' output, ratios, targets.
    pub fn render_summary(&self) -> String {
        let mut s = String::new();
        for m in self
            .rows
            .iter()
            .filter(|m| matches!(m.status, Status::Failed(_)))
        {
            let Status::Failed(why) = &m.status else {
                continue;
            };
            let _ = writeln!(s, "\nFAILED: {} on {}: {why}", m.program, m.engine.name());
            for line in m.output.lines() {
                let _ = writeln!(s, "  | {line}");
            }
        }

        s.push_str(&self.render_ratio_table());

        let mut engines: Vec<Engine> = Vec::new();
        for m in &self.rows {
            if !engines.contains(&m.engine) && m.status != Status::NotBuilt {
                engines.push(m.engine);
            }
        }
        let mut ratios = String::new();
        for &e in &engines {
            let has = |p: &str| self.row(p, e).is_some();
            let mut parts = Vec::new();
            if has("intloop_sv39") && has("intloop_bare") {
                let r = ratio(
                    self.mips_of("intloop_sv39", e),
                    self.mips_of("intloop_bare", e),
                );
                parts.push(format!("intloop_sv39/intloop_bare MIPS = {}", fmt_ratio(r)));
            }
            if has("tlbwalk_2m") && has("tlbwalk_4k") {
                let r = ratio(self.secs_of("tlbwalk_2m", e), self.secs_of("tlbwalk_4k", e));
                parts.push(format!("tlbwalk_2m/tlbwalk_4k time = {}", fmt_ratio(r)));
            }
            if !parts.is_empty() {
                let _ = writeln!(ratios, "  {:<7} {}", e.name(), parts.join("   "));
            }
        }
        if !ratios.is_empty() {
            let _ = write!(s, "\nsoftmmu ratios measured in this run:\n{ratios}");
        }

        let mut targets = String::new();
        for t in TARGETS {
            let Some(m) = self.row(t.program, t.engine) else {
                continue;
            };
            let verdict = match (&m.status, self.mips(m)) {
                (Status::Failed(why), _) => format!("NOT MEASURED ({} failed: {why})", t.program),
                (_, Some(v)) if v >= t.mips => format!("MET ({v:.1} MIPS)"),
                (_, Some(v)) => format!("MISSED ({v:.1} MIPS)"),
                (_, None) => "NOT MEASURED".to_string(),
            };
            let capped = if m.status == Status::Capped {
                " [capped run]"
            } else {
                ""
            };
            let _ = writeln!(
                targets,
                "  >= {:.0} MIPS {} ({} {}): {verdict}{capped}",
                t.mips,
                t.label,
                t.engine.name(),
                t.program
            );
        }
        let total = suite().count();
        let ratio_targets = if self.suite_ran().is_empty() {
            &[][..]
        } else {
            RATIO_TARGETS
        };
        for t in ratio_targets {
            let verdict = match self.suite_geomean(t.num, t.den) {
                Err(why) => why,
                Ok((r, n)) => {
                    let mut v = if r.value >= t.min {
                        format!("MET ({:.3})", r.value)
                    } else {
                        format!("MISSED ({:.3})", r.value)
                    };
                    if r.capped {
                        v.push_str(" [capped runs]");
                    }
                    if n < total {
                        let _ = write!(v, " [{n} of {total} suite programs]");
                    }
                    if let Some(note) = self.run_length_note(t) {
                        v.push_str(&note);
                    }
                    v
                }
            };
            let _ = writeln!(
                targets,
                "  {} (geomean {}/{} >= {:.2}): {verdict}",
                t.label, t.num, t.den, t.min
            );
        }
        if !ratio_targets.is_empty() {
            let t = PROGRAM_FLOOR;
            let verdict = match self.below_floor() {
                Err(why) => why,
                Ok(below) if below.is_empty() => "MET".to_string(),
                Ok(below) => {
                    let list: Vec<String> =
                        below.iter().map(|(p, r)| format!("{p} {r:.3}")).collect();
                    format!("MISSED ({})", list.join(", "))
                }
            };
            let _ = writeln!(
                targets,
                "  {} (each {}/{} >= {:.2}): {verdict}",
                t.label, t.num, t.den, t.min
            );
        }
        if !targets.is_empty() {
            let _ = write!(s, "\ntargets:\n{targets}");
        }
        s
    }

    /// The suite programs whose [`PROGRAM_FLOOR`] ratio is below its
    /// minimum, with the ratio; an error when the ratio is not measured
    /// for any of them (an engine not built or not run).
    fn below_floor(&self) -> Result<Vec<(&'static str, f64)>, String> {
        let t = PROGRAM_FLOOR;
        let mut measured = 0;
        let mut below = Vec::new();
        let mut why = String::from("n/a (no suite program ran)");
        for p in self.suite_ran() {
            match self.speed_ratio(p, t.num, t.den) {
                Ok(r) => {
                    measured += 1;
                    if r.value < t.min {
                        below.push((p, r.value));
                    }
                }
                Err(e) => why = e,
            }
        }
        if measured == 0 {
            return Err(why);
        }
        Ok(below)
    }

    /// For the tiered/jit target: the length of the tiered runs, and a hint
    /// when they are shorter than the few seconds the issue asks for.
    fn run_length_note(&self, t: &RatioTarget) -> Option<String> {
        if (t.num, t.den) != ("tiered", "jit") {
            return None;
        }
        let secs: Vec<f64> = self
            .suite_ran()
            .iter()
            .filter_map(|p| self.row_named(p, t.num))
            .map(|m| m.secs)
            .collect();
        let min = secs.iter().copied().fold(f64::INFINITY, f64::min);
        let max = secs.iter().copied().fold(0.0, f64::max);
        if secs.is_empty() || max >= FEW_SECONDS {
            return None;
        }
        Some(format!(
            " [tiered runs of {min:.2}-{max:.2} s; the issue means runs of a few seconds: add --scale N]"
        ))
    }

    /// Whether every target that was measured was met (a target without
    /// rows, or whose engine is not built, does not count).
    pub fn targets_met(&self) -> bool {
        let mips = TARGETS.iter().all(|t| match self.row(t.program, t.engine) {
            None => true,
            Some(m) => self.mips(m).is_some_and(|v| v >= t.mips),
        });
        let ratios = RATIO_TARGETS
            .iter()
            .all(|t| match self.suite_geomean(t.num, t.den) {
                Ok((r, _)) => r.value >= t.min,
                Err(_) => true,
            });
        let floor = self.below_floor().map_or(true, |b| b.is_empty());
        mips && ratios && floor
    }
}

/// CPUs and load: a busy host makes every number here slower.
pub fn host_line() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(String::from))
        .map_or_else(String::new, |l| {
            format!(", load average {l} (close other jobs for stable numbers)")
        });
    format!("host: {cpus} CPUs{load}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::{describe_exit, not_built, INTERP};

    fn row(
        program: &'static str,
        engine: Engine,
        insns: Option<u64>,
        secs: f64,
        status: Status,
    ) -> Measurement {
        Measurement {
            program,
            engine,
            insns,
            secs,
            startup_secs: None,
            status,
            output: String::new(),
        }
    }

    #[test]
    fn report_ratios_targets_and_qemu_counts() {
        let r = Report {
            rows: vec![
                row(
                    "intloop_bare",
                    INTERP,
                    Some(600_000_000),
                    2.0,
                    Status::Passed,
                ),
                row("intloop_bare", Engine::Qemu, None, 0.5, Status::Passed),
                row(
                    "intloop_sv39",
                    INTERP,
                    Some(1000),
                    0.001,
                    Status::Failed(describe_exit(2)),
                ),
                row("tlbwalk_4k", INTERP, Some(100), 4.0, Status::Passed),
                row("tlbwalk_2m", INTERP, Some(100), 1.0, Status::Passed),
            ],
        };
        assert!(r.any_failed());
        assert_eq!(r.mips(&r.rows[0]), Some(300.0));
        // QEMU borrows rvdbt's instruction count for the same program.
        assert_eq!(r.mips(&r.rows[1]), Some(1200.0));
        assert_eq!(r.mips(&r.rows[2]), None);
        assert!(!r.targets_met());
        let text = r.render();
        assert!(text.contains("(600000000)"), "{text}");
        assert!(
            text.contains(">= 300 MIPS bare (interp intloop_bare): MET (300.0 MIPS)"),
            "{text}"
        );
        assert!(
            text.contains(">= 250 MIPS Sv39 (interp intloop_sv39): NOT MEASURED"),
            "{text}"
        );
        assert!(
            text.contains("tlbwalk_2m/tlbwalk_4k time = 0.250"),
            "{text}"
        );
        assert_eq!(
            r.speed_ratio("intloop_bare", "interp", "qemu"),
            Ok(Ratio {
                value: 0.25,
                capped: false
            })
        );
        assert!(text.contains("interp/qemu"), "{text}");
        assert!(
            text.contains("intloop_sv39/intloop_bare MIPS = n/a (a run failed)"),
            "{text}"
        );
        // no suite program ran: no geomean, no ratio target lines
        assert!(!text.contains("geomean ("), "{text}");
        assert!(!text.contains("tiered >= 1.5x QEMU"), "{text}");
        assert!(!text.contains("no C program below QEMU"), "{text}");
    }

    /// A full suite: interp and QEMU measured, jit and tiered as the report
    /// sees them when the runtime does (or does not) have them.
    fn suite_report(jit: Option<f64>, tiered: Option<f64>) -> Report {
        let mut rows = Vec::new();
        for p in suite() {
            rows.push(row(p.name, INTERP, Some(600_000_000), 2.0, Status::Passed));
            for (name, secs) in [("jit", jit), ("tiered", tiered)] {
                rows.push(match secs {
                    // stand-ins: the ratio code only looks at names
                    Some(s) => Measurement {
                        engine: Engine::Missing(name),
                        ..row(p.name, INTERP, Some(600_000_000), s, Status::Passed)
                    },
                    None => not_built(p, Engine::Missing(name)),
                });
            }
            let mut q = row(p.name, Engine::Qemu, None, 0.55, Status::Passed);
            q.startup_secs = Some(0.05);
            rows.push(q);
        }
        Report { rows }
    }

    #[test]
    fn unbuilt_engines_are_reported_not_failed() {
        let r = suite_report(None, None);
        assert!(!r.any_failed());
        assert!(r.targets_met());
        let text = r.render();
        assert!(
            text.contains(
                "bench_matmul   jit                n/a       n/a       n/a  n/a (engine not built)"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "tiered >= 1.5x QEMU (geomean tiered/qemu >= 1.50): n/a (engine not built)"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "no C program below QEMU (each tiered/qemu >= 1.00): n/a (engine not built)"
            ),
            "{text}"
        );
        // QEMU's start-up is left out: 0.5 s, 1200 MIPS, interp at 0.25x
        assert!(
            text.contains("0.500    1200.0  ok (start-up 0.050 s left out)"),
            "{text}"
        );
        assert!(text.contains("geomean (9 C)"), "{text}");
        let (g, n) = r.suite_geomean("interp", "qemu").unwrap();
        assert_eq!(n, 9);
        assert!((g.value - 0.25).abs() < 1e-9, "{g:?}");
    }

    #[test]
    fn jit_targets_from_the_geometric_mean() {
        // jit 12x interp, tiered 0.95x jit and 2.85x QEMU
        let jit = 2.0 / 12.0;
        let r = suite_report(Some(jit), Some(jit / 0.95));
        let text = r.render();
        assert!(!text.contains("jit >= 10x interp"), "{text}");
        assert!(
            text.contains("tiered within 10% of jit (geomean tiered/jit >= 0.90): MET (0.950) [tiered runs of 0.18-0.18 s;"),
            "{text}"
        );
        assert!(
            text.contains("tiered >= 1.5x QEMU (geomean tiered/qemu >= 1.50): MET (2.850)"),
            "{text}"
        );
        assert!(
            text.contains("no C program below QEMU (each tiered/qemu >= 1.00): MET"),
            "{text}"
        );
        assert!(r.targets_met());
        // tiered 20% behind jit misses
        let r = suite_report(Some(jit), Some(jit / 0.8));
        assert!(!r.targets_met());
        assert!(r.render().contains("MISSED (0.800)"));
        // tiered at 1.2x QEMU: the geomean misses, the floor holds
        let r = suite_report(Some(jit), Some(0.5 / 1.2));
        let text = r.render();
        assert!(text.contains("MISSED (1.200)"), "{text}");
        assert!(text.contains("(each tiered/qemu >= 1.00): MET"), "{text}");
        // one program below QEMU misses the floor
        let mut r = suite_report(Some(jit), Some(jit));
        let slow = r
            .rows
            .iter_mut()
            .find(|m| m.program == "bench_sort" && m.engine.name() == "tiered")
            .expect("a tiered sort row");
        slow.secs = 0.8;
        let text = r.render();
        assert!(!r.targets_met());
        assert!(
            text.contains(
                "no C program below QEMU (each tiered/qemu >= 1.00): MISSED (bench_sort 0.625)"
            ),
            "{text}"
        );
    }
}
