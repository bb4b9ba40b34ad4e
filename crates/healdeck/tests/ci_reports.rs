//! Test reports as a source, made by the real runners: pytest's `--junitxml`, Node's junit
//! reporter and Playwright's JSON and junit reporters (with a retry that makes a test flaky),
//! triaged by `healdeck diagnose`; `--format github` checked against GitHub's escaping; and
//! hostile XML (a DTD with entities, an external entity, a report too large) refused with the
//! file and line named.

#[path = "common/testproject.rs"]
mod testproject;
#[path = "common/watch.rs"]
mod watch;

use std::path::Path;
use testproject::SECRET;
use watch::healdeck;

fn diagnose_json(home: &Path, args: &[&str]) -> (serde_json::Value, std::process::Output) {
    let out = healdeck(home)
        .arg("diagnose")
        .args(args)
        .args(["--format", "json"])
        .output()
        .expect("run healdeck");
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (v, out)
}

fn issue_with<'a>(v: &'a serde_json::Value, words: &str) -> &'a serde_json::Value {
    v["issues"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|i| i["title"].as_str().unwrap_or("").contains(words))
        .unwrap_or_else(|| panic!("no issue titled `{words}` in {v:#}"))
}

fn test_ids(issue: &serde_json::Value) -> Vec<&str> {
    issue["tests"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["id"].as_str())
        .collect()
}

#[test]
fn a_real_pytest_report_is_triaged_grouped_and_redacted() {
    let home = tempfile::tempdir().expect("tmp");
    let project = tempfile::tempdir().expect("project");
    let report = testproject::pytest_report(project.path());
    // The folder, not the file: the report is found among other files by its content.
    std::fs::write(
        report.with_file_name("notes.xml"),
        "<notes>not a report</notes>",
    )
    .expect("w");
    let folder = report.parent().expect("folder").display().to_string();
    let (v, out) = diagnose_json(home.path(), &[&folder, "--fail-on", "high"]);
    assert_eq!(out.status.code(), Some(1), "high issues fail the build");
    let run = &v["test_runs"][0];
    assert_eq!(
        (
            &run["tests"],
            &run["passed"],
            &run["failed"],
            &run["errored"],
            &run["skipped"]
        ),
        (
            &serde_json::json!(6),
            &serde_json::json!(1),
            &serde_json::json!(2),
            &serde_json::json!(2),
            &serde_json::json!(1)
        ),
        "{run:#}"
    );
    // Two tests, one cause: one issue listing both.
    let refused = issue_with(&v, "refused");
    assert_eq!(refused["category"], "network", "{refused:#}");
    assert_eq!(
        test_ids(refused),
        ["test_app::test_db", "test_app::test_db_again"]
    );
    assert_eq!(refused["tests"][0]["outcome"], "errored");
    let check = issue_with(&v, "login returned 401");
    assert_eq!(check["category"], "assertion");
    assert_eq!(check["severity"], "high");
    assert_eq!(check["tests"][0]["file"], "test_app.py");
    assert_eq!(check["tests"][0]["line"], 9);
    let keys = issue_with(&v, "KeyError");
    assert_eq!(test_ids(keys), ["test_app::test_keys"]);
    assert!(
        keys["excerpt"]
            .as_str()
            .unwrap_or("")
            .contains("[REDACTED:")
    );
    assert_eq!(v["issues"].as_array().map(Vec::len), Some(3), "{v:#}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains(SECRET), "the planted token leaked");
}

#[test]
fn github_format_annotates_the_tests_and_writes_the_job_summary() {
    let home = tempfile::tempdir().expect("tmp");
    let project = tempfile::tempdir().expect("project");
    let report = testproject::pytest_report(project.path());
    let summary = home.path().join("step_summary.md");
    std::fs::write(&summary, "## an earlier step\n").expect("w");
    let out = healdeck(home.path())
        .current_dir(project.path())
        .args(["diagnose", "--format", "github"])
        .arg(&report)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    // Every line is one command: newlines inside messages are %0A.
    assert!(lines.iter().all(|l| l.starts_with("::error ")), "{stdout}");
    // `:` `,` `%` in properties escaped as GitHub's toolkit does; in the message only `%`.
    let keys = lines
        .iter()
        .find(|l| l.contains("KeyError"))
        .expect("KeyError annotation");
    assert!(
        keys.starts_with(
            "::error file=test_app.py,line=27,title=high [unknown]%3A Test failed%3A KeyError%3A '50%25 of keys%2C missing'::"
        ),
        "{keys}"
    );
    let message = keys
        .split_once("::")
        .map(|x| x.1)
        .and_then(|r| r.split_once("::"))
        .map(|x| x.1);
    assert!(
        message.is_some_and(|m| m.contains("%0ATests: test_app::test_keys (test_app.py:27)")),
        "{keys}"
    );
    assert!(stdout.contains("::error file=test_app.py,line=9,title=high [assertion]%3A Assertion failed%3A login returned 401::"));
    let md = std::fs::read_to_string(&summary).expect("summary");
    assert!(
        md.starts_with("## an earlier step\n# healdeck report"),
        "appended: {md}"
    );
    assert!(md.contains("- Tests in `"), "{md}");
    assert!(
        md.contains("6 tests: 1 passed, 2 failed, 2 errored, 1 skipped"),
        "{md}"
    );
    assert!(md.contains("| 🟠 high | Connection refused"), "{md}");
    assert!(!md.contains(SECRET) && !stdout.contains(SECRET));
}

#[test]
fn node_test_runner_junit_is_read() {
    let Some(version) = testproject::node_version() else {
        panic!("node is needed (the machine's Node.js, or Debian nodejs; .ci/run installs it)");
    };
    if version < (20, 11) {
        eprintln!("node {version:?} has no junit reporter (needs 20.11+): nothing to read");
        return;
    }
    let home = tempfile::tempdir().expect("tmp");
    let project = tempfile::tempdir().expect("project");
    let report = testproject::node_report(project.path());
    let (v, _) = diagnose_json(home.path(), &[&report.display().to_string()]);
    assert_eq!(v["test_runs"][0]["failed"], 1, "{v:#}");
    assert_eq!(v["test_runs"][0]["skipped"], 1);
    let check = issue_with(&v, "strictly equal");
    assert_eq!(check["category"], "assertion");
    assert_eq!(test_ids(check), ["test::totals"]);
    let file = check["tests"][0]["file"].as_str().unwrap_or("");
    assert!(file.ends_with("app.test.mjs"), "{file}");
    assert_eq!(check["tests"][0]["line"], 4);
}

#[test]
fn playwright_reports_show_the_flaky_test_and_the_failures() {
    let home = tempfile::tempdir().expect("tmp");
    let project = tempfile::tempdir().expect("project");
    let (json, junit) = testproject::playwright_reports(project.path());
    let (v, _) = diagnose_json(home.path(), &[&json.display().to_string()]);
    let run = &v["test_runs"][0];
    assert_eq!(run["kind"], "playwright");
    assert_eq!(
        (&run["flaky"], &run["failed"]),
        (&serde_json::json!(1), &serde_json::json!(2)),
        "{run:#}"
    );
    let flaky = issue_with(&v, "Flaky test");
    assert_eq!(flaky["category"], "flaky");
    assert_eq!(flaky["severity"], "medium");
    assert_eq!(test_ids(flaky), ["tests/app.spec.ts › retried"]);
    assert!(
        flaky["root_cause"]
            .as_str()
            .unwrap_or("")
            .contains("passed when it ran again")
    );
    let db = issue_with(&v, "5432");
    assert_eq!(db["category"], "database", "{db:#}");
    assert_eq!(
        issue_with(&v, "login returned 401")["category"],
        "assertion"
    );
    // The same run's junit report: the same failures, read from XML.
    let (x, _) = diagnose_json(home.path(), &[&junit.display().to_string()]);
    assert_eq!(x["test_runs"][0]["kind"], "junit");
    issue_with(&x, "login returned 401");
    issue_with(&x, "5432");
}

#[test]
fn hostile_reports_are_refused_with_file_and_line() {
    let home = tempfile::tempdir().expect("tmp");
    let dir = home.path();
    let laughs = dir.join("laughs.xml");
    let mut text =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n");
    for n in 1..10 {
        let prev = if n == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", n - 1)
        };
        text.push_str(&format!(
            " <!ENTITY lol{n} \"{}\">\n",
            format!("&{prev};").repeat(10)
        ));
    }
    text.push_str("]>\n<testsuites><testcase name=\"&lol9;\"><failure>&lol9;</failure></testcase></testsuites>\n");
    std::fs::write(&laughs, text).expect("w");
    let xxe = dir.join("xxe.xml");
    std::fs::write(
        &xxe,
        "<?xml version=\"1.0\"?>\n<testsuites>\n<testcase name=\"x\"><failure>&xxe;</failure></testcase></testsuites>\n",
    )
    .expect("w");
    // A report over the size limit, without writing it: a sparse file.
    let huge = dir.join("huge.xml");
    let f = std::fs::File::create(&huge).expect("create");
    std::io::Write::write_all(&mut &f, b"<testsuites><testcase name=\"").expect("w");
    f.set_len(300 << 20).expect("grow");
    let out = healdeck(dir)
        .arg("diagnose")
        .args([&laughs, &xxe, &huge])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "nothing usable");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "laughs.xml: JUnit XML test report: line 2: a DTD (<!DOCTYPE …>) is not allowed"
        ),
        "{err}"
    );
    assert!(
        err.contains("xxe.xml: JUnit XML test report: line 3: unknown entity &xxe;"),
        "{err}"
    );
    assert!(
        err.contains("huge.xml: JUnit XML test report: test report of 300 MiB refused"),
        "{err}"
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("lollollol"));
}

#[test]
fn the_documented_workflow_commands_run_as_written() {
    let workflow = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/ci/healdeck.yml"),
    )
    .expect("docs/ci/healdeck.yml");
    let commands: Vec<&str> = workflow
        .lines()
        .map(|l| l.trim().trim_start_matches("run: "))
        .filter(|l| l.starts_with("healdeck diagnose"))
        .collect();
    assert_eq!(commands.len(), 2, "{commands:?}");
    let home = tempfile::tempdir().expect("tmp");
    let project = tempfile::tempdir().expect("project");
    testproject::pytest_report(project.path());
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_healdeck"))
        .parent()
        .expect("bin dir")
        .display()
        .to_string();
    let summary = home.path().join("summary.md");
    for command in commands {
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(format!("notify=()\n{command}"))
            .current_dir(project.path())
            .env(
                "PATH",
                format!("{bin}:{}", std::env::var("PATH").unwrap_or_default()),
            )
            .env("HEALDECK_CONFIG_DIR", home.path().join("config"))
            .env("HEALDECK_DATA_DIR", home.path().join("data"))
            .env("GITHUB_STEP_SUMMARY", &summary)
            .output()
            .expect("bash");
        let err = String::from_utf8_lossy(&out.stderr);
        // `--fail-on high` turns the job red on these failures; nothing else may go wrong.
        assert!(matches!(out.status.code(), Some(0 | 1)), "{command}: {err}");
        if !command.contains('>') {
            assert!(!out.stdout.is_empty(), "{command} printed nothing: {err}");
        }
    }
    let artifact = std::fs::read_to_string(project.path().join("healdeck-report.json"))
        .expect("the JSON report the workflow uploads");
    let v: serde_json::Value = serde_json::from_str(&artifact).expect("JSON");
    assert_eq!(v["test_runs"][0]["tests"], 6);
    assert!(std::fs::read_to_string(&summary).is_ok_and(|s| s.contains("# healdeck report")));
}
