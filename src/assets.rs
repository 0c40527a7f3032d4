//! Where the files shipped beside the binary are: `models/`, the bundled `library/` and the test
//! fixtures. The one place that knows the lookup rule; pure path logic, any thread.

use std::path::{Path, PathBuf};

/// `relative` under the source tree mien was built from (`CARGO_MANIFEST_DIR`) when it exists
/// there, else `relative` under the working directory (an installed binary run from a checkout or
/// an unpacked release).
pub fn bundled(relative: &str) -> PathBuf {
    let beside = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    if beside.exists() {
        beside
    } else {
        PathBuf::from(relative)
    }
}

/// The `models/` folder (model weights and their cards).
pub fn models_dir() -> PathBuf {
    bundled("models")
}

/// The bundled `library/` of free music, played when no library is configured.
pub fn library_dir() -> PathBuf {
    bundled("library")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_files_are_found_beside_the_source_tree_else_under_the_working_directory() {
        assert!(models_dir().is_absolute() && models_dir().is_dir());
        assert!(library_dir().ends_with("library"));
        assert_eq!(
            bundled("no-such-folder"),
            PathBuf::from("no-such-folder"),
            "a missing asset falls back to a relative path"
        );
    }
}
