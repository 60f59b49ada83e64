//! Values given on the command line instead of in the file: `--set
//! KEY=VALUE` (repeatable) and the shorthands `--seed N`, `--ticks N` and
//! `--replications N`. They are read after the file, by the same code and
//! with the same checks, so a problem names the flag and the key with the
//! allowed values and the same suggestions.

use crate::error::{Error, Result};
use std::fmt;

/// What an override sets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A scenario key (`managers.focus`).
    Key(String),
    /// The length of a run: the model's own key for it (`ticks`,
    /// `march.max_periods`).
    Ticks,
    /// Replications per design point: `replications`, and the `[sweep]`'s
    /// own `replications` when it sets one.
    Replications,
}

/// One value from the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Override {
    /// The flag as the user wrote it, for messages (`--set managers.focus=2`).
    pub flag: String,
    /// What it sets.
    pub target: Target,
    /// The value as written (TOML; bare words are read as text).
    pub value: String,
}

impl Override {
    /// `--set KEY=VALUE`.
    pub fn set(arg: &str) -> Result<Override> {
        let Some((key, value)) = arg.split_once('=') else {
            return Err(Error::usage(format!(
                "--set {arg}: write KEY=VALUE, e.g. --set managers.focus=0.7"
            )));
        };
        let key = key.trim();
        let valid = |c: char| c.is_ascii_alphanumeric() || "._-".contains(c);
        if key.is_empty() || !key.chars().all(valid) {
            return Err(Error::usage(format!(
                "--set {arg}: `{key}` is not a scenario key (keys look like managers.focus; \
                 `profspace params` lists them)"
            )));
        }
        Ok(Override {
            flag: format!("--set {arg}"),
            target: Target::Key(key.to_string()),
            value: value.trim().to_string(),
        })
    }

    /// `--seed N`.
    pub fn seed(n: u64) -> Override {
        Override {
            flag: format!("--seed {n}"),
            target: Target::Key("seed".into()),
            value: n.to_string(),
        }
    }

    /// `--ticks N`.
    pub fn ticks(n: u64) -> Override {
        Override {
            flag: format!("--ticks {n}"),
            target: Target::Ticks,
            value: n.to_string(),
        }
    }

    /// `--replications N`.
    pub fn replications(n: u64) -> Override {
        Override {
            flag: format!("--replications {n}"),
            target: Target::Replications,
            value: n.to_string(),
        }
    }

    /// The key it sets in a scenario of a model whose run length is
    /// `ticks_key`.
    pub fn key<'a>(&'a self, ticks_key: &'a str) -> &'a str {
        match &self.target {
            Target::Key(k) => k,
            Target::Ticks => ticks_key,
            Target::Replications => "replications",
        }
    }

    /// One line of TOML setting the key to the value: the value as written
    /// when it is TOML, else as text (so `--set coupling=zero_sum` works).
    pub(crate) fn toml_line(&self, ticks_key: &str) -> String {
        let key = self.key(ticks_key);
        let line = format!("{key} = {}", self.value);
        if toml::de::DeTable::parse(&line).is_ok() {
            line
        } else {
            format!("{key} = {}", toml::Value::String(self.value.clone()))
        }
    }
}

impl fmt::Display for Override {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.flag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_splits_at_the_first_equals_sign() {
        let o = Override::set("description=a=b").unwrap();
        assert_eq!((o.key("ticks"), o.value.as_str()), ("description", "a=b"));
        assert_eq!(o.toml_line("ticks"), "description = \"a=b\"");
        let o = Override::set("managers.focus=0.7").unwrap();
        assert_eq!(o.toml_line("ticks"), "managers.focus = 0.7");
        assert!(Override::set("managers.focus").is_err());
        assert!(Override::set("[sweep]=1").is_err());
        assert_eq!(
            Override::ticks(5).toml_line("march.max_periods"),
            "march.max_periods = 5"
        );
    }
}
