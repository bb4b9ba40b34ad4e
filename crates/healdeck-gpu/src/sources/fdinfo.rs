//! Per-client DRM engine time from `/proc/PID/fdinfo` (Intel, AMD, others): each device's
//! utilization as its busiest engine's share of wall time, and the processes using it.

use super::{GpuSource, process_name};
use crate::reading::{GpuProcess, GpuReading, SourceKind};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// DRM device (pdev) → (pid, engine) → busy nanoseconds.
type EngineTimes = HashMap<String, HashMap<(u32, String), u64>>;

/// Per-client DRM engine time from `/proc/PID/fdinfo` (Intel, AMD, others): utilization of
/// each DRM device as the busiest engine's share of wall time, and our own share.
pub(super) struct FdinfoSource {
    proc_root: PathBuf,
    last: Option<(Instant, EngineTimes)>,
}

impl FdinfoSource {
    pub(super) fn open(proc_root: &Path) -> Option<FdinfoSource> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
