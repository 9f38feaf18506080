//! Error types, one per room. Load errors say what went wrong and where: the resource URI or the
//! JSON pointer into the glTF document.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Error)]
pub enum LoadError {
    /// The bytes are not a glTF 2.0 JSON or GLB container.
    #[error("not a readable glTF 2.0 file: {0}")]
    Container(String),
    /// The document breaks the glTF spec at `pointer` (a JSON pointer such as `/accessors/2/count`).
    #[error("invalid glTF at {pointer}: {message}")]
    Invalid { pointer: String, message: String },
    #[error("the model requires the glTF extension {0}, which Scenic does not support")]
    UnsupportedExtension(String),
    /// A buffer or image could not be fetched or decoded.
    #[error("could not load {uri}: {message}")]
    Resource { uri: String, message: String },
}

impl LoadError {
    pub fn invalid(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        LoadError::Invalid { pointer: pointer.into(), message: message.into() }
    }
}

/// A JSON value as a message shows it: scalars as written (strings quoted), arrays and objects by
/// kind. Not serde_json's `Display`, which links its whole serializer (~4 KB of the module) and
/// would print a whole object into the message.
pub struct Shown<'a>(pub &'a serde_json::Value);

impl std::fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use serde_json::Value;
        match self.0 {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => f.write_str(if *b { "true" } else { "false" }),
            Value::Number(n) => write!(f, "{n}"),
            Value::String(s) => write!(f, "{s:?}"),
            Value::Array(_) => f.write_str("an array"),
            Value::Object(_) => f.write_str("an object"),
        }
    }
}
