//! Rule documentation, generated from each policy's METADATA: printed by
//! `blastwall explain` and written to `docs/rules/<id>.md` by `blastwall docs`
//! (a test fails when the committed files are stale).

use std::path::Path;

use crate::engine::registry::{Rule, Scope};

/// Where `description` turns from what a rule detects to why it matters.
const WHY: &str = "Why is this bad?";

pub fn rule_markdown(rule: &Rule) -> String {
    let mut out = format!("# {}\n\n{}\n\n", rule.id, rule.title);
    let runs_on = if rule.scope == Scope::Repository {
        "the whole repository (cross-file)".to_owned()
    } else {
        rule.kinds
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    out.push_str(&format!(
        "- Category: `{}`\n- Default severity: `{}`\n- Runs on: {runs_on}\n- Policy: `{}`\n\n",
        rule.category,
        rule.severity.as_str(),
        rule.file,
    ));
    let (what, why) = match rule.description.split_once(WHY) {
        Some((what, why)) => (what.trim(), why.trim()),
        None => (rule.description.trim(), ""),
    };
    if !what.is_empty() {
        out.push_str(&format!("## What it detects\n\n{what}\n\n"));
    }
    if !why.is_empty() {
        out.push_str(&format!("## Why it matters\n\n{why}\n\n"));
    }
    if let Some(bad) = &rule.bad {
        out.push_str(&format!("## Flagged\n\n```\n{}\n```\n\n", bad.trim_end()));
    }
    if let Some(good) = &rule.good {
        out.push_str(&format!(
            "## Not flagged\n\n```\n{}\n```\n\n",
            good.trim_end()
        ));
    }
    if !rule.help.is_empty() {
        out.push_str(&format!("## How to fix\n\n{}\n\n", rule.help));
    }
    out.push_str(&format!(
        "## Suppressing\n\n\
         On the offending line, or alone on the line above it, with the reason \
         (`//` also works in HCL and JSON):\n\n\
         ```\n# blastwall: ignore[{id}] <why this is acceptable>\n```\n\n\
         Or for whole paths, in `.blastwall.yaml`:\n\n\
         ```yaml\nper-file-ignores:\n  \"sandbox/**\": [{id}]\n```\n\n\
         See [suppressions](../suppressions.md) and [configuration](../configuration.md).\n",
        id = rule.id
    ));
    out
}

/// The index page: one line per rule, grouped by category.
pub fn index_markdown(rules: &[&Rule]) -> String {
    let mut out = String::from(
        "# Rules\n\nGenerated from each policy's METADATA by `blastwall docs --write`; \
         do not edit by hand.\n",
    );
    let mut category = "";
    for rule in rules {
        if rule.category != category {
            category = &rule.category;
            out.push_str(&format!(
                "\n## {category}\n\n| Rule | Severity | Title |\n| --- | --- | --- |\n"
            ));
        }
        out.push_str(&format!(
            "| [`{id}`]({id}.md) | {} | {} |\n",
            rule.severity.as_str(),
            rule.title.replace('|', "\\|"),
            id = rule.id,
        ));
    }
    out
}

/// Every generated file under `dir`: `(file name, contents)`, rules sorted
/// by category then id.
pub fn pages(rules: &[Rule]) -> Vec<(String, String)> {
    let mut sorted: Vec<&Rule> = rules.iter().collect();
    sorted.sort_by(|a, b| (&a.category, &a.id).cmp(&(&b.category, &b.id)));
    let mut pages = vec![("README.md".to_owned(), index_markdown(&sorted))];
    pages.extend(
        sorted
            .iter()
            .map(|r| (format!("{}.md", r.id), rule_markdown(r))),
    );
    pages
}

/// The generated files under `dir` that are missing, differ, or should not
/// exist (a rule was removed or renamed).
pub fn stale(dir: &Path, pages: &[(String, String)]) -> Vec<String> {
    let mut stale: Vec<String> = pages
        .iter()
        .filter(|(name, text)| std::fs::read_to_string(dir.join(name)).ok().as_ref() != Some(text))
        .map(|(name, _)| name.clone())
        .collect();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".md") && !pages.iter().any(|(n, _)| *n == name) {
                stale.push(name);
            }
        }
    }
    stale.sort();
    stale
}

/// Rewrites `dir` to hold exactly the generated pages.
pub fn write(dir: &Path, pages: &[(String, String)]) -> std::io::Result<Vec<String>> {
    std::fs::create_dir_all(dir)?;
    let changed = stale(dir, pages);
    for name in &changed {
        match pages.iter().find(|(n, _)| n == name) {
            Some((_, text)) => std::fs::write(dir.join(name), text)?,
            None => std::fs::remove_file(dir.join(name))?,
        }
    }
    Ok(changed)
}
