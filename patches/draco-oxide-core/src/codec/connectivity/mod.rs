pub mod edgebreaker;
#[cfg(any(test, feature = "test-util"))]
pub mod eq;
pub mod sequential;
