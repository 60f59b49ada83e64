//! # profspace
//!
//! An engine for agent-based simulation of *professional space*: the room
//! where management and profession meet. Managers and professionals
//! negotiate autonomy and safety by ongoing communicative adjustment; the
//! engine runs the professional-space model of `docs/ODD.md` (and March's 1991
//! model of exploration and exploitation), sweeps its parameters in
//! parallel, and draws the outcome charts.
//!
//! ```
//! use profspace::scenario::Scenario;
//!
//! // A scenario from TOML text: every value checked, defaults filled in.
//! let scenario = Scenario::from_toml(
//!     "coupling = \"zero_sum\"\nticks = 50\n[organization]\nteams = 3\n",
//!     "example.toml",
//!     "example",
//! )
//! .unwrap();
//! // One run of its model, through the model interface.
//! let seed = profspace::rng::run_seed(scenario.seed, 0);
//! let model = scenario.model;
//! let run = model.simulate(&scenario.params, seed, Default::default(), &mut Default::default());
//! let essential = model
//!     .run_metrics()
//!     .iter()
//!     .position(|m| m.name == "essential")
//!     .unwrap();
//! assert!(run[essential] > 0.0 && run[essential] < 1.0);
//! ```
//!
//! The crate's map is in `ARCHITECTURE.md`; the model as implemented is
//! described in `docs/ODD.md`.

pub mod analysis;
pub mod calibrate;
pub mod error;
pub mod lanes;
pub mod model;
pub mod observe;
pub mod output;
pub mod pages;
pub mod params;
pub mod plot;
pub mod rng;
pub mod scenario;
pub mod sensitivity;
pub mod stats;
pub mod sweep;
