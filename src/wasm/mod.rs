//! The only place that touches JS: it converts, calls, waits and throws; it holds no rules.
mod client;
mod convert;
mod transport;
