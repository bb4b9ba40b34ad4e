//! What workers tell the window, one enum per part of it: `UiEvent` routes to the app
//! (`AppEvent`), the Troubleshooter tab (`TroubleEvent`) or the CLO Companion tab
//! (`CloEvent`); each part matches only its own events. Which file dialog an answer belongs
//! to (`Picked`) decides where it goes.

use crate::selftest::Check;
use healdeck_engine::Engine;
use healdeck_engine::bus::TroubleAlert;
use healdeck_engine::fix::audit::AuditEntry;
use healdeck_engine::fix::{IssuePlan, Outcome, Step};
use healdeck_engine::prompt::Prompt;
use healdeck_engine::redact::Finding;
use healdeck_engine::scan::ScanReport;
use healdeck_gpu::GpuSample;
use healdeck_render::drape::Draped;
use healdeck_render::manager::RenderEvent;
use healdeck_render::scene::{Built, Imported};
use std::path::PathBuf;
use std::sync::Arc;

/// Everything a worker tells the UI.
pub enum UiEvent {
    App(AppEvent),
    Trouble(TroubleEvent),
    Clo(CloEvent),
    Health(HealthMsg),
}

/// For the Health tab: the monitor of one generation (a restart after an edit starts the
/// next; older news is dropped), and what its workers read or wrote.
pub enum HealthMsg {
    Monitor(u64, healdeck_engine::health::HealthEvent),
    /// The checks' saved histories, read off the UI thread.
    Histories(
        u64,
        Vec<(String, Vec<healdeck_engine::health::history::Record>)>,
    ),
    /// A check's remediation history from the audit log (by its issue's fingerprint).
    Remedies(String, Vec<AuditEntry>),
    /// `health.toml` was written (or why not).
    Saved(Result<std::path::PathBuf, String>),
    /// The monitor left news in the mailbox that the window should show now.
    Wake,
}

/// For the window itself: the Full System Test, files written, notices.
pub enum AppEvent {
    SelftestCheck(Check),
    SelftestDone(String),
    /// A file was written (a render, a report, the settings); `Err` says why not.
    Wrote(Result<PathBuf, String>),
}

/// A support bundle written, as its dialog shows it.
#[derive(Debug, Clone)]
pub struct BundleDone {
    pub path: PathBuf,
    pub bytes: u64,
    /// What is inside, by path in the archive.
    pub files: Vec<String>,
    /// Secrets redacted, all kinds together.
    pub secrets: usize,
    /// How it is locked (`age, to 1 X25519 recipient(s)`).
    pub encryption: String,
}

/// For the Troubleshooter tab.
pub enum TroubleEvent {
    EngineReady {
        engine: Arc<Engine>,
        errors: Vec<String>,
    },
    /// A live alert from the watcher of the given generation (older ones are ignored).
    Alert(u64, Box<TroubleAlert>),
    WatchReady {
        generation: u64,
        files: usize,
    },
    WatchFailed {
        generation: u64,
        error: String,
    },
    /// A stream source (journal, SSH, container) of that watcher connected, dropped, …
    SourceState {
        generation: u64,
        source: String,
        state: healdeck_engine::remote::StreamState,
    },
    ScanDone(Box<ScanReport>),
    FixPlanned {
        plans: Vec<IssuePlan>,
        dry_run: bool,
        /// Whether class B fixes wait for the approval dialog (not after "Fix all safe").
        ask: bool,
    },
    /// The plan of one issue, for the details pane.
    Preview {
        fingerprint: String,
        count: u64,
        /// The plan, or why there is none (a broken `fixer.json`).
        plans: Result<Vec<IssuePlan>, String>,
    },
    /// "Fix all safe issues…": the dry-run plan to confirm.
    AllPlanned(Result<Vec<IssuePlan>, String>),
    /// Fixes that verified, by fingerprint, from the audit log.
    Fixed(std::collections::HashMap<String, Vec<healdeck_engine::fix::audit::FixRecord>>),
    FixStep(Step),
    FixDone {
        outcomes: Vec<(String, Outcome)>,
        error: Option<String>,
    },
    Prompt {
        fingerprint: String,
        result: Result<Prompt, String>,
    },
    History {
        fingerprint: String,
        entries: Vec<AuditEntry>,
    },
    Picked(TroublePick, PathBuf),
    /// A report rendered (redacted) for `path`, waiting to be written.
    ExportReady {
        path: PathBuf,
        text: String,
        findings: Vec<Finding>,
    },
    /// notify.toml's channels, read (or why not).
    Channels(Result<Vec<healdeck_engine::notify::Channel>, String>),
    /// An issue sent to a channel (its label), or why not.
    Sent(String, Result<(), String>),
    /// A support bundle written, or why not.
    Bundled(Result<BundleDone, String>),
    /// The followed logs' patterns mined for the watcher of that generation, or why not.
    Patterns {
        generation: u64,
        result: Result<Box<healdeck_engine::patterns::PatternReport>, String>,
    },
    /// A baseline saved (its name and template count), or why not.
    BaselineSaved(Result<(String, usize), String>),
    /// News about "Explain with AI" question number `.0` (0: stored answers loaded).
    Ai(u64, AiUpdate),
    /// News about "Propose fix" run number `.0`.
    Propose(u64, ProposeUpdate),
}

/// Everything a proposal needs once the provider is chosen.
pub struct ProposeJob {
    pub issue: healdeck_engine::Issue,
    pub config: healdeck_engine::ai::AiConfig,
    pub provider: healdeck_engine::ai::Provider,
    pub project: healdeck_engine::fix::ProjectCheck,
    pub prompt: Prompt,
}

/// What a "Propose fix" worker says.
pub enum ProposeUpdate {
    /// Ready to ask; the consent dialog comes first when `.0`.
    Ready(bool, Box<ProposeJob>),
    Failed(String),
    /// Attempt n is being asked for.
    Asking(u32),
    Text(String),
    Tried(healdeck_engine::ai::patch::PatchAttempt),
    /// The passing diff, if one passed; `Err` when the run stopped (cancelled, not a repo).
    Done(Result<Option<String>, String>),
    /// The backup ref, or why the patch was not applied.
    Applied(Result<String, String>),
}

/// What an AI worker says.
pub enum AiUpdate {
    /// The provider is chosen and the prompt built; the consent dialog comes first when
    /// `needs_consent`.
    Ready {
        needs_consent: bool,
        issue: Box<healdeck_engine::Issue>,
        config: Box<healdeck_engine::ai::AiConfig>,
        provider: Box<healdeck_engine::ai::Provider>,
        prompt: Prompt,
    },
    /// Could not start (AI off, no key, a broken ai.json).
    Failed(String),
    /// More of the answer.
    Text(String),
    /// The answer ended; why, when it is incomplete.
    Done(Option<String>),
    /// The issue's stored answers, oldest first.
    Stored(String, Vec<healdeck_engine::ai::StoredAnswer>),
}

/// For the CLO Companion tab.
pub enum CloEvent {
    Gpu(Box<GpuSample>),
    /// A scene built off the UI thread (the body solved, the garments grown on it).
    Scene(Result<Box<Built>, String>),
    Render(RenderEvent),
    Imported(Result<Imported, String>),
    Picked(CloPick, PathBuf),
    /// A U3M material read off the UI thread (its texture decoded), or why it cannot be.
    Material(
        PathBuf,
        Result<Box<healdeck_render::garment::u3m::U3mMaterial>, String>,
    ),
    /// News from the drape worker, for the job it names.
    Drape(u64, DrapeUpdate),
}

/// A drape's progress: a garment's cloth so far (its index in the outfit), or what the
/// outfit came to.
pub enum DrapeUpdate {
    Progress(usize, Box<Draped>),
    Done(Result<Vec<Draped>, String>),
}

/// The Troubleshooter's file dialogs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TroublePick {
    LogFolder,
    LogFile,
    ExportMarkdown,
    ExportJson,
    /// Where to write the encrypted support bundle.
    Bundle,
    /// The interpreter for a followed folder ("Python for this folder…").
    FolderPython,
    /// The Node project for a followed folder.
    FolderNodeProject,
}

/// The CLO Companion's file dialogs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloPick {
    Import,
    Pattern,
    Material,
    PrintImage,
    SaveRender,
}

/// Which dialog a picked path answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Picked {
    Trouble(TroublePick),
    Clo(CloPick),
}

/// How a dialog looks: title, filter name and extensions, and the suggested name of a save.
pub struct DialogSpec {
    pub title: &'static str,
    pub filter: &'static str,
    pub extensions: &'static [&'static str],
    pub save_as: Option<&'static str>,
    pub folder: bool,
}

impl Picked {
    pub fn dialog(self) -> DialogSpec {
        let spec = |title, filter, extensions, save_as| DialogSpec {
            title,
            filter,
            extensions,
            save_as,
            folder: false,
        };
        match self {
            Picked::Trouble(TroublePick::LogFolder) => DialogSpec {
                folder: true,
                ..spec("Add a log folder", "", &[], None)
            },
            Picked::Trouble(TroublePick::FolderPython) => {
                spec("Python interpreter for this folder", "", &[], None)
            }
            Picked::Trouble(TroublePick::FolderNodeProject) => DialogSpec {
                folder: true,
                ..spec("Node project folder (holds package.json)", "", &[], None)
            },
            Picked::Trouble(TroublePick::LogFile) => spec(
                "Add a log file or test report",
                "Logs and test reports",
                &["log", "txt", "out", "err", "gz", "xml", "json"],
                None,
            ),
            Picked::Trouble(TroublePick::Bundle) => spec(
                "Save the support bundle",
                "age",
                &["age"],
                Some("healdeck-bundle.tar.gz.age"),
            ),
            Picked::Trouble(TroublePick::ExportMarkdown) => spec(
                "Export report",
                "Markdown",
                &["md"],
                Some("healdeck-report.md"),
            ),
            Picked::Trouble(TroublePick::ExportJson) => spec(
                "Export report",
                "JSON",
                &["json"],
                Some("healdeck-report.json"),
            ),
            Picked::Clo(CloPick::Import) => spec(
                "Import a CLO3D / Marvelous Designer export",
                "Meshes",
                &["obj", "gltf", "glb"],
                None,
            ),
            Picked::Clo(CloPick::Pattern) => spec(
                "Sew a GarmentCode pattern",
                "GarmentCode pattern",
                &["json"],
                None,
            ),
            Picked::Clo(CloPick::Material) => spec(
                "Fabric from a U3M material",
                "U3M material",
                &["u3m", "u3ma"],
                None,
            ),
            Picked::Clo(CloPick::PrintImage) => {
                spec("Print image", "Images", &["png", "jpg", "jpeg"], None)
            }
            Picked::Clo(CloPick::SaveRender) => {
                spec("Save render as", "PNG", &["png"], Some("render.png"))
            }
        }
    }

    /// The event a chosen path becomes.
    pub fn event(self, path: PathBuf) -> UiEvent {
        match self {
            Picked::Trouble(p) => UiEvent::Trouble(TroubleEvent::Picked(p, path)),
            Picked::Clo(p) => UiEvent::Clo(CloEvent::Picked(p, path)),
        }
    }
}
