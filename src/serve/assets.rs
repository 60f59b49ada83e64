//! The page's files, embedded in the binary: the only static paths the
//! server answers. Nothing is read from disk.

/// One embedded file: its path, its content type and its bytes.
pub(super) struct Asset {
    pub path: &'static str,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
}

/// The explorer's default scenario (`explorer.toml`).
pub(super) const TEMPLATE: &str = include_str!("../../assets/explorer/explorer.toml");

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript";
const CSS: &str = "text/css";
const TEXT: &str = "text/plain; charset=utf-8";

/// Every static path the server answers, and nothing else.
pub(super) static ASSETS: &[Asset] = &[
    Asset {
        path: "/",
        content_type: HTML,
        bytes: include_bytes!("../../assets/explorer/index.html"),
    },
    Asset {
        path: "/app.js",
        content_type: JS,
        bytes: include_bytes!("../../assets/explorer/app.js"),
    },
    Asset {
        path: "/style.css",
        content_type: CSS,
        bytes: include_bytes!("../../assets/explorer/style.css"),
    },
    Asset {
        path: "/vendor/uPlot.iife.min.js",
        content_type: JS,
        bytes: include_bytes!("../../assets/explorer/vendor/uPlot.iife.min.js"),
    },
    Asset {
        path: "/vendor/uPlot.min.css",
        content_type: CSS,
        bytes: include_bytes!("../../assets/explorer/vendor/uPlot.min.css"),
    },
    Asset {
        path: "/vendor/uPlot-LICENSE.txt",
        content_type: TEXT,
        bytes: include_bytes!("../../assets/explorer/vendor/uPlot-LICENSE.txt"),
    },
    Asset {
        path: "/licenses",
        content_type: TEXT,
        bytes: LICENSES.as_bytes(),
    },
];

/// `/licenses`: the licences of what the page and the charts embed.
const LICENSES: &str = concat!(
    "Licences of the third-party files that profspace serve embeds\n",
    "==============================================================\n\n",
    "profspace itself: MIT OR Apache-2.0.\n\n",
    "uPlot (the page's charts, /vendor/uPlot.iife.min.js and uPlot.min.css)\n",
    "----------------------------------------------------------------------\n\n",
    include_str!("../../assets/explorer/vendor/uPlot-LICENSE.txt"),
    "\n\nDejaVu fonts (the text of the PNG and SVG charts)\n",
    "-------------------------------------------------\n\n",
    include_str!("../../assets/fonts/LICENSE-DejaVu.txt"),
);

/// The embedded file at exactly `path` (no decoding, no normalising: a
/// path that is not in the table is not served).
pub(super) fn find(path: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.path == path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_table_paths_are_found() {
        assert!(find("/").is_some());
        assert!(find("/vendor/uPlot.iife.min.js").is_some());
        for bad in [
            "/../etc/passwd",
            "/%2e%2e/",
            "/assets/../Cargo.toml",
            "/vendor/",
            "//",
        ] {
            assert!(find(bad).is_none(), "{bad}");
        }
        assert!(LICENSES.contains("MIT") && LICENSES.contains("DejaVu"));
    }

    #[test]
    fn the_template_is_a_valid_scenario() {
        let s = profspace::scenario::Scenario::from_toml(TEMPLATE, "explorer.toml", "explorer")
            .unwrap();
        assert_eq!(s.replications, 1);
        assert_eq!(s.name, "explorer");
    }
}
