//! The only place that touches JS: it converts, calls, waits and throws; it holds no rules.
pub(crate) mod client;
mod convert;
mod customer_files;
mod transport;
mod webhook;

#[cfg(test)]
mod tests;
