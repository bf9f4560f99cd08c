//! What an import did: created, updated, unchanged and skipped counts (with
//! reasons) for records and translations, as a table for people or one JSON
//! document.

use super::*;

/// Created / updated / unchanged / skipped counts of one kind of output.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    /// New files.
    pub created: usize,
    /// Files changed.
    pub updated: usize,
    /// Files that already held what the import would write.
    pub unchanged: usize,
    /// Inputs written into another input's record (older versions in its `versions:`).
    #[serde(skip_serializing_if = "is_zero")]
    pub merged: usize,
    /// Inputs not written, per reason.
    pub skipped: BTreeMap<String, usize>,
}

impl Counts {
    /// How many inputs were skipped in all.
    pub fn skipped_total(&self) -> usize {
        self.skipped.values().sum()
    }

    /// Every input counted.
    pub fn total(&self) -> usize {
        self.created + self.updated + self.unchanged + self.merged + self.skipped_total()
    }

    /// Count `merged` more inputs the way the one record written since
    /// `before` was counted: merged when it was written (or unchanged),
    /// skipped with the same reason when it was skipped.
    pub(super) fn account_merged(&mut self, before: &Counts, merged: usize) {
        if merged == 0 {
            return;
        }
        let written = |c: &Counts| c.created + c.updated + c.unchanged;
        if written(self) > written(before) {
            self.merged += merged;
            return;
        }
        let reason = self
            .skipped
            .iter()
            .find(|(k, n)| before.skipped.get(*k).copied().unwrap_or(0) < **n)
            .map(|(k, _)| k.clone());
        if let Some(reason) = reason {
            self.skip(&reason, merged);
        }
    }

    pub(super) fn skip(&mut self, reason: &str, n: usize) {
        if n > 0 {
            *self.skipped.entry(reason.to_string()).or_default() += n;
        }
    }
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// `csv` or `mc`.
    pub kind: &'static str,
    /// Input files read.
    pub files: usize,
    /// What one input unit is: `rows` (CSV) or `messages` (.mc).
    pub unit: &'static str,
    /// Input units read; equals `records.total()`.
    pub inputs: usize,
    /// Per input unit: what happened to its record.
    pub records: Counts,
    /// Per translated text (.mc only): what happened to its overlay.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translations: Option<Counts>,
    /// Values a person changed (or removed) that the import left alone.
    pub fields_kept: usize,
    /// Files written (or, with `dry_run`, that would be), relative to the site root.
    pub written: Vec<String>,
    /// Nothing was written.
    pub dry_run: bool,
    /// Warnings.
    #[serde(skip)]
    pub diagnostics: Diagnostics,
}

impl Report {
    /// The report in `format`: one JSON document (with the warnings under
    /// `warnings`), or else a table for people.
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Human | Format::Github => self.to_text(),
            Format::Json => {
                let mut v = serde_json::to_value(self).unwrap_or_default();
                let diags: serde_json::Value =
                    serde_json::from_str(&self.diagnostics.render(Format::Json, false)).unwrap_or_default();
                v["warnings"] = diags["diagnostics"].clone();
                let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
                s.push('\n');
                s
            }
        }
    }

    /// The report as text for people.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let plural = |n: usize, one: &str, many: &str| {
            if n == 1 {
                format!("{n} {one}")
            } else {
                format!("{n} {many}")
            }
        };
        let unit_one = self.unit.trim_end_matches('s');
        let kind = match self.kind {
            "csv" => "CSV",
            "mc" => ".mc",
            other => other,
        };
        out.push_str(&format!(
            "{}{} {kind} {}, {}\n",
            if self.dry_run {
                "Dry run, nothing written: "
            } else {
                "Imported "
            },
            self.files,
            if self.files == 1 { "file" } else { "files" },
            plural(self.inputs, unit_one, self.unit),
        ));
        let table = |out: &mut String, title: &str, c: &Counts| {
            out.push_str(&format!("  {title}\n"));
            out.push_str(&format!("    created    {:>6}\n", c.created));
            out.push_str(&format!("    updated    {:>6}\n", c.updated));
            out.push_str(&format!("    unchanged  {:>6}\n", c.unchanged));
            if c.merged > 0 {
                out.push_str(&format!(
                    "    merged     {:>6}  (older versions, in their event's record)\n",
                    c.merged
                ));
            }
            out.push_str(&format!("    skipped    {:>6}\n", c.skipped_total()));
            let width = c.skipped.keys().map(|k| k.chars().count()).max().unwrap_or(0);
            for (reason, n) in &c.skipped {
                out.push_str(&format!("      {reason:<width$}  {n:>6}\n"));
            }
        };
        table(
            &mut out,
            &format!("records ({} {})", self.records.total(), self.unit),
            &self.records,
        );
        if let Some(t) = &self.translations {
            table(&mut out, &format!("translations ({} texts)", t.total()), t);
        }
        if self.fields_kept > 0 {
            out.push_str(&format!(
                "  {} edited by hand kept as they are\n",
                plural(self.fields_kept, "field", "fields")
            ));
        }
        out
    }
}
