//! Probes of this machine: a process (by name or pidfile: running, CPU %, RSS, from
//! `/proc`), a mount's free space (`statvfs`), the host's available memory
//! (`/proc/meminfo`'s `MemAvailable`), and a file that should exist, be fresh, or grow.

use super::probe::{Memory, Probe};
use crate::model::Category;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

const MIB: u64 = 1024 * 1024;

/// How often the whole process table is read again for new instances of a named process;
/// between scans the instances found are only checked to still be there.
const RESCAN: Duration = Duration::from_secs(10);

/// Whether process `pid` is called `name` (its command name, or argv[0]'s file name).
fn is_named(pid: u32, name: &str) -> bool {
    let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
    if comm.trim_end() == name {
        return true;
    }
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let argv0 = cmdline.split(|&b| b == 0).next().unwrap_or(&[]);
    String::from_utf8_lossy(argv0).rsplit('/').next() == Some(name)
}

/// The pids called `name`: the ones found before while they all live, a scan of `/proc`
/// when one went or the last scan is older than [`RESCAN`].
fn pids_named(name: &str, memory: &mut Memory) -> Vec<u32> {
    let fresh = memory.scanned.is_some_and(|t| t.elapsed() < RESCAN);
    if fresh && !memory.pids.is_empty() && memory.pids.iter().all(|&p| is_named(p, name)) {
        return memory.pids.clone();
    }
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let pids: Vec<u32> = dir
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| is_named(pid, name))
        .collect();
    memory.pids.clone_from(&pids);
    memory.scanned = Some(Instant::now());
    pids
}

/// utime + stime of `pid`, in clock ticks.
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may hold spaces: count fields after the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}

fn rss_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

pub(crate) fn process(
    name: Option<&str>,
    pidfile: Option<&Path>,
    max_cpu_percent: Option<f64>,
    max_rss_mb: Option<u64>,
    memory: &mut Memory,
) -> Probe {
    if !Path::new("/proc/self/stat").exists() {
        return Probe::unavailable("process checks need /proc (Linux)");
    }
    let (pids, what) = match (name, pidfile) {
        (Some(n), _) => (pids_named(n, memory), format!("process '{n}'")),
        (None, Some(f)) => {
            let what = format!("pidfile {}", f.display());
            match std::fs::read_to_string(f) {
                Ok(s) => match s.trim().parse::<u32>() {
                    Ok(pid) if Path::new(&format!("/proc/{pid}")).exists() => (vec![pid], what),
                    Ok(pid) => {
                        return Probe::fail(
                            Category::Unknown,
                            format!("{what}: pid {pid} is not running"),
                        );
                    }
                    Err(_) => {
                        return Probe::fail(Category::Unknown, format!("{what} holds no pid"));
                    }
                },
                Err(e) => return Probe::fail(Category::Unknown, format!("{what}: {e}")),
            }
        }
        (None, None) => return Probe::fail(Category::Config, "no process named"),
    };
    if pids.is_empty() {
        memory.cpu = None;
        return Probe::fail(Category::Unknown, format!("{what} is not running"));
    }
    let rss: u64 = pids.iter().filter_map(|&p| rss_bytes(p)).sum();
    let ticks: u64 = pids.iter().filter_map(|&p| cpu_ticks(p)).sum();
    let now = Instant::now();
    let cpu = memory.cpu.and_then(|(t, before)| {
        let secs = now.duration_since(t).as_secs_f64();
        let hz = rustix::param::clock_ticks_per_second() as f64;
        (secs > 0.05 && ticks >= before).then(|| (ticks - before) as f64 / hz / secs * 100.0)
    });
    memory.cpu = Some((now, ticks));
    let mut detail = format!(
        "{what}: {} running, RSS {:.1} MiB",
        pids.len(),
        rss as f64 / MIB as f64
    );
    if let Some(c) = cpu {
        detail.push_str(&format!(", CPU {c:.1} %"));
    }
    if let Some(max) = max_rss_mb
        && rss > max.saturating_mul(MIB)
    {
        return Probe::fail(
            Category::ResourceMemory,
            format!("{detail} (over {max} MiB)"),
        );
    }
    if let (Some(max), Some(c)) = (max_cpu_percent, cpu)
        && c > max
    {
        return Probe::fail(Category::Unknown, format!("{detail} (over {max} % CPU)"));
    }
    Probe::pass(detail, None)
}

/// Free space of the file system holding `path`: (available bytes, total bytes), as `df`
/// counts them (blocks available to unprivileged users).
pub fn disk_space(path: &Path) -> std::io::Result<(u64, u64)> {
    let s = rustix::fs::statvfs(path)?;
    Ok((s.f_bavail * s.f_frsize, s.f_blocks * s.f_frsize))
}

pub(crate) fn disk(path: &Path, min_free_percent: Option<f64>, min_free_mb: Option<u64>) -> Probe {
    let (avail, total) = match disk_space(path) {
        Ok(v) => v,
        Err(e) => {
            return Probe::fail(Category::ResourceDisk, format!("{}: {e}", path.display()));
        }
    };
    let percent = if total == 0 {
        0.0
    } else {
        avail as f64 / total as f64 * 100.0
    };
    let detail = format!(
        "{}: {:.1} % free ({} MiB of {} MiB)",
        path.display(),
        percent,
        avail / MIB,
        total / MIB
    );
    if let Some(min) = min_free_percent
        && percent < min
    {
        return Probe::fail(Category::ResourceDisk, format!("{detail}, below {min} %"));
    }
    if let Some(min) = min_free_mb
        && avail < min.saturating_mul(MIB)
    {
        return Probe::fail(Category::ResourceDisk, format!("{detail}, below {min} MiB"));
    }
    Probe::pass(detail, None)
}

/// `MemAvailable` and `MemTotal` from `/proc/meminfo`, in bytes.
pub fn available_memory() -> Option<(u64, u64)> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = text.lines().find(|l| l.starts_with(name))?;
        Some(line.split_whitespace().nth(1)?.parse::<u64>().ok()? * 1024)
    };
    Some((field("MemAvailable:")?, field("MemTotal:")?))
}

pub(crate) fn memory(min_available_percent: f64) -> Probe {
    let Some((avail, total)) = available_memory().filter(|(_, t)| *t > 0) else {
        return Probe::unavailable("memory checks need /proc/meminfo (Linux)");
    };
    let percent = avail as f64 / total as f64 * 100.0;
    let detail = format!(
        "{percent:.1} % available ({} MiB of {} MiB)",
        avail / MIB,
        total / MIB
    );
    if percent < min_available_percent {
        Probe::fail(
            Category::ResourceMemory,
            format!("{detail}, below {min_available_percent} %"),
        )
    } else {
        Probe::pass(detail, None)
    }
}

pub(crate) fn file(
    path: &Path,
    max_age_s: Option<u64>,
    must_grow: bool,
    memory: &mut Memory,
) -> Probe {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            memory.size = None;
            return Probe::fail(Category::FileNotFound, format!("{}: {e}", path.display()));
        }
    };
    let size = meta.len();
    let before = memory.size.replace(size);
    let age = meta
        .modified()
        .ok()
        .and_then(|m| SystemTime::now().duration_since(m).ok())
        .map_or(0, |d| d.as_secs());
    let detail = format!("{}: {size} bytes, modified {age} s ago", path.display());
    if let Some(max) = max_age_s
        && age > max
    {
        return Probe::fail(
            Category::Unknown,
            format!("{detail}: not written for longer than {max} s"),
        );
    }
    if must_grow
        && let Some(b) = before
        && size <= b
    {
        return Probe::fail(
            Category::Unknown,
            format!("{detail}: did not grow since the last check ({b} bytes)"),
        );
    }
    Probe::pass(detail, None)
}
