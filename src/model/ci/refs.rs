//! Secret and variable references in CI scalars, located to the byte.

use serde_json::{json, Value as Json};

use super::{child, key, SecretRef};
use crate::model::environment::env_of_secret_name;
use crate::parse::node::Node;

/// How a CI system spells a reference to a secret or variable.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum RefStyle {
    /// `${{ secrets.X }}`
    GitHub,
    /// `$X` / `${X}`
    Dollar,
    /// Azure macros `$(X)` as well as `$X` / `${X}` in scripts.
    Azure,
}

/// Collects the secret and variable references in every scalar under `node`.
pub(super) fn collect_refs(
    node: &Node,
    path: &[Json],
    source: &str,
    style: RefStyle,
    out: &mut Vec<SecretRef>,
) {
    let mut stack = vec![(node, path.to_vec())];
    while let Some((node, path)) = stack.pop() {
        if let Some(map) = node.as_map() {
            for (k, v) in map.iter().rev() {
                stack.push((v, child(&path, key(&k.name))));
            }
        } else if let Some(seq) = node.as_seq() {
            for (i, v) in seq.iter().enumerate().rev() {
                stack.push((v, child(&path, json!(i))));
            }
        } else if let Some(text) = node.as_str() {
            let region = source.get(node.span.start..node.span.end).unwrap_or("");
            for (name, offset, len) in references(text, region, style) {
                let span = match offset {
                    Some(o) => [node.span.start + o, node.span.start + o + len],
                    None => [node.span.start, node.span.end],
                };
                out.push(SecretRef {
                    env: env_of_secret_name(&name),
                    name,
                    path: path.clone(),
                    span,
                    variable: None,
                    origin: None,
                });
            }
        }
    }
}

/// Finds references in a scalar's value; offsets are located in its source region.
pub(super) fn references(
    text: &str,
    region: &str,
    style: RefStyle,
) -> Vec<(String, Option<usize>, usize)> {
    let mut out = Vec::new();
    let mut search_from = 0;
    if style == RefStyle::GitHub {
        for (idx, _) in text.match_indices("secrets.") {
            // `${{ secrets.X }}` but not `foosecrets.X`, and only inside an expression:
            // `echo "rotate secrets.PROD_DB"` is a mention, not a read.
            if idx > 0 && text.as_bytes()[idx - 1].is_ascii_alphanumeric() {
                continue;
            }
            let open = text[..idx].rfind("${{");
            let close = text[..idx].rfind("}}");
            if open.is_none() || close > open {
                continue;
            }
            let rest = &text[idx + 8..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                .collect();
            if name.is_empty() {
                continue;
            }
            let needle = format!("secrets.{name}");
            let located = region
                .get(search_from..)
                .and_then(|r| r.find(&needle))
                .map(|o| o + search_from);
            if let Some(o) = located {
                search_from = o + needle.len();
            }
            out.push((name, located, needle.len()));
        }
    } else {
        let bytes = text.as_bytes();
        let mut i = 0;
        // Tracked as the scan goes (one pass, linear in the text): whether the current
        // line so far is a shell comment.
        let mut in_comment = false;
        let mut line_has_text = false;
        while i < bytes.len() {
            let byte = bytes[i];
            if byte == b'\n' {
                in_comment = false;
                line_has_text = false;
            } else if !line_has_text && !byte.is_ascii_whitespace() {
                line_has_text = true;
                in_comment = byte == b'#';
            }
            if byte == b'$' && in_comment {
                // A shell comment mentions a variable; it does not read it.
                i += 1;
            } else if byte == b'$' {
                // `$(cmd)` is command substitution in a shell but a variable macro in Azure.
                let macro_ = style == RefStyle::Azure && bytes.get(i + 1) == Some(&b'(');
                let braced = macro_ || bytes.get(i + 1) == Some(&b'{');
                let start = i + 1 + usize::from(braced);
                let name: String = text[start..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || (macro_ && *c == '.'))
                    .collect();
                if !name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit()) {
                    let needle = &text[i..start + name.len()];
                    let located = region
                        .get(search_from..)
                        .and_then(|r| r.find(needle))
                        .map(|o| o + search_from);
                    if let Some(o) = located {
                        search_from = o + needle.len();
                    }
                    out.push((
                        name.clone(),
                        located.map(|o| o + usize::from(braced) + 1),
                        name.len(),
                    ));
                }
                i = start + name.len();
            } else {
                // Step over a whole character so every index stays on a char boundary.
                i += text[i..].chars().next().map_or(1, char::len_utf8);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_survive_non_ascii_text() {
        // Multi-byte characters before, between and after variables (a crash once).
        let text = "echo \"Build failed ☠️ Grüße\" $PROD_DB_URL ü${TOKEN}é\n# ☠ $COMMENTED\n";
        let refs = references(text, text, RefStyle::Dollar);
        let names: Vec<&str> = refs.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(names, ["PROD_DB_URL", "TOKEN"]);
        let first = refs[0].1.expect("located");
        assert_eq!(&text[first..first + refs[0].2], "PROD_DB_URL");
        let azure = "Write-Host 'ÄÖÜ' $(prod.sp.secret) ✓";
        assert_eq!(
            references(azure, azure, RefStyle::Azure)[0].0,
            "prod.sp.secret"
        );
    }
}
