//! The charts and tables, from outside: structure, escaping, degenerate data, CSV.

mod common;

use common::{Element, check_chart, count};
use kuzot_charts::{
    BoxStats, ChartOptions, ChartText, Series, ShareTotals, Table, box_plots, box_plots_table,
    box_plots_with, grouped_bars, grouped_bars_table, grouped_bars_with, horizontal_bars,
    horizontal_bars_table, horizontal_bars_with, plain_number, share_lines, share_lines_table,
    share_lines_with, stacked_bars, stacked_bars_table, stacked_bars_with,
};
use proptest::prelude::*;

/// Box plots on a logarithmic axis.
const LOG: ChartOptions<'static> = ChartOptions {
    links: None,
    whole_numbers: false,
    note: "",
    log_scale: true,
    totals: None,
    width: None,
};

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
        box_plots_with(&text(), &boxes, &fmt, &LOG),
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
    let elements = check_chart(&box_plots_with(&text(), &boxes, &fmt, &LOG));
    let ticks: Vec<&str> = elements
        .iter()
        .filter(|e| e.has_class("tick-label"))
        .map(|e| e.text.as_str())
        .take(4)
        .collect();
    assert_eq!(ticks, ["10", "100", "1000", "10000"]);
    let with_zero = [box_stats("a", 0.0), box_stats("b", 10.0)];
    let elements = check_chart(&box_plots_with(&text(), &with_zero, &fmt, &LOG));
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
        check_chart(&box_plots_with(&t, &boxes, &fmt, &ChartOptions { log_scale, ..ChartOptions::default() }));
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

/// Tick labels up the side of a vertical chart (the value axis).
fn y_tick_labels(elements: &[Element]) -> Vec<String> {
    let start = elements
        .iter()
        .position(|e| e.name == "g" && e.has_class("axis-y"))
        .expect("y axis");
    elements[start + 1..]
        .iter()
        .take_while(|e| e.name != "g")
        .filter(|e| e.name == "text" && e.has_class("tick-label"))
        .map(|e| e.text.clone())
        .collect()
}

/// The texts of the group of class `class` (one without groups inside it).
fn texts_in(elements: &[Element], class: &str) -> Vec<String> {
    let start = elements
        .iter()
        .position(|e| e.name == "g" && e.has_class(class))
        .unwrap_or_else(|| panic!("no group {class}"));
    elements[start + 1..]
        .iter()
        .take_while(|e| e.name != "g" && e.ancestors.len() > elements[start].ancestors.len())
        .filter(|e| e.name == "text")
        .map(|e| e.text.clone())
        .collect()
}

/// The links of a chart: (href, accessible name), in document order.
fn links(elements: &[Element]) -> Vec<(String, String)> {
    elements
        .iter()
        .filter(|e| e.name == "a")
        .map(|e| {
            (
                e.attr("href").unwrap_or_default().to_owned(),
                e.attr("aria-label").unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[test]
fn every_mark_is_a_link_named_like_its_tooltip_with_its_href_escaped() {
    // A hostile series name ends up in the href the caller builds; it must come out as an
    // attribute value, escaped, not as markup.
    let link = |x: usize, s: usize| Some(format!("/search?week={x}&series={s}&n=\"<b>'"));
    let options = ChartOptions {
        links: Some(&link),
        ..ChartOptions::default()
    };
    let x = labels(3);
    let data = [
        series("Army \"<i>\"", &[1.0, 2.0, 3.0]),
        series("Work", &[4.0, 5.0, 6.0]),
    ];
    let shares = [series("Army", &[0.5, 0.25, 1.0])];
    let boxes = [box_stats("Army", 1000.0), box_stats("Work", 500.0)];
    let charts = [
        (stacked_bars_with(&text(), &x, &data, &fmt, &options), 6),
        (grouped_bars_with(&text(), &x, &data, &fmt, &options), 6),
        (
            share_lines_with(&text(), &x, &shares, &percent, &options),
            3,
        ),
        (
            horizontal_bars_with(&text(), &x, &[1.0, 2.0, 3.0], &fmt, &options),
            3,
        ),
        (box_plots_with(&text(), &boxes, &fmt, &options), 2),
    ];
    for (svg, marks) in &charts {
        assert!(svg.contains("&amp;series="), "the & is escaped: {svg}");
        assert!(
            !svg.contains("<b>"),
            "markup in an href came through: {svg}"
        );
        let elements = check_chart(svg);
        let found = links(&elements);
        assert_eq!(found.len(), *marks, "one link per mark: {found:?}");
        for (href, name) in &found {
            assert!(href.ends_with("&n=\"<b>'"), "{href}");
            assert!(!name.is_empty());
        }
        // Each link holds its mark.
        for e in elements
            .iter()
            .filter(|e| e.has_class("bar") || e.has_class("point"))
        {
            assert!(
                e.ancestors.iter().any(|a| a == "a"),
                "a mark outside a link"
            );
        }
    }
    // The stacked bars' links are per (week, series), named by week, series and value.
    let elements = check_chart(&charts[0].0);
    let found = links(&elements);
    assert_eq!(found[0].0, "/search?week=0&series=0&n=\"<b>'");
    assert_eq!(found[0].1, "2024-W01 · Army \"<i>\": 1");
    assert_eq!(found[4].0, "/search?week=1&series=1&n=\"<b>'");
    // Without links the chart stays one image.
    let plain = check_chart(&stacked_bars(&text(), &x, &data, &fmt));
    assert!(links(&plain).is_empty());
}

#[test]
fn marks_whose_href_is_missing_or_leaves_the_site_are_not_links() {
    let link = |x: usize, _: usize| match x {
        0 => Some("javascript:alert(1)".to_owned()),
        1 => Some("//evil.example/".to_owned()),
        2 => None,
        _ => Some("/search?q=ok".to_owned()),
    };
    let options = ChartOptions {
        links: Some(&link),
        ..ChartOptions::default()
    };
    let svg = stacked_bars_with(
        &text(),
        &labels(4),
        &[series("a", &[1.0; 4])],
        &fmt,
        &options,
    );
    assert!(
        !svg.contains("javascript") && !svg.contains("evil"),
        "{svg}"
    );
    let elements = check_chart(&svg);
    assert_eq!(count(&elements, "rect", "bar").len(), 4);
    assert_eq!(
        links(&elements),
        [("/search?q=ok".to_owned(), "2024-W04 · a: 1".to_owned())]
    );
}

#[test]
fn count_axes_have_whole_number_ticks_for_small_counts() {
    let counts = ChartOptions {
        whole_numbers: true,
        ..ChartOptions::default()
    };
    let x = labels(2);
    for data in [
        vec![series("a", &[1.0, 0.0])],
        vec![series("a", &[2.0, 1.0])],
    ] {
        for svg in [
            stacked_bars_with(&text(), &x, &data, &fmt, &counts),
            grouped_bars_with(&text(), &x, &data, &fmt, &counts),
        ] {
            let ticks = y_tick_labels(&check_chart(&svg));
            assert!(ticks.len() >= 2, "{ticks:?}");
            for tick in &ticks {
                assert!(tick.parse::<u32>().is_ok(), "tick {tick:?} in {ticks:?}");
            }
        }
    }
    let one = horizontal_bars_with(&text(), &x, &[1.0, 1.0], &fmt, &counts);
    let ticks = texts_in(&check_chart(&one), "axis-x");
    assert!(ticks.contains(&"1".to_owned()), "{ticks:?}");
    assert!(ticks.iter().all(|t| t.parse::<u32>().is_ok()), "{ticks:?}");
    // Without the option a count of 1 gets fifths, as any other number would.
    let plain = y_tick_labels(&check_chart(&stacked_bars(
        &text(),
        &x,
        &[series("a", &[1.0, 0.0])],
        &fmt,
    )));
    assert!(plain.contains(&"0.2".to_owned()), "{plain:?}");
}

#[test]
fn whole_amounts_get_distinct_whole_ticks_even_on_an_empty_box_plot() {
    let whole = ChartOptions {
        whole_numbers: true,
        ..ChartOptions::default()
    };
    let rounded = |v: f64| format!("{v:.0}");
    for boxes in [vec![], vec![box_stats("Army", 1.0)]] {
        let ticks = y_tick_labels(&check_chart(&box_plots_with(
            &text(),
            &boxes,
            &rounded,
            &whole,
        )));
        let mut distinct = ticks.clone();
        distinct.dedup();
        assert!(ticks.len() >= 2, "{ticks:?}");
        assert_eq!(distinct, ticks, "a tick label repeats");
    }
    // Large amounts keep their usual ticks.
    let ticks = y_tick_labels(&check_chart(&box_plots_with(
        &text(),
        &[box_stats("Army", 120_000.0)],
        &rounded,
        &whole,
    )));
    assert!(ticks.iter().all(|t| t.parse::<u64>().is_ok()), "{ticks:?}");
}

#[test]
fn share_lines_show_n_per_week_and_draw_thin_weeks_hollow() {
    let n = |v: f64| format!("{v}");
    let totals = [1, 0, 40];
    let options = ChartOptions {
        totals: Some(ShareTotals {
            totals: &totals,
            min_total: 5,
            format: &n,
        }),
        note: "n: messages that week; hollow: fewer than 5",
        ..ChartOptions::default()
    };
    // The week without messages has no share: NaN, no point.
    let shares = [series("Army", &[1.0, f64::NAN, 0.25])];
    let elements = check_chart(&share_lines_with(
        &text(),
        &labels(3),
        &shares,
        &percent,
        &options,
    ));
    let points = count(&elements, "circle", "point");
    assert_eq!(points.len(), 2);
    assert!(
        points[0].has_class("hollow"),
        "1 message is too few to read"
    );
    assert!(!points[1].has_class("hollow"));
    // n under each week, headed "n", and in each point's tooltip.
    let row: Vec<&str> = count(&elements, "text", "count")
        .iter()
        .map(|e| e.text.as_str())
        .collect();
    assert_eq!(row, ["1", "0", "40"]);
    assert_eq!(count(&elements, "text", "count-heading")[0].text, "n");
    let titles: Vec<&str> = elements
        .iter()
        .filter(|e| e.name == "title" && e.ancestors.last().is_some_and(|a| a == "circle"))
        .map(|e| e.text.as_str())
        .collect();
    assert_eq!(
        titles,
        [
            "2024-W01 · Army: 100 % (n = 1)",
            "2024-W03 · Army: 25 % (n = 40)"
        ]
    );
    // The note says what hollow means.
    assert!(
        elements
            .iter()
            .any(|e| e.text.contains("hollow: fewer than 5"))
    );
    // The line is broken by the missing week.
    let d = count(&elements, "path", "line")[0]
        .attr("d")
        .expect("d")
        .to_owned();
    assert_eq!(d.matches('M').count(), 2, "{d}");
}

#[test]
fn box_plots_show_n_per_box_and_wrap_long_labels_instead_of_cutting_them() {
    let names = [
        "Military contract",
        "Private military company",
        "Disguised military job",
        "Басып алынган аймактардагы курулуш",
        "Стройка на оккупированных территориях",
        "Other job",
        "Майдан жанындагы жумуш",
    ];
    let boxes: Vec<BoxStats> = names
        .iter()
        .enumerate()
        .map(|(i, name)| BoxStats {
            count: i as u64 + 1,
            ..box_stats(name, 10_000.0 * (i as f64 + 1.0))
        })
        .collect();
    let elements = check_chart(&box_plots(&text(), &boxes, &fmt));
    let shown: Vec<&Element> = x_tick_labels(&elements);
    assert!(
        shown.iter().all(|e| !e.text.contains('…')),
        "a label was cut: {:?}",
        shown.iter().map(|e| &e.text).collect::<Vec<_>>()
    );
    // Every label is there whole, on one or more lines of its own.
    let all: String = shown.iter().map(|e| format!("{} ", e.text)).collect();
    for name in names {
        assert!(
            all.contains(name) || name.split(' ').all(|w| all.contains(w)),
            "{name}: {all}"
        );
    }
    assert!(
        shown.len() > names.len(),
        "long labels take more than one line"
    );
    let row: Vec<&str> = count(&elements, "text", "count")
        .iter()
        .map(|e| e.text.as_str())
        .collect();
    assert_eq!(row, ["1", "2", "3", "4", "5", "6", "7"]);
    // The lines of a label do not run into the next label: each is narrower than a slot.
    let slot = 700.0 / names.len() as f64;
    for e in &shown {
        assert!(
            e.text.chars().count() as f64 * 11.0 * 0.62 <= slot,
            "{}",
            e.text
        );
    }
}

#[test]
fn a_note_is_shown_under_the_title_wrapped_to_the_chart() {
    let note = "Monthly pay: a day's or a shift's pay × 30, an hour's × 240; one-time payments are left out. ".repeat(3);
    let options = ChartOptions {
        note: &note,
        ..ChartOptions::default()
    };
    let elements = check_chart(&box_plots_with(
        &text(),
        &[box_stats("a", 1.0)],
        &fmt,
        &options,
    ));
    let lines = texts_in(&elements, "note");
    let joined = lines.join(" ");
    assert!(
        joined.contains("Monthly pay: a day's or a shift's pay × 30"),
        "{lines:?}"
    );
    assert!(lines.len() >= 3, "a long note wraps: {lines:?}");
    for line in &lines {
        // 768 units at 12 px hold about 86 characters of a wide Cyrillic font.
        assert!(line.chars().count() <= 86, "{line}");
    }
}

#[test]
fn the_axis_title_beside_a_single_bar_is_not_cut() {
    let elements = check_chart(&horizontal_bars(
        &text(),
        &["Работа Москва".to_owned()],
        &[6.0],
        &fmt,
    ));
    let title = elements
        .iter()
        .find(|e| e.name == "text" && e.has_class("axis-title-y"))
        .expect("a y axis title");
    assert_eq!(title.text, "Messages");
}

#[test]
fn a_share_of_no_items_is_a_gap_even_when_the_caller_passes_zero() {
    let n = |v: f64| format!("{v}");
    let totals = [10, 0, 0, 8];
    let options = ChartOptions {
        totals: Some(ShareTotals {
            totals: &totals,
            min_total: 5,
            format: &n,
        }),
        ..ChartOptions::default()
    };
    // A caller that divided by zero and wrote 0 for the empty weeks.
    let shares = [series("Army", &[0.5, 0.0, 0.0, 0.25])];
    let elements = check_chart(&share_lines_with(
        &text(),
        &labels(4),
        &shares,
        &percent,
        &options,
    ));
    let points = count(&elements, "circle", "point");
    assert_eq!(points.len(), 2, "no point for the weeks with n = 0");
    let d = count(&elements, "path", "line")[0]
        .attr("d")
        .expect("d")
        .to_owned();
    assert_eq!(d.matches('M').count(), 2, "the line breaks at the gap: {d}");
    // The empty weeks still show their n.
    let row: Vec<&str> = count(&elements, "text", "count")
        .iter()
        .map(|e| e.text.as_str())
        .collect();
    assert_eq!(row, ["10", "0", "0", "8"]);
    // A share of 0 % where items were counted is a measurement and is drawn.
    let measured = [series("Army", &[0.0, 0.0, 0.0, 0.0])];
    let elements = check_chart(&share_lines_with(
        &text(),
        &labels(4),
        &measured,
        &percent,
        &options,
    ));
    assert_eq!(count(&elements, "circle", "point").len(), 2);
}

/// The numbers of a `viewBox="0 0 w h"`.
fn view_box(elements: &[Element]) -> Vec<f64> {
    elements[0]
        .attr("viewBox")
        .expect("viewBox")
        .split(' ')
        .map(|v| v.parse().expect("number"))
        .collect()
}

#[test]
fn a_narrow_chart_keeps_its_text_size_and_everything_inside_its_width() {
    let weeks = labels(26);
    let data = [
        series("Military contract", &[3.0; 26]),
        series("Disguised military job in the occupied regions", &[1.0; 26]),
    ];
    let narrow = ChartOptions {
        width: Some(340.0),
        ..ChartOptions::default()
    };
    let wide_svg = stacked_bars(&text(), &weeks, &data, &fmt);
    let narrow_svg = stacked_bars_with(&text(), &weeks, &data, &fmt, &narrow);
    let wide = check_chart(&wide_svg);
    let small = check_chart(&narrow_svg);
    assert_eq!(view_box(&wide)[2], 800.0);
    assert_eq!(view_box(&small)[2], 340.0);
    assert_eq!(small[0].attr("width"), Some("340"));
    // Drawn at the size it is shown, so tick labels keep their 11 units.
    for label in x_tick_labels(&small) {
        assert_eq!(label.attr("font-size"), Some("11"));
    }
    // Fewer week labels fit, and none overlaps its neighbour.
    let shown = |elements: &[Element]| x_tick_labels(elements).len();
    assert!(shown(&small) < shown(&wide), "{} labels", shown(&small));
    let xs: Vec<f64> = x_tick_labels(&small)
        .iter()
        .map(|e| e.attr("x").expect("x").parse().expect("number"))
        .collect();
    let label_width = 8.0 * 11.0 * 0.62;
    for pair in xs.windows(2) {
        assert!(pair[1] - pair[0] >= label_width, "{xs:?}");
    }
    // Every mark and label starts inside the drawing.
    for e in small
        .iter()
        .filter(|e| matches!(e.name.as_str(), "rect" | "text"))
    {
        if let Some(x) = e.attr("x") {
            let x: f64 = x.parse().expect("number");
            assert!((0.0..=340.0).contains(&x), "<{}> at x = {x}", e.name);
        }
    }
    // The same chart at two widths can share a page: no id in common.
    let ids = |elements: &[Element]| -> Vec<String> {
        elements
            .iter()
            .filter_map(|e| e.attr("id").map(str::to_owned))
            .collect()
    };
    let wide_ids = ids(&wide);
    assert!(ids(&small).iter().all(|id| !wide_ids.contains(id)));
}

#[test]
fn narrow_horizontal_bars_leave_room_for_the_bars() {
    let names = [
        "A channel with a very long name about jobs in Russia".to_owned(),
        "Short".to_owned(),
    ];
    let options = ChartOptions {
        width: Some(340.0),
        ..ChartOptions::default()
    };
    let elements = check_chart(&horizontal_bars_with(
        &text(),
        &names,
        &[40.0, 10.0],
        &fmt,
        &options,
    ));
    let widest = count(&elements, "rect", "bar")
        .iter()
        .map(|e| {
            e.attr("width")
                .expect("width")
                .parse::<f64>()
                .expect("number")
        })
        .fold(0.0, f64::max);
    assert!(widest >= 100.0, "longest bar {widest} units of 340");
    // The long name is cut, with the whole of it as the tooltip.
    let label = elements
        .iter()
        .find(|e| e.name == "text" && e.text.starts_with("A channel"))
        .expect("row label");
    assert!(label.text.ends_with('…'), "{}", label.text);
    // Out-of-range and non-finite widths fall back to something drawable.
    for width in [f64::NAN, -5.0, 1e12] {
        let options = ChartOptions {
            width: Some(width),
            ..ChartOptions::default()
        };
        check_chart(&horizontal_bars_with(
            &text(),
            &names,
            &[1.0, 2.0],
            &fmt,
            &options,
        ));
    }
}

#[test]
fn a_long_title_wraps_on_a_narrow_chart_and_what_is_under_it_moves_down() {
    let long = ChartText {
        title: "Жумалар жана категориялар боюнча жалданууга чакырган билдирүүлөр".into(),
        ..text()
    };
    let x = labels(3);
    let data = [series("a", &[1.0, 2.0, 3.0]), series("b", &[3.0, 2.0, 1.0])];
    let narrow = ChartOptions {
        width: Some(390.0),
        ..ChartOptions::default()
    };
    let wide = ChartOptions {
        width: Some(1200.0),
        ..ChartOptions::default()
    };
    let title_lines = |elements: &[Element]| -> Vec<(String, f64)> {
        elements
            .iter()
            .filter(|e| e.name == "tspan")
            .map(|e| {
                let y = e.attr("y").expect("y").parse::<f64>().expect("number");
                (e.text.clone(), y)
            })
            .collect()
    };
    let lowest_legend = |elements: &[Element]| -> f64 {
        elements
            .iter()
            .filter(|e| e.name == "rect" && e.attr("y").is_some() && !e.has_class("background"))
            .filter_map(|e| e.attr("y").and_then(|y| y.parse::<f64>().ok()))
            .fold(f64::INFINITY, f64::min)
    };
    for draw in [stacked_bars_with, grouped_bars_with] {
        let small = check_chart(&draw(&long, &x, &data, &fmt, &narrow));
        let lines = title_lines(&small);
        assert_eq!(lines.len(), 2, "{lines:?}");
        // Nothing of the title is lost: the two lines are the whole of it, no "…".
        let joined: Vec<_> = lines.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(joined.join(" "), long.title);
        assert!(lines[1].1 > lines[0].1);
        // The legend and the plot start under the second line.
        assert!(lowest_legend(&small) > lines[1].1, "overlaps the title");
        let big = check_chart(&draw(&long, &x, &data, &fmt, &wide));
        assert_eq!(title_lines(&big).len(), 1, "one line where it fits");
        assert!(lowest_legend(&small) - lowest_legend(&big) >= 19.0);
    }
    let rows = check_chart(&horizontal_bars_with(
        &long,
        &x,
        &[1.0, 2.0, 3.0],
        &fmt,
        &narrow,
    ));
    let lines = title_lines(&rows);
    assert_eq!(lines.len(), 2);
    assert!(
        lowest_legend(&rows) > lines[1].1,
        "the rows start under the title"
    );
}
