//! `rockit builds list`, `builds show` and `builds wait`: the seed's builds as rows and in full,
//! and a live pipeline followed to success (0), to a failed stage (4) and to a timeout (5).

use rockit_emulator::{BuildPlan, Emulator, Fixture, demo};
use rockit_model::{Exception, TaskKind};

use crate::{admin, demo_builder, rockit, start_demo};

#[tokio::test]
async fn builds_list_shows_a_row_per_build_with_a_cell_per_stage() {
    let emulator = start_demo().await;
    let url = emulator.base_url();
    let run = rockit(&admin(&url, &["builds", "list"])).await.expect(0);
    assert_eq!(
        run.stdout,
        "\
APP    BUILD  STARTED           ELAPSED  DLTAR  MKRAW  MKPAT  MKDXF  PUBLISH  DEPLOY  STATE               WARNINGS
sushi  0001   2024-11-29 13:28  7m25s    done   done   -      done   done     done    succeeded
sushi  0002   2024-12-02 14:23  1h39m    done*  done   done   done   done             stopped, no deploy  2
sushi  0003   2024-12-03 15:35  15m3s    run*                                         running
3 of 3 builds
"
    );
    assert_eq!(run.stderr, "");

    let run = rockit(&admin(&url, &["builds", "list", "--limit", "1"])).await.expect(0);
    let rows: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(rows.len(), 3, "{}", run.stdout);
    assert!(rows[1].starts_with("sushi  0003"), "the last build: {}", run.stdout);
    assert_eq!(rows[2], "1 of 3 builds (the last 1; --all for every build)");

    let document = rockit(&admin(&url, &["builds", "list", "-o", "json"])).await.expect(0).json();
    assert_eq!((document["shown"].as_u64(), document["total"].as_u64()), (Some(3), Some(3)));
    let second = &document["builds"][1];
    assert_eq!(
        (second["app"].as_str(), second["build"].as_u64(), second["state"].as_str()),
        (Some("sushi"), Some(2), Some("stopped")),
        "0001 deployed; 0002 stopped after publish long ago"
    );
    assert_eq!(second["missingStage"], "deploy");
    assert_eq!(second["stages"][0]["superseded"][0]["name"], demo::STUCK_UPLOAD);
    assert_eq!(second["stages"][0]["task"]["status"], "done", "tasks inside keep the API's field names");
    assert_eq!(second["unacknowledgedWarnings"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn builds_show_tells_what_happened_and_what_to_do_next() {
    let emulator = start_demo().await;
    let url = emulator.base_url();
    let run = rockit(&admin(&url, &["builds", "show", "sushi", "0002"])).await.expect(0);
    let out = &run.stdout;
    assert!(out.starts_with("build:    sushi 0002\nstate:    stopped after publish (no deploy)\n"), "{out}");
    assert!(out.contains("  dltar    done     exampleorg-sushi-0002-1733154780-dltar\n"), "{out}");
    assert!(out.contains("           pending  exampleorg-sushi-0002-1733149403-dltar    superseded; unacknowledged warning\n"), "{out}");
    assert!(out.contains("  rockit tasks expire exampleorg-sushi-0002-1733149403-dltar  # superseded by a newer attempt but still pending\n"), "{out}");
    assert!(out.contains("  rockit tasks ack exampleorg-sushi-0002-1733155401-publish"), "{out}");
    assert!(
        !out.contains("rockit tasks ack exampleorg-sushi-0002-1733149403-dltar"),
        "expiring acknowledges: {out}"
    );

    let run = rockit(&admin(&url, &["builds", "show", "sushi", "3"])).await.expect(0);
    assert!(run.stdout.contains("failures:\n  exampleorg-sushi-0003-1733240117-dltar failed: download failed (HTTP 200, exit code 18"), "{}", run.stdout);
    assert!(
        run.stdout.contains("  rockit builds wait sushi 3  # the pipeline is still running"),
        "{}",
        run.stdout
    );
    let document =
        rockit(&admin(&url, &["builds", "show", "sushi", "3", "-o", "json"])).await.expect(0).json();
    assert_eq!(document["failures"][0]["name"], demo::FAILED_DOWNLOAD);
    assert!(document["failures"][0]["exception"].as_str().unwrap().starts_with("download failed"));

    let run = rockit(&admin(&url, &["builds", "show", "sushi", "9"])).await.expect(1);
    assert!(run.stderr.starts_with("error: no task of build sushi/9 (sushi 0009) exists;"), "{}", run.stderr);
}

#[tokio::test]
async fn builds_wait_follows_the_live_pipeline_to_its_end() {
    // A clock ten times as fast: build 3's pipeline plays out in about 1.3 s.
    let emulator = demo_builder().speed(10.0).start().await.unwrap();
    let url = emulator.base_url();
    let run = rockit(&admin(&url, &["builds", "wait", "sushi", "3", "--interval", "20ms"])).await.expect(0);
    assert!(run.stdout.starts_with("sushi 0003 succeeded after "), "{}", run.stdout);
    assert!(run.stdout.ends_with(" (publish done)\n"), "{}", run.stdout);
    // Not a terminal: a line per change on stderr, for CI logs.
    assert!(run.stderr.starts_with("waiting for build sushi 0003 until publish done\n"), "{}", run.stderr);
    for kind in ["mkraw", "mkpat", "mkdxf"] {
        assert!(
            run.stderr.contains(&format!("{kind} done exampleorg-sushi-0003-")),
            "{kind}: {}",
            run.stderr
        );
    }
    // A stage that appeared says when it was created, as its name tells, beside when it was seen
    // (a status change, `(was …)`, is the time it was seen).
    let appeared =
        run.stderr.lines().filter(|line| line.contains(" exampleorg-sushi-0003-") && !line.contains("(was "));
    let mut count = 0;
    for line in appeared {
        count += 1;
        let name = line.split(' ').find(|word| word.starts_with("exampleorg-")).unwrap();
        let unix: u64 = name.rsplit('-').nth(1).unwrap().parse().unwrap();
        let of_day = unix % 86_400;
        let time = format!("{:02}:{:02}:{:02}", of_day / 3600, of_day % 3600 / 60, of_day % 60);
        assert!(line.contains(" (created ") && line.contains(&format!("{time})")), "{line}");
    }
    assert!(count >= 3, "{}", run.stderr);
}

#[tokio::test]
async fn builds_wait_exits_4_naming_the_failed_stage_and_5_on_timeout() {
    let emulator = demo_builder().speed(20.0).start().await.unwrap();
    let url = emulator.base_url();
    let plan = BuildPlan::new().fail_at(TaskKind::Mkdxf, Exception::error("mkdxf exited with code 1"));
    let build = emulator.start_build("sushi", &plan).unwrap();
    assert_eq!(build.to_string(), "sushi/4");
    let run = rockit(&admin(&url, &["builds", "wait", "sushi", "4", "--interval", "20ms"])).await.expect(4);
    assert!(run.stdout.starts_with("sushi 0004 failed after "), "{}", run.stdout);
    assert!(run.stdout.ends_with(": mkdxf failed: mkdxf exited with code 1\n"), "{}", run.stdout);
    let document =
        rockit(&admin(&url, &["builds", "wait", "sushi", "4", "-o", "json", "--interval", "20ms"]))
            .await
            .expect(4)
            .json();
    assert_eq!(
        (document["outcome"].as_str(), document["build"]["failedStage"].as_str()),
        (Some("failed"), Some("mkdxf"))
    );
    assert_eq!(document["exception"], "mkdxf exited with code 1");

    let frozen = start_demo().await;
    let url = frozen.base_url();
    let run =
        rockit(&admin(&url, &["builds", "wait", "sushi", "3", "--timeout", "1s", "--interval", "50ms"]))
            .await
            .expect(5);
    assert!(run.stdout.starts_with("sushi 0003 still running after "), "{}", run.stdout);
    assert!(run.stdout.ends_with("; gave up (--timeout 1s)\n"), "{}", run.stdout);
}

#[tokio::test]
async fn builds_arguments_are_checked_before_any_request() {
    let emulator = start_demo().await;
    let url = emulator.base_url();
    for (args, says) in [
        (
            &["builds", "wait", "sushi", "x"][..],
            "invalid value 'x' for '<BUILD>': \"x\" is not a build number",
        ),
        (
            &["builds", "show", "su shi", "1"][..],
            "invalid value 'su shi' for '<APP>': the app name contains ' '",
        ),
        (
            &["builds", "wait", "sushi", "3", "--for", "upload"][..],
            "invalid value 'upload' for '--for <KIND>'",
        ),
    ] {
        let run = rockit(&admin(&url, args)).await.expect(2);
        assert!(run.stderr.starts_with(&format!("error: {says}")), "{args:?}: {}", run.stderr);
    }
    assert_eq!(emulator.request_count(), 0);
}

#[tokio::test]
async fn builds_list_all_writes_what_the_collected_listing_writes() {
    // 20,000 generated tasks: well over the 500 rows the table's first part holds, so the rows of
    // `--all`, written as the listing completes each build, come in several parts.
    let emulator = Emulator::builder()
        .fixture(Fixture::generated(20_000))
        .speed(0.0)
        .epoch(crate::EPOCH)
        .start()
        .await
        .unwrap();
    let url = emulator.base_url();
    for output in ["table", "jsonl"] {
        let all = rockit(&admin(&url, &["-o", output, "builds", "list", "--all"])).await.expect(0).stdout;
        let collected = rockit(&admin(&url, &["-o", output, "builds", "list", "--limit", "1000000"]))
            .await
            .expect(0)
            .stdout;
        assert!(all.lines().count() > 1000, "{output}: {} lines", all.lines().count());
        assert_eq!(all.lines().count(), collected.lines().count(), "{output}");
        // The same cells; a table written in parts takes its column widths from its first rows.
        let cells = |line: &str| line.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
        for (index, (line, expected)) in all.lines().zip(collected.lines()).enumerate() {
            assert_eq!(cells(line), cells(expected), "{output}, line {index}");
        }
    }
    // The one JSON document, written build by build, is the collected document byte for byte.
    let json = async |args: &[&str]| {
        let mut all = vec!["-o", "json", "builds", "list"];
        all.extend_from_slice(args);
        rockit(&admin(&url, &all)).await.expect(0).stdout
    };
    let streamed = json(&["--all"]).await;
    assert!(streamed == json(&["--limit", "1000000"]).await, "the documents differ");
    assert!(streamed.len() > 1_000_000, "{} bytes", streamed.len());
    let none = json(&["--all", "--app", "no-such-app"]).await;
    assert_eq!(none, json(&["--app", "no-such-app"]).await);
    assert_eq!(none, "{\n  \"builds\": [],\n  \"shown\": 0,\n  \"total\": 0\n}\n");
}
