//! The GPU meter: readings from every GPU healdeck can see, sampled on a background thread.
//!
//! Sources, tried in order: NVIDIA through NVML (`nvml-wrapper`, loaded with dlopen at run
//! time, so the binary runs where `libnvidia-ml.so` is missing), AMD through amdgpu's sysfs
//! files, per-client DRM fdinfo (Intel, AMD, others), and — when none is present — the wgpu
//! adapter's own description with utilization estimated from the renderer's busy time.
//! "No GPU telemetry" is a state, not an error: every value is an `Option`, shown as "—".
//! No graphics API here: the renderer describes its adapter as an [`AdapterDescription`].
//!
//! Public surface: [`detect`] the sources (given the renderer's adapter and [`BusyMeter`]),
//! [`GpuMonitor::start`] sampling them on a thread, [`GpuMonitor::subscribe`] for
//! [`GpuSample`]s of [`GpuReading`]s (with [`GpuProcess`]es), and the [`GpuSource`] trait for
//! a source of one's own (tests script a busy GPU with it).

// A library reports by returning values or emitting `tracing` events, never by printing.
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod monitor;
mod reading;
mod sources;

pub use monitor::GpuMonitor;
pub use reading::{GpuProcess, GpuReading, GpuSample, SourceKind};
pub use sources::{AdapterDescription, AdapterKind, BusyMeter, GpuSource, detect, nvidia_present};
