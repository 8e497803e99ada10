//! Reads criterion's estimates of the last benchmark run and prints each figure against its
//! baseline measured in the same run, with the goals the issues set.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// A figure, the baseline it is compared with, and the goal.
struct Pair {
    what: &'static str,
    bench: &'static str,
    baseline: &'static str,
    /// The figure's goal in nanoseconds, if it has an absolute one.
    max_ns: Option<f64>,
    /// The largest ratio to the baseline that meets the goal, if it has one.
    max_ratio: Option<f64>,
}

const PAIRS: [Pair; 9] = [
    Pair {
        what: "scan to cart update, 100-line cart, 50,000-SKU catalog (core)",
        bench: "scan/scan_100_line_cart_50k_catalog",
        baseline: "scan/lookup_50k",
        max_ns: Some(1_000_000.0),
        max_ratio: None,
    },
    Pair {
        what: "promotions repriced after a scan, 200-line cart, 1,000 promotions (core; baseline: engine built and whole cart priced)",
        bench: "promo/scan_200_lines_1000_promotions",
        baseline: "promo/full_200_lines_1000_promotions",
        max_ns: Some(1_000_000.0),
        max_ratio: None,
    },
    Pair {
        what: "a scan on a 200-line cart with 1,000 promotions through the register, view included (baseline: the same with no promotion)",
        bench: "scan/scan_then_view_200_lines_1000_promotions",
        baseline: "scan/scan_then_view_200_lines_no_promotions",
        max_ns: Some(1_000_000.0),
        max_ratio: None,
    },
    Pair {
        what: "durable sale commit against a bare single-row insert",
        bench: "commit/durable_sale",
        baseline: "commit/bare_insert",
        max_ns: None,
        max_ratio: Some(1.5),
    },
    Pair {
        what: "app start to ready-to-scan (open, catalog index, first view)",
        bench: "start/open_to_ready_to_scan",
        baseline: "start/open_database_only",
        max_ns: None,
        max_ratio: None,
    },
    Pair {
        what: "reconcile 10,000 offline sales over HTTPS, SQLite (uploaded, durable, acknowledged, status pulled)",
        bench: "reconcile/10k_sales_sqlite",
        baseline: "reconcile/raw_insert_10k_sqlite",
        max_ns: Some(3_000_000_000.0),
        max_ratio: Some(3.0),
    },
    Pair {
        what: "reconcile 10,000 offline sales over HTTPS, PostgreSQL",
        bench: "reconcile/10k_sales_postgres",
        baseline: "reconcile/raw_insert_10k_postgres",
        max_ns: Some(3_000_000_000.0),
        max_ratio: Some(3.0),
    },
    Pair {
        what: "100 registers upload 100 sales each at once (10,000 entries), SQLite",
        bench: "ingest/100_registers_sqlite",
        baseline: "reconcile/raw_insert_10k_sqlite",
        max_ns: Some(1_000_000_000.0),
        max_ratio: None,
    },
    Pair {
        what: "100 registers upload 100 sales each at once (10,000 entries), PostgreSQL",
        bench: "ingest/100_registers_postgres",
        baseline: "reconcile/raw_insert_10k_postgres",
        max_ns: Some(1_000_000_000.0),
        max_ratio: None,
    },
];

/// Where criterion writes: `$CARGO_TARGET_DIR/criterion`, or `target/criterion`.
pub fn criterion_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::fixtures::workspace_root().join("target"));
    target.join("criterion")
}

fn median_ns(dir: &Path, bench: &str) -> anyhow::Result<f64> {
    let path = dir.join(bench).join("new/estimates.json");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("{} is missing: run scripts/bench.sh first", path.display()))?;
    let json: serde_json::Value = serde_json::from_str(&text)?;
    // The median: a virtual disk's occasional slow fsync moves the mean, not the median.
    match json["median"]["point_estimate"].as_f64() {
        Some(ns) => Ok(ns),
        None => bail!("{}: no median estimate", path.display()),
    }
}

fn human(ns: f64) -> String {
    match ns {
        n if n >= 1e6 => format!("{:.2} ms", n / 1e6),
        n if n >= 1e3 => format!("{:.1} µs", n / 1e3),
        n => format!("{n:.0} ns"),
    }
}

/// The report as a Markdown table.
pub fn report(dir: &Path) -> anyhow::Result<String> {
    let mut out = String::from(
        "| what | figure | baseline | ratio | goal | met |\n|---|---|---|---|---|---|\n",
    );
    for pair in &PAIRS {
        let figure = median_ns(dir, pair.bench)?;
        let baseline = median_ns(dir, pair.baseline)?;
        let ratio = figure / baseline;
        let (goal, met) = match (pair.max_ns, pair.max_ratio) {
            (Some(max), Some(ratio_max)) => (
                format!("< {} and ratio ≤ {ratio_max}", human(max)),
                figure < max && ratio <= ratio_max,
            ),
            (Some(max), None) => (format!("< {}", human(max)), figure < max),
            (None, Some(max)) => (format!("ratio ≤ {max}"), ratio <= max),
            (None, None) => ("(reported)".to_owned(), true),
        };
        out.push_str(&format!(
            "| {} | {} | {} `{}` | {ratio:.2} | {goal} | {} |\n",
            pair.what,
            human(figure),
            human(baseline),
            pair.baseline,
            if met { "yes" } else { "NO" }
        ));
    }
    Ok(out)
}
