//! Event assembly on real shapes of failures.

use super::*;

fn span_of(text: &str, first_line: usize) -> (EventKind, usize, String) {
    let buf = text.as_bytes();
    let mut start = 0;
    for _ in 0..first_line {
        start = line_end(buf, start) + 1;
    }
    let s = assemble(buf, start);
    (s.kind, s.lines, text[s.start..s.end].to_string())
}

#[test]
fn python_chained_traceback_is_one_event() {
    let text = "INFO start\nTraceback (most recent call last):\n  File \"a.py\", line 1, in <module>\n    import foo\nModuleNotFoundError: No module named 'foo'\n\nDuring handling of the above exception, another exception occurred:\n\nTraceback (most recent call last):\n  File \"a.py\", line 3, in <module>\n    raise RuntimeError('x')\nRuntimeError: x\nINFO next\n";
    let (kind, lines, body) = span_of(text, 1);
    assert_eq!(kind, EventKind::PythonTraceback);
    assert_eq!(lines, 11, "{body}");
    assert!(body.ends_with("RuntimeError: x\n"));
}

#[test]
fn header_line_joins_its_traceback() {
    let text = "2024-01-01 ERROR app: boom\nTraceback (most recent call last):\n  File \"x\", line 1\nValueError: bad\nnext\n";
    let (kind, lines, _) = span_of(text, 0);
    assert_eq!((kind, lines), (EventKind::PythonTraceback, 4));
}

#[test]
fn an_exception_message_goes_on_over_plain_lines_to_a_blank_one() {
    let ray = "Traceback (most recent call last):\n  File \"train.py\", line 88, in <module>\n    results = ray.get(futures)\nray.exceptions.OutOfMemoryError: Task was killed due to the node running low on memory.\nMemory on the node (IP: 192.0.2.41) where the task was running was 61.20GB / 64.00GB (0.956), which exceeds the memory usage threshold of 0.95.\nPID\tMEM(GB)\tCOMMAND\n21911\t12.18\tray::preprocess\nRefer to the documentation on how to address the out of memory issue.\n\n---------------------------------------\n";
    assert_eq!(span_of(ray, 0).1, 8);
    // A record after the exception is the next event, and so is anything with a time.
    let carbon = "Traceback (most recent call last):\n  File \"w.py\", line 3, in create\nIOError: [Errno 2] No such file or directory: '/x.wsp'\n07/12/2026 06:10:15 :: Sorted 11897 cache queues\n\n";
    assert_eq!(span_of(carbon, 0).1, 3);
}

#[test]
fn traceback_logged_as_the_message_is_one_event() {
    // `logger.error(traceback.format_exc())` puts "Traceback …" on the header's line.
    let text = "2026-11-30 19:30:00 ERROR Traceback (most recent call last):\n  File \"/srv/app.py\", line 1, in <module>\n    import yaml\nModuleNotFoundError: No module named 'yaml'\n2026-11-30 19:30:01 INFO next\n";
    let (kind, lines, body) = span_of(text, 0);
    assert_eq!((kind, lines), (EventKind::PythonTraceback, 4), "{body}");
    // An INFO line ending that way is not a failure's header.
    let text = "INFO printing Traceback (most recent call last):\n  File \"x\"\nValueError: bad\n";
    assert_eq!(span_of(text, 0).0, EventKind::Line);
    // A WARNING record's message that is a traceback is one (ComfyUI's failed custom node).
    let text = "2025-03-14 09:12:04,551 - root - WARNING - Traceback (most recent call last):\n  File \"/opt/nodes.py\", line 2131, in load_custom_node\n    module_spec.loader.exec_module(module)\nModuleNotFoundError: No module named 'colour'\n\n";
    assert_eq!(span_of(text, 0).0, EventKind::PythonTraceback);
    assert_eq!(span_of(text, 0).1, 4);
}

#[test]
fn info_line_is_not_a_header() {
    let text = "INFO evaluating, errors=0\nTraceback (most recent call last):\n  File \"x\"\nValueError: bad\n";
    let (kind, lines, _) = span_of(text, 0);
    assert_eq!((kind, lines), (EventKind::Line, 1));
}

#[test]
fn java_stack_with_cause_and_header() {
    let text = "2024-01-01 12:00:00 ERROR [main] App - Startup failed\norg.springframework.beans.factory.BeanCreationException: Error creating bean\n\tat org.A.b(A.java:1)\n\tat org.A.c(A.java:2)\nCaused by: java.net.ConnectException: Connection refused\n\tat x.y(Z.java:3)\n\t... 12 more\n2024-01-01 12:00:01 INFO next\n";
    let (kind, lines, _) = span_of(text, 0);
    assert_eq!((kind, lines), (EventKind::Stack, 7));
}

#[test]
fn node_error_with_require_stack() {
    let text = "node:internal/modules/cjs/loader:1080\n  throw err;\n  ^\n\nError: Cannot find module 'express'\nRequire stack:\n- /app/server.js\n    at Module._resolveFilename (node:internal/modules/cjs/loader:1077:15)\n    at Module._load (node:internal/modules/cjs/loader:922:27) {\n  code: 'MODULE_NOT_FOUND',\n  requireStack: [ '/app/server.js' ]\n}\n\nNode.js v18.17.0\n";
    let (kind, lines, _) = span_of(text, 4);
    assert_eq!(kind, EventKind::Stack);
    assert_eq!(lines, 8);
}

#[test]
fn rust_panic_new_format_with_backtrace() {
    let text = "thread 'main' panicked at src/main.rs:4:5:\nindex out of bounds: the len is 3 but the index is 99\nstack backtrace:\n   0: rust_begin_unwind\n             at /rustc/x/library/std/src/panicking.rs:645:5\nnote: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose backtrace.\nnormal line\n";
    let (kind, lines, _) = span_of(text, 0);
    assert_eq!((kind, lines), (EventKind::RustPanic, 6));
}

#[test]
fn go_panic_with_goroutines() {
    let text = "panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x47c1e5]\n\ngoroutine 1 [running]:\nmain.main()\n\t/tmp/x.go:8 +0x15\n\ngoroutine 6 [chan receive]:\nmain.worker()\n\t/tmp/x.go:20 +0x2a\nexit status 2\n\nnext thing\n";
    let (kind, lines, _) = span_of(text, 0);
    assert_eq!((kind, lines), (EventKind::GoPanic, 11));
}

#[test]
fn go_dump_stops_at_the_next_log_line_without_a_blank() {
    let text = "panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/x/main.go:5 +0x1d\nnet/http.(*conn).serve(0xc0001ad040)\n\t/usr/local/go/src/net/http/server.go:1769 +0x139\ncreated by main.main in goroutine 1\n\t/x/main.go:3 +0x20\n2024-05-01T12:00:00Z INFO next request\nModuleNotFoundError: No module named 'x'\n";
    let (kind, lines, _) = span_of(text, 0);
    assert_eq!((kind, lines), (EventKind::GoPanic, 9));
}

#[test]
fn cargo_build_script_block_includes_indented_panic() {
    let text = "error: failed to run custom build command for `openssl-sys v0.9.102`\n\nCaused by:\n  process didn't exit successfully: `/t/build-script-build` (exit status: 101)\n  --- stderr\n  thread 'main' panicked at build.rs:1:1:\n  Could not find directory of OpenSSL installation\nwarning: build failed, waiting for other jobs to finish...\n";
    let (kind, lines, _) = span_of(text, 0);
    assert_eq!((kind, lines), (EventKind::ToolBlock, 7));
}

#[test]
fn timestamped_record_keeps_its_body() {
    let text = "[ERROR] 2023-10-26 19:57:30.940 [main] o.s.b.d.LoggingFailureAnalysisReporter: \n\n***\nAPPLICATION FAILED TO START\n***\n\nDescription:\n\nWeb server failed to start. Port 5081 was already in use.\n\n[INFO] 2023-10-26 19:57:31.000 next\n";
    let (kind, lines, body) = span_of(text, 0);
    assert_eq!((kind, lines), (EventKind::Line, 9), "{body}");
    assert!(body.trim_end().ends_with("already in use."));
    assert!(starts_record(b"2024/01/15 10:23:45 [error] x"));
    assert!(starts_record(b"May  1 02:03:04 host kernel: x"));
    assert!(!starts_record(
        b"10.0.0.1 - - [10/Oct/2023:13:55:36 +0000] x"
    ));
}

#[test]
fn an_sbt_report_is_one_event_but_lone_error_records_are_not() {
    let sbt = "[info] done compiling\n[error] /src/InvoiceService.scala:57:32: type mismatch;\n[error]  found   : Option[java.math.BigDecimal]\n[error]  required: scala.math.BigDecimal\n[error]                                ^\n[error] one error found\n[info] compiling 6 Scala sources\n";
    let (kind, lines, body) = span_of(sbt, 1);
    assert_eq!((kind, lines), (EventKind::ToolBlock, 5), "{body}");
    // CouchDB opens each record with `[error] `: one after another they stay records.
    let couch = "[error] 2026-11-26T10:21:47.673186Z couchdb@127.0.0.1 <0.1733.0> -------- Replicator, request POST failed\n[error] 2026-11-26T10:21:47.673548Z couchdb@127.0.0.1 <0.421.0> -------- Replication failed\n";
    let (kind, lines, _) = span_of(couch, 0);
    assert_eq!((kind, lines), (EventKind::Line, 1));
}

#[test]
fn an_event_viewer_export_record_runs_to_the_end_of_its_quoted_message() {
    let text = "Error\t12/1/2026 9:03:12 AM\tService Control Manager\t7038\tNone\t\"The Acme service was unable to log on as CORP\\svc with the currently configured password due to the following error: \nLogon failure: the user has not been granted the requested logon type at this computer.\n\nThis service account does not have the required user right \"\"Log on as a service.\"\"\n\nAssign it.\"\nError\t12/1/2026 9:03:12 AM\tService Control Manager\t7000\tNone\tThe Acme service failed to start.\n";
    let (_, lines, body) = span_of(text, 0);
    assert_eq!(lines, 6, "{body}");
    assert!(body.trim_end().ends_with("Assign it.\""), "{body}");
    // A record whose message is on its line alone is one line.
    let (_, lines, _) = span_of(text, 6);
    assert_eq!(lines, 1);
}

#[test]
fn npm_err_run_is_one_event() {
    let text = "npm ERR! code ERESOLVE\nnpm ERR! ERESOLVE unable to resolve dependency tree\nnpm ERR! Found: react@18.2.0\nadded 3 packages\n";
    let (kind, lines, _) = span_of(text, 0);
    assert_eq!((kind, lines), (EventKind::ToolBlock, 3));
}

#[test]
fn single_line_and_crlf() {
    let text = "a 500 thing\r\nnext\r\n";
    let (kind, lines, body) = span_of(text, 0);
    assert_eq!((kind, lines), (EventKind::Line, 1));
    assert_eq!(body, "a 500 thing\r\n");
    assert_eq!(line_at(text.as_bytes(), 0), b"a 500 thing");
}

#[test]
fn event_at_buffer_end_without_newline() {
    let text = "Traceback (most recent call last):\n  File \"x\"\nKeyError: 'a'";
    let (kind, lines, body) = span_of(text, 0);
    assert_eq!((kind, lines), (EventKind::PythonTraceback, 3));
    assert!(body.ends_with("'a'"));
}

#[test]
fn an_error_record_whose_message_runs_on_keeps_the_traceback_logged_with_it() {
    let text = "[2024-02-27 12:00:00,017: ERROR/MainProcess] Received unregistered task of type 'a.b'.\n\
The message has been ignored and discarded.\n\
\n\
Did you remember to import the module containing this task?\n\
Traceback (most recent call last):\n  File \"consumer.py\", line 658, in on_task_received\n    strategy = strategies[type_]\n\
KeyError: 'a.b'\n\
[2024-02-27 12:00:05,311: INFO/MainProcess] Task x received\n";
    let (kind, lines, body) = span_of(text, 0);
    assert_eq!((kind, lines), (EventKind::PythonTraceback, 8));
    assert!(body.trim_end().ends_with("KeyError: 'a.b'"), "{body}");
    // A WARN record, or a record a new record follows, keeps to itself.
    let warn = text.replacen("ERROR/", "WARNING/", 1);
    assert_eq!(span_of(&warn, 0).1, 1);
    let other = "2024-01-01 10:00:00 ERROR one\n2024-01-01 10:00:01 INFO two\nTraceback (most recent call last):\n  File \"x\", line 1\nKeyError: 'k'\n";
    assert_eq!(span_of(other, 0).1, 1);
}

#[test]
fn an_error_record_a_blank_line_and_its_exception_are_one_event() {
    // Spring Boot's console: Hikari's record, a blank line, then the exception it logged.
    let text = "2024-04-10T07:31:04.390Z  INFO 1 --- [main] c.z.h.HikariDataSource : HikariPool-1 - Starting...\n\
        2024-04-10T07:31:04.512Z ERROR 1 --- [main] c.z.h.pool.HikariPool : HikariPool-1 - Exception during pool initialization.\n\
        \n\
        org.postgresql.util.PSQLException: Connection to localhost:5432 refused.\n\
        \tat org.postgresql.core.v3.ConnectionFactoryImpl.openConnectionImpl(ConnectionFactoryImpl.java:346)\n\
        \tat org.postgresql.Driver.connect(Driver.java:298)\n\
        2024-04-10T07:31:04.520Z  WARN 1 --- [main] o.h.e.j.e.i.JdbcEnvironmentInitiator : HHH000342\n";
    let (kind, lines, body) = span_of(text, 1);
    assert_eq!((kind, lines), (EventKind::Stack, 5), "{body}");
    // An INFO record over a blank line and an exception does not claim it, and neither does
    // cargo's `error:` line over its `Caused by:` block (a report of its own shape).
    let info = text.replace(" ERROR 1", "  INFO 1");
    assert_eq!(span_of(&info, 1).1, 1);
    let cargo = "error: failed to run custom build command for `openssl-sys v0.9.57`\n\nCaused by:\n  process didn't exit successfully\n";
    assert_ne!(span_of(cargo, 0).0, EventKind::Stack);
}

#[test]
fn a_python_traceback_through_the_journal_is_one_event() {
    let text = "Dec 03 11:04:52 gpu-07 python[5521]: [2024-12-03 11:04:52] INFO: stage 2\nDec 03 11:05:47 gpu-07 python[5521]: Traceback (most recent call last):\nDec 03 11:05:47 gpu-07 python[5521]:   File \"/opt/train.py\", line 211, in <module>\nDec 03 11:05:47 gpu-07 python[5521]:     main()\nDec 03 11:05:47 gpu-07 python[5521]: torch.cuda.OutOfMemoryError: CUDA out of memory.\nDec 03 11:05:48 gpu-07 systemd[1]: trainer.service: Main process exited, code=exited, status=1/FAILURE\n";
    let (kind, lines, body) = span_of(text, 1);
    assert_eq!((kind, lines), (EventKind::PythonTraceback, 4), "{body}");
    assert!(body.ends_with("CUDA out of memory.\n"));
    // The frames are no message lines; the exception line is.
    let frame = "Dec 03 11:05:47 gpu-07 python[5521]:     main()";
    assert!(!is_message_line(
        EventKind::PythonTraceback,
        frame.as_bytes(),
        2
    ));
    let exception = "Dec 03 11:05:47 gpu-07 python[5521]: torch.cuda.OutOfMemoryError: x";
    assert!(is_message_line(
        EventKind::PythonTraceback,
        exception.as_bytes(),
        3
    ));
    // Another process's lines end it.
    let text = "Dec 03 11:05:47 h python[1]: Traceback (most recent call last):\nDec 03 11:05:47 h python[2]:   File \"a.py\", line 1, in <module>\n";
    assert_eq!(span_of(text, 0).1, 1);
}

#[test]
fn a_twisted_traceback_runs_past_where_the_exception_was_caught() {
    let text = "00:00:40 [CRITICAL][twisted:147 ] Unhandled Error\nTraceback (most recent call last):\n  File \"/usr/lib/twisted/internet/base.py\", line 1325, in mainLoop\n    reactorBaseSelf.runUntilCurrent()\n--- <exception caught here> ---\n  File \"/usr/lib/twisted/internet/base.py\", line 991, in runUntilCurrent\n    call.func(*call.args, **call.kw)\nbuiltins.KeyError: 'disk.num_blocks_cache_hits'\n00:00:41 [INFO    ][deluge.core] next\n";
    let (kind, lines, body) = span_of(text, 0);
    assert_eq!((kind, lines), (EventKind::PythonTraceback, 8), "{body}");
    assert!(body.ends_with("builtins.KeyError: 'disk.num_blocks_cache_hits'\n"));
}

#[test]
fn a_rails_error_report_of_one_request_is_one_event() {
    let text = "web_1 | F, [2019-05-18T14:48:53.547875 #1] FATAL -- : [67c3] ActionView::Template::Error (undefined method `name' for nil:NilClass):\nweb_1 | F, [2019-05-18T14:48:53.547880 #1] FATAL -- : [67c3]     11:   <% end %>\nweb_1 | F, [2019-05-18T14:48:53.547889 #1] FATAL -- : [67c3]     13:     <%= @case.agency.name %>\nweb_1 | F, [2019-05-18T14:48:53.547914 #1] FATAL -- : [67c3] app/views/cases/show.html.erb:13:in `_app_views'\nweb_1 | F, [2019-05-18T14:48:54.000000 #1] FATAL -- : [9a9a] ActionController::RoutingError (No route matches [GET] \"/x\"):\n";
    let (kind, lines, body) = span_of(text, 0);
    assert_eq!((kind, lines), (EventKind::Line, 4), "{body}");
}

#[test]
fn a_cargo_error_inside_a_buildkit_step_keeps_its_indented_report() {
    let text = "#5 18.31 error: failed to run custom build command for `openssl-sys v0.9.101`\n#5 18.31 \n#5 18.31 Caused by:\n#5 18.31   process didn't exit successfully: `build-script-main` (exit status: 101)\n#5 18.31   --- stderr\n#5 18.31   thread 'main' panicked at '\n#5 18.31 \n#5 18.31   Could not find directory of OpenSSL installation\n#5 18.33 warning: build failed, waiting for other jobs to finish...\n";
    let (kind, lines, body) = span_of(text, 0);
    assert_eq!((kind, lines), (EventKind::ToolBlock, 8), "{body}");
}

#[test]
fn an_opam_build_failure_inside_a_buildkit_step_is_one_event_with_its_report() {
    let text = "#8 96.41 [ERROR] The compilation of liquidsoap failed at \"/usr/bin/make\".\n#8 96.41 \n#8 96.41 #=== ERROR while compiling liquidsoap.1.4.0 ====#\n#8 96.41 # exit-code   2\n#8 96.41 ### output ###\n#8 96.41 # Error: Unbound module Dtools\n#8 96.41 \n#8 96.41 \n#8 96.41 <><> Error report <><><><>\n#8 96.41 \u{250c}\u{2500} The following actions failed\n#8 96.41 \u{2502} \u{3bb} build liquidsoap 1.4.0\n#8 96.41 \u{2514}\u{2500} \n#8 96.41 \u{2576}\u{2500} No changes have been performed\n#8 ERROR: process \"/bin/sh -c opam install -y liquidsoap.1.4.0\" did not complete successfully: exit code: 31\n";
    let (kind, lines, body) = span_of(text, 0);
    assert_eq!((kind, lines), (EventKind::ToolBlock, 13), "{body}");
}

#[test]
fn esbuild_nextflow_and_crystal_reports_are_one_event_each() {
    let esbuild = "\u{2718} [ERROR] Expected \">\" but found \"{\"\n\n    src/CodePush.js:584:30:\n      584 \u{2502}   return <Root {...props} />\n          \u{2575}               >\n\n1 error\n";
    assert_eq!(span_of(esbuild, 0).1, 7, "{}", span_of(esbuild, 0).2);
    let nextflow = "ERROR ~ Error executing process > 'STATS (M1)'\n\nCaused by:\n  Missing output file(s) `M1.stats` expected by process `STATS (M1)`\n\nCommand executed:\n\n  samtools stats M1.cram > M1.stats\n\nTip: when you have fixed the problem you can continue with `-resume`\n\n -- Check '.nextflow.log' file for details\n[Pipeline] }\n";
    assert_eq!(span_of(nextflow, 0).1, 12, "{}", span_of(nextflow, 0).2);
    let crystal = "Unhandled exception:  (DB::ConnectionRefused)\n  from lib/pg/src/pg/connection.cr:11:9 in 'initialize'\nCaused by: Cannot establish connection (PQ::ConnectionError)\n  from lib/pg/src/pq/connection.cr:23 in 'new'\ninvidious-1 exited with code 1\n";
    assert_eq!(
        span_of(crystal, 0),
        (
            EventKind::Stack,
            4,
            crystal[..crystal.find("invidious").unwrap_or(0)].to_string()
        )
    );
}

#[test]
fn a_spring_failure_report_through_the_journal_is_one_event() {
    let text = "Feb 11 14:02:24 app03 java[48213]: 2026-02-11T14:02:24.031Z ERROR 48213 --- [main] o.s.b.d.LoggingFailureAnalysisReporter   :\nFeb 11 14:02:24 app03 java[48213]: \nFeb 11 14:02:24 app03 java[48213]: ***************************\nFeb 11 14:02:24 app03 java[48213]: APPLICATION FAILED TO START\nFeb 11 14:02:24 app03 java[48213]: ***************************\nFeb 11 14:02:24 app03 java[48213]: Description:\nFeb 11 14:02:24 app03 java[48213]: Web server failed to start. Port 8080 was already in use.\nFeb 11 14:02:24 app03 systemd[1]: inventory.service: Main process exited, code=exited, status=1/FAILURE\n";
    let (_, lines, body) = span_of(text, 0);
    assert_eq!(lines, 7, "{body}");
    assert!(body.ends_with("Port 8080 was already in use.\n"));
}

#[test]
fn a_terraform_error_report_runs_over_its_paragraphs() {
    let text = "$ terraform plan -no-color\n\nError: Unsupported argument\n\n  on main.tf line 18, in module \"network\":\n  18:   region          = var.region\n\nAn argument named \"region\" is not expected here.\n$ git diff --stat\n";
    let (kind, lines, body) = span_of(text, 2);
    assert_eq!((kind, lines), (EventKind::ToolBlock, 6), "{body}");
    // A JavaScript error with a colon in its message is no report.
    let text = "Error: Cannot find module 'x'\n\nnext thing\n";
    assert_eq!(span_of(text, 0).1, 1);
}

#[test]
fn a_pytest_section_is_one_event_through_the_runner_s_times() {
    let text = "2026-10-07T16:40:16.2203034Z ==================================== ERRORS ====================================\n2026-10-07T16:40:16.2203611Z ____________________ ERROR collecting tests/test_config.py _____________________\n2026-10-07T16:40:16.2204377Z ImportError while importing test module 'tests/test_config.py'.\n2026-10-07T16:40:16.2205489Z Traceback:\n2026-10-07T16:40:16.2208198Z ingest/config.py:7: in <module>\n2026-10-07T16:40:16.2208651Z     import yaml\n2026-10-07T16:40:16.2209130Z E   ModuleNotFoundError: No module named 'yaml'\n2026-10-07T16:40:16.2209802Z =========================== short test summary info ============================\n";
    let (kind, lines, body) = span_of(text, 1);
    assert_eq!((kind, lines), (EventKind::ToolBlock, 6), "{body}");
}

#[test]
fn an_exception_whose_message_runs_over_lines_keeps_its_frames() {
    let text = "ERROR: Error cloning remote repo 'origin'\nhudson.plugins.git.GitException: Command \"git fetch\" returned status code 128:\nstdout: \nstderr: remote: Invalid username or password.\nfatal: Authentication failed for 'https://github.com/acme/r.git/'\n\n\tat org.jenkinsci.plugins.gitclient.CliGitAPIImpl.launchCommandIn(CliGitAPIImpl.java:2842)\n\tat java.base/java.lang.Thread.run(Thread.java:1583)\nFinished: FAILURE\n";
    let (kind, lines, body) = span_of(text, 0);
    assert_eq!((kind, lines), (EventKind::Stack, 8), "{body}");
}

#[test]
fn a_line_s_needles_are_found_first_and_last_as_memmem_finds_them() {
    use super::lines::{find, rfind};
    let line = b"F, [2019-05-18T14:48:53 #1] FATAL -- : [67c3] x -- : [9a9a] y";
    for needle in [
        &b" -- : ["[..],
        b", [",
        b" #",
        b"y",
        b"F",
        b"zz",
        b"",
        b"x -- : [9a9a] y!",
    ] {
        assert_eq!(
            find(line, needle),
            memchr::memmem::find(line, needle).filter(|_| !needle.is_empty()),
            "{needle:?}"
        );
        assert_eq!(
            rfind(line, needle),
            memchr::memmem::rfind(line, needle).filter(|_| !needle.is_empty()),
            "{needle:?}"
        );
    }
    assert_eq!(find(b"", b"a"), None);
    assert_eq!(rfind(b"aaa", b"aa"), Some(1));
}

#[test]
fn an_exception_named_alone_on_its_line_keeps_its_message_and_frames() {
    // Prisma prints the class, the invocation, two blank lines, the reason, advice, frames.
    let text = "GET / 200 - - 3.1 ms\nPrismaClientInitializationError: \nInvalid `prisma.order.findMany()` invocation:\n\n\nCan't reach database server at `db.internal.example:5432`\n\nPlease make sure your database server is running at `db.internal.example:5432`.\n    at _n.handleRequestError (/srv/shop/node_modules/@prisma/client/runtime/library.js:121:7749)\n    at async loader (file:///srv/shop/build/server/index.js:1184:18) {\n  clientVersion: '5.14.0',\n  errorCode: undefined\n}\nGET /account/orders 500 - - 10061.554 ms\n";
    let (_, lines, body) = span_of(text, 1);
    assert_eq!(lines, 9, "{body}");
    assert!(body.contains("Can't reach database server"), "{body}");
    // A class name ending a sentence with a colon is not a headline when a record follows.
    let text = "ValueError:\n2026-11-30 12:00:00 INFO next\n";
    assert_eq!(span_of(text, 0).1, 1);
}

#[test]
fn an_oracle_connect_error_block_runs_to_the_next_timestamp() {
    let text = "2026-11-23T10:05:41.118254+00:00\n\n***********************************************************************\n\nFatal NI connect error 12170, connecting to:\n (ADDRESS=(PROTOCOL=tcp)(HOST=198.51.100.27)(PORT=47372))\n\n  VERSION INFORMATION:\n\tTNS for Linux: Version 19.0.0.0.0 - Production\n  Tns error struct:\n    ns main err code: 12535\n    \nTNS-12535: TNS:operation timed out\n    ns secondary err code: 12606\n\n2026-11-23T10:05:42.004511+00:00\n";
    let (_, lines, body) = span_of(text, 4);
    assert_eq!(lines, 10, "{body}");
    assert!(
        body.contains("TNS-12535: TNS:operation timed out"),
        "{body}"
    );
}

#[test]
fn each_row_of_an_ipmi_event_list_is_its_own_record() {
    let text = "  12 | 11/09/2026 | 22:41:07 | Power Supply PS2 Status | Power Supply AC lost | Asserted\n  13 | 11/09/2026 | 22:41:08 | Power Supply PS2 Status | Failure detected | Asserted\n   1a | 11/21/2026 | 14:05:20 | Processor #0x40 | Uncorrectable machine check exception | Asserted\n";
    for first in 0..3 {
        assert_eq!(span_of(text, first).1, 1, "row {first}");
    }
}

#[test]
fn an_exception_printed_again_after_the_record_that_quoted_it_is_one_event() {
    // Solr quotes the exception in the record, prints a frame, then the exception in full.
    let text = "2026-11-22 06:01:17.944 ERROR (coreContainerWorkExecutor-2-thread-1) [   ] o.a.s.c.CoreContainer Error waiting for SolrCore to be loaded on startup => org.apache.solr.common.SolrException: Unable to create core [products]\n\tat org.apache.solr.core.CoreContainer.createFromDescriptor(CoreContainer.java:1681)\norg.apache.solr.common.SolrException: Unable to create core [products]\n\tat org.apache.solr.core.CoreContainer.createFromDescriptor(CoreContainer.java:1681) ~[?:?]\nCaused by: java.nio.file.AccessDeniedException: /var/solr/data/products/data/index/write.lock\n\tat sun.nio.fs.UnixException.translateToIOException(UnixException.java:90) ~[?:?]\n\t... 11 more\n2026-11-22 06:01:18.120 INFO  (main) [   ] o.e.j.s.Server Started\n";
    let (kind, lines, body) = span_of(text, 0);
    assert_eq!((kind, lines), (EventKind::Stack, 7), "{body}");
    // Another exception after the frames is another event.
    let other = text.replacen(
        "\norg.apache.solr.common.SolrException: Unable",
        "\norg.apache.solr.common.ZkException: Unable",
        1,
    );
    assert_eq!(span_of(&other, 0).1, 2);
}

#[test]
fn an_error_record_over_an_exception_and_a_blank_line_is_one_event() {
    // Neo4j logs the record, the exception alone, then a blank line.
    let text = "2026-11-28 13:47:05.391+0000 ERROR Worker for session '985f' crashed. Java heap space\njava.lang.OutOfMemoryError: Java heap space\n\n2026-11-28 13:47:06.000+0000 INFO  next\n";
    let (_, lines, body) = span_of(text, 0);
    assert_eq!(lines, 2, "{body}");
}

#[test]
fn each_indented_zabbix_record_is_its_own() {
    let text = "  1911:20261127:041512.318 Zabbix agent item \"vfs.fs.size[/var,pfree]\" on host \"web-03\" failed: first network error, wait for 15 seconds\n  1912:20261127:041527.402 Zabbix agent item \"system.cpu.load[all,avg1]\" on host \"web-03\" failed: another network error, wait for 15 seconds\n  1905:20261127:051744.019 [Z3001] connection to database 'zabbix' failed: [0] could not connect to server: Connection refused\n\tIs the server running on host \"192.0.2.60\" and accepting\n\tTCP/IP connections on port 5432?\n  1905:20261127:051744.019 database is down: reconnecting in 10 seconds\n";
    assert_eq!(span_of(text, 0).1, 1);
    assert_eq!(span_of(text, 1).1, 1);
    // The database error keeps its tab-indented explanation.
    assert_eq!(span_of(text, 2).1, 3);
}

#[test]
fn scylla_records_behind_the_journal_are_each_their_own() {
    let text = "Nov 22 09:41:02 scylla-03 scylla[2211]:  [shard 0] gossip - Fail to send EchoMessage to 198.51.100.12:0: seastar::rpc::timeout_error (rpc call timed out)\nNov 22 09:41:04 scylla-03 scylla[2211]:  [shard 0] gossip - Fail to send EchoMessage to 198.51.100.12:0: seastar::rpc::timeout_error (rpc call timed out)\n";
    assert_eq!(span_of(text, 0).1, 1);
}

#[test]
fn a_suite_heading_does_not_take_its_passed_tests_as_its_lines() {
    let text = "2026-12-05T10:12:44.5967144Z   Error pages\n2026-12-05T10:12:45.3376246Z     ✓ renders the 404 page for an unknown product slug (633ms)\n2026-12-05T10:12:45.9561822Z     ✓ shows \"Access denied\" for a 403 from the admin API (548ms)\n";
    let (_, lines, body) = span_of(text, 0);
    assert_eq!(lines, 1, "{body}");
}

#[test]
fn a_powershell_error_record_is_one_event_from_its_message_to_its_error_id() {
    let text = concat!(
        "[2026-12-03 02:00:21] Removed D:\\Archive\\a.pdf\n",
        "Remove-Item : Cannot remove item D:\\Archive\\f.xlsx: Access to the path 'f.xlsx' is denied.\n",
        "At C:\\Scripts\\Sync-Reports.ps1:131 char:13\n",
        "+             Remove-Item -LiteralPath $old.FullName -Force\n",
        "+             ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n",
        "    + CategoryInfo          : PermissionDenied: (f.xlsx:FileInfo) [Remove-Item], UnauthorizedAccessException\n",
        "    + FullyQualifiedErrorId : RemoveFileSystemItemUnAuthorizedAccess,Microsoft.PowerShell.Commands.RemoveItemCommand\n",
        "[2026-12-03 02:00:21] Removed D:\\Archive\\b.csv\n",
    );
    let (kind, lines, body) = span_of(text, 1);
    assert_eq!((kind, lines), (EventKind::ToolBlock, 6), "{body}");
    // Found from its CategoryInfo line, it starts at its message.
    let buf = text.as_bytes();
    let category = text.find("    + CategoryInfo").expect("field");
    let start = lead_start(buf, category, 0);
    assert!(
        text[start..].starts_with("Remove-Item : "),
        "{}",
        &text[start..]
    );
}

#[test]
fn a_report_between_rulers_runs_over_its_sections_to_the_handlers() {
    let tag = "Nov 28 03:15:31 web03 chef-client[2211]: ";
    let body = [
        "    ================================================================================",
        "    Error executing action `create` on resource 'remote_file[/opt/x.tar.gz]'",
        "    ================================================================================",
        "",
        "    Errno::ENOSPC",
        "    -------------",
        "    No space left on device @ io_write - /var/chef/cache/chef-rest",
        "",
        "    System Info:",
        "    ------------",
        "    chef_version=18.6.2",
        "",
        "Running handlers:",
        "[2026-11-28T03:15:31+00:00] ERROR: Running exception handlers",
    ];
    let text: String = body.iter().map(|l| format!("{tag}{l}\n")).collect();
    let (kind, lines, got) = span_of(&text, 1);
    assert_eq!((kind, lines), (EventKind::ToolBlock, 10), "{got}");
    assert!(got.contains("chef_version=18.6.2") && !got.contains("Running handlers"));
}

#[test]
fn a_glog_line_starts_a_record_so_a_body_above_it_ends_there() {
    assert!(starts_record(
        b"E1203 10:03:41.551903       1 sync.go:292] \"Failed to determine a valid solver\""
    ));
    assert!(!starts_record(b"E1203 is not a time"));
    assert!(starts_record(
        b"[2026.12.04-20.38.12:331][9120]LogD3D12RHI: Error: GetCompletedValue() failed"
    ));
    let text = concat!(
        "Dec 02 09:00:58 obs-gw01 otelcol-contrib[2710]: Error: failed to get config: cannot unmarshal the configuration: 1 error(s) decoding:\n",
        "10.0.1.2 - - [01/May/2024:12:00:00 +0000] \"GET /api/items/12 HTTP/1.1\" 200 512 \"-\" \"Mozilla/5.0\"\n",
        "E1203 10:03:41.551903       1 sync.go:292] \"no configured challenge solvers can be used for this challenge\"\n",
    );
    let (_, lines, body) = span_of(text, 0);
    assert_eq!(lines, 2, "{body}");
}

#[test]
fn dagster_serialized_errors_are_one_event_each() {
    // A step failure: the record, then the error, its frames and the exception that caused
    // it, each after a blank line, as Dagster prints its serialized errors.
    let text = concat!(
        "2026-12-03 02:00:12 +0000 - dagster - ERROR - job - 3f9c - 41139 - enrich - STEP_FAILURE - Execution of step \"enrich\" failed.\n",
        "\n",
        "dagster._core.errors.DagsterExecutionStepExecutionError: Error occurred while executing op \"enrich\":\n",
        "\n",
        "  File \"/usr/lib/dagster/utils.py\", line 84, in op_execution_error_boundary\n",
        "    raise error_cls(\n",
        "\n",
        "The above exception was caused by the following exception:\n",
        "TypeError: 'NoneType' object is not iterable\n",
        "\n",
        "  File \"/opt/app/ops.py\", line 88, in enrich\n",
        "    for line in order[\"lines\"]:\n",
        "\n",
        "2026-12-03 02:00:13 +0000 - dagster - DEBUG - job - 3f9c - 41123 - ENGINE_EVENT - exited\n",
    );
    let (kind, lines, body) = span_of(text, 0);
    assert_eq!((kind, lines), (EventKind::Stack, 12), "{body}");
    assert!(body.ends_with("order[\"lines\"]:\n"), "{body}");
    // A warning over `Stack Trace:` and its frames.
    let text = concat!(
        "2026-12-03 04:12:30 +0000 - dagster.daemon - WARNING - Failure loading location x due to error: dagster._core.errors.DagsterUserCodeUnreachableError: Could not reach user code server.\n",
        "\n",
        "Stack Trace:\n",
        "  File \"/usr/lib/dagster/context.py\", line 820, in _load_location\n",
        "    else origin.create_location(self.instance)\n",
        "\n",
        "2026-12-03 04:13:21 +0000 - dagster-webserver - INFO - refreshing\n",
    );
    let (kind, lines, body) = span_of(text, 0);
    assert_eq!((kind, lines), (EventKind::Stack, 5), "{body}");
    // A blank line before an ordinary indented line is no frame's gap: a Java stack ends there.
    let text = "2024-01-01 ERROR x\njava.lang.IllegalStateException: boom\n\tat a.B.c(B.java:1)\n\n    not a frame\n";
    let (_, lines, body) = span_of(text, 0);
    assert_eq!(lines, 3, "{body}");
}

#[test]
fn a_failure_line_does_not_take_access_records_as_its_message() {
    // A Go fatal error behind a journal tag, three access-log lines, then a traceback: the
    // access records are no lines of the fatal error's message (Celery's shape is).
    let access =
        "10.0.1.2 - - [01/May/2024:12:00:00 +0000] \"GET /api/items/12 HTTP/1.1\" 200 512\n";
    let text = format!(
        "Dec 04 10:00:00 gw03 tailscaled[811]: fatal error: all goroutines are asleep - deadlock!\n{access}{access}{access}Traceback (most recent call last):\n  File \"train.py\", line 41, in <module>\ntorch.OutOfMemoryError: CUDA out of memory.\n"
    );
    let (_, lines, body) = span_of(&text, 0);
    assert_eq!(lines, 1, "{body}");
}

#[test]
fn an_error_record_quoting_a_response_is_one_event_with_its_stack() {
    // electron-log: the error, the response body and headers it quotes, then the frames.
    let text = concat!(
        "[2026-11-25 08:41:04.963] [error] Error: Cannot find latest.yml in the latest release artifacts (https://example.com/latest.yml): HttpError: 404 \n",
        "\"method: GET url: https://example.com/latest.yml\\n\\nPlease double check that your authentication token is correct.\\n\"\n",
        "Headers: {\n",
        "  \"server\": \"GitHub.com\",\n",
        "  \"date\": \"Wed, 25 Nov 2026 07:41:04 GMT\"\n",
        "}\n",
        "    at createHttpError (C:\\app\\httpExecutor.js:21:12)\n",
        "    at ClientRequest.emit (node:events:519:28)\n",
        "[2026-11-25 08:41:05.210] [info]  sync: pulled 142 transactions\n",
    );
    let (kind, lines, body) = span_of(text, 0);
    assert_eq!((kind, lines), (EventKind::Stack, 8), "{body}");
    // Lines under an error record that reach no frame are not taken this way.
    let text = "[2026-11-25 08:41:04.963] [error] upload failed\nretrying with a smaller part size\n\n    at nothing\n";
    let (_, lines, body) = span_of(text, 0);
    assert!(lines < 4, "{body}");
}

#[test]
fn a_warning_a_blank_line_then_the_exception_it_caught_is_one_event() {
    // Sonarr: the warning, a blank line, the exception behind the app's version, its stack.
    let text = concat!(
        "2026-11-29 19:41:55.4|Warn|ImportApprovedEpisodes|Couldn't import episode /downloads/a.mkv: Access to the path '/tv/a.mkv' is\n",
        "\n",
        "[v4.0.11.2680] System.UnauthorizedAccessException: Access to the path '/tv/a.mkv' is denied.\n",
        " ---> System.IO.IOException: Permission denied\n",
        "   --- End of inner exception stack trace ---\n",
        "   at System.IO.FileSystem.MoveFile(String sourceFullPath, String destFullPath, Boolean overwrite)\n",
        "\n",
        "2026-11-29 19:41:55.5|Info|DownloadedEpisodesImportService|Import failed=1, imported=0\n",
    );
    let (kind, lines, body) = span_of(text, 0);
    assert_eq!((kind, lines), (EventKind::Stack, 6), "{body}");
}

#[test]
fn records_of_other_formats_and_prose_at_stop_the_search_for_frames() {
    // A JSON record and a logfmt record below an error record are records of their own.
    let text = concat!(
        "2026-11-25 08:41:04 ERROR upload failed\n",
        "{\"level\":\"error\",\"msg\":\"database connection refused\"}\n",
        "time=\"2026-11-25T08:41:05Z\" level=fatal msg=\"cannot allocate memory\"\n",
        "    at retry (/app/upload.js:12:3)\n",
    );
    let (_, lines, body) = span_of(text, 0);
    assert_eq!(lines, 1, "{body}");
    // Prose that starts with "at" is no frame.
    let text = "[2026-11-25 08:41:04.963] [error] rollout blocked\nkeep\n    at least 2 replicas must be ready\n";
    let (_, lines, body) = span_of(text, 0);
    assert_eq!(lines, 1, "{body}");
}

#[test]
fn an_error_record_quoting_a_commands_output_keeps_the_stack_below_it() {
    // Nginx Proxy Manager (signale's format): certbot's output, in sentences naming errors,
    // then the Node frames of the error that carried it.
    let text = concat!(
        "[12/4/2026] [6:00:16 AM] [Global   ] › ℹ  info      Backend PID 187 listening on port 3000 ...\n",
        "[12/4/2026] [6:00:29 AM] [SSL      ] › ✖  error     Error: Command failed: certbot renew --quiet\n",
        "Failed to renew certificate npm-7 with error: Error finding domain using the DigitalOcean API: Unable to authenticate you\n",
        "All renewals failed. The following certificates could not be renewed:\n",
        "  /etc/letsencrypt/live/npm-7/fullchain.pem (failure)\n",
        "1 renew failure(s), 0 parse failure(s)\n",
        "    at ChildProcess.exithandler (node:child_process:422:12)\n",
        "    at ChildProcess.emit (node:events:517:28)\n",
        "[12/4/2026] [6:00:29 AM] [SSL      ] › ℹ  info      Completed SSL cert renew process\n",
    );
    let (kind, lines, body) = span_of(text, 1);
    assert_eq!((kind, lines), (EventKind::Stack, 7), "{body}");
}

#[test]
fn a_gin_error_starts_at_the_access_record_of_the_request_it_failed() {
    let text = concat!(
        "2026-12-11T20:05:10Z | 200 |    1.902771ms |      192.0.2.31 | POST     \"/message\"\n",
        "2026-12-11T20:28:19Z | 400 |     211.498µs |      192.0.2.15 | GET      \"/stream\"\n",
        "Error #01: websocket: the client is not using the websocket protocol\n",
        "[GIN] 2026/12/11 - 20:29:01 | 200 |     211.498µs |      192.0.2.15 | GET      \"/health\"\n",
        "Error #01: a record under a request that succeeded\n",
    );
    let buf = text.as_bytes();
    let error = text.find("Error #01: websocket").expect("error");
    let start = lead_start(buf, error, 0);
    assert!(
        text[start..].starts_with("2026-12-11T20:28:19Z | 400"),
        "{}",
        &text[start..]
    );
    // Under a request that succeeded, the error line starts its own event.
    let other = text.find("Error #01: a record").expect("error");
    assert_eq!(lead_start(buf, other, 0), other);
}

#[test]
fn a_record_with_its_message_on_the_next_line_starts_there() {
    let text = concat!(
        "2026-12-11 09:02:12,483 [klippy_connection.py:_init_klippy_connection()] - GCode Output Subscribed\n",
        "2026-12-11 09:02:13,689 [klippy_connection.py:_verify_klippy_requirements()] - \n",
        "Warning, unable to detect the following printer objects:\n",
        "[virtual_sdcard]\n",
    );
    let buf = text.as_bytes();
    let warning = text.find("Warning, unable").expect("warning");
    let start = lead_start(buf, warning, 0);
    assert!(
        text[start..].starts_with("2026-12-11 09:02:13,689"),
        "{}",
        &text[start..]
    );
}

#[test]
fn a_warning_of_the_same_tagged_process_above_its_error_starts_the_incident() {
    let text = concat!(
        "2026/12/07 02:00:03.103288 juicefs[1876] <INFO>: Meta address: redis://192.0.2.80:6379/1\n",
        "2026/12/07 02:00:03.137911 juicefs[1876] <WARNING>: maxmemory_policy is \"volatile-lru\", we will try to reconfigure it\n",
        "2026/12/07 02:00:03.241199 juicefs[1876] <ERROR>: try to reconfigure maxmemory-policy failed: ERR unknown command 'config'\n",
        "2026/12/07 02:00:04.000000 other[77] <WARNING>: unrelated\n",
        "2026/12/07 02:00:04.100000 juicefs[1876] <ERROR>: another failure\n",
    );
    let buf = text.as_bytes();
    let error = text.find("2026/12/07 02:00:03.241199").expect("error");
    let start = lead_start(buf, error, 0);
    assert!(
        text[start..].starts_with("2026/12/07 02:00:03.137911"),
        "{}",
        &text[start..]
    );
    // Another process's warning is not its lead-in.
    let other = text.find("2026/12/07 02:00:04.100000").expect("error");
    assert_eq!(lead_start(buf, other, 0), other);
}

#[test]
fn a_line_saying_what_failed_and_why_starts_the_report_of_that_reason() {
    let text = concat!(
        "lms-web01:21877 ... used 57.634557008743 seconds\n",
        "lms-web01:21877 Scheduled task failed: Legacy cron processing for plugins (core\\task\\legacy_plugin_cron_task),Error reading from database\n",
        "lms-web01:21877 Default exception handler: Error reading from database Debug: MySQL server has gone away\n",
        "lms-web01:21877 Task failed: nightly export,disk quota reached\n",
        "lms-web01:21877 Default exception handler: Error writing to database\n",
    );
    let buf = text.as_bytes();
    let report = text
        .find("lms-web01:21877 Default exception handler: Error reading")
        .expect("report");
    let start = lead_start(buf, report, 0);
    assert!(
        text[start..].contains("Scheduled task failed"),
        "{}",
        &text[start..]
    );
    assert!(
        !text[start..].starts_with("lms-web01:21877 ..."),
        "{}",
        &text[start..]
    );
    // Another reason above it is another failure.
    let other = text
        .find("lms-web01:21877 Default exception handler: Error writing")
        .expect("report");
    assert_eq!(lead_start(buf, other, 0), other);
}

#[test]
fn a_record_whose_report_follows_a_blank_line_runs_to_the_next_record() {
    let text = concat!(
        "[2026-12-07 07:12:44] ERROR \"GET /tag/homelab/\" 500 60013ms\n",
        "\n",
        "Knex: Timeout acquiring a connection. The pool is probably full.\n",
        "\n",
        "Error ID:\n",
        "    c1a0f8e0-d46b-11f0-9a3e-0b6f2f7e41d5\n",
        "\n",
        "KnexTimeoutError: Knex: Timeout acquiring a connection.\n",
        "    at Client_MySQL2.acquireConnection (/var/lib/ghost/node_modules/knex/lib/client.js:312:26)\n",
        "[2026-12-07 07:12:50] INFO \"GET /\" 200 31ms\n",
    );
    let (_, lines, body) = span_of(text, 0);
    assert_eq!(lines, 9, "{body}");
    assert!(body.ends_with("client.js:312:26)\n"), "{body}");
    // A summary table after the last record is not its report.
    let table = "[09:12:19]: Invalid password passed via 'MATCH_PASSWORD'\n\n+------+------+\n| Step | Action |\n";
    let (_, lines, _) = span_of(table, 0);
    assert_eq!(lines, 1);
}

#[test]
fn a_php_stack_trace_belongs_to_its_fatal_error() {
    // Through PHP-FPM and nginx: the record, `Stack trace:`, numbered frames, then the
    // request's access record, which is not part of it.
    let nginx = concat!(
        "2026/12/09 08:03:09 [error] 22#22: *27 FastCGI sent in stderr: \"PHP message: PHP Fatal error:  Uncaught UnexpectedValueException: The stream or file \"/var/www/app/var/logs/prod.log\" could not be opened: Permission denied in /var/www/app/vendor/StreamHandler.php:110\n",
        "Stack trace:\n",
        "#0 /var/www/app/vendor/AbstractProcessingHandler.php(39): StreamHandler->write()\n",
        "#1 {main}\" while reading response header from upstream, client: 198.51.100.12\n",
        "198.51.100.12 - - [09/Dec/2026:08:03:09 +0000] \"POST /login_check HTTP/1.1\" 500 5\n",
    );
    let (_, lines, body) = span_of(nginx, 0);
    assert_eq!(lines, 4, "{body}");
    // PHP's CLI: `PHP Stack trace:` and `PHP   1. {main}() …`.
    let cli = "PHP Fatal error:  Uncaught Error: Call to undefined function foo() in /app/x.php:3\nPHP Stack trace:\nPHP   1. {main}() /app/x.php:0\nnext line\n";
    let (_, lines, body) = span_of(cli, 0);
    assert_eq!(lines, 3, "{body}");
    // Without a stack trace heading, `#7` lines are no frames (BuildKit's steps).
    let buildkit = "ERROR: failed to solve\n#7 0.412 npm warn\n";
    assert_eq!(span_of(buildkit, 0).1, 1);
}

#[test]
fn a_ruby_threads_report_with_its_cause_is_one_event_from_its_heading() {
    let text = concat!(
        "I, [2026-12-17T11:47:02] INFO -- : scheduler running\n",
        "#<Thread:0x00007f3c2a1b4e58 /gems/logging-2.4.0/lib/logging/diagnostic_context.rb:471 run> terminated with exception (report_on_exception is true):\n",
        "/opt/zammad/lib/sessions.rb:780:in `rescue in thread_client': STOP thread_client for client .188440 after 10 tries (RuntimeError)\n",
        "\tfrom /opt/zammad/lib/sessions.rb:755:in `thread_client'\n",
        "\tfrom /opt/zammad/lib/sessions.rb:711:in `block (3 levels) in jobs'\n",
        "/gems/activerecord-7.1.4.1/lib/active_record/connection_adapters/postgresql/database_statements.rb:55:in `exec': PG::UnableToSend: server closed the connection unexpectedly (ActiveRecord::StatementInvalid)\n",
        "\tThis probably means the server terminated abnormally\n",
        "\tfrom /opt/zammad/lib/sessions.rb:758:in `thread_client'\n",
        "I, [2026-12-17T11:47:06] INFO -- : Started GET \"/api/v1/online_notifications\"\n",
    );
    let buf = text.as_bytes();
    let cause = text.find("/gems/activerecord").expect("cause");
    let start = lead_start(buf, cause, 0);
    assert!(text[start..].starts_with("#<Thread:"), "{}", &text[start..]);
    // The exception's report runs over its cause to the cause's last frame.
    let raised = text
        .find("/opt/zammad/lib/sessions.rb:780")
        .expect("raise site");
    let span = assemble(buf, raised);
    assert!(
        text[span.start..span.end].ends_with("sessions.rb:758:in `thread_client'\n"),
        "{}",
        &text[span.start..span.end]
    );
    // A raise site with no frames above it starts where it is.
    let alone = "x.rb:1:in `exec': PG::UnableToSend: server closed the connection (X)\n";
    assert_eq!(lead_start(alone.as_bytes(), 0, 0), 0);
}

#[test]
fn a_job_that_threw_an_error_starts_the_error_record_below_it() {
    let text = concat!(
        "2026-12-17 02:00:00.011 UTC [3063] LOG:  checkpoint starting: time\n",
        "2026-12-17 02:00:00.915 UTC [3120] LOG:  job 1003 threw an error\n",
        "2026-12-17 02:00:00.915 UTC [3120] ERROR:  cannot fetch toast data without an active snapshot\n",
    );
    let buf = text.as_bytes();
    let error = text
        .find("2026-12-17 02:00:00.915 UTC [3120] ERROR")
        .expect("error");
    let start = lead_start(buf, error, 0);
    assert!(
        text[start..].contains("LOG:  job 1003 threw an error\n"),
        "{}",
        &text[start..]
    );
    assert!(!text[start..].contains("checkpoint"), "{}", &text[start..]);
}

#[test]
fn rake_aborted_starts_the_exception_below_it() {
    let text = concat!(
        "   -Creating overview for Demo project\n",
        "rake aborted!\n",
        "Errno::EACCES: Permission denied @ dir_s_mkdir - /var/openproject/assets/files (Errno::EACCES)\n",
        "/app/lib/open_project/patches/fog_file.rb:12:in `mkdir!'\n",
    );
    let buf = text.as_bytes();
    let error = text.find("Errno::EACCES").expect("error");
    let start = lead_start(buf, error, 0);
    assert!(
        text[start..].starts_with("rake aborted!"),
        "{}",
        &text[start..]
    );
}

#[test]
fn a_stack_through_docker_compose_logs_with_times_is_one_event() {
    let text = concat!(
        "seeder-1  | 2026-12-18T08:22:01.97751069Z    -Creating overview for Demo project\n",
        "seeder-1  | 2026-12-18T08:22:02.201837519Z rake aborted!\n",
        "seeder-1  | 2026-12-18T08:22:02.201866042Z Errno::EACCES: Permission denied @ dir_s_mkdir - /var/openproject/assets/files (Errno::EACCES)\n",
        "seeder-1  | 2026-12-18T08:22:02.201871509Z /app/lib/open_project/patches/fog_file.rb:12:in `mkdir!'\n",
        "api-1     | 2026-12-18T08:22:02.3Z java.lang.IllegalStateException: boom\n",
        "api-1     | 2026-12-18T08:22:02.3Z \tat com.example.App.main(App.java:12)\n",
        "api-1     | 2026-12-18T08:22:02.4Z INFO next\n",
    );
    let buf = text.as_bytes();
    let error = text
        .find("seeder-1  | 2026-12-18T08:22:02.201866042Z")
        .expect("error");
    let start = lead_start(buf, error, 0);
    assert!(
        text[start..].contains("Z rake aborted!\n"),
        "{}",
        &text[start..]
    );
    assert!(
        !text[start..].contains("Creating overview"),
        "{}",
        &text[start..]
    );
    let java = text
        .find("api-1     | 2026-12-18T08:22:02.3Z java")
        .expect("java");
    let (kind, lines, body) = span_of(text, 4);
    assert_eq!(buf[java], b'a');
    assert_eq!((kind, lines), (EventKind::Stack, 2), "{body}");
}

#[test]
fn a_traceback_logged_line_by_line_under_one_prefix_is_one_event_at_its_level() {
    let text = concat!(
        "INFO 04-09 05:38:33 [gpu_model_runner.py:1276] Starting to load model /models/x...\n",
        "ERROR 04-09 05:39:54 [core.py:390] EngineCore hit an exception: Traceback (most recent call last):\n",
        "ERROR 04-09 05:39:54 [core.py:390]   File \"/usr/lib/vllm/core.py\", line 378, in run_engine_core\n",
        "ERROR 04-09 05:39:54 [core.py:390]     engine_core = EngineCoreProc(*args, **kwargs)\n",
        "ERROR 04-09 05:39:54 [core.py:390] torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 350.00 MiB.\n",
        "CRITICAL 04-09 05:39:54 [core_client.py:361] Got fatal signal from worker processes, shutting down.\n",
    );
    let buf = text.as_bytes();
    let span = assemble(buf, text.find("ERROR 04-09").expect("error"));
    assert_eq!(span.kind, EventKind::PythonTraceback);
    assert_eq!(span.lines, 4, "{}", &text[span.start..span.end]);
    assert_eq!(span.level, Some(crate::level::Level::Error));
}
