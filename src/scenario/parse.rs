//! Step one of reading a scenario: walk the spanned TOML document against
//! the engine's keys and the model's, convert and range-check every value,
//! and collect every problem with its line. The model is chosen first (the
//! `model` key); the model's own tables (e.g. profiles) are handed to it;
//! `[sweep]` and `[sensitivity]` are read last, against the scenario built
//! so far. Rules that tie keys together live in `validate`.

use super::{ENGINE_PARAMS, Override, Scenario, Target, sweep};
use crate::model::{self, Model};
use crate::params::{
    Ctx, KeyLines, Kind, Param, Problem, Value, article, find, join, line_index, line_of, suggest,
};
use std::collections::BTreeSet;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// Deepest nesting of arrays and tables accepted before parsing; deeper
/// documents are refused rather than risking the parser's stack.
const MAX_NESTING: usize = 64;

/// Deepest nesting of `[` and `{` outside strings and comments (an
/// over-estimate for table headers, which is fine for a guard).
fn nesting_depth(text: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '[' | '{' => {
                depth += 1;
                max = max.max(depth);
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            '#' => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '"' | '\'' => {
                let quote = c;
                let mut escaped = false;
                for c in chars.by_ref() {
                    if quote == '"' && c == '\\' && !escaped {
                        escaped = true;
                        continue;
                    }
                    if c == quote && !escaped {
                        break;
                    }
                    escaped = false;
                }
            }
            _ => {}
        }
    }
    max
}

/// Parses scenario text into a scenario (defaults where keys are missing),
/// the problems found, and the lines of the keys set. The scenario is
/// meaningful only without problems.
pub(crate) fn parse(
    text: &str,
    default_name: &str,
    overrides: &[Override],
    dir: Option<&std::path::Path>,
) -> (Scenario, Vec<Problem>, KeyLines) {
    let mut ctx = Ctx::new(text);
    let mut s = Scenario {
        name: default_name.to_string(),
        ..Scenario::default()
    };
    let Some(root) = document(text, &mut ctx) else {
        return (s, ctx.problems, KeyLines::new());
    };
    // The model first: it decides which keys exist.
    if let Some(v) = root.get_ref().get("model") {
        choose_model(&mut ctx, v, &mut s);
        if !ctx.problems.is_empty() {
            return (s, ctx.problems, KeyLines::new());
        }
    }
    let mut walker = Walker {
        ctx,
        model: s.model,
        seen: BTreeSet::new(),
        sweep: None,
        sensitivity: None,
        calibrate: None,
    };
    walker.table("", root.get_ref(), &mut s);
    let overridden = walker.overrides(overrides, &mut s);
    walker.designs(&mut s, overrides, &overridden, dir);
    let mut lines = KeyLines::new();
    for (path, line) in &walker.seen {
        lines.entry(path.clone()).or_insert(*line);
    }
    walker.ctx.problems.extend(no_effect(&s, overrides));
    // A sweep records every tenth tick unless told otherwise, so that its
    // per-tick table is not the largest thing nobody asked for.
    let told = |k: &str| lines.contains_key(k) || overridden.iter().any(|(key, _)| key == k);
    if (s.sweep.is_some() || s.sensitivity.is_some()) && !told("output.ticks_every") {
        s.output.ticks_every = super::SWEEP_TICKS_EVERY;
    }
    (s, walker.ctx.problems, lines)
}

/// The TOML document of `text`, or `None` with the problem in `ctx` when it
/// is nested too deep or is not valid TOML.
fn document<'a>(text: &'a str, ctx: &mut Ctx) -> Option<Spanned<DeTable<'a>>> {
    if nesting_depth(text) > MAX_NESTING {
        ctx.problems.push(Problem::file(format!(
            "lists or tables are nested more than {MAX_NESTING} deep; a scenario needs at most 3"
        )));
        return None;
    }
    match DeTable::parse(text) {
        Ok(root) => Some(root),
        Err(e) => {
            let (line, msg) = toml_error(text, e.span(), e.message());
            ctx.problems.push(Problem::new(
                "",
                line,
                format!("this is not valid TOML: {msg}"),
            ));
            None
        }
    }
}

/// Makes `s` a scenario of the model the `model` key names (its defaults,
/// the name kept), or says in `ctx` that there is no such model.
fn choose_model(ctx: &mut Ctx, v: &Spanned<DeValue<'_>>, s: &mut Scenario) {
    let Some(Value::Text(name)) = ctx.value("model", Kind::Text { max_len: 60 }, v) else {
        return;
    };
    match model::find(&name) {
        Some(m) => {
            *s = Scenario {
                name: std::mem::take(&mut s.name),
                ..Scenario::of(m)
            }
        }
        None => {
            let names = model::names();
            let hint = suggest(&name, names.iter().copied())
                .map(|n| format!(" (did you mean \"{n}\"?)"))
                .unwrap_or_default();
            ctx.problem(
                "model",
                v.span(),
                format!(
                    "\"{}\" is not a model{hint}; expected one of {}",
                    crate::params::ellipsis(&name),
                    names
                        .iter()
                        .map(|n| format!("\"{n}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
    }
}

/// Overrides that would change nothing, because the design sets the key at
/// every point (or the `[sweep]` its own replications): refused, so that no
/// one believes a flag that was ignored.
fn no_effect(s: &Scenario, overrides: &[Override]) -> Vec<Problem> {
    let mut problems = Vec::new();
    for o in overrides {
        let key = o.key(s.model.ticks_key());
        let swept = s.sweep.as_ref().and_then(|sw| {
            if sw.grid.iter().any(|a| a.path == key) {
                Some("[sweep.grid]")
            } else if sw
                .sample
                .as_ref()
                .is_some_and(|sm| sm.ranges.iter().any(|(p, _)| p == key))
            {
                Some("[sweep.sample]")
            } else if sw
                .conditions
                .iter()
                .any(|c| c.settings.iter().any(|(p, _)| p == key))
            {
                Some("[[sweep.conditions]]")
            } else {
                None
            }
        });
        let analysed = s
            .sensitivity
            .as_ref()
            .is_some_and(|sa| sa.parameters.iter().any(|(p, _)| p == key));
        let message = match (swept, analysed) {
            (Some(section), _) => format!(
                "the sweep varies this key ({section}), so --set would have no effect; change \
                 the sweep in the file"
            ),
            (None, true) => "the [sensitivity] analysis varies this key, so --set would have no \
                 effect; change its range in the file"
                .to_string(),
            _ => match (&o.target, s.sweep.as_ref().and_then(|sw| sw.replications)) {
                (Target::Key(k), Some(n)) if k == "replications" => format!(
                    "the [sweep] section sets its own replications = {n}, which wins; use \
                     --replications to set both"
                ),
                _ => continue,
            },
        };
        problems.push(Problem::new(key, None, message).from_flag(&o.flag));
    }
    problems
}

struct Walker<'a> {
    ctx: Ctx,
    model: &'static dyn Model,
    /// Keys set explicitly, with their lines.
    seen: BTreeSet<(String, usize)>,
    sweep: Option<Spanned<DeValue<'a>>>,
    sensitivity: Option<Spanned<DeValue<'a>>>,
    calibrate: Option<Spanned<DeValue<'a>>>,
}

/// The engine's keys and the model's.
fn declared(model: &'static dyn Model) -> impl Iterator<Item = &'static Param> {
    ENGINE_PARAMS.iter().chain(model.params())
}

/// Whether `path` names a table that holds declared keys.
fn is_section(model: &'static dyn Model, path: &str) -> bool {
    let prefix = format!("{path}.");
    declared(model).any(|p| p.path.starts_with(&prefix))
        || model.extra_tables().iter().any(|t| t.starts_with(&prefix))
}

/// Another model that declares `path` (as a key or a section), if any.
fn other_model(model: &'static dyn Model, path: &str) -> Option<&'static dyn Model> {
    let prefix = format!("{path}.");
    model::all().into_iter().find(|m| {
        m.name() != model.name()
            && (m
                .params()
                .iter()
                .any(|p| p.path == path || p.path.starts_with(&prefix))
                || m.extra_tables().contains(&path))
    })
}

impl<'a> Walker<'a> {
    fn table(&mut self, prefix: &str, table: &DeTable<'a>, s: &mut Scenario) {
        for (key, value) in table.iter() {
            let path = join(prefix, key.get_ref());
            let line = self.ctx.line(key.span()).unwrap_or(0);
            match path.as_str() {
                "sweep" => {
                    self.sweep = Some(value.clone());
                    continue;
                }
                "sensitivity" => {
                    self.sensitivity = Some(value.clone());
                    continue;
                }
                "calibrate" => {
                    self.calibrate = Some(value.clone());
                    continue;
                }
                "model" => {
                    self.seen.insert((path, line));
                    continue;
                }
                _ => {}
            }
            if self.model.extra_tables().contains(&path.as_str()) {
                self.seen.insert((path.clone(), line));
                self.model
                    .parse_extra(&path, value, &mut self.ctx, &mut s.params);
            } else if let Some(param) = find(ENGINE_PARAMS, &path) {
                self.seen.insert((path.clone(), line));
                self.set(param, &path, value, s, true);
            } else if let Some(param) = find(self.model.params(), &path) {
                self.seen.insert((path.clone(), line));
                self.set(param, &path, value, s, false);
            } else if is_section(self.model, &path) {
                match value.get_ref() {
                    DeValue::Table(t) => self.table(&path, t, s),
                    other => self.ctx.problem(
                        &path,
                        value.span(),
                        format!(
                            "expected a table [{path}], found {}",
                            article(other.type_str())
                        ),
                    ),
                }
            } else if let Some(other) = other_model(self.model, &path) {
                self.foreign(&path, key.span(), value, other);
            } else {
                let mut candidates = crate::params::children(declared(self.model), prefix);
                for t in self.model.extra_tables() {
                    if let Some(rest) = t.strip_prefix(prefix).and_then(|r| r.strip_prefix('.')) {
                        candidates.push(rest);
                    }
                }
                if prefix.is_empty() {
                    candidates.push("sweep");
                    candidates.push("sensitivity");
                    candidates.push("calibrate");
                }
                let known: Vec<&Param> = declared(self.model).collect();
                self.ctx
                    .unknown(&path, key.get_ref(), key.span(), &candidates, &known);
            }
        }
    }

    /// The design sections, read against the scenario built so far:
    /// `[sweep]` (whose own replications `--replications` sets too),
    /// `[sensitivity]` (never with a `[sweep]`) and `[calibrate]`; and the
    /// flags that overrode keys, in `s.overrides`.
    fn designs(
        &mut self,
        s: &mut Scenario,
        overrides: &[Override],
        overridden: &[(String, String)],
        dir: Option<&std::path::Path>,
    ) {
        if let Some(table) = self.sweep.take() {
            s.sweep = sweep::parse(&mut self.ctx, &table, s);
        }
        if overrides.iter().any(|o| o.target == Target::Replications)
            && let Some(sw) = s.sweep.as_mut().filter(|sw| sw.replications.is_some())
        {
            sw.replications = Some(s.replications);
        }
        s.overrides = overridden.iter().map(|(_, flag)| flag.clone()).collect();
        if let Some(table) = self.sensitivity.take() {
            if s.sweep.is_some() {
                self.ctx.problem(
                    "sensitivity",
                    table.span(),
                    "a scenario has either a [sweep] or a [sensitivity] section (the analysis makes its own design)",
                );
            } else {
                s.sensitivity = super::sensitivity::parse(&mut self.ctx, &table, s);
            }
        }
        if let Some(table) = self.calibrate.take() {
            calibrate_section(&mut self.ctx, &table, s, overrides, dir);
        }
    }

    /// Reads the command-line overrides after the file, as if they were
    /// lines of it; their problems name the flag. Returns the keys set and
    /// their flags.
    fn overrides(&mut self, overrides: &[Override], s: &mut Scenario) -> Vec<(String, String)> {
        let mut set = Vec::new();
        for o in overrides {
            let key = o.key(s.model.ticks_key()).to_string();
            let refuse = |why: &str| Problem::new(key.clone(), None, why).from_flag(&o.flag);
            let design = ["sweep", "sensitivity", "calibrate"]
                .iter()
                .any(|d| key == *d || key.starts_with(&format!("{d}.")));
            if key == "model" {
                self.ctx.problems.push(refuse(
                    "the model cannot be changed from the command line; write model = \"…\" in the file",
                ));
                continue;
            }
            if design {
                self.ctx.problems.push(refuse(
                    "--set changes scenario keys, not the [sweep], [sensitivity] or [calibrate] \
                     section; edit the file (or use --replications)",
                ));
                continue;
            }
            let line = o.toml_line(s.model.ticks_key());
            let root = match DeTable::parse(&line) {
                Ok(root) => root,
                Err(e) => {
                    let why = format!("this is not a TOML value: {}", e.message().trim());
                    self.ctx.problems.push(refuse(&why));
                    continue;
                }
            };
            let mut sub = Walker {
                ctx: Ctx::new(&line),
                model: self.model,
                seen: BTreeSet::new(),
                sweep: None,
                sensitivity: None,
                calibrate: None,
            };
            sub.table("", root.get_ref(), s);
            let ok = sub.ctx.problems.is_empty();
            self.ctx
                .problems
                .extend(sub.ctx.problems.into_iter().map(|p| p.from_flag(&o.flag)));
            if ok {
                set.push((key, o.flag.clone()));
            }
        }
        set
    }

    /// Checks and stores one declared key.
    fn set(
        &mut self,
        param: &'static Param,
        path: &str,
        value: &Spanned<DeValue<'a>>,
        s: &mut Scenario,
        engine: bool,
    ) {
        let Some(v) = self.ctx.value(path, param.kind, value) else {
            return;
        };
        if let (true, Value::Text(name)) = (path == "name", &v)
            && let Some(msg) = super::validate::name_problem(name)
        {
            self.ctx.problem(path, value.span(), msg);
            return;
        }
        let stored = if engine {
            param.set(s, &v)
        } else {
            param.set(s.params.as_any_mut(), &v)
        };
        if let Err(msg) = stored {
            self.ctx.problem(path, value.span(), msg.to_string());
        }
    }

    /// A key or table of another model: refused, since it would be ignored.
    fn foreign(
        &mut self,
        path: &str,
        span: std::ops::Range<usize>,
        value: &Spanned<DeValue<'a>>,
        other: &'static dyn Model,
    ) {
        let _ = other;
        let message = format!(
            "has no effect in a scenario with model = \"{}\"; remove it",
            self.model.name()
        );
        match value.get_ref() {
            DeValue::Table(t) if !t.is_empty() => {
                for (key, _) in t.iter() {
                    let inner = join(path, key.get_ref());
                    self.ctx.problem(&inner, key.span(), message.clone());
                }
            }
            _ => self.ctx.problem(path, span, message),
        }
    }
}

/// Reads `[calibrate]` into `s`: refused beside a design of its own (a
/// key is either varied by a design or inferred), and a key given a prior
/// cannot also be set from the command line (the prior would override it).
fn calibrate_section(
    ctx: &mut Ctx,
    table: &Spanned<DeValue<'_>>,
    s: &mut Scenario,
    overrides: &[Override],
    dir: Option<&std::path::Path>,
) {
    let Some(c) = super::calibrate::parse(ctx, table, s, dir) else {
        return;
    };
    let mut clash = false;
    if let Some(sw) = &s.sweep {
        for (key, _) in &c.priors {
            let swept = sw.grid.iter().any(|a| &a.path == key)
                || sw
                    .sample
                    .as_ref()
                    .is_some_and(|sm| sm.ranges.iter().any(|(p, _)| p == key))
                || sw
                    .conditions
                    .iter()
                    .any(|cd| cd.settings.iter().any(|(p, _)| p == key));
            if swept {
                clash = true;
                ctx.problem(
                    &format!("calibrate.priors.{key}"),
                    table.span(),
                    "is swept by [sweep] and also given a prior; a key is either varied by the \
                     design or inferred from the observations, not both",
                );
            }
        }
    }
    if !clash && (s.sweep.is_some() || s.sensitivity.is_some()) {
        ctx.problem(
            "calibrate",
            table.span(),
            "a scenario has one of [sweep], [sensitivity] or [calibrate]: a calibration makes its \
             own runs; put it in a file of its own",
        );
    }
    for o in overrides {
        let key = o.key(s.model.ticks_key());
        if c.priors.iter().any(|(p, _)| p == key) {
            ctx.problems.push(
                Problem::new(
                    key,
                    None,
                    "has a prior in [calibrate.priors], so --set would have no effect; change \
                     the prior instead",
                )
                .from_flag(&o.flag),
            );
        }
    }
    let mut c = c;
    if overrides.iter().any(|o| o.target == Target::Replications) {
        c.replications = s.replications;
    }
    s.calibrate = Some(c);
}

/// The line and the words of a TOML syntax error, in the terms of the
/// mistake people make: a key with no value, a list never closed (said at
/// the line that opened it, not where the parser noticed), or else the
/// parser's message and what it points at.
fn toml_error(
    text: &str,
    span: Option<std::ops::Range<usize>>,
    message: &str,
) -> (Option<usize>, String) {
    let lines = line_index(text);
    let line = span.as_ref().map(|sp| line_of(&lines, sp.start));
    let line_text = |n: usize| text.lines().nth(n.saturating_sub(1)).unwrap_or("");
    // `key =` with nothing after it.
    if let Some(n) = line
        && let Some((key, value)) = line_text(n).split_once('=')
        && value.split('#').next().unwrap_or("").trim().is_empty()
        && !key.trim().is_empty()
    {
        let key = key.trim();
        return (
            Some(n),
            format!(
                "`{key}` has no value after `=`; write one, e.g. `{key} = 200` or `{key} = \"text\"`"
            ),
        );
    }
    // A list opened on an earlier line and not closed before this one.
    if message.contains("array")
        && let Some(n) = line
    {
        let opened = (1..=n).rev().find(|&k| {
            let code = line_text(k).split('#').next().unwrap_or("");
            code.matches('[').count() > code.matches(']').count() && code.contains('=')
        });
        if let Some(k) = opened {
            let key = line_text(k).split('=').next().unwrap_or("").trim();
            return (
                Some(k),
                format!("the list of `{key}` opened here is not closed with `]`"),
            );
        }
    }
    let mut msg = message.trim().to_string();
    // Name what the parser points at (e.g. which key is duplicated).
    if let Some(at) = span.and_then(|sp| text.get(sp)) {
        let at = at.trim();
        if !at.is_empty() && at.len() <= 60 && !at.contains('\n') {
            msg.push_str(&format!(" (at `{at}`)"));
        }
    }
    (line, msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<Problem> {
        let mut p = parse(text, "t", &[], None).1;
        p.sort_by_key(|p| p.line);
        p
    }

    #[test]
    fn all_problems_are_reported_with_lines() {
        let p = problems(
            "seed = 1\n[managers]\nfocus = 1.5\nfcous = 0.2\n[dynamics]\nalpha = \"fast\"\n",
        );
        assert_eq!(p.len(), 3, "{p:?}");
        assert_eq!((p[0].path.as_str(), p[0].line), ("managers.focus", Some(3)));
        assert!(
            p[0].message.contains("1.5") && p[0].message.contains("from 0 to 1"),
            "{}",
            p[0].message
        );
        assert!(
            p[1].message.contains("did you mean `focus`"),
            "{}",
            p[1].message
        );
        assert_eq!(p[2].line, Some(6));
    }

    #[test]
    fn misplaced_key_says_where_it_belongs() {
        let p = problems("[professionals]\nconnection = 0.5\n");
        assert!(p[0].message.contains("[managers]"), "{}", p[0].message);
    }

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let text = format!("x = {}{}", "[".repeat(10_000), "]".repeat(10_000));
        let p = problems(&text);
        assert!(p[0].message.contains("nested"), "{p:?}");
    }
}
