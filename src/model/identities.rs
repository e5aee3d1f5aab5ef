//! Cloud identities written inside a document's strings, wherever they sit: an IRSA
//! role annotation, a role ARN inside a Kustomize patch (itself a YAML string), a
//! GKE workload-identity service account. Each is located exactly, so rules about which
//! account an environment or a test reaches can read documents that are not Terraform.

use serde::Serialize;

use crate::parse::node::{Node, Value};

#[derive(Debug, Serialize)]
pub struct Identity {
    /// `aws-account` for an IAM role ARN, `gcp-project` for a service account email.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The account id or project id.
    pub value: String,
    /// The ARN or email as written.
    pub text: String,
    pub span: [usize; 2],
}

/// More than this many strings holding an identity is not configuration anyone reviews.
const MAX_IDENTITIES: usize = 256;

/// The IAM role ARNs and service account emails in `node`'s strings.
pub fn identities(node: &Node, source: &str) -> Vec<Identity> {
    let mut found = Vec::new();
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        match &node.value {
            Value::Str(text)
                if text.contains("arn:aws") || text.contains(".iam.gserviceaccount.com") =>
            {
                collect(text, node, source, &mut found);
            }
            Value::Seq(items) => stack.extend(items.iter().rev()),
            Value::Map(entries) => stack.extend(entries.iter().rev().map(|(_, v)| v)),
            _ => {}
        }
        if found.len() >= MAX_IDENTITIES {
            break;
        }
    }
    found.truncate(MAX_IDENTITIES);
    found
}

fn collect(text: &str, node: &Node, source: &str, found: &mut Vec<Identity>) {
    let written = source
        .get(node.span.start..node.span.end)
        .unwrap_or_default();
    let mut cursor = 0;
    for token in text.split(|c: char| c.is_whitespace() || "\"',;()[]{}<>|`".contains(c)) {
        let Some((kind, value)) = role_account(token).or_else(|| service_account_project(token))
        else {
            continue;
        };
        // Identities hold no escapes: each is in the file as written, in order, unless the
        // string is merged in from elsewhere (`<<: *deploy`), where its node is the merge.
        let span = match written.get(cursor..).and_then(|w| w.find(token)) {
            Some(at) => {
                let start = node.span.start + cursor + at;
                cursor += at + token.len();
                [start, start + token.len()]
            }
            None => [node.span.start, node.span.end],
        };
        found.push(Identity {
            kind,
            value,
            text: token.to_owned(),
            span,
        });
    }
}

/// `arn:aws:iam::123456789012:role/x` → the account; ARNs of other resources name where
/// a thing lives, not whose credentials a workload holds.
fn role_account(token: &str) -> Option<(&'static str, String)> {
    let rest = token.strip_prefix("arn:aws")?;
    let (partition, rest) = rest.split_once(":iam::")?;
    let (account, resource) = rest.split_once(':')?;
    let plain_partition = partition
        .chars()
        .all(|c| c.is_ascii_lowercase() || c == '-');
    let account_id = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    (plain_partition && account_id && resource.starts_with("role/") && resource.len() > 5)
        .then(|| ("aws-account", account.to_owned()))
}

/// `deployer@acme-prod.iam.gserviceaccount.com` → `acme-prod`.
fn service_account_project(token: &str) -> Option<(&'static str, String)> {
    let (user, domain) = token.split_once('@')?;
    let project = domain.strip_suffix(".iam.gserviceaccount.com")?;
    let valid = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    (valid(user) && valid(project) && project.len() >= 6 && project.len() <= 30)
        .then(|| ("gcp-project", project.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::yaml::parse_yaml;

    #[test]
    fn role_arns_and_service_accounts_in_any_string_are_located() {
        let src = "metadata:\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::111111111111:role/api\n    iam.gke.io/gcp-service-account: api@acme-prod.iam.gserviceaccount.com\npatches:\n  - patch: |-\n      - op: add\n        value: \"arn:aws:iam::222222222222:role/ingest\"\nbucket: arn:aws:s3:::acme-222222222222\nuser: arn:aws:iam::333333333333:user/ci\n";
        let doc = &parse_yaml(src).unwrap()[0];
        let all = identities(doc, src);
        let found: Vec<(&str, &str, &str)> = (all.iter())
            .map(|i| (i.kind, i.value.as_str(), &src[i.span[0]..i.span[1]]))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "aws-account",
                    "111111111111",
                    "arn:aws:iam::111111111111:role/api"
                ),
                (
                    "gcp-project",
                    "acme-prod",
                    "api@acme-prod.iam.gserviceaccount.com"
                ),
                (
                    "aws-account",
                    "222222222222",
                    "arn:aws:iam::222222222222:role/ingest"
                ),
            ]
        );
    }
}
