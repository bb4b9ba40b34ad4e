//! Where readings come from. Each source is tried once at start (`detect`); one that finds
//! nothing is left out, so "no GPU telemetry" simply means only the adapter source remains.

use super::reading::{GpuProcess, GpuReading, SourceKind};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// A provider of readings, polled from the monitor's background thread.
pub trait GpuSource: Send {
    fn kind(&self) -> SourceKind;
    /// One reading per GPU this source sees; empty when it sees none right now.
    fn sample(&mut self) -> Vec<GpuReading>;
}

/// The renderer's own GPU busy time, shared with the adapter source: the renderer adds the
/// time each render keeps the GPU busy; the source turns deltas into a percentage.
#[derive(Debug, Default)]
pub struct BusyMeter {
    busy_ns: AtomicU64,
}

impl BusyMeter {
    pub fn new() -> Arc<BusyMeter> {
        Arc::new(BusyMeter::default())
    }
    pub fn add(&self, busy: std::time::Duration) {
        self.busy_ns
            .fetch_add(busy.as_nanos() as u64, Ordering::Relaxed);
    }
    pub fn total_ns(&self) -> u64 {
        self.busy_ns.load(Ordering::Relaxed)
    }
}

fn process_name(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .map_or_else(|_| format!("pid {pid}"), |s| s.trim().to_string())
}

/// NVIDIA through NVML; `None` when the library or driver is absent.
pub struct NvmlSource {
    nvml: nvml_wrapper::Nvml,
    last_seen: HashMap<u32, u64>,
}

impl NvmlSource {
    pub fn open() -> Option<NvmlSource> {
        let nvml = nvml_wrapper::Nvml::init().ok()?;
        (nvml.device_count().ok()? > 0).then(|| NvmlSource {
            nvml,
            last_seen: HashMap::new(),
        })
    }
}

impl GpuSource for NvmlSource {
    fn kind(&self) -> SourceKind {
        SourceKind::Nvml
    }

    fn sample(&mut self) -> Vec<GpuReading> {
        use nvml_wrapper::enum_wrappers::device::{Clock, TemperatureSensor};
        use nvml_wrapper::enums::device::UsedGpuMemory;
        let me = std::process::id();
        let count = self.nvml.device_count().unwrap_or(0);
        let mut out = Vec::new();
        for i in 0..count {
            let Ok(d) = self.nvml.device_by_index(i) else {
                continue;
            };
            let util = d.utilization_rates().ok();
            let mem = d.memory_info().ok();
            let mut processes: Vec<GpuProcess> = Vec::new();
            for p in d
                .running_compute_processes()
                .unwrap_or_default()
                .into_iter()
                .chain(d.running_graphics_processes().unwrap_or_default())
            {
                if processes.iter().any(|q| q.pid == p.pid) {
                    continue;
                }
                let memory_bytes = match p.used_gpu_memory {
                    UsedGpuMemory::Used(b) => Some(b),
                    UsedGpuMemory::Unavailable => None,
                };
                processes.push(GpuProcess {
                    pid: p.pid,
                    name: process_name(p.pid),
                    memory_bytes,
                });
            }
            let last = self.last_seen.get(&i).copied().unwrap_or(0);
            let own = d.process_utilization_stats(last).ok().map(|samples| {
                if let Some(t) = samples.iter().map(|s| s.timestamp).max() {
                    self.last_seen.insert(i, t);
                }
                samples
                    .iter()
                    .filter(|s| s.pid == me)
                    .map(|s| s.sm_util as f32)
                    .fold(0.0, f32::max)
            });
            out.push(GpuReading {
                name: d.name().unwrap_or_else(|_| format!("NVIDIA GPU {i}")),
                source: "NVML".into(),
                pci_bus_id: d.pci_info().ok().map(|p| p.bus_id),
                util_percent: util.as_ref().map(|u| u.gpu as f32),
                own_percent: own,
                memory_util_percent: util.as_ref().map(|u| u.memory as f32),
                memory_used_bytes: mem.as_ref().map(|m| m.used),
                memory_total_bytes: mem.as_ref().map(|m| m.total),
                temperature_c: d.temperature(TemperatureSensor::Gpu).ok().map(|t| t as f32),
                power_w: d.power_usage().ok().map(|mw| mw as f32 / 1000.0),
                power_limit_w: d.enforced_power_limit().ok().map(|mw| mw as f32 / 1000.0),
                graphics_clock_mhz: d.clock_info(Clock::Graphics).ok(),
                memory_clock_mhz: d.clock_info(Clock::Memory).ok(),
                processes,
            });
        }
        out
    }
}

fn read_num(path: &Path) -> Option<f64> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// AMD GPUs through amdgpu's sysfs files under `/sys/class/drm/cardN/device/`.
pub struct AmdSysfsSource {
    cards: Vec<PathBuf>,
}

impl AmdSysfsSource {
    /// Scans `root` (normally `/sys/class/drm`) for amdgpu cards; `None` when there are none.
    pub fn open(root: &Path) -> Option<AmdSysfsSource> {
        let mut cards: Vec<PathBuf> = std::fs::read_dir(root)
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("card") && !n.contains('-'))
            })
            .map(|p| p.join("device"))
            .filter(|d| d.join("gpu_busy_percent").exists())
            .collect();
        cards.sort();
        (!cards.is_empty()).then_some(AmdSysfsSource { cards })
    }
}

impl GpuSource for AmdSysfsSource {
    fn kind(&self) -> SourceKind {
        SourceKind::AmdSysfs
    }

    fn sample(&mut self) -> Vec<GpuReading> {
        self.cards
            .iter()
            .map(|dev| {
                // Reading gpu_busy_percent wakes a suspended card: report it idle instead.
                let suspended = std::fs::read_to_string(dev.join("power/runtime_status"))
                    .is_ok_and(|s| s.trim() == "suspended");
                let hwmon = std::fs::read_dir(dev.join("hwmon"))
                    .ok()
                    .and_then(|mut d| d.next())
                    .and_then(|e| e.ok())
                    .map(|e| e.path());
                let h = |f: &str| hwmon.as_ref().and_then(|p| read_num(&p.join(f)));
                let pci = dev
                    .canonicalize()
                    .ok()
                    .and_then(|p| p.file_name().map(|n| n.to_string_lossy().to_string()));
                GpuReading {
                    name: std::fs::read_to_string(dev.join("product_name"))
                        .map_or_else(|_| "AMD GPU".to_string(), |s| s.trim().to_string()),
                    source: "amdgpu sysfs".into(),
                    pci_bus_id: pci,
                    util_percent: if suspended {
                        Some(0.0)
                    } else {
                        read_num(&dev.join("gpu_busy_percent")).map(|v| v as f32)
                    },
                    own_percent: None,
                    memory_util_percent: if suspended {
                        None
                    } else {
                        read_num(&dev.join("mem_busy_percent")).map(|v| v as f32)
                    },
                    memory_used_bytes: read_num(&dev.join("mem_info_vram_used")).map(|v| v as u64),
                    memory_total_bytes: read_num(&dev.join("mem_info_vram_total"))
                        .map(|v| v as u64),
                    temperature_c: h("temp1_input").map(|m| (m / 1000.0) as f32),
                    power_w: h("power1_average").map(|u| (u / 1e6) as f32),
                    power_limit_w: h("power1_cap").map(|u| (u / 1e6) as f32),
                    graphics_clock_mhz: h("freq1_input").map(|hz| (hz / 1e6) as u32),
                    memory_clock_mhz: h("freq2_input").map(|hz| (hz / 1e6) as u32),
                    processes: Vec::new(),
                }
            })
            .collect()
    }
}

/// DRM device (pdev) → (pid, engine) → busy nanoseconds.
type EngineTimes = HashMap<String, HashMap<(u32, String), u64>>;

/// Per-client DRM engine time from `/proc/PID/fdinfo` (Intel, AMD, others): utilization of
/// each DRM device as the busiest engine's share of wall time, and our own share.
pub struct FdinfoSource {
    proc_root: PathBuf,
    last: Option<(Instant, EngineTimes)>,
}

impl FdinfoSource {
    pub fn open(proc_root: &Path) -> Option<FdinfoSource> {
        let mut s = FdinfoSource {
            proc_root: proc_root.to_path_buf(),
            last: None,
        };
        (!s.scan().is_empty()).then(|| {
            s.last = Some((Instant::now(), s.scan()));
            s
        })
    }

    /// pdev → (pid, engine) → busy ns, de-duplicated by drm-client-id.
    fn scan(&self) -> EngineTimes {
        let mut out: EngineTimes = HashMap::new();
        let mut seen_clients = std::collections::HashSet::new();
        let Ok(procs) = std::fs::read_dir(&self.proc_root) else {
            return out;
        };
        for p in procs.flatten() {
            let Some(pid) = p.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
                continue;
            };
            let Ok(fds) = std::fs::read_dir(p.path().join("fdinfo")) else {
                continue;
            };
            for fd in fds.flatten() {
                let Ok(text) = std::fs::read_to_string(fd.path()) else {
                    continue;
                };
                if !text.contains("drm-engine-") {
                    continue;
                }
                let field = |k: &str| {
                    text.lines()
                        .find_map(|l| l.strip_prefix(k))
                        .map(|v| v.trim().to_string())
                };
                let (Some(pdev), Some(client)) = (field("drm-pdev:"), field("drm-client-id:"))
                else {
                    continue;
                };
                if !seen_clients.insert((pdev.clone(), client)) {
                    continue;
                }
                let dev = out.entry(pdev).or_default();
                for l in text.lines() {
                    if let Some(rest) = l.strip_prefix("drm-engine-")
                        && let Some((engine, v)) = rest.split_once(':')
                    {
                        let ns = v
                            .trim()
                            .trim_end_matches("ns")
                            .trim()
                            .parse::<u64>()
                            .unwrap_or(0);
                        *dev.entry((pid, engine.to_string())).or_default() += ns;
                    }
                }
            }
        }
        out
    }
}

impl GpuSource for FdinfoSource {
    fn kind(&self) -> SourceKind {
        SourceKind::DrmFdinfo
    }

    fn sample(&mut self) -> Vec<GpuReading> {
        let now = Instant::now();
        let current = self.scan();
        let me = std::process::id();
        let mut out = Vec::new();
        if let Some((then, before)) = &self.last {
            let wall = now.duration_since(*then).as_nanos().max(1) as f64;
            for (pdev, clients) in &current {
                let mut per_engine: HashMap<&str, u64> = HashMap::new();
                let mut own: HashMap<&str, u64> = HashMap::new();
                for ((pid, engine), ns) in clients {
                    let prev = before
                        .get(pdev)
                        .and_then(|c| c.get(&(*pid, engine.clone())))
                        .copied()
                        .unwrap_or(*ns);
                    let d = ns.saturating_sub(prev);
                    *per_engine.entry(engine).or_default() += d;
                    if *pid == me {
                        *own.entry(engine).or_default() += d;
                    }
                }
                let pct = |m: &HashMap<&str, u64>| {
                    m.values()
                        .copied()
                        .max()
                        .map(|d| ((d as f64 / wall) * 100.0).min(100.0) as f32)
                };
                let mut pids: Vec<u32> = clients.keys().map(|(p, _)| *p).collect();
                pids.sort_unstable();
                pids.dedup();
                out.push(GpuReading {
                    name: format!("DRM device {pdev}"),
                    source: "DRM fdinfo".into(),
                    pci_bus_id: Some(pdev.clone()),
                    util_percent: pct(&per_engine).or(Some(0.0)),
                    own_percent: pct(&own).or(Some(0.0)),
                    processes: pids
                        .into_iter()
                        .map(|pid| GpuProcess {
                            pid,
                            name: process_name(pid),
                            memory_bytes: None,
                        })
                        .collect(),
                    ..GpuReading::default()
                });
            }
        }
        self.last = Some((now, current));
        out
    }
}

/// The wgpu adapter itself, when no telemetry exists (lavapipe, or no driver support):
/// name and type from `AdapterInfo`, utilization from the renderer's own busy time.
pub struct AdapterSource {
    name: String,
    description: String,
    pci_bus_id: Option<String>,
    busy: Arc<BusyMeter>,
    last: (Instant, u64),
}

impl AdapterSource {
    pub fn new(info: &wgpu::AdapterInfo, busy: Arc<BusyMeter>) -> AdapterSource {
        let kind = match info.device_type {
            wgpu::DeviceType::Cpu => "software",
            wgpu::DeviceType::IntegratedGpu => "integrated",
            wgpu::DeviceType::DiscreteGpu => "discrete",
            wgpu::DeviceType::VirtualGpu => "virtual",
            wgpu::DeviceType::Other => "other",
        };
        AdapterSource {
            name: info.name.clone(),
            description: format!(
                "{kind} adapter, {:?}; utilization from healdeck's own renders",
                info.backend
            ),
            pci_bus_id: (!info.device_pci_bus_id.is_empty())
                .then(|| info.device_pci_bus_id.clone()),
            last: (Instant::now(), busy.total_ns()),
            busy,
        }
    }
}

impl GpuSource for AdapterSource {
    fn kind(&self) -> SourceKind {
        SourceKind::Adapter
    }

    fn sample(&mut self) -> Vec<GpuReading> {
        let now = Instant::now();
        let total = self.busy.total_ns();
        let wall = now.duration_since(self.last.0).as_nanos().max(1) as f64;
        let pct = ((total.saturating_sub(self.last.1) as f64 / wall) * 100.0).min(100.0) as f32;
        self.last = (now, total);
        vec![GpuReading {
            name: self.name.clone(),
            source: self.description.clone(),
            pci_bus_id: self.pci_bus_id.clone(),
            util_percent: Some(pct),
            own_percent: Some(pct),
            ..GpuReading::default()
        }]
    }
}

/// The sources present on this machine, best first; the adapter source is always last.
/// When wgpu renders on the CPU (lavapipe), other processes' GPU load must not throttle us,
/// so only the adapter source is kept for the fallback's decision (see `GpuSample::primary`).
pub fn detect(adapter: Option<(&wgpu::AdapterInfo, Arc<BusyMeter>)>) -> Vec<Box<dyn GpuSource>> {
    let mut out: Vec<Box<dyn GpuSource>> = Vec::new();
    let software = adapter
        .as_ref()
        .is_some_and(|(i, _)| i.device_type == wgpu::DeviceType::Cpu);
    if !software {
        if let Some(s) = NvmlSource::open() {
            out.push(Box::new(s));
        } else if let Some(s) = AmdSysfsSource::open(Path::new("/sys/class/drm")) {
            out.push(Box::new(s));
        } else if let Some(s) = FdinfoSource::open(Path::new("/proc")) {
            out.push(Box::new(s));
        }
    }
    if let Some((info, busy)) = adapter {
        out.push(Box::new(AdapterSource::new(info, busy)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amd_sysfs_layout_is_read_and_a_suspended_card_is_not_woken() {
        let d = tempfile::tempdir().expect("tmp");
        let dev = d.path().join("card0/device");
        std::fs::create_dir_all(dev.join("hwmon/hwmon3")).expect("mkdir");
        std::fs::create_dir_all(dev.join("power")).expect("mkdir");
        for (f, v) in [
            ("gpu_busy_percent", "93"),
            ("mem_busy_percent", "40"),
            ("mem_info_vram_used", "1073741824"),
            ("mem_info_vram_total", "8589934592"),
            ("product_name", "Radeon RX 7600"),
            ("power/runtime_status", "active"),
            ("hwmon/hwmon3/temp1_input", "61000"),
            ("hwmon/hwmon3/power1_average", "112000000"),
            ("hwmon/hwmon3/freq1_input", "2450000000"),
        ] {
            std::fs::write(dev.join(f), v).expect("write");
        }
        std::fs::create_dir_all(d.path().join("card0-DP-1")).expect("connector dir is skipped");
        let mut s = AmdSysfsSource::open(d.path()).expect("one card");
        let r = &s.sample()[0];
        assert_eq!(r.name, "Radeon RX 7600");
        assert_eq!(
            (r.util_percent, r.memory_util_percent),
            (Some(93.0), Some(40.0))
        );
        assert_eq!(
            (r.memory_used_bytes, r.memory_total_bytes),
            (Some(1 << 30), Some(8 << 30))
        );
        assert_eq!(
            (r.temperature_c, r.power_w, r.graphics_clock_mhz),
            (Some(61.0), Some(112.0), Some(2450))
        );
        std::fs::write(dev.join("power/runtime_status"), "suspended").expect("write");
        assert_eq!(s.sample()[0].util_percent, Some(0.0));
        assert!(AmdSysfsSource::open(&d.path().join("missing")).is_none());
    }

    #[test]
    fn fdinfo_engine_time_becomes_utilization() {
        let d = tempfile::tempdir().expect("tmp");
        let fd = d.path().join("4242/fdinfo");
        std::fs::create_dir_all(&fd).expect("mkdir");
        let write = |ns: u64| {
            std::fs::write(fd.join("7"), format!("pos: 0\ndrm-driver: i915\ndrm-pdev: 0000:00:02.0\ndrm-client-id: 17\ndrm-engine-render: {ns} ns\ndrm-engine-video: 0 ns\n")).expect("write");
        };
        write(1_000_000_000);
        let mut s = FdinfoSource::open(d.path()).expect("a DRM client");
        std::thread::sleep(std::time::Duration::from_millis(200));
        write(1_100_000_000); // +100 ms busy in ~200 ms
        let r = &s.sample()[0];
        let u = r.util_percent.expect("util");
        assert!((20.0..=60.0).contains(&u), "{u}");
        assert_eq!(r.pci_bus_id.as_deref(), Some("0000:00:02.0"));
        assert_eq!(r.processes[0].pid, 4242);
    }

    #[test]
    fn nvml_is_absent_here_and_that_is_fine() {
        // On a machine without the NVIDIA driver the library fails to load: no source, no panic.
        if std::path::Path::new("/proc/driver/nvidia").exists() {
            return;
        }
        assert!(NvmlSource::open().is_none());
    }
}
