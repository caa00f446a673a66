//! The bench runner's results as JSON (`--json FILE`) and as an SVG chart
//! (`--svg FILE`, drawn with `plotters`): per program, the MIPS of each
//! engine that ran it.

use std::path::Path;

use plotters::prelude::*;

use crate::report::Report;
use crate::runner::{Measurement, Status};

/// The measurements as JSON (layout `rvdbt-bench/1`): one object per row
/// with program, engine, instructions, seconds (QEMU: and its start-up),
/// MIPS and status, plus the host line.
pub fn json(report: &Report, host: &str) -> serde_json::Value {
    let rows: Vec<serde_json::Value> = report
        .rows
        .iter()
        .map(|m| {
            serde_json::json!({
                "program": m.program,
                "engine": m.engine.name(),
                "insns": m.insns,
                "secs": m.secs,
                "startup_secs": m.startup_secs,
                "mips": report.mips(m),
                "status": status(m),
            })
        })
        .collect();
    serde_json::json!({ "layout": "rvdbt-bench/1", "host": host, "rows": rows })
}

fn status(m: &Measurement) -> String {
    match &m.status {
        Status::Passed => "passed".into(),
        Status::Capped => "capped".into(),
        Status::Failed(why) => format!("failed: {why}"),
        Status::NotBuilt => "not built".into(),
    }
}

/// Colours of the engines, in report order.
const PALETTE: [RGBColor; 5] = [
    RGBColor(0x4c, 0x72, 0xb0),
    RGBColor(0xdd, 0x84, 0x52),
    RGBColor(0x55, 0xa8, 0x68),
    RGBColor(0xc4, 0x4e, 0x52),
    RGBColor(0x81, 0x72, 0xb3),
];

/// Draws the MIPS of every (program, engine) that has a figure as grouped
/// horizontal bars, one group per program, into the SVG file `path`.
pub fn svg(report: &Report, title: &str, path: &Path) -> Result<(), String> {
    let mut groups: Vec<(String, Vec<(String, f64)>)> = Vec::new();
    for m in &report.rows {
        let Some(v) = report.mips(m) else { continue };
        let g = match groups.iter().position(|g| g.0 == m.program) {
            Some(i) => i,
            None => {
                groups.push((m.program.to_string(), Vec::new()));
                groups.len() - 1
            }
        };
        groups[g].1.push((m.engine.name(), v));
    }
    bars(
        &groups,
        title,
        "guest MIPS (QEMU: rvdbt's instruction count over its time)",
        path,
    )
}

/// Grouped horizontal bars: per group (label, then (series, value) pairs),
/// one bar per series, a colour per series name (in first-seen order) and
/// a legend, into the SVG file `path`.
pub fn bars(
    groups: &[(String, Vec<(String, f64)>)],
    title: &str,
    x_desc: &str,
    path: &Path,
) -> Result<(), String> {
    let mut series: Vec<&str> = Vec::new();
    for (_, vs) in groups {
        for (name, _) in vs {
            if !series.contains(&name.as_str()) {
                series.push(name);
            }
        }
    }
    if series.is_empty() {
        return Err("no measurement to draw".into());
    }
    let max = groups
        .iter()
        .flat_map(|g| g.1.iter().map(|v| v.1))
        .fold(0.0f64, f64::max);
    let slots = series.len() + 1; // bars per group, plus a gap
    let rows = groups.len() * slots;
    let height = 120 + 14 * rows as u32;
    let root = SVGBackend::new(path, (900, height)).into_drawing_area();
    let draw = |e: DrawingAreaErrorKind<_>| e.to_string();
    root.fill(&WHITE).map_err(draw)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(130)
        .build_cartesian_2d(0.0..max * 1.08, 0.0..rows as f64)
        .map_err(draw)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .disable_y_axis()
        .y_labels(0)
        .x_desc(x_desc)
        .draw()
        .map_err(draw)?;
    // Group names left of their groups, in the label area.
    for (i, (label, _)) in groups.iter().enumerate() {
        let middle = (rows - i * slots) as f64 - series.len() as f64 / 2.0 - 1.0;
        let (_, y) = chart.backend_coord(&(0.0, middle));
        root.draw(&Text::new(
            label.clone(),
            (12, y - 7),
            ("sans-serif", 13).into_font(),
        ))
        .map_err(draw)?;
    }
    for (k, name) in series.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        let rects: Vec<_> = groups
            .iter()
            .enumerate()
            .filter_map(|(i, (_, vs))| {
                let v = vs.iter().find(|v| v.0 == *name)?.1;
                // Top to bottom: the first group at the top.
                let y = (rows - i * slots - k - 1) as f64;
                Some(Rectangle::new(
                    [(0.0, y - 0.9), (v, y - 0.1)],
                    color.filled(),
                ))
            })
            .collect();
        chart
            .draw_series(rects)
            .map_err(draw)?
            .label(name.to_string())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled()));
    }
    // The legend goes in the right-hand corner whose group has the
    // shorter bars, so it hides none.
    let group_max = |g: Option<&(String, Vec<(String, f64)>)>| {
        g.map_or(0.0, |g| g.1.iter().map(|v| v.1).fold(0.0, f64::max))
    };
    let corner = if group_max(groups.first()) < group_max(groups.last()) {
        SeriesLabelPosition::UpperRight
    } else {
        SeriesLabelPosition::LowerRight
    };
    chart
        .configure_series_labels()
        .position(corner)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()
        .map_err(draw)?;
    root.present().map_err(draw)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::Engine;

    fn m(program: &'static str, engine: Engine, insns: Option<u64>, secs: f64) -> Measurement {
        Measurement {
            program,
            engine,
            insns,
            secs,
            startup_secs: None,
            status: Status::Passed,
            output: String::new(),
        }
    }

    #[test]
    fn json_and_svg_hold_every_measured_row() {
        let mut r = Report::default();
        let tiered = Engine::Rvdbt(runtime::Engine::Tiered);
        r.rows
            .push(m("bench_a", crate::runner::INTERP, Some(300_000_000), 1.0));
        r.rows.push(m("bench_a", tiered, Some(300_000_000), 0.2));
        r.rows.push(m("bench_a", Engine::Qemu, None, 0.3));
        r.rows.push(m("bench_b", tiered, Some(50_000_000), 0.1));
        let j = json(&r, "host: test");
        assert_eq!(j["layout"], "rvdbt-bench/1");
        assert_eq!(j["rows"].as_array().unwrap().len(), 4);
        assert_eq!(j["rows"][1]["engine"], "tiered");
        assert!((j["rows"][1]["mips"].as_f64().unwrap() - 1500.0).abs() < 1e-6);
        // QEMU's MIPS borrows rvdbt's instruction count.
        assert!((j["rows"][2]["mips"].as_f64().unwrap() - 1000.0).abs() < 1e-6);

        let path = std::env::temp_dir().join(format!("rvdbt-chart-{}.svg", std::process::id()));
        svg(&r, "test chart", &path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert!(text.starts_with("<svg"), "{}", &text[..80.min(text.len())]);
        for needle in [
            "test chart",
            "bench_a",
            "bench_b",
            "interp",
            "tiered",
            "qemu",
        ] {
            assert!(text.contains(needle), "missing {needle}");
        }
        // Bars and legend swatches in the engines' colours: interp and
        // QEMU one bar each, tiered two (bench_a and bench_b).
        let fills = |c: RGBColor| {
            text.matches(&format!("fill=\"#{:02X}{:02X}{:02X}\"", c.0, c.1, c.2))
                .count()
        };
        assert_eq!(
            [fills(PALETTE[0]), fills(PALETTE[1]), fills(PALETTE[2])],
            [2, 3, 2],
            "{text}"
        );
    }
}
