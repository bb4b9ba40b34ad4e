//! Which packages the fixer may install, and under what name.
//!
//! A module name from a log is mapped to its distribution (`cv2` → `opencv-python`) by the
//! table in `rules/vetted_packages.json`. A package is *vetted* — class A, installable
//! unattended — when that table lists it or the project's own `requirements*.txt`,
//! `pyproject.toml` or `package.json` next to the logs names it; anything else needs a
//! person's yes (a typo in a log must never install a typosquatted package). Names are checked
//! against PEP 508 / npm's grammar, so nothing that could be an option or a path gets through.

use regex::Regex;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

const VETTED: &str = include_str!("../../../../rules/vetted_packages.json");

#[derive(Deserialize)]
struct Vetted {
    python_modules: BTreeMap<String, String>,
    npm_packages: Vec<String>,
}

static TABLE: LazyLock<Vetted> = LazyLock::new(|| {
    serde_json::from_str(VETTED).unwrap_or(Vetted {
        python_modules: BTreeMap::new(),
        npm_packages: Vec::new(),
    })
});

static PEP508_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$").unwrap_or_else(|e| panic!("{e}"))
});
static NPM_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:@[a-z0-9][a-z0-9\-._~]*/)?[a-z0-9][a-z0-9\-._~]*$")
        .unwrap_or_else(|e| panic!("{e}"))
});

/// PEP 503 normalized form: lowercase, runs of `-_.` become `-`.
pub(crate) fn normalize(name: &str) -> String {
    let mut out = String::new();
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

pub(crate) fn valid_python_name(name: &str) -> bool {
    name.len() <= 200 && PEP508_NAME.is_match(name)
}

pub(crate) fn valid_npm_name(name: &str) -> bool {
    name.len() <= 214 && NPM_NAME.is_match(name)
}

/// How a package came to be chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Vetting {
    /// Listed in healdeck's table.
    Table,
    /// Named by the project's own manifest at this path.
    Project(PathBuf),
    /// Not vetted: needs approval.
    Unvetted,
}

/// The distribution for a Python module, and whether it is vetted.
pub(crate) fn python_distribution(
    module: &str,
    project: &ProjectManifests,
) -> Option<(String, Vetting)> {
    let top = module.split('.').next().unwrap_or(module);
    let (dist, table) = match TABLE
        .python_modules
        .get(module)
        .or_else(|| TABLE.python_modules.get(top))
    {
        Some(d) => (d.clone(), true),
        None => (top.to_string(), false),
    };
    if !valid_python_name(&dist) {
        return None;
    }
    let vetting = if let Some(p) = project.python.get(&normalize(&dist)) {
        Vetting::Project(p.clone())
    } else if table {
        Vetting::Table
    } else {
        Vetting::Unvetted
    };
    Some((dist, vetting))
}

/// The npm package for a module specifier (`lodash/fp` → `lodash`), and whether it is vetted.
pub(crate) fn npm_package(module: &str, project: &ProjectManifests) -> Option<(String, Vetting)> {
    if module.starts_with('.') || module.starts_with('/') || module.starts_with("node:") {
        return None;
    }
    let mut parts = module.split('/');
    let name = match parts.next()? {
        scope if scope.starts_with('@') => format!("{scope}/{}", parts.next()?),
        n => n.to_string(),
    };
    if !valid_npm_name(&name) {
        return None;
    }
    let vetting = if let Some(p) = project.npm.get(&name) {
        Vetting::Project(p.clone())
    } else if TABLE.npm_packages.contains(&name) {
        Vetting::Table
    } else {
        Vetting::Unvetted
    };
    Some((name, vetting))
}

/// Package names declared by the project's own manifests near the logs.
#[derive(Debug, Clone, Default)]
pub(crate) struct ProjectManifests {
    /// Normalized Python distribution name → file that names it.
    pub python: BTreeMap<String, PathBuf>,
    /// npm package name → package.json that names it.
    pub npm: BTreeMap<String, PathBuf>,
    /// Folders holding a package.json (where `npm install` runs).
    pub npm_roots: BTreeSet<PathBuf>,
}

static REQ_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^\s*([A-Za-z0-9][A-Za-z0-9._-]*)").unwrap_or_else(|e| panic!("{e}"))
});
static QUOTED_REQ: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"["']([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?:[<>=!~;@ ][^"']*)?["']"#)
        .unwrap_or_else(|e| panic!("{e}"))
});

/// Manifests larger than this are not project manifests (or not worth trusting).
const MAX_MANIFEST_BYTES: u64 = 4 << 20;

impl ProjectManifests {
    /// Reads manifests in the folders of `paths` and up to two parents of each.
    pub(crate) fn near(paths: &[PathBuf]) -> ProjectManifests {
        let mut m = ProjectManifests::default();
        let mut seen = BTreeSet::new();
        for p in paths {
            let abs = p.canonicalize().unwrap_or_else(|_| p.clone());
            let start = if abs.is_dir() {
                abs
            } else {
                abs.parent().map(Path::to_path_buf).unwrap_or(abs)
            };
            for dir in start.ancestors().take(3) {
                if seen.insert(dir.to_path_buf()) {
                    m.read_dir(dir);
                }
            }
        }
        m
    }

    fn read_dir(&mut self, dir: &Path) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let path = e.path();
            let name = e.file_name().to_string_lossy().to_string();
            let is_manifest = (name.starts_with("requirements") && name.ends_with(".txt"))
                || name == "pyproject.toml"
                || name == "package.json";
            // Only manifests are read: the folder also holds the logs, which can be huge.
            if !is_manifest || e.metadata().map_or(true, |m| m.len() > MAX_MANIFEST_BYTES) {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            if name.starts_with("requirements") && name.ends_with(".txt") {
                for line in text.lines() {
                    let line = line.split('#').next().unwrap_or("");
                    if line.trim_start().starts_with('-') {
                        continue;
                    }
                    if let Some(c) = REQ_NAME.captures(line) {
                        self.python.entry(normalize(&c[1])).or_insert(path.clone());
                    }
                }
            } else if name == "pyproject.toml" {
                for c in QUOTED_REQ.captures_iter(&text) {
                    self.python.entry(normalize(&c[1])).or_insert(path.clone());
                }
            } else if name == "package.json" {
                self.npm_roots.insert(dir.to_path_buf());
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
                    for key in [
                        "dependencies",
                        "devDependencies",
                        "optionalDependencies",
                        "peerDependencies",
                    ] {
                        if let Some(obj) = v[key].as_object() {
                            for k in obj.keys() {
                                self.npm.entry(k.clone()).or_insert(path.clone());
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_validated() {
        for ok in ["requests", "PyYAML", "opencv-python", "zope.interface", "a"] {
            assert!(valid_python_name(ok), "{ok}");
        }
        for bad in [
            "-e",
            "--index-url=http://evil",
            "../x",
            "pkg;rm -rf /",
            "a b",
            "",
            "x-",
        ] {
            assert!(!valid_python_name(bad), "{bad}");
        }
        assert!(valid_npm_name("@prisma/client") && valid_npm_name("lodash.merge"));
        assert!(
            !valid_npm_name("--registry=evil")
                && !valid_npm_name("../../x")
                && !valid_npm_name("Foo")
        );
    }

    #[test]
    fn modules_map_to_distributions() {
        let none = ProjectManifests::default();
        assert_eq!(
            python_distribution("cv2", &none),
            Some(("opencv-python".into(), Vetting::Table))
        );
        assert_eq!(
            python_distribution("yaml", &none),
            Some(("PyYAML".into(), Vetting::Table))
        );
        assert_eq!(
            python_distribution("sklearn.linear_model", &none).map(|d| d.0),
            Some("scikit-learn".into())
        );
        assert_eq!(
            python_distribution("reqeusts", &none),
            Some(("reqeusts".into(), Vetting::Unvetted))
        );
        assert_eq!(
            npm_package("lodash/fp", &none),
            Some(("lodash".into(), Vetting::Table))
        );
        assert_eq!(
            npm_package("@scope/pkg/sub", &none).map(|p| p.0),
            Some("@scope/pkg".into())
        );
        assert_eq!(npm_package("./config", &none), None);
    }

    #[test]
    fn project_manifests_vet_their_packages() {
        let d = tempfile::tempdir().expect("tmp");
        std::fs::create_dir_all(d.path().join("logs")).expect("mkdir");
        std::fs::write(
            d.path().join("requirements-dev.txt"),
            "# tools\nmy_internal.lib>=2.0  # pinned\n-r base.txt\n",
        )
        .expect("w");
        std::fs::write(d.path().join("pyproject.toml"), "[project]\ndependencies = [\"orjson>=3\", 'fancy-thing[extra] ; python_version>\"3.8\"']\n").expect("w");
        std::fs::write(
            d.path().join("package.json"),
            r#"{"dependencies": {"left-pad": "^1.3.0"}}"#,
        )
        .expect("w");
        let m = ProjectManifests::near(&[d.path().join("logs")]);
        assert!(matches!(
            python_distribution("my_internal", &m),
            Some((_, Vetting::Unvetted))
        ));
        assert!(m.python.contains_key("my-internal-lib"));
        assert!(m.python.contains_key("fancy-thing"));
        assert!(matches!(
            npm_package("left-pad", &m),
            Some((_, Vetting::Project(_)))
        ));
        assert_eq!(m.npm_roots.len(), 1);
    }
}
