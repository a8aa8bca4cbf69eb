//! Renders one example of each chart into `/work/charts-preview/` (or the directory given
//! as the first argument), to look at them: `cargo run -p kuzot-charts --example preview`.

use kuzot_charts::{
    BoxStats, ChartOptions, ChartText, Series, box_plots_with, grouped_bars, horizontal_bars,
    share_lines, stacked_bars,
};
use std::path::PathBuf;

/// Thousands separated by a narrow no-break space, as Russian writes them.
fn ru(value: f64) -> String {
    let rounded = value.round();
    let digits = format!("{}", rounded.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('\u{202F}');
        }
        out.push(c);
    }
    if rounded < 0.0 {
        format!("−{out}")
    } else {
        out
    }
}

fn percent(value: f64) -> String {
    format!("{:.0} %", value * 100.0)
}

fn text(title: &str, x: &str, y: &str) -> ChartText {
    ChartText {
        title: title.into(),
        description: format!("{title}. The same numbers are in the table below the chart."),
        x_label: x.into(),
        y_label: y.into(),
    }
}

/// A repeatable wobble, so that the example needs no random number crate.
fn wobble(i: usize, k: usize) -> f64 {
    let x = (i * 7 + k * 13) % 17;
    x as f64 / 17.0
}

fn main() -> std::io::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("/work/charts-preview"), PathBuf::from);
    std::fs::create_dir_all(&dir)?;

    let weeks: Vec<String> = (1..=40).map(|w| format!("2023-W{w:02}")).collect();
    let categories = [
        "Ministry of Defence contract",
        "Private military company",
        "Construction in occupied territory",
        "Front-line works",
        "Other",
    ];
    let counts: Vec<Series> = categories
        .iter()
        .enumerate()
        .map(|(k, name)| Series {
            name: (*name).into(),
            values: (0..weeks.len())
                .map(|i| {
                    ((60.0 - 10.0 * k as f64) * (0.5 + wobble(i, k))
                        + i as f64 * (4 - k.min(4)) as f64)
                        .round()
                })
                .collect(),
        })
        .collect();
    std::fs::write(
        dir.join("stacked_bars.svg"),
        stacked_bars(
            &text(
                "Recruitment messages per week by category",
                "Week",
                "Messages",
            ),
            &weeks,
            &counts,
            &ru,
        ),
    )?;

    let totals: Vec<f64> = (0..weeks.len())
        .map(|i| counts.iter().map(|s| s.values[i]).sum())
        .collect();
    let shares: Vec<Series> = counts
        .iter()
        .map(|s| Series {
            name: s.name.clone(),
            values: s.values.iter().zip(&totals).map(|(v, t)| v / t).collect(),
        })
        .collect();
    std::fs::write(
        dir.join("share_lines.svg"),
        share_lines(
            &text(
                "Share of each category among recruitment messages",
                "Week",
                "Share of messages",
            ),
            &weeks,
            &shares,
            &percent,
        ),
    )?;

    let channels: Vec<String> = [
        "Работа вахтой Москва и область | Вакансии без опыта, оплата каждую неделю",
        "@vakhta_mariupol",
        "Контракт СВО 195 000 ₽ сразу",
        "Мигранттар үчүн жумуш",
        "Ish bor Moskva",
        "<script>alert(1)</script>",
        "Охрана Жилищник",
        "Стройка ДНР ЛНР",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let per_channel = [1840.0, 1210.0, 960.0, 610.0, 455.0, 300.0, 120.0, 42.0];
    std::fs::write(
        dir.join("horizontal_bars.svg"),
        horizontal_bars(
            &text(
                "Channels with the most recruitment messages",
                "Messages",
                "Channel",
            ),
            &channels,
            &per_channel,
            &ru,
        ),
    )?;

    let pay = |label: &str, count, min, q1, median, q3, max| BoxStats {
        label: label.into(),
        count,
        min,
        q1,
        median,
        q3,
        max,
    };
    let boxes = [
        pay(
            "Ministry of Defence",
            412,
            150_000.0,
            195_000.0,
            204_000.0,
            220_000.0,
            242_000.0,
        ),
        pay(
            "PMC", 96, 180_000.0, 220_000.0, 240_000.0, 250_000.0, 300_000.0,
        ),
        pay(
            "Security guard",
            57,
            90_000.0,
            170_000.0,
            190_000.0,
            240_000.0,
            260_000.0,
        ),
        pay(
            "Construction",
            133,
            45_000.0,
            100_000.0,
            110_000.0,
            120_000.0,
            180_000.0,
        ),
        pay(
            "Front-line works",
            61,
            45_000.0,
            60_000.0,
            90_000.0,
            150_000.0,
            180_000.0,
        ),
    ];
    std::fs::write(
        dir.join("box_plots.svg"),
        box_plots_with(
            &text(
                "Promised monthly pay by category",
                "Category",
                "RUB per month",
            ),
            &boxes,
            &ru,
            &ChartOptions::default(),
        ),
    )?;
    std::fs::write(
        dir.join("box_plots_log.svg"),
        box_plots_with(
            &text(
                "Promised monthly pay by category (log scale)",
                "Category",
                "RUB per month",
            ),
            &boxes,
            &ru,
            &ChartOptions {
                log_scale: true,
                ..ChartOptions::default()
            },
        ),
    )?;

    let places: Vec<String> = [
        "Mariupol",
        "Donetsk",
        "Luhansk",
        "Melitopol",
        "Belgorod",
        "Moscow",
        "Yekaterinburg",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let occupied = Series {
        name: "Occupied territory".into(),
        values: vec![320.0, 210.0, 150.0, 75.0, 0.0, 0.0, 0.0],
    };
    let not_occupied = Series {
        name: "Not occupied".into(),
        values: vec![0.0, 0.0, 0.0, 0.0, 88.0, 410.0, 64.0],
    };
    std::fs::write(
        dir.join("grouped_bars.svg"),
        grouped_bars(
            &text("Places named in messages", "Place", "Messages"),
            &places,
            &[occupied, not_occupied],
            &ru,
        ),
    )?;

    let many_weeks: Vec<String> = (0..520)
        .map(|i| format!("{}-W{:02}", 2016 + i / 52, i % 52 + 1))
        .collect();
    let many = vec![Series {
        name: "Messages".into(),
        values: (0..many_weeks.len())
            .map(|i| (wobble(i, 1) * 100.0).round())
            .collect(),
    }];
    std::fs::write(
        dir.join("stacked_bars_many.svg"),
        stacked_bars(
            &text("Ten years of weeks", "Week", "Messages"),
            &many_weeks,
            &many,
            &ru,
        ),
    )?;
    println!("wrote charts to {}", dir.display());
    Ok(())
}
