//! The document model (serde_json) as a regorus input value.
//!
//! Converting every document is a sizeable share of evaluation: a shell script's
//! model holds an object per word. Going through serde allocates every object
//! key anew; the model's keys are a small vocabulary, so each thread keeps them.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

use regorus::Value;
use serde_json::Value as Json;

/// Keys kept per thread; past this, keys are allocated per use (user content
/// such as a large `.env` file could otherwise grow the table without bound).
const MAX_KEYS: usize = 4096;

thread_local! {
    static KEYS: RefCell<HashMap<String, Value>> = RefCell::new(HashMap::new());
}

/// `json` as a regorus value (equal to `Value::from(json.clone())`).
pub fn rego_value(json: &Json) -> Value {
    KEYS.with(|keys| convert(json, &mut keys.borrow_mut()))
}

fn convert(json: &Json, keys: &mut HashMap<String, Value>) -> Value {
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Value::from(u),
            (None, Some(i)) => Value::from(i),
            _ => Value::from(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::from(s.as_str()),
        Json::Array(items) => Value::from(
            items
                .iter()
                .map(|item| convert(item, keys))
                .collect::<Vec<_>>(),
        ),
        Json::Object(map) => {
            let mut object = BTreeMap::new();
            for (key, value) in map {
                object.insert(key_value(key, keys), convert(value, keys));
            }
            Value::from(object)
        }
    }
}

fn key_value(key: &str, keys: &mut HashMap<String, Value>) -> Value {
    if let Some(value) = keys.get(key) {
        return value.clone();
    }
    let value = Value::from(key);
    if keys.len() < MAX_KEYS {
        keys.insert(key.to_owned(), value.clone());
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equals_the_serde_conversion_for_every_json_shape() {
        let json = serde_json::json!({
            "commands": [{"args": ["rm", "-rf", "$DIR/"], "line": 3, "span": [10, 24]}],
            "content": {"replicas": -2, "ratio": 0.5, "big": u64::MAX, "on": true, "none": null},
            "": {"nested": [[], {}]},
        });
        assert_eq!(rego_value(&json), Value::from(json.clone()));
        // Again, now that the keys are kept: same value.
        assert_eq!(rego_value(&json), Value::from(json));
    }

    #[test]
    fn keys_past_the_table_limit_still_convert() {
        let map: serde_json::Map<String, Json> = (0..MAX_KEYS + 10)
            .map(|i| (format!("KEY_{i}"), Json::from(i)))
            .collect();
        let json = Json::Object(map);
        assert_eq!(rego_value(&json), Value::from(json.clone()));
        KEYS.with(|keys| assert!(keys.borrow().len() <= MAX_KEYS));
    }
}
