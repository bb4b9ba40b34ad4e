//! Two hooks for whoever measures or documents the window, both answered on the terminal that
//! asked for them: `HEALDECK_SCREENSHOT=path` writes a screenshot once the open tab shows its
//! content, then closes the window (the Xvfb smoke test, the README's pictures);
//! `HEALDECK_TIMING=1` prints the time to the first frame and frame-time quantiles every 5 s.

// These hooks report to the terminal that set the variable; that is their whole purpose.
#![allow(clippy::print_stderr)]

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// `HEALDECK_SCREENSHOT`: asked for once the window is ready, written when it arrives.
pub(crate) struct Screenshot {
    path: PathBuf,
    asked: bool,
    /// Set by the screenshot callback; the next frame closes the window.
    done: Arc<AtomicBool>,
}

impl Screenshot {
    pub(crate) fn new(path: PathBuf) -> Screenshot {
        Screenshot {
            path,
            asked: false,
            done: Arc::default(),
        }
    }

    /// Once `ready`, asks egui for a screenshot; when it has been written, closes the window.
    pub(crate) fn frame(&mut self, ctx: &egui::Context, ready: bool) {
        if self.done.load(Ordering::SeqCst) {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            return;
        }
        if ready && !self.asked {
            self.asked = true;
            let path = self.path.clone();
            let closer = ctx.clone();
            let done = self.done.clone();
            let callback = egui::ScreenshotCallback::new(move |img| {
                let [w, h] = img.size;
                let rgba: Vec<u8> = img.pixels.iter().flat_map(|c| c.to_array()).collect();
                let result = image::RgbaImage::from_raw(w as u32, h as u32, rgba)
                    .ok_or_else(|| "bad screenshot size".to_string())
                    .and_then(|i| i.save(&path).map_err(|e| e.to_string()));
                match result {
                    Ok(()) => eprintln!("healdeck: screenshot written to {}", path.display()),
                    Err(e) => eprintln!("healdeck: screenshot {}: {e}", path.display()),
                }
                done.store(true, Ordering::SeqCst);
                closer.request_repaint();
            });
            ctx.send_viewport_cmd(egui::ViewportCommand::Screenshot(callback));
        }
        ctx.request_repaint_after(Duration::from_millis(100));
    }
}

/// Whether `HEALDECK_TIMING` is on, for `mark` (set once at start).
static MARKS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Marks made while building a frame, printed once that frame is on screen.
static PENDING_MARKS: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// With `HEALDECK_TIMING`, prints `healdeck mark <unix ms> <what>` to stderr when a result
/// (a new row, a preview, a copied prompt, a fix plan) is on screen, for a script that caused
/// it to measure the delay (`scripts/measure_window.py`). A mark made while a frame is built
/// is printed at the start of the next frame, that is, once the frame showing it was painted.
pub(crate) fn mark(what: &str) {
    if MARKS.load(std::sync::atomic::Ordering::Relaxed)
        && let Ok(mut p) = PENDING_MARKS.lock()
    {
        p.push(what.to_string());
    }
}

/// Prints the marks of the frame painted last (called as a frame begins).
fn flush_marks() {
    let Ok(mut p) = PENDING_MARKS.lock() else {
        return;
    };
    if p.is_empty() {
        return;
    }
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    for what in p.drain(..) {
        eprintln!("healdeck mark {ms} {what}");
    }
}

/// Whether marks wait for the next frame (which is then asked for at once).
fn marks_pending() -> bool {
    PENDING_MARKS.lock().is_ok_and(|p| !p.is_empty())
}

/// `HEALDECK_TIMING`: the first frame's time after start, then frame-time quantiles.
pub(crate) struct Timing {
    enabled: bool,
    started: Instant,
    first_frame: Option<Duration>,
    frames: Vec<f32>,
    last_report: Instant,
    rows: usize,
}

impl Timing {
    pub(crate) fn new(enabled: bool, started: Instant) -> Timing {
        MARKS.store(enabled, std::sync::atomic::Ordering::Relaxed);
        Timing {
            enabled,
            started,
            first_frame: None,
            frames: Vec::new(),
            last_report: Instant::now(),
            rows: 0,
        }
    }

    /// A frame begins: the marks of the one before are printed (it is on screen now).
    pub(crate) fn frame_start(&self) {
        if self.enabled {
            flush_marks();
        }
    }

    /// A frame was built: with marks waiting, the next frame is asked for at once so they
    /// are printed as soon as this one is painted.
    pub(crate) fn frame_end(&self, ctx: &egui::Context) {
        if self.enabled && marks_pending() {
            ctx.request_repaint();
        }
    }

    /// Time since the process started.
    pub(crate) fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Marks a change in the number of rows the table shows.
    pub(crate) fn rows(&mut self, rows: usize) {
        if rows != self.rows {
            self.rows = rows;
            mark(&format!("rows {rows}"));
        }
    }

    /// Records one frame's `ui()` time; reports every 5 s with the feed's size.
    pub(crate) fn frame(&mut self, frame_ms: f32, feed_len: usize) {
        if !self.enabled {
            return;
        }
        if self.first_frame.is_none() {
            let d = self.started.elapsed();
            self.first_frame = Some(d);
            eprintln!(
                "healdeck timing: first frame built {:.0} ms after start",
                d.as_secs_f64() * 1000.0
            );
        }
        self.frames.push(frame_ms);
        if self.last_report.elapsed() >= Duration::from_secs(5) && !self.frames.is_empty() {
            let mut f = std::mem::take(&mut self.frames);
            f.sort_by(f32::total_cmp);
            let q = |p: f32| f[((f.len() - 1) as f32 * p) as usize];
            eprintln!(
                "healdeck timing: {} frames, ui() p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, feed {feed_len} issues",
                f.len(),
                q(0.5),
                q(0.99),
                q(1.0),
            );
            self.last_report = Instant::now();
        }
    }
}
