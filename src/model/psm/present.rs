//! How the explorer presents the professional-space model: the levers and
//! the words for them, the five windows, performance, the three situations
//! and the licence to lead over time, autonomy against safety, and one tile
//! per team.

use super::params::LEVERS;
use crate::model::present::{
    Control, LineChart, Presentation, Series, Situation, Tiles, Tradeoff, control, pairs, series,
};

/// The page's text, with `**strong**` and `*emphasis*`.
const ABOUT: [&str; 6] = [
    "**The model.** Each team has a manager and a few professionals. Every tick they renegotiate how much room the professional gets (*autonomy*, freedom) and how safe the work feels (*safety*, the box).",
    "**The seven levers** are the managers' settings. Five come from the article: *rationale* (the why) feeds *purpose*, *effect* (targets) shapes *identity*, *focus* (priorities, structure) builds the *box*, *energy* (budget, knowledge) feeds *drive*, and *connection* (care, contact) feeds *meaning*. *Dominance* turns requests into conflict; *listening* lets professionals shape the targets. The professionals' *need* is how much room they ask for.",
    "**The two couplings.** In *zero_sum* control and autonomy share one budget: what the manager claims, the professional loses. In *freedom_safety* freedom and safety grow together, but only where focus *and* connection build a box.",
    "**The three situations** (shares of professionals): *walls without space* (alienated: little room, little meaning), *space without walls* (disoriented: room without safety or purpose), and *the five windows open* (integrated: purpose, identity, box, drive and meaning all high).",
    "**Performance.** *Existential* asks “does it work?”, *functional* “does it fit?”; *essential* is high only when both are.",
    "**Try this.** Run once, press *Pin*, switch the coupling, run again: the pinned run stays on the charts, dashed. Every number is on a 0–1 scale.",
];

/// The three situations, in the article's words.
const SITUATIONS: [(&str, &str, &str); 3] = [
    ("alienated", "walls without space", "vermillion"),
    ("disoriented", "space without walls", "orange"),
    ("integrated", "the five windows open", "green"),
];

/// The page of the professional-space model.
pub fn presentation() -> Presentation {
    let situations: Vec<Situation> = SITUATIONS
        .iter()
        .map(|(metric, words, colour)| Situation {
            metric: metric.to_string(),
            words: words.to_string(),
            colour: colour.to_string(),
        })
        .collect();
    let charts = charts(&situations);
    Presentation {
        tagline: "Managers pull levers, professionals negotiate autonomy and safety. Move a lever, press Run, compare.".into(),
        about: ABOUT.iter().map(|s| s.to_string()).collect(),
        groups: pairs(&[
            ("managers", "The manager's levers"),
            ("professionals", "The professionals"),
            ("frame", "The frame"),
            ("run", "The run"),
            ("organization", "The organisation"),
        ]),
        controls: controls(),
        notes: pairs(&[
            ("zero_sum", "control against autonomy: one budget"),
            ("freedom_safety", "freedom and safety grow together"),
        ]),
        charts,
        tradeoff: Some(Tradeoff {
            title: "Autonomy against safety".into(),
            sub: "the path of the run: ○ start, ● end".into(),
            x: ("autonomy".into(), "autonomy (freedom)".into()),
            y: ("safety".into(), "safety (box)".into()),
        }),
        tiles: Some(Tiles {
            situations,
            value: (
                "licence".into(),
                "the team grants its manager a licence to lead".into(),
            ),
            details: vec![
                "licence".into(),
                "essential".into(),
                "autonomy".into(),
                "safety".into(),
            ],
        }),
        sweep: ("managers.focus".into(), "managers.connection".into()),
        time: "tick".into(),
    }
}

/// The charts over time: the five windows, performance, the situations
/// and the licence to lead.
fn charts(situations: &[Situation]) -> Vec<LineChart> {
    let chart = |id: &str, title: &str, sub: &str, y_label: &str, series: Vec<Series>| LineChart {
        id: id.into(),
        title: title.into(),
        sub: sub.into(),
        y_label: y_label.into(),
        y2_label: String::new(),
        range: (0.0, 1.0),
        series,
    };
    vec![
        chart(
            "windows",
            "The five windows",
            "levels of the professional's view, over time",
            "level (0–1)",
            vec![
                series("purpose", "purpose", "blue"),
                series("identity", "identity", "purple"),
                series("safety", "box (safety)", "green"),
                series("drive", "drive", "orange"),
                series("meaning", "meaning", "vermillion"),
            ],
        ),
        chart(
            "essential",
            "Performance",
            "essential = existential and functional together",
            "performance (0–1)",
            vec![
                Series {
                    width: 2.5,
                    ..series("essential", "essential", "black")
                },
                series("existential", "existential: does it work?", "sky"),
                series("functional", "functional: does it fit?", "orange"),
            ],
        ),
        chart(
            "situations",
            "The three situations",
            "share of professionals in each",
            "share of professionals",
            situations
                .iter()
                .map(|s| series(&s.metric, &format!("{} ({})", s.words, s.metric), &s.colour))
                .collect(),
        ),
        LineChart {
            y2_label: "revocations".into(),
            ..chart(
                "licence",
                "Licence to lead",
                "licence (left axis) and revocations so far (right axis)",
                "licence (0–1)",
                vec![
                    series("licence", "licence", "blue"),
                    Series {
                        right: true,
                        ..series("revocations", "revocations", "vermillion")
                    },
                ],
            )
        },
    ]
}

/// The controls, in the page's order: the levers, the professionals, the
/// frame, the run and the organisation.
fn controls() -> Vec<Control> {
    let levers = LEVERS
        .iter()
        .map(|l| control(l.key, "managers", l.short, l.window));
    levers
        .chain([
            control(
                "professionals.need",
                "professionals",
                "how much room they ask for",
                "",
            ),
            control(
                "professionals.consequentialism",
                "professionals",
                "logic of consequences (1) or of identity (0)",
                "",
            ),
            control("coupling", "frame", "how the frame is negotiated", ""),
            control("seed", "run", "same seed, same numbers", ""),
            control("ticks", "run", "rounds per run", ""),
            control("organization.teams", "organization", "one manager each", ""),
            control(
                "organization.team_size",
                "organization",
                "professionals per team",
                "",
            ),
        ])
        .collect()
}
