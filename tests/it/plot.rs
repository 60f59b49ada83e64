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

// ---------------------------------------------------------------------
// Analysis a researcher can trust: sampled designs, honest bands, files
// that never overwrite the defaults, --out, the March model's periods,
// resolved columns, contrasts and distributions. The folders are written
// by the tests (tests/plot_folders/).
// ---------------------------------------------------------------------

use crate::plot_folders as folders;

fn svg_opts() -> PlotOptions {
    PlotOptions {
        format: Format::Svg,
        ..PlotOptions::default()
    }
}

/// The text elements of an SVG, unescaped.
fn texts(svg: &str) -> Vec<String> {
    let svg = svg
        .replace("&apos;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let body = &t[t.find('>')? + 1..t.find("</text>")?];
            Some(body.trim().to_string())
        })
        .collect()
}

/// The decimal numbers written in `text` with more than 3 significant
/// digits.
fn long_numbers(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut token = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() || (c == '.' && !token.is_empty()) {
            token.push(c);
            continue;
        }
        let t = token.trim_end_matches('.');
        if t.contains('.') {
            let digits = t.replace('.', "");
            let sig = digits.trim_start_matches('0').trim_end_matches('0');
            if sig.len() > 3 {
                found.push(t.to_string());
            }
        }
        token.clear();
    }
    found
}

#[test]
fn a_sampled_design_gets_scatters_with_a_trend_and_three_digit_labels() {
    for with_manifest in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        folders::sampled(dir.path());
        if with_manifest {
            folders::manifest(
                dir.path(),
                "professional_space",
                &["coupling", "professionals.need", "managers.focus"],
                Some(&[]),
                folders::SAMPLED_TOML,
            );
        }
        let files = names(&plot_dir(dir.path(), &svg_opts()).unwrap());
        assert!(files.contains("scatter_essential.svg"), "{files:?}");
        // Sampled values are not categories: no dot plot of 60 points, no
        // lines through them.
        assert!(
            !files.contains("comparison_essential.svg")
                && !files.iter().any(|f| f.starts_with("lines_")),
            "{files:?}"
        );
        let s = svg_text(dir.path(), "scatter_essential");
        for t in [
            "essential against the sampled parameters",
            "professionals.need",
            "managers.focus",
            "LOWESS trend",
            "nearest 2/3 of the points",
            "coupling = zero_sum",
            "coupling = freedom_safety",
            "essential (0–1)",
        ] {
            assert!(
                s.contains(t),
                "scatter lacks {t:?} (manifest: {with_manifest})"
            );
        }
        // Every number written in any chart has at most 3 significant digits.
        for f in &files {
            let stem = f.trim_end_matches(".svg");
            for t in texts(&svg(dir.path(), stem)) {
                let long = long_numbers(&t);
                assert!(long.is_empty(), "{f}: {t:?} has {long:?}");
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    folders::sampled(dir.path());
    // A sampled parameter asked for with --x gets a scatter of its own,
    // beside (never over) the default one.
    let opts = PlotOptions {
        format: Format::Svg,
        x: Some("managers.focus".into()),
        y: Some("essential".into()),
        ..PlotOptions::default()
    };
    let files = names(&plot_dir(dir.path(), &opts).unwrap());
    assert_eq!(files, set(&["scatter_essential_managers.focus.svg"]));
}

#[test]
fn labels_of_grid_values_are_rounded_too() {
    let dir = tempfile::tempdir().unwrap();
    let mut agg = String::from("point,a,b,n,m_mean,m_ci95\n");
    let mut k = 0;
    for a in ["0.1111111111111111", "0.3333333333333333"] {
        for b in ["10.123456", "20.987654", "30.5"] {
            agg.push_str(&format!(
                "{k},{a},{b},2,{},0.01\n",
                0.123456789 * (k + 1) as f64
            ));
            k += 1;
        }
    }
    std::fs::write(dir.path().join("aggregate.csv"), agg).unwrap();
    let files = names(&plot_dir(dir.path(), &svg_opts()).unwrap());
    assert!(files.contains("heatmap_m.svg") && files.contains("lines_m_by_a.svg"));
    for stem in ["heatmap_m", "lines_m_by_a", "comparison_m"] {
        let all = texts(&svg(dir.path(), stem));
        for t in &all {
            assert!(long_numbers(t).is_empty(), "{stem}: {t:?}");
        }
        let joined = all.join("|");
        assert!(
            joined.contains("0.333") || joined.contains("21"),
            "{stem}: {joined}"
        );
    }
    let h = texts(&svg(dir.path(), "heatmap_m")).join("|");
    assert!(h.contains("|0.111|") && h.contains("|10.1|"), "{h}");
}

#[test]
fn a_band_that_pools_design_points_is_called_a_spread_not_a_confidence_band() {
    // 18 points, one line per coupling: each line pools 9 design points.
    let dir = fixture("sweep");
    plot_dir(dir.path(), &svg_opts()).unwrap();
    let s = svg_text(dir.path(), "timeseries");
    assert!(
        s.contains("spread of the pooled runs, mean ± 1 sd")
            && s.contains("not a confidence interval")
            && !s.contains("confidence band of the mean")
            && !s.contains("confidence interval of the mean"),
        "{}",
        texts(&s).join("|")
    );
    // One design point: its runs share it, the band is a confidence band,
    // and the legend says so.
    let one = fixture("single");
    plot_dir(one.path(), &svg_opts()).unwrap();
    let s = svg_text(one.path(), "timeseries");
    // (12 ticks: markers with bars rather than a shaded band.)
    assert!(s.contains("bars: 95% confidence interval of the mean (Student's t)"));
    assert!(!s.contains("pooled"));
    // With many ticks the band is shaded, and the legend says what it is.
    let sampled = tempfile::tempdir().unwrap();
    folders::sampled(sampled.path());
    plot_dir(sampled.path(), &svg_opts()).unwrap();
    let t = texts(&svg(sampled.path(), "timeseries"));
    assert!(
        t.iter()
            .any(|x| x == "shaded: spread of the pooled runs, mean ± 1 sd"),
        "{t:?}"
    );
}

#[test]
fn asking_for_a_metric_never_overwrites_the_default_charts() {
    let dir = fixture("sweep");
    plot_dir(dir.path(), &svg_opts()).unwrap();
    let before = std::fs::read(dir.path().join("plots/timeseries.svg")).unwrap();
    let opts = PlotOptions {
        format: Format::Svg,
        metrics: vec!["trust".into(), "conflict".into()],
        ..PlotOptions::default()
    };
    let files = names(&plot_dir(dir.path(), &opts).unwrap());
    for f in ["timeseries_trust.svg", "timeseries_conflict.svg"] {
        assert!(files.contains(f), "{files:?}");
    }
    assert!(!files.contains("timeseries.svg"), "{files:?}");
    let after = std::fs::read(dir.path().join("plots/timeseries.svg")).unwrap();
    assert_eq!(before, after, "timeseries.svg was replaced");
    let t = texts(&svg(dir.path(), "timeseries_trust"));
    assert!(t.iter().any(|x| x == "trust over time"), "{t:?}");
    assert!(!t.iter().any(|x| x == "essential"), "{t:?}");
}

#[test]
fn plot_out_puts_every_chart_there_and_nowhere_else() {
    let dir = fixture("sweep");
    let target = tempfile::tempdir().unwrap();
    let out = target.path().join("charts/here");
    let opts = PlotOptions {
        format: Format::Svg,
        out: Some(out.clone()),
        ..PlotOptions::default()
    };
    let files = plot_dir(dir.path(), &opts).unwrap();
    assert!(files.len() >= 5);
    for f in &files {
        assert!(f.starts_with(&out) && f.is_file(), "{}", f.display());
    }
    assert!(!dir.path().join("plots").exists());
    // The forced charts too.
    let opts = PlotOptions {
        x: Some("managers.focus".into()),
        y: Some("essential".into()),
        ..opts
    };
    for f in plot_dir(dir.path(), &opts).unwrap() {
        assert!(f.starts_with(&out), "{}", f.display());
    }
    assert!(!dir.path().join("plots").exists());
}

#[test]
fn march_charts_count_periods_and_keep_bands_in_range() {
    // Three recorded periods: markers with bars, never a line through two.
    let dir = tempfile::tempdir().unwrap();
    folders::march(dir.path(), &[1, 2, 3]);
    folders::manifest(
        dir.path(),
        "march1991",
        &["march.code_learning"],
        Some(&[]),
        "",
    );
    plot_dir(dir.path(), &svg_opts()).unwrap();
    let s = svg_text(dir.path(), "timeseries");
    let t = texts(&s);
    assert!(t.iter().any(|x| x == "period"), "{t:?}");
    assert!(!t.iter().any(|x| x == "tick"), "{t:?}");
    assert!(t.iter().any(|x| x == "mean (−1 to 1)"), "{t:?}");
    assert!(
        s.contains("bars: 95% confidence interval of the mean"),
        "{t:?}"
    );
    // Two runs per point (t with 1 degree of freedom): the band would
    // reach far below 0 and above 1; kept within the runs, the axis stays
    // on 0–1.
    assert!(!t.iter().any(|x| x.starts_with('-')), "{t:?}");
    assert!(
        t.iter().any(|x| x == "1.0") && !t.iter().any(|x| x == "1.5"),
        "{t:?}"
    );
    // Three periods are joined by a thin line; two are not.
    assert_eq!(joined_lines(&svg(dir.path(), "timeseries")), 2);
    let two = tempfile::tempdir().unwrap();
    folders::march(two.path(), &[1, 5]);
    folders::manifest(
        two.path(),
        "march1991",
        &["march.code_learning"],
        Some(&[]),
        "",
    );
    plot_dir(two.path(), &svg_opts()).unwrap();
    assert_eq!(joined_lines(&svg(two.path(), "timeseries")), 0);
}

/// The polylines of 3 or more points in the first series' colour (blue,
/// solid): the lines joining its means, one per panel.
fn joined_lines(svg: &str) -> usize {
    svg.split("<polyline")
        .skip(1)
        .filter(|p| {
            let tag = &p[..p.find("/>").unwrap_or(p.len())];
            let Some(at) = tag.find("points=\"") else {
                return false;
            };
            let pts = &tag[at + 8..];
            let n = pts[..pts.find('"').unwrap()].split_whitespace().count();
            n >= 3 && tag.to_ascii_uppercase().contains("#0072B2")
        })
        .count()
}

#[test]
fn resolved_columns_are_not_design_inputs() {
    // A condition's resolved focus and connection (0.9/0.1, 0.1/0.1,
    // 0.8/0.8) would look like a focus × connection grid.
    let dir = tempfile::tempdir().unwrap();
    folders::conditions(dir.path());
    folders::manifest(
        dir.path(),
        "professional_space",
        &["condition"],
        Some(&["managers.focus", "managers.connection"]),
        "",
    );
    let files = names(&plot_dir(dir.path(), &svg_opts()).unwrap());
    assert!(
        !files
            .iter()
            .any(|f| f.starts_with("heatmap") || f.starts_with("situations")),
        "{files:?}"
    );
    assert!(files.contains("comparison_essential.svg"), "{files:?}");
    let c = texts(&svg(dir.path(), "comparison_essential"));
    assert!(c.iter().any(|t| t == "integrated"), "{c:?}");
    assert!(!c.iter().any(|t| t.contains("focus")), "{c:?}");
    // --by and --x take only swept columns.
    let opts = PlotOptions {
        by: Some("managers.focus".into()),
        ..svg_opts()
    };
    let msg = user_error(dir.path(), &opts);
    assert!(
        msg.contains("managers.focus") && msg.contains("parameters: condition"),
        "{msg}"
    );

    // An older folder: no `resolved` key, the same columns all swept.
    let old = tempfile::tempdir().unwrap();
    folders::conditions(old.path());
    folders::manifest(
        old.path(),
        "professional_space",
        &["condition", "managers.focus", "managers.connection"],
        None,
        "",
    );
    let files = names(&plot_dir(old.path(), &svg_opts()).unwrap());
    assert!(files.contains("heatmap_essential.svg"), "{files:?}");

    // A plain run: every model parameter resolved, nothing swept.
    let run = tempfile::tempdir().unwrap();
    std::fs::write(
        run.path().join("aggregate.csv"),
        "point,managers.focus,professionals.need,n,essential_mean,essential_ci95\n0,0.5,0.7,3,0.6,0.01\n",
    )
    .unwrap();
    folders::manifest(
        run.path(),
        "professional_space",
        &[],
        Some(&["managers.focus", "professionals.need"]),
        "",
    );
    let opts = PlotOptions {
        x: Some("managers.focus".into()),
        ..svg_opts()
    };
    let msg = user_error(run.path(), &opts);
    assert!(msg.contains("none: a single condition"), "{msg}");
    // A swept column the table lacks names the file and the column.
    std::fs::write(
        run.path().join("aggregate.csv"),
        "point,n,essential_mean\n0,3,0.6\n",
    )
    .unwrap();
    folders::manifest(
        run.path(),
        "professional_space",
        &["coupling"],
        Some(&[]),
        "",
    );
    let msg = user_error(run.path(), &svg_opts());
    assert!(
        msg.contains("aggregate.csv") && msg.contains("`coupling`"),
        "{msg}"
    );
}

#[test]
fn contrasts_get_a_forest_plot_per_metric() {
    let dir = tempfile::tempdir().unwrap();
    folders::contrasts(dir.path(), 5);
    let out = dir.path().join("forest");
    let files = profspace::plot::plot_contrasts(dir.path(), &out, &[], Format::Svg).unwrap();
    assert_eq!(
        names(&files),
        set(&["contrast_essential.svg", "contrast_exits.svg"])
    );
    let s = std::fs::read_to_string(out.join("contrast_essential.svg")).unwrap();
    let t = texts(&s);
    let joined = t.join("|");
    for want in [
        "essential: freedom_safety − zero_sum, paired by replicate (common random numbers)",
        "paired 95% CI (same replicate, common random numbers)",
        "unpaired 95% CI (Welch)",
        "mean difference",
        "difference in essential (coupling level − baseline)",
    ] {
        assert!(t.iter().any(|x| x == want), "lacks {want:?}: {joined}");
    }
    // Row labels: level − baseline and the other parameter, 3 digits.
    let focus = folders::sample(0, 0.123_456_789, 0.1, 0.9);
    let label = format!("freedom_safety − zero_sum, focus {:.3}", focus);
    assert!(t.iter().any(|x| x == &label), "no {label:?}: {joined}");
    for x in &t {
        assert!(long_numbers(x).is_empty(), "{x:?}");
    }
    let e = std::fs::read_to_string(out.join("contrast_exits.svg")).unwrap();
    assert!(texts(&e).iter().any(|x| x == "undefined"));
    // Only the metrics asked for; one that is not there is named.
    let files =
        profspace::plot::plot_contrasts(dir.path(), &out, &["exits".into()], Format::Png).unwrap();
    assert_eq!(names(&files), set(&["contrast_exits.png"]));
    let e = profspace::plot::plot_contrasts(dir.path(), &out, &["trust".into()], Format::Svg)
        .unwrap_err()
        .to_string();
    assert!(e.contains("contrasts.csv") && e.contains("`trust`"), "{e}");
    // Many rows: the first 60, and the chart says so; it grows with rows.
    let many = tempfile::tempdir().unwrap();
    folders::contrasts(many.path(), 75);
    profspace::plot::plot_contrasts(many.path(), many.path(), &["essential".into()], Format::Svg)
        .unwrap();
    let big = std::fs::read_to_string(many.path().join("contrast_essential.svg")).unwrap();
    assert!(big.contains("the first 60 of 75 contrasts"));
    let height = |svg: &str| -> u32 {
        let h = &svg[svg.find("height=\"").unwrap() + 8..];
        h[..h.find('"').unwrap()].parse().unwrap()
    };
    assert!(height(&big) > height(&s) + 50 * 25);
    // A broken table names the file and the column.
    std::fs::write(
        many.path().join("contrasts.csv"),
        "metric,by,level,baseline,n,mean_diff\n",
    )
    .unwrap();
    let e = profspace::plot::plot_contrasts(many.path(), many.path(), &[], Format::Svg)
        .unwrap_err()
        .to_string();
    assert!(e.contains("contrasts.csv") && e.contains("`ci95`"), "{e}");
    // plot_dir draws them with the rest.
    let sweep = fixture("sweep");
    folders::contrasts(sweep.path(), 3);
    let files = names(&plot_dir(sweep.path(), &svg_opts()).unwrap());
    assert!(files.contains("contrast_essential.svg") && files.contains("timeseries.svg"));
}

#[test]
fn agents_get_violins_by_condition_and_tick() {
    // The sweep fixture: no condition column, so grouped by coupling (the
    // model's choice); panels: the model's time-series panels that are
    // states of agents.csv.
    let dir = fixture("sweep");
    folders::agents(dir.path(), 18);
    let files = names(&plot_dir(dir.path(), &svg_opts()).unwrap());
    assert!(files.contains("distribution.svg"), "{files:?}");
    let t = texts(&svg(dir.path(), "distribution"));
    let joined = t.join("|");
    for want in [
        "Professionals' states, by coupling",
        "coupling = zero_sum",
        "coupling = freedom_safety",
        "autonomy",
        "cynicism",
        "tick",
        "40",
    ] {
        assert!(t.iter().any(|x| x == want), "lacks {want:?}: {joined}");
    }
    assert!(joined.contains("Silverman") && joined.contains("interquartile range"));
    assert!(joined.contains("each violin pools every design point with that coupling"));
    // Only the model's panels: `need` is a state, not a panel.
    assert!(!t.iter().any(|x| x == "need"), "{joined}");
    // Asked for: its own file; the default is left as it is.
    let before = std::fs::read(dir.path().join("plots/distribution.svg")).unwrap();
    let opts = PlotOptions {
        metrics: vec!["need".into()],
        ..svg_opts()
    };
    let files = names(&plot_dir(dir.path(), &opts).unwrap());
    assert!(files.contains("distribution_need.svg"), "{files:?}");
    assert_eq!(
        before,
        std::fs::read(dir.path().join("plots/distribution.svg")).unwrap()
    );
    let n = texts(&svg(dir.path(), "distribution_need"));
    assert!(
        n.iter()
            .any(|x| x == "need across professionals, by coupling"),
        "{n:?}"
    );

    // Named conditions group first.
    let cond = tempfile::tempdir().unwrap();
    folders::conditions(cond.path());
    folders::agents(cond.path(), 3);
    folders::manifest(
        cond.path(),
        "professional_space",
        &["condition"],
        Some(&["managers.focus", "managers.connection"]),
        "",
    );
    plot_dir(cond.path(), &svg_opts()).unwrap();
    let t = texts(&svg(cond.path(), "distribution"));
    assert!(
        t.iter().any(|x| x == "Professionals' states, by condition"),
        "{t:?}"
    );
    assert!(t.iter().any(|x| x == "integrated"), "{t:?}");

    // A broken agents.csv names the file, the line and the column.
    std::fs::write(
        cond.path().join("agents.csv"),
        "run,point,replicate,tick,team,professional,autonomy\n0,0,0,0,0,0,high\n",
    )
    .unwrap();
    let msg = user_error(cond.path(), &svg_opts());
    assert!(
        msg.contains("agents.csv") && msg.contains("`autonomy`"),
        "{msg}"
    );
}

#[test]
fn the_new_charts_are_deterministic() {
    let build = || {
        let dir = tempfile::tempdir().unwrap();
        folders::sampled(dir.path());
        folders::agents(dir.path(), 60);
        folders::contrasts(dir.path(), 8);
        dir
    };
    let (a, b) = (build(), build());
    let fa = plot_dir(a.path(), &svg_opts()).unwrap();
    let fb = plot_dir(b.path(), &svg_opts()).unwrap();
    assert_eq!(names(&fa), names(&fb));
    for stem in [
        "scatter_essential",
        "distribution",
        "contrast_essential",
        "timeseries",
    ] {
        assert!(names(&fa).contains(&format!("{stem}.svg")), "{stem}");
    }
    for (x, y) in fa.iter().zip(&fb) {
        assert_eq!(
            std::fs::read(x).unwrap(),
            std::fs::read(y).unwrap(),
            "{} differs between runs",
            x.display()
        );
    }
}

#[test]
fn a_large_agents_table_is_sampled_and_says_so() {
    // 250 000 professionals in one violin: more than the 200 000 kept.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("design.csv"), "point\n0\n").unwrap();
    std::fs::write(
        dir.path().join("ticks.csv"),
        "run,point,replicate,tick,autonomy\n0,0,0,0,0.5\n",
    )
    .unwrap();
    let mut t = String::with_capacity(250_000 * 24);
    t.push_str("run,point,replicate,tick,team,professional,autonomy\n");
    for i in 0..250_000u32 {
        let v = (i % 1000) as f64 / 1000.0;
        t.push_str(&format!("0,0,0,5,{},{i},{v}\n", i / 100));
    }
    std::fs::write(dir.path().join("agents.csv"), t).unwrap();
    let files = names(&plot_dir(dir.path(), &svg_opts()).unwrap());
    assert!(files.contains("distribution.svg"), "{files:?}");
    let t = texts(&svg(dir.path(), "distribution")).join("|");
    assert!(
        t.contains("250000 values per violin; all runs pooled"),
        "{t}"
    );
    assert!(
        t.contains("violins of more than 200000 values: a systematic sample"),
        "{t}"
    );
}
