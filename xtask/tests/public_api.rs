//! The public-API listing on a fixture crate shaped like `optimly` in small: exactly what is
//! listed, and that changing one public signature changes exactly its line.

use std::path::{Path, PathBuf};

use xtask::public_api::listing;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/public_api")
}

#[test]
fn the_listing_names_each_public_item_once_by_the_path_users_write() {
    let expected = concat!(
        "fixture_api::Kind::One\n",
        "fixture_api::Kind::Two { count: u8 }\n",
        "fn fixture_api::open::Source::read(&self) -> u8\n",
        "fn fixture_api::open::Source::twice(&self) -> u16 {provided}\n",
        "impl Clone for fixture_api::Builder\n",
        "impl Clone for fixture_api::Kind\n",
        "impl Copy for fixture_api::Kind\n",
        "impl Debug for fixture_api::Builder\n",
        "impl Debug for fixture_api::Kind\n",
        "impl Default for fixture_api::Builder\n",
        "impl Eq for fixture_api::Kind\n",
        "impl PartialEq for fixture_api::Kind\n",
        "impl std::fmt::Display for fixture_api::Kind\n",
        "pub const fixture_api::open::ORIGIN: (i32, i32)\n",
        "pub enum fixture_api::Kind  #[non_exhaustive]\n",
        "pub fixture_api::open::Point::x: i32\n",
        "pub fn fixture_api::Builder::retries(self, value: u32) -> Self\n",
        "pub fn fixture_api::Builder::retries_set(&self) -> u32\n",
        "pub fn fixture_api::extra::more()  [cfg: feature = \"extra\"]\n",
        "pub fn fixture_api::parse(text: &str) -> Result<Kind, String>\n",
        "pub mod fixture_api::extra  [cfg: feature = \"extra\"]\n",
        "pub mod fixture_api::open\n",
        "pub struct fixture_api::Builder { /* private fields */ }\n",
        "pub struct fixture_api::open::Point { /* private fields */ }\n",
        "pub trait fixture_api::open::Source: Send\n",
        "pub use fixture_api::Json = serde_json::Value\n",
    );
    assert_eq!(listing(&fixture(), "fixture-api").expect("lists"), expected);
}

/// A copy of the fixture in the temporary directory, with one edit; removed when dropped.
struct Edited(PathBuf);

impl Edited {
    fn new(name: &str, file: &str, from: &str, to: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("xtask-public-api-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("src")).expect("temp dir");
        for entry in std::fs::read_dir(fixture().join("src")).expect("fixture") {
            let path = entry.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("read");
            let name = path.file_name().expect("file name");
            let text = if name == file {
                assert!(text.contains(from), "{from} is in {file}");
                text.replacen(from, to, 1)
            } else {
                text
            };
            std::fs::write(dir.join("src").join(name), text).expect("write");
        }
        Self(dir)
    }
}

impl Drop for Edited {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn changed_lines(edited: &Edited) -> (Vec<String>, Vec<String>) {
    let before = listing(&fixture(), "fixture-api").expect("lists");
    let after = listing(&edited.0, "fixture-api").expect("lists");
    let gone = before
        .lines()
        .filter(|l| !after.lines().any(|a| a == *l))
        .map(str::to_owned)
        .collect();
    let new = after
        .lines()
        .filter(|l| !before.lines().any(|b| b == *l))
        .map(str::to_owned)
        .collect();
    (gone, new)
}

#[test]
fn a_changed_signature_changes_its_line_only() {
    let edited = Edited::new(
        "signature",
        "lib.rs",
        "pub fn parse(text: &str)",
        "pub fn parse(text: String)",
    );
    assert_eq!(
        changed_lines(&edited),
        (
            vec!["pub fn fixture_api::parse(text: &str) -> Result<Kind, String>".to_owned()],
            vec!["pub fn fixture_api::parse(text: String) -> Result<Kind, String>".to_owned()],
        )
    );
}

#[test]
fn a_macro_written_method_and_a_dropped_non_exhaustive_are_changes_too() {
    let edited = Edited::new(
        "macro",
        "inner.rs",
        "crate::setter!(retries: u32);",
        "crate::setter!(retries: u64);",
    );
    assert_eq!(
        changed_lines(&edited),
        (
            vec!["pub fn fixture_api::Builder::retries(self, value: u32) -> Self".to_owned()],
            vec!["pub fn fixture_api::Builder::retries(self, value: u64) -> Self".to_owned()],
        )
    );
    let edited = Edited::new("exhaustive", "inner.rs", "#[non_exhaustive]\n", "");
    assert_eq!(
        changed_lines(&edited),
        (
            vec!["pub enum fixture_api::Kind  #[non_exhaustive]".to_owned()],
            vec!["pub enum fixture_api::Kind".to_owned()],
        )
    );
}

#[test]
fn a_body_or_a_private_item_changes_nothing() {
    let edited = Edited::new(
        "body",
        "inner.rs",
        "fn hidden(&self) {}",
        "fn hidden(&self, _: u8) {}",
    );
    assert_eq!(changed_lines(&edited), (vec![], vec![]));
}
