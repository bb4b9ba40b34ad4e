//! A consequence (`Shutting down: Master`, `exited with code 1`) folds into the failure above
//! it; with none above, its writer's level says whether it is an issue of its own: an
//! ordinary record (a stop that was asked for) is none, an error record is kept.

mod common;

use healdeck_engine::Issue;

fn issues(text: &str) -> Vec<Issue> {
    common::issues_in("gunicorn.log", text)
}

#[test]
fn a_requested_stop_is_no_issue() {
    let found = issues(concat!(
        "[2026-12-17 09:10:44 +0000] [1822] [INFO] Handling signal: term\n",
        "[2026-12-17 09:10:45 +0000] [1822] [INFO] Shutting down: Master\n",
    ));
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn the_masters_shutdown_after_a_failed_boot_folds_into_the_failure() {
    let found = issues(concat!(
        "[2026-12-17 09:14:02 +0000] [5122] [ERROR] Exception in worker process\n",
        "Traceback (most recent call last):\n",
        "  File \"/srv/app/wsgi.py\", line 3, in <module>\n",
        "    import netbox_bgp\n",
        "ModuleNotFoundError: No module named 'netbox_bgp'\n",
        "[2026-12-17 09:14:02 +0000] [5120] [ERROR] Worker (pid:5123) was sent SIGTERM!\n",
        "[2026-12-17 09:14:03 +0000] [5120] [INFO] Shutting down: Master\n",
        "[2026-12-17 09:14:03 +0000] [5120] [INFO] Reason: Worker failed to boot.\n",
    ));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        found[0].consequences.len(),
        3,
        "{:?}",
        found[0].consequences
    );
}

#[test]
fn an_error_record_of_a_consequence_alone_is_kept() {
    let found =
        issues("[2026-12-17 09:14:02 +0000] [5120] [ERROR] Worker (pid:5123) was sent SIGKILL!\n");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].category.as_str(), "unknown");
}
