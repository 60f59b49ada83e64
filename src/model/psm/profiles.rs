//! Mixed populations: `[[managers.profiles]]` and
//! `[[professionals.profiles]]`, arrays of named tables that a flat registry
//! cannot declare. This file reads them from a scenario file, addresses
//! their keys in sweeps (`managers.profiles.<name>.<key>`; setting a share
//! rescales the other profiles so the shares still sum to 1) and writes
//! them back as TOML.

use super::params::{Levers, ManagerProfile, ProfessionalProfile, PsmParams, Traits};
use crate::error::{Error, Result};
use crate::params::{Ctx, Kind, UNIT, Value, ellipsis, format_float};
use std::fmt::Write;
use toml::Spanned;
use toml::de::DeValue;

/// What the tables take, for the parameter reference.
pub const REFERENCE: &str = "\n### Profiles\n\n\
     `[[managers.profiles]]` entries take `name` (letters, digits, `-`, `_`), `share` \
     (the shares of all entries sum to 1 within 1e-9), any of the seven levers and \
     `spread`; unset levers take the `[managers]` means. Teams are assigned to profiles \
     in order: team j gets the first profile whose cumulative share exceeds (j + ½) / teams.\n\n\
     `[[professionals.profiles]]` entries take `name`, `share` and any of the five \
     trait means; every team holds the same mix: place k of a team gets the first \
     profile whose cumulative share exceeds (k + ½) / team_size.\n\n\
     In sweeps a profile key is addressed as `managers.profiles.<name>.<key>`; setting \
     a share rescales the other profiles of that population so the shares still sum to 1.\n";

/// The two tables.
pub const TABLES: [&str; 2] = ["managers.profiles", "professionals.profiles"];

/// Keys allowed in a `[[managers.profiles]]` entry besides the levers.
const MANAGER_KEYS: [&str; 3] = ["name", "share", "spread"];
/// Keys allowed in a `[[professionals.profiles]]` entry besides the traits.
const PROFESSIONAL_KEYS: [&str; 2] = ["name", "share"];

/// Reads `[[<population>.profiles]]` (`path` is one of [`TABLES`]).
pub fn parse(path: &str, value: &Spanned<DeValue<'_>>, ctx: &mut Ctx, p: &mut PsmParams) {
    if path == TABLES[0] {
        let allowed: Vec<&str> = Levers::NAMES.iter().copied().chain(MANAGER_KEYS).collect();
        let start = (p.managers.levers, p.managers.spread);
        p.managers.profiles = entries(
            ctx,
            "managers",
            value,
            &allowed,
            start,
            |(levers, spread), k| {
                if k == "spread" {
                    Some(spread)
                } else {
                    levers.get_mut(k)
                }
            },
            |name, share, (levers, spread)| ManagerProfile {
                name,
                share,
                levers,
                spread,
            },
        );
    } else {
        let allowed: Vec<&str> = Traits::NAMES
            .iter()
            .copied()
            .chain(PROFESSIONAL_KEYS)
            .collect();
        let start = p.professionals.traits;
        p.professionals.profiles = entries(
            ctx,
            "professionals",
            value,
            &allowed,
            start,
            |traits, k| traits.get_mut(k),
            |name, share, traits| ProfessionalProfile {
                name,
                share,
                traits,
            },
        );
    }
}

/// Reads the entries of one population: `name`, `share`, and unit values of
/// the keys `slot` knows (levers, traits …), starting from the population's
/// means.
fn entries<T: Clone, P>(
    ctx: &mut Ctx,
    population: &str,
    value: &Spanned<DeValue<'_>>,
    allowed: &[&str],
    start: T,
    slot: impl for<'v> Fn(&'v mut T, &str) -> Option<&'v mut f64>,
    build: impl Fn(String, f64, T) -> P,
) -> Vec<P> {
    let list = format!("{population}.profiles");
    let items = match value.get_ref() {
        DeValue::Array(items) if items.iter().all(|i| i.get_ref().is_table()) => items,
        other => {
            ctx.problem(
                &list,
                value.span(),
                format!(
                    "expected [[{list}]] entries (tables), found {}",
                    crate::params::article(other.type_str())
                ),
            );
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    let mut names = Vec::new();
    for (i, entry) in items.iter().enumerate() {
        let path = format!("{list}[{i}]");
        let (name, share) = head(ctx, &path, entry, &mut names);
        let mut values = start.clone();
        if let Some(table) = entry.get_ref().as_table() {
            for (key, v) in table.iter() {
                let k = key.get_ref().as_ref();
                if k == "name" || k == "share" {
                    continue;
                }
                let p = format!("{path}.{k}");
                match slot(&mut values, k) {
                    Some(target) => {
                        if let Some(x) = ctx.value(&p, UNIT, v) {
                            *target = x.as_f64().unwrap_or(*target);
                        }
                    }
                    None => ctx.unknown(&p, k, key.span(), allowed, &[]),
                }
            }
        }
        if let (Some(name), Some(share)) = (name, share) {
            out.push(build(name, share, values));
        }
    }
    out
}

/// Reads `name` and `share` of a profile entry; checks duplicate names.
fn head(
    ctx: &mut Ctx,
    path: &str,
    entry: &Spanned<DeValue<'_>>,
    names: &mut Vec<String>,
) -> (Option<String>, Option<f64>) {
    let Some(table) = entry.get_ref().as_table() else {
        return (None, None);
    };
    let mut name = None;
    if let Some(v) = table.get("name") {
        let p = format!("{path}.name");
        if let Some(Value::Text(n)) = ctx.value(&p, Kind::Text { max_len: 40 }, v) {
            if n.is_empty()
                || !n
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                ctx.problem(
                    &p,
                    v.span(),
                    format!(
                        "profile name \"{}\" must be letters, digits, '-' or '_' (it is used in sweep paths)",
                        ellipsis(&n)
                    ),
                );
            } else if names.contains(&n) {
                ctx.problem(&p, v.span(), format!("profile name \"{n}\" is used twice"));
            } else {
                names.push(n.clone());
                name = Some(n);
            }
        }
    } else {
        ctx.problem(path, entry.span(), "a profile needs a `name`");
    }
    let mut share = None;
    if let Some(v) = table.get("share") {
        let p = format!("{path}.share");
        share = ctx.value(&p, UNIT, v).and_then(|v| v.as_f64());
    } else {
        ctx.problem(
            path,
            entry.span(),
            "a profile needs a `share` (a number from 0 to 1)",
        );
    }
    (name, share)
}

/// A profile path split into its parts: (population, profile name, key).
fn split(path: &str) -> Option<(&'static str, &str, &str)> {
    for population in ["managers", "professionals"] {
        if let Some(rest) = path
            .strip_prefix(population)
            .and_then(|r| r.strip_prefix(".profiles."))
        {
            let (name, key) = rest.rsplit_once('.')?;
            return Some((population, name, key));
        }
    }
    None
}

/// The kind of key `key` of a profile of `population`, if it is one.
fn key_kind(population: &str, key: &str) -> Option<Kind> {
    let ok = match population {
        "managers" => Levers::NAMES.contains(&key) || MANAGER_KEYS[1..].contains(&key),
        _ => Traits::NAMES.contains(&key) || key == "share",
    };
    ok.then_some(UNIT)
}

/// The names of a population's profiles.
fn names(p: &PsmParams, population: &str) -> Vec<String> {
    if population == "managers" {
        p.managers.profiles.iter().map(|x| x.name.clone()).collect()
    } else {
        p.professionals
            .profiles
            .iter()
            .map(|x| x.name.clone())
            .collect()
    }
}

/// The value at a profile path.
pub fn get(p: &PsmParams, path: &str) -> Option<Value> {
    let (population, name, key) = split(path)?;
    let x = if population == "managers" {
        let pr = p.managers.profiles.iter().find(|p| p.name == name)?;
        match key {
            "share" => pr.share,
            "spread" => pr.spread,
            lever => pr.levers.get(lever)?,
        }
    } else {
        let pr = p.professionals.profiles.iter().find(|p| p.name == name)?;
        match key {
            "share" => pr.share,
            t => pr.traits.get(t)?,
        }
    };
    Some(Value::Float(x))
}

/// The kind of the value at a profile path: `None` when `path` is not a
/// profile path, an error when it names no profile or no key of one.
pub fn kind_of(p: &PsmParams, path: &str) -> Option<Result<Kind>> {
    let (population, name, key) = split(path)?;
    if !names(p, population).iter().any(|n| n == name) {
        return Some(Err(Error::usage(format!(
            "no {population} profile named `{name}`"
        ))));
    }
    Some(
        key_kind(population, key)
            .ok_or_else(|| Error::usage(format!("`{key}` is not a key of a {population} profile"))),
    )
}

/// Checks and sets the value at a profile path. Setting a share rescales
/// the other profiles of that population so the shares still sum to 1.
pub fn set(p: &mut PsmParams, path: &str, value: &Value) -> Result<()> {
    let Some((population, name, key)) = split(path) else {
        return Err(Error::usage(format!("`{path}` is not a scenario key")));
    };
    let kind = key_kind(population, key)
        .ok_or_else(|| Error::usage(format!("`{key}` is not a key of a {population} profile")))?;
    let x = kind.check(value)?.as_f64().unwrap_or_default();
    let mut shares: Vec<(String, f64)> = if population == "managers" {
        p.managers
            .profiles
            .iter()
            .map(|p| (p.name.clone(), p.share))
            .collect()
    } else {
        p.professionals
            .profiles
            .iter()
            .map(|p| (p.name.clone(), p.share))
            .collect()
    };
    let Some(index) = shares.iter().position(|(n, _)| n == name) else {
        let names: Vec<&str> = shares.iter().map(|(n, _)| n.as_str()).collect();
        return Err(Error::usage(if names.is_empty() {
            format!("there are no {population} profiles, so no profile `{name}`")
        } else {
            format!(
                "no {population} profile named `{name}`; the profiles are {}",
                names.join(", ")
            )
        }));
    };
    if key == "share" {
        let others: f64 = shares
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != index)
            .map(|(_, (_, v))| v)
            .sum();
        if others <= 0.0 && x < 1.0 {
            return Err(Error::usage(format!(
                "cannot set the share of `{name}` to {x}: the other {population} profiles have share 0, so the shares could not sum to 1"
            )));
        }
        for (i, (_, v)) in shares.iter_mut().enumerate() {
            *v = if i == index {
                x
            } else if others > 0.0 {
                *v / others * (1.0 - x)
            } else {
                0.0
            };
        }
    }
    if population == "managers" {
        for (pr, (_, sh)) in p.managers.profiles.iter_mut().zip(&shares) {
            pr.share = *sh;
        }
        let pr = &mut p.managers.profiles[index];
        match key {
            "share" => {}
            "spread" => pr.spread = x,
            lever => {
                *pr.levers
                    .get_mut(lever)
                    .ok_or_else(|| Error::internal("unknown lever"))? = x
            }
        }
    } else {
        for (pr, (_, sh)) in p.professionals.profiles.iter_mut().zip(&shares) {
            pr.share = *sh;
        }
        let pr = &mut p.professionals.profiles[index];
        match key {
            "share" => {}
            t => {
                *pr.traits
                    .get_mut(t)
                    .ok_or_else(|| Error::internal("unknown trait"))? = x
            }
        }
    }
    Ok(())
}

/// The profiles as TOML tables.
pub fn render(p: &PsmParams) -> String {
    let mut out = String::new();
    for m in &p.managers.profiles {
        let _ = writeln!(
            out,
            "\n[[managers.profiles]]\nname = {}",
            Value::Text(m.name.clone()).to_toml()
        );
        let _ = writeln!(out, "share = {}", format_float(m.share));
        for lever in Levers::NAMES {
            let _ = writeln!(
                out,
                "{lever} = {}",
                format_float(m.levers.get(lever).unwrap_or_default())
            );
        }
        let _ = writeln!(out, "spread = {}", format_float(m.spread));
    }
    for pr in &p.professionals.profiles {
        let _ = writeln!(
            out,
            "\n[[professionals.profiles]]\nname = {}",
            Value::Text(pr.name.clone()).to_toml()
        );
        let _ = writeln!(out, "share = {}", format_float(pr.share));
        for t in Traits::NAMES {
            let _ = writeln!(
                out,
                "{t} = {}",
                format_float(pr.traits.get(t).unwrap_or_default())
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setting_a_share_rescales_the_others() {
        let mut p = PsmParams::default();
        for (name, share) in [("a", 0.5), ("b", 0.25), ("c", 0.25)] {
            p.managers.profiles.push(ManagerProfile {
                name: name.into(),
                share,
                levers: p.managers.levers,
                spread: 0.05,
            });
        }
        set(&mut p, "managers.profiles.a.share", &Value::Float(0.8)).unwrap();
        let shares: Vec<f64> = p.managers.profiles.iter().map(|p| p.share).collect();
        assert!(
            (shares[1] - 0.1).abs() < 1e-12 && (shares[2] - 0.1).abs() < 1e-12,
            "{shares:?}"
        );
        assert!(set(&mut p, "managers.profiles.zz.share", &Value::Float(0.5)).is_err());
        assert_eq!(
            get(&p, "managers.profiles.b.share"),
            Some(Value::Float(shares[1]))
        );
        assert!(matches!(
            kind_of(&p, "managers.profiles.b.focus"),
            Some(Ok(_))
        ));
        assert!(matches!(
            kind_of(&p, "managers.profiles.q.focus"),
            Some(Err(_))
        ));
        assert!(kind_of(&p, "managers.focus").is_none());
    }
}
