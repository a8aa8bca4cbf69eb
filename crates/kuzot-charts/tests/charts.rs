//! The charts and tables, from outside: structure, escaping, degenerate data, CSV.

mod common;

use common::{Element, check_chart, count};
use kuzot_charts::{
    BoxPlotOptions, BoxStats, ChartText, Series, Table, box_plots, box_plots_table, box_plots_with,
    grouped_bars, grouped_bars_table, horizontal_bars, horizontal_bars_table, plain_number,
    share_lines, share_lines_table, stacked_bars, stacked_bars_table,
};
use proptest::prelude::*;

fn fmt(v: f64) -> String {
    format!("{v}")
}

fn percent(v: f64) -> String {
    format!("{:.0} %", v * 100.0)
}

fn text() -> ChartText {
    ChartText {
        title: "Messages per week".into(),
        description: "Recruitment messages per week by category.".into(),
        x_label: "Week".into(),
        y_label: "Messages".into(),
    }
}

fn labels(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("2024-W{:02}", i % 53 + 1)).collect()
}

fn series(name: &str, values: &[f64]) -> Series {
    Series {
        name: name.into(),
        values: values.to_vec(),
    }
}

fn box_stats(label: &str, base: f64) -> BoxStats {
    BoxStats {
        label: label.into(),
        count: 40,
        min: base,
        q1: base * 2.0,
        median: base * 3.0,
        q3: base * 4.0,
        max: base * 6.0,
    }
}

/// Tick labels along the bottom of a vertical chart.
fn x_tick_labels(elements: &[Element]) -> Vec<&Element> {
    // The x axis group comes after the y axis group; its labels are those of class
    // tick-label whose y is below the plot, so find the group by order instead.
    let start = elements
        .iter()
        .position(|e| e.name == "g" && e.has_class("axis-x"))
        .expect("x axis");
    elements[start + 1..]
        .iter()
        .take_while(|e| e.ancestors.iter().any(|a| a == "g") && e.name != "g")
        .filter(|e| e.name == "text" && e.has_class("tick-label"))
        .collect()
}

#[test]
fn stacked_bars_draw_one_bar_per_value_and_one_legend_entry_per_series() {
    let x = labels(4);
    let data = [
        series("Military contract", &[10.0, 20.0, 0.0, 5.0]),
        series("Construction", &[1.0, f64::NAN, 3.0]),
        series("Front-line work", &[2.0, 2.0, 2.0, 2.0, 99.0]),
    ];
    let svg = stacked_bars(&text(), &x, &data, &fmt);
    let elements = check_chart(&svg);
    // 4 + 2 (NaN and the missing fourth value skipped) + 4 (the fifth value has no label).
    assert_eq!(count(&elements, "rect", "bar").len(), 10);
    assert_eq!(count(&elements, "g", "legend-entry").len(), 3);
    let titles: Vec<&str> = elements
        .iter()
        .filter(|e| e.name == "title" && e.ancestors.last().is_some_and(|a| a == "rect"))
        .map(|e| e.text.as_str())
        .collect();
    assert!(
        titles.contains(&"2024-W02 · Military contract: 20"),
        "{titles:?}"
    );
    // The axis reaches the tallest stack (20 + 2 = 22) with a nice tick above it.
    let ticks: Vec<&str> = elements
        .iter()
        .filter(|e| e.has_class("tick-label"))
        .map(|e| e.text.as_str())
        .collect();
    assert!(
        ticks.starts_with(&["0", "5", "10", "15", "20", "25"]),
        "{ticks:?}"
    );
}

#[test]
fn stacked_bars_stack_negative_values_below_zero() {
    let x = labels(1);
    let data = [
        series("a", &[3.0]),
        series("b", &[-2.0]),
        series("c", &[4.0]),
    ];
    let elements = check_chart(&stacked_bars(&text(), &x, &data, &fmt));
    let bars = count(&elements, "rect", "bar");
    let top = |e: &Element| e.attr("y").and_then(|y| y.parse::<f64>().ok()).expect("y");
    let height = |e: &Element| {
        e.attr("height")
            .and_then(|h| h.parse::<f64>().ok())
            .expect("height")
    };
    // a sits on zero, c on top of a, b hangs below zero where a starts.
    assert!((top(bars[0]) - (top(bars[2]) + height(bars[2]))).abs() < 0.02);
    assert!((top(bars[1]) - (top(bars[0]) + height(bars[0]))).abs() < 0.02);
}

#[test]
fn grouped_bars_and_share_lines_have_one_mark_per_value() {
    let x = labels(3);
    let data = [
        series("Occupied", &[5.0, 0.0, 7.0]),
        series("Not", &[1.0, 2.0]),
    ];
    let elements = check_chart(&grouped_bars(&text(), &x, &data, &fmt));
    assert_eq!(count(&elements, "rect", "bar").len(), 5);
    assert_eq!(count(&elements, "g", "legend-entry").len(), 2);

    let shares = [
        series("Army", &[0.5, f64::NAN, 0.75]),
        series("Work", &[0.25, 0.5, 0.1]),
    ];
    let elements = check_chart(&share_lines(&text(), &x, &shares, &percent));
    assert_eq!(count(&elements, "circle", "point").len(), 5);
    assert_eq!(count(&elements, "path", "line").len(), 2);
    assert_eq!(count(&elements, "g", "legend-entry").len(), 2);
    let army = count(&elements, "path", "line")[0]
        .attr("d")
        .expect("d")
        .to_owned();
    assert_eq!(
        army.matches('M').count(),
        2,
        "the missing value breaks the line"
    );
    let ticks: Vec<&str> = elements
        .iter()
        .filter(|e| e.has_class("tick-label"))
        .map(|e| e.text.as_str())
        .take(6)
        .collect();
    assert_eq!(ticks, ["0 %", "20 %", "40 %", "60 %", "80 %", "100 %"]);
}

#[test]
fn horizontal_bars_and_box_plots_have_one_mark_per_value() {
    let names = vec![
        "@vakhta_jobs".to_owned(),
        "Работа Москва".to_owned(),
        "x".to_owned(),
    ];
    let elements = check_chart(&horizontal_bars(
        &text(),
        &names,
        &[120.0, 45.0, -3.0],
        &fmt,
    ));
    assert_eq!(count(&elements, "rect", "bar").len(), 3);
    assert_eq!(count(&elements, "text", "value-label").len(), 3);
    assert!(count(&elements, "g", "legend-entry").is_empty());

    let boxes = [box_stats("Army", 100_000.0), box_stats("Work", 50_000.0)];
    for svg in [
        box_plots(&text(), &boxes, &fmt),
        box_plots_with(&text(), &boxes, &fmt, BoxPlotOptions { log_scale: true }),
    ] {
        let elements = check_chart(&svg);
        assert_eq!(count(&elements, "g", "box").len(), 2);
        assert_eq!(count(&elements, "rect", "quartiles").len(), 2);
        assert_eq!(count(&elements, "line", "median").len(), 2);
    }
}

#[test]
fn log_box_plots_use_decades_and_fall_back_to_linear_on_non_positive_values() {
    let boxes = [box_stats("a", 30.0), box_stats("b", 3000.0)];
    let elements = check_chart(&box_plots_with(
        &text(),
        &boxes,
        &fmt,
        BoxPlotOptions { log_scale: true },
    ));
    let ticks: Vec<&str> = elements
        .iter()
        .filter(|e| e.has_class("tick-label"))
        .map(|e| e.text.as_str())
        .take(4)
        .collect();
    assert_eq!(ticks, ["10", "100", "1000", "10000"]);
    let with_zero = [box_stats("a", 0.0), box_stats("b", 10.0)];
    let elements = check_chart(&box_plots_with(
        &text(),
        &with_zero,
        &fmt,
        BoxPlotOptions { log_scale: true },
    ));
    assert_eq!(count(&elements, "g", "box").len(), 2);
}

const HOSTILE: [&str; 6] = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "]]><![CDATA[",
    "' onmouseover='x",
    "&amp; &#0; \u{1}\u{202E}",
    "<style>*{}</style>",
];

fn hostile_charts() -> Vec<String> {
    let hostile_text = ChartText {
        title: HOSTILE[0].into(),
        description: HOSTILE[1].into(),
        x_label: HOSTILE[2].into(),
        y_label: HOSTILE[5].into(),
    };
    let x: Vec<String> = HOSTILE.iter().map(|s| (*s).to_owned()).collect();
    let data: Vec<Series> = HOSTILE
        .iter()
        .map(|name| series(name, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]))
        .collect();
    let hostile_fmt = |_: f64| "<script>x</script>\"'&".to_owned();
    let boxes: Vec<BoxStats> = HOSTILE.iter().map(|l| box_stats(l, 1.0)).collect();
    vec![
        stacked_bars(&hostile_text, &x, &data, &hostile_fmt),
        grouped_bars(&hostile_text, &x, &data, &hostile_fmt),
        share_lines(&hostile_text, &x, &data, &hostile_fmt),
        horizontal_bars(&hostile_text, &x, &[1.0; 6], &hostile_fmt),
        box_plots(&hostile_text, &boxes, &hostile_fmt),
    ]
}

#[test]
fn hostile_labels_are_escaped() {
    for svg in hostile_charts() {
        // check_chart parses the document strictly and fails on any element or attribute a
        // strict CSP forbids: <script>, <style>, on* handlers, hrefs.
        let elements = check_chart(&svg);
        let lower = svg.to_ascii_lowercase();
        assert!(!lower.contains("<script"), "{svg}");
        assert!(!lower.contains("<img"), "{svg}");
        assert!(!lower.contains("<style"), "{svg}");
        assert!(!lower.contains("<![cdata["), "{svg}");
        assert!(!svg.contains("]]>"), "{svg}");
        assert!(
            !elements
                .iter()
                .flat_map(|e| e.attrs.iter())
                .any(|(k, _)| k.starts_with("on")),
        );
        // The hostile text is still there, as text, for the reader to see.
        assert!(elements.iter().any(|e| e.text.contains("<script>alert(1)")));
        assert!(!elements.iter().any(|e| e.text.contains('\u{202E}')));
    }
}

#[test]
fn long_labels_are_cut_on_char_boundaries_with_an_ellipsis() {
    let long = "Вербовка на СВО Контракт Минобороны выплаты 195 000 рублей ".repeat(8);
    let x = vec![long.clone(), "ok".to_owned()];
    let data = [series(&long, &[1.0, 2.0])];
    for svg in [
        stacked_bars(
            &ChartText {
                title: long.clone(),
                ..text()
            },
            &x,
            &data,
            &fmt,
        ),
        horizontal_bars(&text(), &x, &[1.0, 2.0], &fmt),
    ] {
        let elements = check_chart(&svg);
        let cut: Vec<&Element> = elements
            .iter()
            .filter(|e| e.name == "text" && e.text.ends_with('…'))
            .collect();
        assert!(!cut.is_empty());
        for e in cut {
            assert!(e.text.chars().count() <= 100, "{}", e.text);
        }
        // The whole label stays available as a tooltip.
        assert!(
            elements
                .iter()
                .any(|e| e.name == "title" && e.text == long.trim())
        );
    }
}

#[test]
fn many_x_labels_are_thinned_so_they_do_not_overlap() {
    for n in [10, 53, 300, 3000] {
        let x = labels(n);
        let data = [series("a", &vec![1.0; n])];
        let elements = check_chart(&stacked_bars(&text(), &x, &data, &fmt));
        assert_eq!(count(&elements, "rect", "bar").len(), n);
        let shown = x_tick_labels(&elements);
        assert!(
            !shown.is_empty() && shown.len() <= n,
            "{n}: {}",
            shown.len()
        );
        let xs: Vec<f64> = shown
            .iter()
            .map(|e| e.attr("x").and_then(|x| x.parse().ok()).expect("x"))
            .collect();
        for pair in xs.windows(2) {
            // "2024-W01" at 11 px is about 55 px wide.
            assert!(pair[1] - pair[0] >= 55.0, "{n}: labels {pair:?} overlap");
        }
    }
}

#[test]
fn degenerate_data_gives_a_valid_chart() {
    let none: [Series; 0] = [];
    let empty_series = [series("", &[])];
    let zeros = [series("z", &[0.0, 0.0, 0.0])];
    let odd = [series(
        "odd",
        &[f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -1e308, 1e308],
    )];
    let tiny = [series("tiny", &[1e-320, 5e-324])];
    let cases: Vec<(Vec<String>, &[Series])> = vec![
        (vec![], &none),
        (labels(3), &none),
        (vec![], &zeros),
        (labels(3), &empty_series),
        (labels(1), &zeros),
        (labels(3), &zeros),
        (labels(5), &odd),
        (labels(2), &tiny),
    ];
    for (x, data) in &cases {
        check_chart(&stacked_bars(&text(), x, data, &fmt));
        check_chart(&grouped_bars(&text(), x, data, &fmt));
        check_chart(&share_lines(&text(), x, data, &percent));
        let values: Vec<f64> = data.first().map(|s| s.values.clone()).unwrap_or_default();
        check_chart(&horizontal_bars(&text(), x, &values, &fmt));
    }
    check_chart(&box_plots(&text(), &[], &fmt));
    let broken = BoxStats {
        label: "broken".into(),
        count: 0,
        min: f64::NAN,
        q1: 5.0,
        median: 1.0,
        q3: 2.0,
        max: f64::INFINITY,
    };
    let reversed = BoxStats {
        label: "reversed".into(),
        count: 3,
        min: 9.0,
        q1: 7.0,
        median: 5.0,
        q3: 3.0,
        max: 1.0,
    };
    let elements = check_chart(&box_plots(&text(), &[broken, reversed], &fmt));
    assert_eq!(
        count(&elements, "g", "box").len(),
        1,
        "the NaN box is not drawn"
    );
    check_chart(&stacked_bars(
        &ChartText::default(),
        &labels(2),
        &zeros,
        &fmt,
    ));
    // Non-finite values draw nothing.
    let elements = check_chart(&stacked_bars(&text(), &labels(5), &odd, &fmt));
    assert_eq!(count(&elements, "rect", "bar").len(), 2);
}

#[test]
fn output_is_deterministic_and_ids_differ_between_charts() {
    let x = labels(5);
    let data = [series("a", &[1.0, 2.0, 3.0, 4.0, 5.0])];
    let one = stacked_bars(&text(), &x, &data, &fmt);
    assert_eq!(one, stacked_bars(&text(), &x, &data, &fmt));
    let other = grouped_bars(&text(), &x, &data, &fmt);
    let id = |svg: &str| check_chart(svg)[0].attr("id").map(str::to_owned);
    assert_ne!(id(&one), id(&other));
}

#[test]
fn palette_repeats_past_eight_series() {
    let x = labels(1);
    let data: Vec<Series> = (0..20).map(|i| series(&format!("s{i}"), &[1.0])).collect();
    let elements = check_chart(&stacked_bars(&text(), &x, &data, &fmt));
    assert_eq!(count(&elements, "g", "legend-entry").len(), 20);
    let fills: Vec<&str> = count(&elements, "g", "series")
        .iter()
        .filter_map(|e| e.attr("fill"))
        .collect();
    assert_eq!(fills[0], "#0072B2");
    assert_eq!(fills[0], fills[8]);
}

#[test]
fn csv_guards_against_formulas_but_keeps_numbers() {
    let table = Table {
        columns: vec!["=HYPERLINK(\"http://x\")".into(), "name, with comma".into()],
        rows: vec![
            vec!["+1+1".into(), "-12.5".into()],
            vec!["@SUM(A1)".into(), "\tTab".into()],
            vec!["\rcr".into(), "-2+3+cmd|' /C calc'!A0".into()],
            vec!["ok".into(), "line\nbreak".into(), "extra".into()],
            vec![],
            vec!["1e5".into(), "=".into()],
        ],
    };
    let csv = table.to_csv();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(csv.as_bytes());
    let records: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.expect("valid CSV").iter().map(str::to_owned).collect())
        .collect();
    assert_eq!(
        records,
        [
            vec!["'=HYPERLINK(\"http://x\")", "name, with comma"],
            vec!["'+1+1", "-12.5"],
            vec!["'@SUM(A1)", "'\tTab"],
            vec!["'\rcr", "'-2+3+cmd|' /C calc'!A0"],
            vec!["ok", "line\nbreak", "extra"],
            vec!["1e5", "'="],
        ]
    );
    assert!(table.to_csv_for_excel().starts_with('\u{FEFF}'));
}

#[test]
fn tables_hold_the_numbers_of_each_chart() {
    let t = text();
    let x = labels(2);
    let data = [series("=evil", &[1.5, f64::NAN]), series("b", &[-2.0])];
    let expected = "Week,'=evil,b\r\n2024-W01,1.5,-2\r\n2024-W02,,\r\n";
    assert_eq!(
        stacked_bars_table(&t, &x, &data, &plain_number).to_csv(),
        expected
    );
    assert_eq!(
        grouped_bars_table(&t, &x, &data, &plain_number).to_csv(),
        expected
    );
    assert_eq!(
        share_lines_table(&t, &x, &data, &plain_number).to_csv(),
        expected
    );
    let h = horizontal_bars_table(&t, &x, &[7.0], &plain_number);
    assert_eq!(h.to_csv(), "Messages,Week\r\n2024-W01,7\r\n2024-W02,\r\n");
    let b = box_plots_table(&t, &[box_stats("Army", 1000.0)], &plain_number);
    assert_eq!(
        b.to_csv(),
        "Week,n,min,q1,median,q3,max\r\nArmy,40,1000,2000,3000,4000,6000\r\n"
    );
}

fn any_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => -1e6f64..1e6,
        1 => Just(0.0),
        1 => any::<f64>(),
        1 => prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(f64::MAX), Just(-f64::MAX), Just(f64::MIN_POSITIVE)],
    ]
}

fn any_label() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[<>&\"'\\]\\[ a-zа-я\u{0}-\u{1f}\u{202e}]{0,60}"
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn any_data_gives_a_well_formed_chart(
        title in any_label(),
        x in prop::collection::vec(any_label(), 0..40),
        data in prop::collection::vec((any_label(), prop::collection::vec(any_value(), 0..45)), 0..6),
        stats in prop::collection::vec((any_label(), any::<u64>(), prop::array::uniform5(any_value())), 0..8),
        log_scale in any::<bool>(),
    ) {
        let t = ChartText { title: title.clone(), description: title.clone(), x_label: title.clone(), y_label: title };
        let series: Vec<Series> = data.into_iter().map(|(name, values)| Series { name, values }).collect();
        let hostile_fmt = |v: f64| format!("<{v}>&");
        check_chart(&stacked_bars(&t, &x, &series, &fmt));
        check_chart(&grouped_bars(&t, &x, &series, &hostile_fmt));
        check_chart(&share_lines(&t, &x, &series, &percent));
        let values = series.first().map(|s| s.values.clone()).unwrap_or_default();
        check_chart(&horizontal_bars(&t, &x, &values, &fmt));
        let boxes: Vec<BoxStats> = stats
            .into_iter()
            .map(|(label, count, [min, q1, median, q3, max])| BoxStats { label, count, min, q1, median, q3, max })
            .collect();
        check_chart(&box_plots_with(&t, &boxes, &fmt, BoxPlotOptions { log_scale }));
        let table = stacked_bars_table(&t, &x, &series, &plain_number);
        let csv = table.to_csv();
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(csv.as_bytes());
        prop_assert!(reader.records().all(|r| r.is_ok()));
    }
}

#[test]
fn thousands_of_weeks_by_eight_series_stay_a_reasonable_size() {
    let n = 3000;
    let x = labels(n);
    let data: Vec<Series> = (0..8)
        .map(|k| series(&format!("s{k}"), &vec![k as f64 + 1.0; n]))
        .collect();
    let started = std::time::Instant::now();
    let svg = stacked_bars(&text(), &x, &data, &fmt);
    let elapsed = started.elapsed();
    let elements = check_chart(&svg);
    assert_eq!(count(&elements, "rect", "bar").len(), n * 8);
    eprintln!("{} bytes in {elapsed:?}", svg.len());
    assert!(svg.len() < 8_000_000, "{} bytes", svg.len());
}
