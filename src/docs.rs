//! Rule documentation, generated from each policy's METADATA: printed by
//! `blastwall explain` and written to `docs/rules/<id>.md`.

use crate::engine::registry::Rule;

pub fn rule_markdown(rule: &Rule) -> String {
    let mut out = format!("# {}\n\n{}\n\n", rule.id, rule.title);
    out.push_str(&format!(
        "- Category: `{}`\n- Default severity: `{}`\n- Runs on: {}\n- Policy: `{}`\n\n",
        rule.category,
        rule.severity.as_str(),
        if rule.kinds.is_empty() {
            "the whole repository (cross-file)".to_owned()
        } else {
            rule.kinds
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        },
        rule.file,
    ));
    if !rule.description.is_empty() {
        out.push_str(&rule.description);
        out.push_str("\n\n");
    }
    if let Some(bad) = &rule.bad {
        out.push_str(&format!("## Example\n\n```\n{}\n```\n\n", bad.trim_end()));
    }
    if let Some(good) = &rule.good {
        out.push_str(&format!(
            "## Use instead\n\n```\n{}\n```\n\n",
            good.trim_end()
        ));
    }
    if !rule.help.is_empty() {
        out.push_str(&format!("## How to fix\n\n{}\n\n", rule.help));
    }
    out.push_str(&format!(
        "## Suppressing\n\nOn the offending line or the line above:\n\n```\n# blastwall: ignore[{}] <reason>\n```\n",
        rule.id
    ));
    out
}
