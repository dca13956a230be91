//! Wire helpers the Jaeger and Tempo sources share: trace and span ids in their several
//! encodings, durations and timestamps in the units each API takes, placing wire spans on a
//! trace's timeline, ordering search results for the debug pane, and the service dependency
//! edges a set of traces implies.

pub mod assemble;
pub mod edges;
pub mod ids;
pub mod rank;
pub mod units;

pub use assemble::{WireEvent, WireSpan, assemble};
pub use edges::service_edges;
pub use ids::{is_null_id, normalize_id, path_segment, trace_id_for_path};
pub use rank::rank;
pub use units::{go_duration, micros_to_time};
