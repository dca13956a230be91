//! ondeck: a terminal on-call cockpit. See DESIGN notes in the README for the shape:
//! pollers send owned snapshots over one channel, `update` turns actions into state changes
//! and commands, and rendering is a pure function of state.

pub mod model;
pub mod slo;
