//! The chart module from the outside: every chart renders from the small
//! result folders under `tests/data/plot/` to PNG and SVG, the SVG carries
//! its text as text, PNGs are not blank, missing inputs are user errors
//! naming what is missing, odd input does not panic, and the same CSV gives
//! the same SVG bytes.

use profspace::error::Error;
use profspace::plot::{Format, PlotOptions, plot_dir};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A writable copy of fixture folder `name`.
fn fixture(name: &str) -> tempfile::TempDir {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/plot")
        .join(name);
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&src).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
        }
    }
    dir
}

fn both() -> PlotOptions {
    PlotOptions {
        format: Format::Both,
        ..PlotOptions::default()
    }
}

fn names(files: &[PathBuf]) -> BTreeSet<String> {
    files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn svg(dir: &Path, stem: &str) -> String {
    std::fs::read_to_string(dir.join("plots").join(format!("{stem}.svg"))).unwrap()
}

fn distinct_colours(path: &Path) -> usize {
    let img = image::open(path).unwrap().to_rgb8();
    img.pixels().map(|p| p.0).collect::<BTreeSet<_>>().len()
}

#[test]
fn a_single_run_gets_its_time_series_and_profile() {
    let dir = fixture("single");
    let files = plot_dir(dir.path(), &both()).unwrap();
    assert_eq!(
        names(&files),
        set(&[
            "timeseries.png",
            "timeseries.svg",
            "profile.png",
            "profile.svg"
        ])
    );
    for f in &files {
        assert!(f.starts_with(dir.path().join("plots")));
        let len = std::fs::metadata(f).unwrap().len();
        assert!(len > 1000 && len < 500_000, "{}: {len} bytes", f.display());
    }
    let ts = svg(dir.path(), "timeseries");
    for text in [
        "Metrics over time",
        "essential",
        "cynicism",
        "tick",
        "mean (0–1)",
    ] {
        assert!(ts.contains(text), "timeseries.svg lacks {text:?}");
    }
    assert!(distinct_colours(&dir.path().join("plots/timeseries.png")) > 10);
    let pr = svg(dir.path(), "profile");
    for text in [
        "Professional-space profile",
        "purpose",
        "identity",
        "safety (box)",
        "drive",
        "meaning",
    ] {
        assert!(pr.contains(text), "profile.svg lacks {text:?}");
    }
}

#[test]
fn a_sweep_gets_every_chart_with_titles_and_axis_labels() {
    let dir = fixture("sweep");
    let files = plot_dir(dir.path(), &both()).unwrap();
    let mut expected = BTreeSet::new();
    for stem in [
        "timeseries",
        "heatmap_essential",
        "situations",
        "tradeoff",
        "comparison_essential",
        "profile",
    ] {
        expected.insert(format!("{stem}.png"));
        expected.insert(format!("{stem}.svg"));
    }
    assert_eq!(names(&files), expected);
    for f in &files {
        let len = std::fs::metadata(f).unwrap().len();
        assert!(len < 500_000, "{}: {len} bytes", f.display());
    }
    let d = dir.path();
    let checks: [(&str, &[&str]); 6] = [
        (
            "situations",
            &[
                "situations over managers.focus × managers.connection",
                "coupling = zero_sum",
                "alienated (walls without space)",
                "disoriented (space without walls)",
                "integrated (the five windows open)",
                "managers.connection",
            ],
        ),
        (
            "timeseries",
            &[
                "Metrics over time",
                "coupling = zero_sum",
                "coupling = freedom_safety",
                "tick",
            ],
        ),
        (
            "heatmap_essential",
            &[
                "essential over managers.focus × managers.connection",
                "managers.focus",
                "managers.connection",
                "coupling = zero_sum",
            ],
        ),
        (
            "tradeoff",
            &[
                "Trade-off: safety against autonomy",
                "autonomy (0–1)",
                "safety (0–1)",
                "coupling = freedom_safety",
            ],
        ),
        (
            "comparison_essential",
            &[
                "essential by design point",
                "essential (0–1)",
                "freedom_safety, focus 0.8, connection 0.8",
            ],
        ),
        (
            "profile",
            &[
                "Professional-space profile",
                "best essential",
                "best of zero_sum",
                "worst essential",
            ],
        ),
    ];
    for (stem, texts) in checks {
        let s = svg(d, stem);
        assert!(s.contains("<text"), "{stem}.svg has no text elements");
        for t in texts {
            assert!(s.contains(t), "{stem}.svg lacks {t:?}");
        }
    }
    // A heatmap has a colour scale and values: many colours.
    assert!(distinct_colours(&d.join("plots/heatmap_essential.png")) > 20);
    for stem in ["timeseries", "tradeoff", "comparison_essential", "profile"] {
        let n = distinct_colours(&d.join(format!("plots/{stem}.png")));
        assert!(n > 10, "{stem}.png has only {n} colours");
    }
}

#[test]
fn charts_follow_column_names_not_a_model() {
    // A March-1991-like folder: other metrics and parameters, no ticks.
    let dir = fixture("march");
    let files = plot_dir(dir.path(), &PlotOptions::default()).unwrap();
    assert_eq!(
        names(&files),
        set(&[
            "heatmap_knowledge.png",
            "comparison_knowledge.png",
            "lines_knowledge_by_march.code_learning.png",
        ])
    );
    // March's Figure 1, asked for explicitly.
    let opts = PlotOptions {
        format: Format::Svg,
        x: Some("march.socialization".into()),
        y: Some("knowledge".into()),
        by: Some("march.code_learning".into()),
        ..PlotOptions::default()
    };
    let files = plot_dir(dir.path(), &opts).unwrap();
    assert_eq!(
        names(&files),
        set(&["lines_knowledge_by_march.code_learning.svg"])
    );
    let s = svg(dir.path(), "lines_knowledge_by_march.code_learning");
    for t in [
        "knowledge against march.socialization, by march.code_learning",
        "march.socialization",
        "knowledge (0–1)",
        "code_learning = 0.9",
    ] {
        assert!(s.contains(t), "lines svg lacks {t:?}");
    }
    // Several metrics at once; a count (periods) is not put on [0, 1].
    let opts = PlotOptions {
        format: Format::Svg,
        metrics: vec!["code_correct".into(), "periods".into()],
        ..PlotOptions::default()
    };
    let files = names(&plot_dir(dir.path(), &opts).unwrap());
    for f in [
        "heatmap_code_correct.svg",
        "heatmap_periods.svg",
        "comparison_periods.svg",
        "lines_periods_by_march.code_learning.svg",
    ] {
        assert!(files.contains(f), "{f} missing from {files:?}");
    }
    let periods = svg(dir.path(), "lines_periods_by_march.code_learning");
    assert!(!periods.contains("periods (0–1)"));
}

#[test]
fn a_heatmap_can_be_asked_for_over_two_parameters() {
    let dir = fixture("sweep");
    let opts = PlotOptions {
        format: Format::Svg,
        metrics: vec!["autonomy".into(), "safety".into()],
        x: Some("managers.connection".into()),
        y: Some("managers.focus".into()),
        by: Some("coupling".into()),
        out: None,
    };
    let files = plot_dir(dir.path(), &opts).unwrap();
    assert_eq!(
        names(&files),
        set(&["heatmap_autonomy.svg", "heatmap_safety.svg"])
    );
    let s = svg(dir.path(), "heatmap_safety");
    assert!(s.contains("safety over managers.connection × managers.focus"));
}

fn user_error(dir: &Path, opts: &PlotOptions) -> String {
    let e: Error = plot_dir(dir, opts).unwrap_err();
    assert!(e.is_user(), "not a user error: {e}");
    e.to_string()
}

#[test]
fn missing_files_and_columns_are_user_errors_that_name_them() {
    // Only runs.csv.
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/plot/sweep/runs.csv");
    std::fs::copy(src, dir.path().join("runs.csv")).unwrap();
    let msg = user_error(dir.path(), &PlotOptions::default());
    assert!(msg.contains("aggregate.csv"), "{msg}");

    // A metric that is not there.
    let march = fixture("march");
    let opts = PlotOptions {
        metrics: vec!["essential".into()],
        ..PlotOptions::default()
    };
    let msg = user_error(march.path(), &opts);
    assert!(
        msg.contains("essential_mean") && msg.contains("aggregate.csv"),
        "{msg}"
    );

    // A parameter that is not there, and one that is not numeric.
    let sweep = fixture("sweep");
    let opts = PlotOptions {
        x: Some("managers.care".into()),
        y: Some("essential".into()),
        ..PlotOptions::default()
    };
    let msg = user_error(sweep.path(), &opts);
    assert!(msg.contains("managers.care"), "{msg}");
    let opts = PlotOptions {
        x: Some("coupling".into()),
        y: Some("essential".into()),
        ..PlotOptions::default()
    };
    let msg = user_error(sweep.path(), &opts);
    assert!(
        msg.contains("coupling") && msg.contains("not numeric"),
        "{msg}"
    );

    // An aggregate.csv without the column asked for with --y.
    let opts = PlotOptions {
        x: Some("managers.focus".into()),
        y: Some("knowledge".into()),
        ..PlotOptions::default()
    };
    let msg = user_error(sweep.path(), &opts);
    assert!(msg.contains("knowledge_mean"), "{msg}");

    // No folder at all.
    let msg = user_error(&dir.path().join("nope"), &PlotOptions::default());
    assert!(msg.contains("nope"), "{msg}");

    // A broken table is the user's too.
    let bad = tempfile::tempdir().unwrap();
    std::fs::write(bad.path().join("aggregate.csv"), "point,n,x_mean\n0,3\n").unwrap();
    user_error(bad.path(), &PlotOptions::default());
}

#[test]
fn the_same_csv_gives_the_same_svg_bytes() {
    let a = fixture("sweep");
    let b = fixture("sweep");
    let opts = PlotOptions {
        format: Format::Svg,
        ..PlotOptions::default()
    };
    let fa = plot_dir(a.path(), &opts).unwrap();
    let fb = plot_dir(b.path(), &opts).unwrap();
    assert_eq!(names(&fa), names(&fb));
    for (x, y) in fa.iter().zip(&fb) {
        assert_eq!(
            std::fs::read(x).unwrap(),
            std::fs::read(y).unwrap(),
            "{} differs between runs",
            x.display()
        );
    }
    // And again in the same folder (overwriting).
    let again = plot_dir(a.path(), &opts).unwrap();
    for (x, y) in again.iter().zip(&fb) {
        assert_eq!(std::fs::read(x).unwrap(), std::fs::read(y).unwrap());
    }
}

#[test]
fn odd_input_draws_without_panicking() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Two points, one with empty (undefined) statistics, a constant metric,
    // a single tick, a NaN-like empty field in ticks.
    std::fs::write(
        d.join("design.csv"),
        "point,flag,rate\n0,true,0.5\n1,false,0.5\n",
    )
    .unwrap();
    std::fs::write(
        d.join("aggregate.csv"),
        "point,flag,rate,n,essential_mean,essential_sd,essential_ci95,autonomy_mean,autonomy_sd,autonomy_ci95,safety_mean,safety_sd,safety_ci95,purpose_mean,purpose_sd,purpose_ci95\n\
         0,true,0.5,1,0.4,,,0.3,,,0.3,,,0.5,,\n\
         1,false,0.5,0,,,,,,,,,,,,\n",
    )
    .unwrap();
    std::fs::write(
        d.join("ticks.csv"),
        "run,point,replicate,tick,essential,autonomy\n0,0,0,5,0.4,\n1,1,0,5,,0.2\n",
    )
    .unwrap();
    let files = plot_dir(d, &both()).unwrap();
    let got = names(&files);
    assert!(
        got.contains("timeseries.png") && got.contains("comparison_essential.svg"),
        "{got:?}"
    );

    // A single point and a constant metric everywhere.
    let one = tempfile::tempdir().unwrap();
    std::fs::write(one.path().join("design.csv"), "point\n0\n").unwrap();
    std::fs::write(
        one.path().join("aggregate.csv"),
        "point,n,purpose_mean,purpose_ci95,identity_mean,identity_ci95,drive_mean,drive_ci95\n0,2,0.5,0,0.5,0,0.5,0\n",
    )
    .unwrap();
    std::fs::write(
        one.path().join("ticks.csv"),
        "run,point,replicate,tick,purpose\n0,0,0,0,0.5\n1,0,1,0,0.5\n",
    )
    .unwrap();
    let files = plot_dir(one.path(), &both()).unwrap();
    assert_eq!(
        names(&files),
        set(&[
            "timeseries.png",
            "timeseries.svg",
            "profile.png",
            "profile.svg"
        ])
    );

    // A constant metric over a grid (zero colour range).
    let grid = tempfile::tempdir().unwrap();
    let mut agg = String::from("point,a,b,n,m_mean,m_ci95\n");
    let mut k = 0;
    for a in [1, 2] {
        for b in [10, 20, 30] {
            agg.push_str(&format!("{k},{a},{b},2,7,0\n"));
            k += 1;
        }
    }
    std::fs::write(grid.path().join("aggregate.csv"), agg).unwrap();
    let files = plot_dir(grid.path(), &both()).unwrap();
    let got = names(&files);
    assert!(
        got.contains("heatmap_m.png") && got.contains("lines_m_by_a.svg"),
        "{got:?}"
    );

    // An aggregate with a header and no rows.
    let empty = tempfile::tempdir().unwrap();
    std::fs::write(empty.path().join("aggregate.csv"), "point,n,m_mean\n").unwrap();
    let e = plot_dir(empty.path(), &PlotOptions::default()).unwrap_err();
    assert!(e.is_user());
}

/// The text of `stem.svg` with the XML escapes of its text undone.
fn svg_text(dir: &Path, stem: &str) -> String {
    svg(dir, stem)
        .replace("&apos;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The y coordinate of the SVG text element that reads exactly `text`.
fn text_y(svg: &str, text: &str) -> f64 {
    let end = svg
        .find(&format!(">\n{text}\n</text>"))
        .unwrap_or_else(|| panic!("no text {text:?}"));
    let start = svg[..end].rfind("<text").unwrap();
    let tag = &svg[start..end];
    let y = &tag[tag.find(" y=\"").unwrap() + 4..];
    y[..y.find('"').unwrap()].parse().unwrap()
}

const SA_PARAMETERS: [&str; 4] = [
    "managers.focus",
    "managers.connection",
    "professionals.need",
    "professionals.standard",
];

#[test]
fn a_morris_folder_gets_one_screening_chart_per_output_and_nothing_else() {
    // A sampled design (Morris trajectories) with aggregate.csv: no heatmap,
    // trade-off, comparison, profile or lines of its 30 points.
    let dir = fixture("morris");
    let files = plot_dir(dir.path(), &both()).unwrap();
    assert_eq!(
        names(&files),
        set(&[
            "morris_essential.png",
            "morris_essential.svg",
            "morris_exits.png",
            "morris_exits.svg"
        ])
    );
    for f in &files {
        let len = std::fs::metadata(f).unwrap().len();
        assert!(len > 1000 && len < 500_000, "{}: {len} bytes", f.display());
    }
    for output in ["essential", "exits"] {
        let stem = format!("morris_{output}");
        let s = svg_text(dir.path(), &stem);
        let title = format!("Morris screening: {output}");
        let x_label = format!("μ* (change in {output} over a parameter's range)");
        for t in [
            title.as_str(),
            x_label.as_str(),
            "σ (spread of the elementary effects",
            "σ = μ*",
            "managers.*",
            "professionals.*",
        ]
        .into_iter()
        .chain(SA_PARAMETERS)
        {
            assert!(s.contains(t), "{stem}.svg lacks {t:?}");
        }
        let png = dir.path().join(format!("plots/{stem}.png"));
        assert!(distinct_colours(&png) > 10, "{stem}.png looks blank");
    }
}

#[test]
fn a_sobol_folder_gets_one_bar_chart_per_output() {
    let dir = fixture("sobol");
    let files = plot_dir(dir.path(), &both()).unwrap();
    assert_eq!(
        names(&files),
        set(&[
            "sobol_essential.png",
            "sobol_essential.svg",
            "sobol_exits.png",
            "sobol_exits.svg"
        ])
    );
    for f in &files {
        let len = std::fs::metadata(f).unwrap().len();
        assert!(len > 1000 && len < 500_000, "{}: {len} bytes", f.display());
    }
    for output in ["essential", "exits"] {
        let stem = format!("sobol_{output}");
        let s = svg_text(dir.path(), &stem);
        let title = format!("Sobol' indices: {output}");
        for t in [
            title.as_str(),
            "index (share of output variance)",
            "S1 first order",
            "ST total",
            "95% bootstrap CI",
        ]
        .into_iter()
        .chain(SA_PARAMETERS)
        {
            assert!(s.contains(t), "{stem}.svg lacks {t:?}");
        }
        let png = dir.path().join(format!("plots/{stem}.png"));
        assert!(distinct_colours(&png) > 10, "{stem}.png looks blank");
    }
    // Parameters sorted by total index, highest first: in exits,
    // connection (ST 0.61) above focus (0.35) above standard (0.006).
    let s = svg_text(dir.path(), "sobol_exits");
    let (c, f, st) = (
        text_y(&s, "managers.connection"),
        text_y(&s, "managers.focus"),
        text_y(&s, "professionals.standard"),
    );
    assert!(c < f && f < st, "not sorted by ST: {c} {f} {st}");
    // An S1 far beyond the axis (−6.31) is cut, its value written.
    assert!(s.contains("-6.31") && s.contains("arrows: CI continues beyond the axis"));
}

#[test]
fn metrics_choose_the_sensitivity_outputs() {
    let dir = fixture("morris");
    let opts = PlotOptions {
        format: Format::Svg,
        metrics: vec!["exits".into()],
        ..PlotOptions::default()
    };
    let files = plot_dir(dir.path(), &opts).unwrap();
    assert_eq!(names(&files), set(&["morris_exits.svg"]));
    // A metric of aggregate.csv that is not an output of the analysis.
    let opts = PlotOptions {
        metrics: vec!["autonomy".into()],
        ..PlotOptions::default()
    };
    let msg = user_error(dir.path(), &opts);
    assert!(
        msg.contains("sensitivity.csv") && msg.contains("autonomy") && msg.contains("essential"),
        "{msg}"
    );
}

#[test]
fn a_broken_sensitivity_table_is_a_user_error_that_names_it() {
    // Without mu_star.
    let dir = fixture("morris");
    let path = dir.path().join("sensitivity.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let cut: String = text
        .lines()
        .map(|l| {
            let mut f: Vec<&str> = l.split(',').collect();
            f.remove(4);
            f.join(",") + "\n"
        })
        .collect();
    assert!(!cut.contains("mu_star,"));
    std::fs::write(&path, cut).unwrap();
    let msg = user_error(dir.path(), &PlotOptions::default());
    assert!(
        msg.contains("sensitivity.csv") && msg.contains("`mu_star`"),
        "{msg}"
    );

    // Sobol' without st.
    let dir = fixture("sobol");
    let path = dir.path().join("sensitivity.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen(",st,", ",total,", 1)).unwrap();
    let msg = user_error(dir.path(), &PlotOptions::default());
    assert!(
        msg.contains("sensitivity.csv") && msg.contains("`st`"),
        "{msg}"
    );

    // An unknown method, a field that is not a number, no rows.
    let odd = tempfile::tempdir().unwrap();
    let p = odd.path().join("sensitivity.csv");
    std::fs::write(
        &p,
        "method,output,parameter,s1,s1_lo,s1_hi,st,st_lo,st_hi\nfast,y,a,1,1,1,1,1,1\n",
    )
    .unwrap();
    let msg = user_error(odd.path(), &PlotOptions::default());
    assert!(
        msg.contains("sensitivity.csv") && msg.contains("fast"),
        "{msg}"
    );
    std::fs::write(
        &p,
        "method,output,parameter,s1,s1_lo,s1_hi,st,st_lo,st_hi\nsobol,y,a,0.1,0,0.2,high,0,1\n",
    )
    .unwrap();
    let msg = user_error(odd.path(), &PlotOptions::default());
    assert!(msg.contains("high") && msg.contains("`st`"), "{msg}");
    std::fs::write(
        &p,
        "method,output,parameter,mu,mu_star,sigma,mu_star_lo,mu_star_hi\n",
    )
    .unwrap();
    user_error(odd.path(), &PlotOptions::default());
}

#[test]
fn undefined_indices_draw_without_panicking() {
    // Only sensitivity.csv; empty fields (undefined), a whole output
    // undefined but one point, zero everywhere, two points on one spot.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("sensitivity.csv"),
        "method,output,parameter,mu,mu_star,sigma,mu_star_lo,mu_star_hi\n\
         morris,y,a,0.5,0.5,0.2,,\n\
         morris,y,b,,,,,\n\
         morris,y,c,0.5,0.5,0.2,0.4,0.6\n\
         morris,z,a,0,0,0,0,0\n\
         morris,z,b,0,0,0,0,0\n",
    )
    .unwrap();
    let files = plot_dir(dir.path(), &both()).unwrap();
    assert_eq!(files.len(), 4);
    let s = svg_text(dir.path(), "morris_y");
    assert!(s.contains("undefined, not shown: b"), "{s}");
    // a and c coincide: one label names both, one line each.
    assert!(text_y(&s, "a") < text_y(&s, "c"));

    let sob = tempfile::tempdir().unwrap();
    std::fs::write(
        sob.path().join("sensitivity.csv"),
        "method,output,parameter,s1,s1_lo,s1_hi,st,st_lo,st_hi\n\
         sobol,y,a,,,,0.5,,\n\
         sobol,y,b,0.2,0.1,0.3,,,\n\
         sobol,y,c,0,0,0,0,0,0\n",
    )
    .unwrap();
    let files = plot_dir(sob.path(), &both()).unwrap();
    assert_eq!(files.len(), 2);
    assert!(svg_text(sob.path(), "sobol_y").contains("undefined"));
}

#[test]
fn the_same_sensitivity_csv_gives_the_same_svg_bytes() {
    for name in ["morris", "sobol"] {
        let a = fixture(name);
        let b = fixture(name);
        let opts = PlotOptions {
            format: Format::Svg,
            ..PlotOptions::default()
        };
        let fa = plot_dir(a.path(), &opts).unwrap();
        let fb = plot_dir(b.path(), &opts).unwrap();
        assert_eq!(names(&fa), names(&fb));
        for (x, y) in fa.iter().zip(&fb) {
            assert_eq!(
                std::fs::read(x).unwrap(),
                std::fs::read(y).unwrap(),
                "{} differs between runs",
                x.display()
            );
        }
    }
}
