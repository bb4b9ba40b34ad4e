//! `healdeck gpu`: the meter's readings on the command line (text, or one JSON line each).

use clap::Args;
use healdeck_gpu::{BusyMeter, GpuMonitor, GpuSample, detect};
use healdeck_render::renderer::Gpu;
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Args, Debug)]
pub(crate) struct GpuArgs {
    /// One JSON object per sample.
    #[arg(long)]
    json: bool,
    /// Keep sampling every SECONDS (0.5–10) until interrupted.
    #[arg(long, value_name = "SECONDS")]
    watch: Option<f64>,
    /// Stop after N samples (with --watch).
    #[arg(long, value_name = "N")]
    count: Option<u64>,
}

fn gib(b: Option<u64>) -> String {
    b.map_or("—".into(), |b| {
        format!("{:.1}", b as f64 / (1u64 << 30) as f64)
    })
}

fn opt<T: std::fmt::Display>(v: Option<T>, unit: &str) -> String {
    v.map_or("—".into(), |v| format!("{v}{unit}"))
}

fn text(sample: &GpuSample) -> String {
    let mut s = String::new();
    if sample.gpus.is_empty() {
        s.push_str("no GPU telemetry\n");
    }
    for (i, g) in sample.gpus.iter().enumerate() {
        s.push_str(&format!(
            "GPU {i}: {}  [{}]\n  utilization {} (healdeck {}) · memory controller {} · memory {}/{} GiB · {} · power {}/{} · clocks {}/{}\n",
            g.name,
            g.source,
            opt(g.util_percent.map(|v| format!("{v:.0}")), "%"),
            opt(g.own_percent.map(|v| format!("{v:.0}")), "%"),
            opt(g.memory_util_percent.map(|v| format!("{v:.0}")), "%"),
            gib(g.memory_used_bytes),
            gib(g.memory_total_bytes),
            opt(g.temperature_c.map(|v| format!("{v:.0}")), " °C"),
            opt(g.power_w.map(|v| format!("{v:.0}")), " W"),
            opt(g.power_limit_w.map(|v| format!("{v:.0}")), " W"),
            opt(g.graphics_clock_mhz, " MHz"),
            opt(g.memory_clock_mhz, " MHz"),
        ));
        for p in &g.processes {
            s.push_str(&format!(
                "  process {} {} {} GiB\n",
                p.pid,
                p.name,
                gib(p.memory_bytes)
            ));
        }
    }
    s
}

pub(crate) fn gpu(args: &GpuArgs) -> ExitCode {
    let period = match args.watch {
        Some(w) if !(0.5..=10.0).contains(&w) => {
            return super::fail(format!("--watch {w} is outside 0.5..10 seconds"));
        }
        Some(w) => Duration::from_secs_f64(w),
        None => Duration::from_secs(1),
    };
    // The adapter wgpu would render on names the GPU to watch (and is the fallback source).
    let busy = BusyMeter::new();
    let adapter = Gpu::headless().ok().map(|g| g.adapter());
    let sources = detect(adapter.as_ref().map(|a| (a, busy.clone())));
    let monitor = GpuMonitor::start(sources, period);
    let rx = monitor.subscribe();
    let wanted = match (args.watch, args.count) {
        (None, _) => 2, // the first sample only primes the delta-based sources
        (Some(_), Some(n)) => n + 1,
        (Some(_), None) => u64::MAX,
    };
    let mut stdout = std::io::stdout();
    for n in 0..wanted {
        let Ok(sample) = rx.recv_timeout(period * 3 + Duration::from_secs(2)) else {
            return super::fail("the GPU monitor stopped answering");
        };
        if n == 0 {
            continue;
        }
        let line = if args.json {
            match serde_json::to_string(&sample) {
                Ok(json) => json + "\n",
                Err(e) => return super::fail(e),
            }
        } else {
            text(&sample)
        };
        if stdout
            .write_all(line.as_bytes())
            .and_then(|_| stdout.flush())
            .is_err()
        {
            break;
        }
    }
    ExitCode::SUCCESS
}
