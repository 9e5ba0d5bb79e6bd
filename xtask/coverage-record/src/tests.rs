//! Both sides of the record: what the writer puts in a file is what the reader gets back, and
//! only for the run that owns the directory.

use super::*;

#[test]
fn records_only_when_asked_and_reads_back_what_was_written() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("rec");
    std::env::remove_var(DIR_ENV);
    assert!(!enabled());
    record_operation("chat.get");
    assert!(!dir.exists(), "nothing is written without {DIR_ENV}");

    let env = start_run(&dir).unwrap();
    for (k, v) in &env {
        std::env::set_var(k, v);
    }
    record_operation("chat.get");
    record_request("GET", "/open-apis/im/v1/chats/oc_1");
    record_event("im.chat.updated_v1");
    std::env::remove_var(DIR_ENV);
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    assert_eq!(files.len(), 1);
    let text = std::fs::read_to_string(&files[0]).unwrap();
    let lines: Vec<Line> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0]
        .test
        .ends_with("records_only_when_asked_and_reads_back_what_was_written"));

    assert!(read(&dir).unwrap_err().contains("did not pass"));
    finish_run(&dir).unwrap();
    let rec = read(&dir).unwrap();
    assert_eq!(rec.operations, ["chat.get".to_owned()].into());
    assert_eq!(
        rec.requests,
        [("GET".to_owned(), "/open-apis/im/v1/chats/oc_1".to_owned())].into()
    );
    assert_eq!(rec.events, ["im.chat.updated_v1".to_owned()].into());
}

#[test]
fn the_record_is_read_only_for_the_run_that_owns_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("rec");
    assert!(read(&dir).unwrap_err().contains("no coverage record"));
    std::fs::create_dir_all(&dir).unwrap();
    let line = |run: &str, entry: Entry| {
        serde_json::to_string(&Line {
            run: run.into(),
            test: "t::x".into(),
            entry,
        })
        .unwrap()
    };
    let get = || Entry::Operation {
        id: "chat.get".into(),
    };
    std::fs::write(dir.join("old-1.jsonl"), line("old", get())).unwrap();
    let env = start_run(&dir).unwrap();
    assert!(!dir.join("old-1.jsonl").exists(), "a new run starts empty");
    let run = env.iter().find(|(k, _)| k == RUN_ENV).unwrap().1.clone();
    let lines = [
        line(&run, get()),
        line(
            &run,
            Entry::Event {
                event_type: "p2p_chat_create".into(),
            },
        ),
        line(
            &run,
            Entry::Request {
                method: "GET".into(),
                path: "/open-apis/im/v1/chats".into(),
            },
        ),
        line(
            "other",
            Entry::Operation {
                id: "chat.list".into(),
            },
        ),
    ];
    std::fs::write(dir.join("t-2.jsonl"), lines.join("\n") + "\n").unwrap();
    finish_run(&dir).unwrap();
    let rec = read(&dir).unwrap();
    assert_eq!(rec.operations, ["chat.get".to_owned()].into());
    assert_eq!(rec.events, ["p2p_chat_create".to_owned()].into());
    assert_eq!(rec.requests.len(), 1);
    assert_eq!(rec.foreign, 1);
    std::fs::write(
        dir.join("t-3.jsonl"),
        format!("{{\"run\":\"{run}\",\"test\":\"t::y\",\"kind\":\"guess\"}}\n"),
    )
    .unwrap();
    assert!(read(&dir).unwrap_err().contains("t-3.jsonl:1"));
}
