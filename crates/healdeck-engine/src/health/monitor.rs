//! The monitor: one tokio task per check, each probing on its interval (the first probes
//! spread over the first interval), at most `concurrency` probes at once, each under its time
//! limit on the blocking pool. A task owns its check's state and history — nothing is shared
//! but the way out (a sink of [`HealthEvent`]s) and the way in ([`Control`]: approve, reset,
//! stop). The same code runs one cycle (`--once`, cron) or forever (`--watch`, the window).

use super::HealthConfig;
use super::history::{History, Record};
use super::probe::{self, Probe};
use super::remedy::{self, ForIssue};
use super::spec::{Check, Kind};
use super::state::{Change, CheckResult, CheckState};
use crate::fix::Step;
use crate::group::Issue;
use healdeck_config::Dirs;
use healdeck_config::clock::{iso_of_unix, now_unix};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, Semaphore};
use tokio::time::Instant;

/// History is written to disk at most this often (and when the monitor stops).
const SAVE_EVERY: Duration = Duration::from_secs(10);

/// Where a check stands after a cycle.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckStatus {
    pub failing: bool,
    pub breaker_open: bool,
    pub actions_in_window: u32,
    /// A class B action is waiting for a person.
    pub awaiting_approval: bool,
}

/// What the monitor reports.
#[derive(Debug, Clone)]
pub enum HealthEvent {
    /// A probe's result and where the check stands now.
    Result(CheckResult, CheckStatus),
    /// A check's issue was opened, counted, resolved, or marked unfixable.
    Issue(Arc<Issue>),
    /// A step of a check's action (start, output, finish, verification).
    Action(String, Step),
    /// Something a person should read: a breaker opened, an action waits for approval or
    /// could not start, a state file was damaged.
    Notice(String, String),
}

/// A way to reach the running monitor.
#[derive(Default)]
pub struct Control {
    stop: AtomicBool,
    requests: Mutex<HashMap<String, Request>>,
    wake: Notify,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Request {
    /// Run the class B action once, now.
    Approve,
    /// Close the breaker and start counting actions again.
    Reset,
}

impl Control {
    pub fn new() -> Arc<Control> {
        Arc::new(Control::default())
    }

    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
        self.wake.notify_waiters();
    }

    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// A person approves one run of `check`'s action (it probes, and acts if still failing).
    pub fn approve(&self, check: &str) {
        self.request(check, Request::Approve);
    }

    /// A person resets `check`'s circuit breaker.
    pub fn reset(&self, check: &str) {
        self.request(check, Request::Reset);
    }

    fn request(&self, check: &str, r: Request) {
        if let Ok(mut m) = self.requests.lock() {
            m.insert(check.to_string(), r);
        }
        self.wake.notify_waiters();
    }

    fn take(&self, check: &str) -> Option<Request> {
        self.requests.lock().ok()?.remove(check)
    }
}

/// How the monitor runs.
#[derive(Clone)]
pub struct Options {
    pub dirs: Dirs,
    /// Checks whose class B actions the person approved for this run (`--approve NAME`).
    pub approved: Vec<String>,
    /// One cycle, then stop (`--once`).
    pub once: bool,
}

/// The sink events go to.
pub type Sink = Arc<dyn Fn(HealthEvent) + Send + Sync>;

struct Shared {
    options: Options,
    control: Arc<Control>,
    sink: Sink,
    permits: Semaphore,
}

/// Runs every check of `config` until `control` stops it (or once, with `options.once`), on
/// a tokio runtime with time and IO enabled.
pub async fn run(config: HealthConfig, options: Options, control: Arc<Control>, sink: Sink) {
    let shared = Arc::new(Shared {
        permits: Semaphore::new(config.concurrency.max(1)),
        options,
        control,
        sink,
    });
    let mut tasks = tokio::task::JoinSet::new();
    let mut names = std::collections::HashMap::new();
    for (i, check) in config.checks.into_iter().enumerate() {
        let shared = shared.clone();
        let name = check.name.clone();
        let id = tasks.spawn(check_loop(Arc::new(check), i, shared)).id();
        names.insert(id, name);
    }
    while let Some(done) = tasks.join_next_with_id().await {
        // A check whose task failed is said to have stopped, not left silently unwatched.
        if let Err(e) = done {
            let name = names.get(&e.id()).cloned().unwrap_or_default();
            (shared.sink)(HealthEvent::Notice(
                name,
                format!("the check stopped: {e}; the other checks go on"),
            ));
        }
    }
}

/// Where a check's first probe falls within its first interval: one of ten slots, by its
/// index — spread enough that a hundred checks do not hit at once, batched enough that the
/// runtime wakes ten times an interval, not a hundred.
fn first_delay(check: &Check, index: usize, once: bool) -> Duration {
    if once {
        return Duration::ZERO;
    }
    let slot_ms = check.interval_s * 1000 / 10;
    Duration::from_millis((index as u64 % 10) * slot_ms)
}

/// What a check's task keeps between cycles besides its state and history.
struct Probing {
    memory: probe::Memory,
    /// A blocking probe that outlived its time limit: no new one starts until it ends (a hung
    /// mount must not take a thread per interval).
    stuck: Option<tokio::task::JoinHandle<(Probe, probe::Memory)>>,
}

async fn check_loop(check: Arc<Check>, index: usize, shared: Arc<Shared>) {
    let data = shared.options.dirs.data().to_path_buf();
    let (mut state, damaged) = CheckState::load(&data, &check.name);
    if let Some(d) = damaged {
        let mut message = d;
        if check.action.is_some() {
            // Its breaker may have been open: no action until a person resets it.
            state.breaker_open = true;
            message.push_str("; its actions wait for a reset");
        }
        (shared.sink)(HealthEvent::Notice(check.name.clone(), message));
    }
    let mut history = History::load(&data, &check.name, check.interval_s);
    let mut probing = Probing {
        memory: probe::Memory::default(),
        stuck: None,
    };
    let interval = Duration::from_secs(check.interval_s);
    let mut next = Instant::now() + first_delay(&check, index, shared.options.once);
    let mut saved_at = Instant::now();
    loop {
        // Listen before looking, so a stop or a request made meanwhile is not missed.
        let woken = shared.control.wake.notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        if shared.control.stopped() {
            break;
        }
        let mut request = shared.control.take(&check.name);
        // A reset asked for by another process (`healdeck health --reset NAME`).
        let asked = super::state::reset_request_of(&data, &check.name);
        if request.is_none() && std::fs::remove_file(&asked).is_ok() {
            request = Some(Request::Reset);
        }
        match request {
            Some(Request::Reset) => {
                state.reset();
                publish_issue(&shared, &check, &state);
                save_state(&shared, &check, &state);
            }
            Some(Request::Approve) if state.failing => state.approved_once = true,
            Some(Request::Approve) => notice(
                &shared,
                &check,
                "approval not taken: the check is not failing".into(),
            ),
            None if Instant::now() < next => {
                tokio::select! {
                    () = tokio::time::sleep_until(next) => {}
                    () = &mut woken => {}
                }
                continue;
            }
            None => {}
        }
        if shared.options.approved.contains(&check.name) {
            // `--approve NAME` stands for the whole run.
            state.approved_once = true;
        }
        let probe = probe_now(&check, &mut probing, &shared).await;
        let now = now_unix();
        cycle(&check, &shared, &mut state, &mut history, probe, now).await;
        if shared.options.once {
            break;
        }
        if saved_at.elapsed() >= SAVE_EVERY {
            save_history(&shared, &check, &mut history);
            saved_at = Instant::now();
        }
        if request.is_none() || Instant::now() >= next {
            next += interval;
            if next < Instant::now() {
                next = Instant::now() + interval;
            }
        }
    }
    save_history(&shared, &check, &mut history);
    save_state(&shared, &check, &state);
}

/// One probe under the concurrency bound and the check's time limit.
async fn probe_now(check: &Arc<Check>, probing: &mut Probing, shared: &Shared) -> Probe {
    let limit = Duration::from_secs(check.timeout_s);
    if let Some(job) = &probing.stuck {
        if !job.is_finished() {
            return Probe::fail(
                crate::model::Category::Timeout,
                format!(
                    "the previous probe is still stuck (no answer within {} s)",
                    limit.as_secs()
                ),
            );
        }
        probing.stuck = None;
    }
    let Ok(_permit) = shared.permits.acquire().await else {
        return Probe::unavailable("the monitor is stopping");
    };
    match &check.kind {
        // /proc/meminfo is the kernel's own numbers: no thread hand-off for it.
        Kind::Memory { .. } => return probe::run(check, &mut probing.memory),
        Kind::Tcp {
            host,
            port,
            max_latency_ms,
        } => return probe::tcp_async(host, *port, *max_latency_ms, limit).await,
        _ => {}
    }
    let c = check.clone();
    let mut memory = std::mem::take(&mut probing.memory);
    let mut job = tokio::task::spawn_blocking(move || {
        let p = probe::run(&c, &mut memory);
        (p, memory)
    });
    // The probes keep their own limits (sockets, commands); this is the backstop.
    match tokio::time::timeout(limit + Duration::from_secs(1), &mut job).await {
        Ok(Ok((p, memory))) => {
            probing.memory = memory;
            p
        }
        Ok(Err(e)) => Probe::fail(
            crate::model::Category::Unknown,
            format!("the probe failed: {e}"),
        ),
        Err(_) => {
            probing.stuck = Some(job);
            Probe::timed_out(limit)
        }
    }
}

fn status(check: &Check, state: &CheckState) -> CheckStatus {
    CheckStatus {
        failing: state.failing,
        breaker_open: state.breaker_open,
        actions_in_window: state.actions_in_window(check),
        awaiting_approval: state.failing
            && !state.breaker_open
            && check.action.as_ref().is_some_and(|a| !a.unattended)
            && !state.approved_once,
    }
}

fn result_of(check: &Check, probe: &Probe, now: u64) -> CheckResult {
    CheckResult {
        check: check.name.clone(),
        kind: check.kind.name().to_string(),
        ok: probe.ok,
        latency_ms: probe.latency_ms,
        // A pass is our own words; a failure may quote a server or a command: redacted.
        detail: if probe.ok {
            probe.detail.clone()
        } else {
            crate::redact::redact(&probe.detail).text
        },
        time: iso_of_unix(now as i64),
        unavailable: probe.unavailable,
    }
}

/// Takes a probe into the state, reports, and acts when the state says so.
async fn cycle(
    check: &Arc<Check>,
    shared: &Arc<Shared>,
    state: &mut CheckState,
    history: &mut History,
    probe: Probe,
    now: u64,
) {
    history.push(Record::of(
        now,
        probe.ok,
        probe.unavailable,
        probe.latency_ms,
    ));
    let before = state.clone();
    let changes = state.apply(check, &probe, now);
    (shared.sink)(HealthEvent::Result(
        result_of(check, &probe, now),
        status(check, state),
    ));
    if state.first_seen.is_some() && (state.failing || changes.contains(&Change::Recovered)) {
        publish_issue(shared, check, state);
    }
    for change in &changes {
        match change {
            Change::BreakerTripped => {
                audit_breaker(shared, check, state);
                notice(
                    shared,
                    check,
                    format!(
                        "circuit breaker open: {} action(s) within {} failing cycles did not bring \
                     it back; no more actions until it is reset",
                        state.actions_in_window(check),
                        check.action.as_ref().map_or(0, |a| a.within_cycles)
                    ),
                )
            }
            Change::NeedsApproval if changes.contains(&Change::Failing) => notice(
                shared,
                check,
                format!(
                    "failing; its action ({}) waits for a person's approval",
                    check
                        .action
                        .as_ref()
                        .map_or(String::new(), |a| a.action.describe())
                ),
            ),
            Change::ActionDue => act(check, shared, state, history).await,
            _ => {}
        }
    }
    if *state != before {
        save_state(shared, check, state);
    }
}

/// Runs the action on the blocking pool, verified by probing until the check passes or its
/// verify time is up; a pass that verified is taken into the state like any result.
async fn act(
    check: &Arc<Check>,
    shared: &Arc<Shared>,
    state: &mut CheckState,
    history: &mut History,
) {
    let Some(issue) = state.issue(check) else {
        return;
    };
    let approved = state.approved_once;
    state.record_action();
    save_state(shared, check, state);
    let attempt = state.actions.len();
    let c = check.clone();
    let sh = shared.clone();
    let job = tokio::task::spawn_blocking(move || {
        let verify_s = c.action.as_ref().map_or(30, |a| a.verify_s);
        let mut last = None;
        let mut verify = || {
            let deadline = std::time::Instant::now() + Duration::from_secs(verify_s);
            let mut memory = probe::Memory::default();
            // A growth or CPU check needs one probe as its baseline before one can pass.
            let mut baseline = stateful(&c);
            loop {
                std::thread::sleep(Duration::from_millis(500));
                let (p, m) = probe_within_limit(&c, memory);
                memory = m;
                let passed = p.ok && !baseline;
                baseline = false;
                let detail = p.detail.clone();
                last = Some(p);
                if passed {
                    return (true, format!("the check passes again: {detail}"));
                }
                if std::time::Instant::now() >= deadline {
                    return (
                        false,
                        format!("the check still fails after {verify_s} s: {detail}"),
                    );
                }
            }
        };
        let for_issue = ForIssue {
            fingerprint: &issue.fingerprint,
            title: &issue.title,
            rule: issue.rule.clone().unwrap_or_default(),
            source: issue.latest.source.clone(),
        };
        let name = c.name.clone();
        let outcome = remedy::run(
            &sh.options.dirs,
            &c,
            &for_issue,
            attempt,
            &mut verify,
            &mut |step| (sh.sink)(HealthEvent::Action(name.clone(), step.clone())),
        );
        (outcome, last)
    });
    let Ok((outcome, last)) = job.await else {
        return;
    };
    match outcome {
        Ok(true) => {
            if let Some(p) = last {
                let now = now_unix();
                history.push(Record::of(now, p.ok, p.unavailable, p.latency_ms));
                state.apply(check, &p, now);
                (shared.sink)(HealthEvent::Result(
                    result_of(check, &p, now),
                    status(check, state),
                ));
                publish_issue(shared, check, state);
            }
        }
        Ok(false) => {}
        Err(why) => {
            // Not run: it does not count against the breaker, and an approval still stands.
            state.actions.pop();
            state.approved_once = approved;
            notice(shared, check, format!("action not run: {why}"));
        }
    }
    save_state(shared, check, state);
}

/// Whether a check's probe compares with the one before (growth, CPU %).
fn stateful(check: &Check) -> bool {
    matches!(
        &check.kind,
        Kind::File {
            must_grow: true,
            ..
        } | Kind::Process {
            max_cpu_percent: Some(_),
            ..
        }
    )
}

/// A probe on a thread of its own, given up after the check's time limit (plus a second):
/// verification holds the fixer's lock, and a hung mount must not hold it for ever.
fn probe_within_limit(check: &Arc<Check>, memory: probe::Memory) -> (Probe, probe::Memory) {
    let limit = Duration::from_secs(check.timeout_s);
    let (tx, rx) = std::sync::mpsc::channel();
    let c = check.clone();
    let mut m = memory;
    let spawned = std::thread::Builder::new()
        .name("healdeck-verify".into())
        .spawn(move || {
            let p = probe::run(&c, &mut m);
            let _ = tx.send((p, m));
        });
    if spawned.is_err() {
        return (
            Probe::fail(
                crate::model::Category::Unknown,
                "cannot start a probe thread",
            ),
            probe::Memory::default(),
        );
    }
    rx.recv_timeout(limit + Duration::from_secs(1))
        .unwrap_or_else(|_| (Probe::timed_out(limit), probe::Memory::default()))
}

/// The audit log hears that the breaker opened: the issue's history ends `unfixable`.
fn audit_breaker(shared: &Shared, check: &Check, state: &CheckState) {
    let Some(issue) = state.issue(check) else {
        return;
    };
    let entry = crate::fix::audit::AuditEntry {
        time: now_unix(),
        fingerprint: issue.fingerprint.clone(),
        issue: issue.title.clone(),
        phase: "unfixable".into(),
        action: check
            .action
            .as_ref()
            .map_or(String::new(), |a| a.action.name().to_string()),
        argv: Vec::new(),
        attempt: state.actions.len() as u32,
        exit_status: None,
        output_tail: "circuit breaker open: the check kept failing after its actions".into(),
        backup: None,
        result: "unfixable".into(),
        verified: None,
        seen_line: None,
        source: Some(issue.latest.source.clone()),
        rule: issue.rule.clone(),
    };
    let audit = crate::fix::audit::AuditLog::in_dir(shared.options.dirs.data());
    if let Err(e) = audit.append(&entry) {
        notice(shared, check, format!("cannot write the audit log: {e}"));
    }
}

fn publish_issue(shared: &Shared, check: &Check, state: &CheckState) {
    if let Some(issue) = state.issue(check) {
        (shared.sink)(HealthEvent::Issue(Arc::new(issue)));
    }
}

fn notice(shared: &Shared, check: &Check, message: String) {
    (shared.sink)(HealthEvent::Notice(check.name.clone(), message));
}

fn save_state(shared: &Shared, check: &Check, state: &CheckState) {
    if let Err(e) = state.save(shared.options.dirs.data(), &check.name) {
        notice(shared, check, format!("cannot save its state: {e}"));
    }
}

fn save_history(shared: &Shared, check: &Check, history: &mut History) {
    if let Err(e) = history.save() {
        notice(shared, check, format!("cannot save its history: {e}"));
    }
}
