//! Sources and citations: where each catalogue figure comes from, and how sure
//! we are of it.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::error::CatalogueError;
use super::files::FileText;
use super::raw::{RawCite, RawSources};
use super::suggest;

/// How far a source, or a figure, can be trusted. The letters are those of
/// `aws-facts.md`; the order runs from strongest to weakest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
pub enum Confidence {
    /// AWS documentation, or AWS price data vendored by an AWS-owned
    /// repository.
    #[serde(rename = "P")]
    Primary,
    /// A third party's transcription of an AWS pricing page.
    #[serde(rename = "T")]
    Transcription,
    /// A third-party blog or code table.
    #[serde(rename = "S")]
    Secondary,
    /// Recalled, derived or assumed; a placeholder to be checked.
    #[serde(rename = "U")]
    Unverified,
}

impl Confidence {
    /// Returns the one-letter tag used in the catalogue files: P, T, S or U.
    pub fn letter(self) -> char {
        match self {
            Confidence::Primary => 'P',
            Confidence::Transcription => 'T',
            Confidence::Secondary => 'S',
            Confidence::Unverified => 'U',
        }
    }
}

/// One entry of `sources.toml`.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// The key that figures cite, such as `S1`.
    pub key: String,
    /// What the source is, in a few words.
    pub title: String,
    /// Where to read it, when a public address was recorded.
    pub url: Option<String>,
    /// The date of the source as stored (free text, usually `YYYY-MM-DD`).
    pub as_of: String,
    /// How far the source can be trusted.
    pub confidence: Confidence,
    /// A caveat about the source itself.
    pub note: Option<String>,
}

/// The citation of one figure or group of figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Cited {
    /// The key of the main source in `sources.toml`.
    pub source: String,
    /// Keys of further sources that agree.
    pub also: Vec<String>,
    /// The date of the figure in the main source.
    pub as_of: String,
    /// How far the figure can be trusted: the main source's confidence unless
    /// the catalogue marks this figure as weaker (or stronger).
    pub confidence: Confidence,
    /// A caveat about this figure.
    pub note: Option<String>,
}

/// The sources in force, used to check and resolve citations while loading.
pub(crate) struct SourceTable {
    pub sources: BTreeMap<String, Source>,
}

impl SourceTable {
    /// Checks and converts `sources.toml`.
    pub fn build(raw: RawSources, file: &FileText) -> Result<SourceTable, CatalogueError> {
        let mut sources = BTreeMap::new();
        for (key, raw) in raw {
            let title = non_empty(&raw.title, "title", file)?;
            let as_of = non_empty(&raw.as_of, "as_of", file)?;
            let source = Source {
                key: key.clone(),
                title,
                url: raw.url,
                as_of,
                confidence: raw.confidence,
                note: raw.note,
            };
            sources.insert(key, source);
        }
        Ok(SourceTable { sources })
    }

    /// Checks that every key of a citation is a known source and converts it.
    pub fn cite(&self, raw: &RawCite, file: &FileText) -> Result<Cited, CatalogueError> {
        let source = self.known_key(&raw.source, file)?;
        let also =
            raw.also.iter().map(|key| self.known_key(key, file)).collect::<Result<_, _>>()?;
        let as_of = non_empty(&raw.as_of, "as_of", file)?;
        let confidence = raw.confidence.unwrap_or(self.sources[&source].confidence);
        Ok(Cited { source, also, as_of, confidence, note: raw.note.clone() })
    }

    /// Returns the key if `sources.toml` has it, or an error pointing at it.
    fn known_key(&self, key: &Spanned<String>, file: &FileText) -> Result<String, CatalogueError> {
        let key_text = key.get_ref();
        if self.sources.contains_key(key_text) {
            return Ok(key_text.clone());
        }
        let hint = suggest::closest(key_text, self.sources.keys().map(String::as_str))
            .map(|close| format!("did you mean `{close}`?"));
        let message = format!("source `{key_text}` is not in sources.toml");
        Err(file.error_with_hint(Some(key.span()), message, hint))
    }
}

/// Returns the text, or an error if it is empty or blank.
fn non_empty(
    text: &Spanned<String>,
    field: &str,
    file: &FileText,
) -> Result<String, CatalogueError> {
    if text.get_ref().trim().is_empty() {
        return Err(file.error_at(Some(text.span()), format!("`{field}` is empty")));
    }
    Ok(text.get_ref().clone())
}
