//! The only place that touches JS: it converts, calls, waits and throws; it holds no rules.
mod batches;
pub(crate) mod client;
mod convert;
mod customer_files;
mod handles;
mod logger;
mod metadata;
mod options;
mod relationship;
mod runner;
mod transport;
mod webhook;

#[cfg(test)]
mod tests;
