//! URL slugs: the only way a name from content becomes part of an output path.
//!
//! A [`Slug`] is lower-case ASCII letters, digits and single dashes, never empty,
//! never starting or ending with a dash. Because the type can only be built by
//! [`Slug::new`], a path assembled from slugs cannot contain `..`, `/`, a drive
//! letter or any other traversal trick, whatever the record said.

use std::fmt;

/// A validated URL path segment.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Slug(String);

/// A slug read back (from the build state) must already be a slug: the text
/// is checked, never trusted.
impl<'de> serde::Deserialize<'de> for Slug {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        match Slug::new(&text) {
            Some(s) if s.0 == text => Ok(s),
            _ => Err(serde::de::Error::custom(format!("{text:?} is not a slug"))),
        }
    }
}

impl Slug {
    /// Slugify `text`: lower-case it and turn every run of characters other than
    /// ASCII letters and digits into one `-`. Returns `None` when nothing is left
    /// (for example for `"../.."` or `"日本"`).
    pub fn new(text: &str) -> Option<Slug> {
        let mut out = String::with_capacity(text.len());
        let mut pending_dash = false;
        for c in text.chars() {
            if c.is_ascii_alphanumeric() {
                if pending_dash && !out.is_empty() {
                    out.push('-');
                }
                pending_dash = false;
                out.push(c.to_ascii_lowercase());
            } else {
                pending_dash = true;
            }
        }
        if out.is_empty() { None } else { Some(Slug(out)) }
    }

    /// The slug as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Slug;

    #[test]
    fn slugs() {
        assert_eq!(
            Slug::new("MSExchangeTransport").unwrap().as_str(),
            "msexchangetransport"
        );
        assert_eq!(
            Slug::new("Microsoft-Windows-DNS-Client").unwrap().as_str(),
            "microsoft-windows-dns-client"
        );
        assert_eq!(
            Slug::new("Application Popup").unwrap().as_str(),
            "application-popup"
        );
        assert_eq!(Slug::new("../../x").unwrap().as_str(), "x");
        assert_eq!(Slug::new("/etc/passwd").unwrap().as_str(), "etc-passwd");
        assert_eq!(Slug::new("  a__b  ").unwrap().as_str(), "a-b");
        assert!(Slug::new("../..").is_none());
        assert!(Slug::new("").is_none());
        assert!(Slug::new("日本").is_none());
    }
}
