//! `TaskName` and `TaskNameParts` at their edges: the length limit, the conversions and
//! comparisons, the naming convention's corner cases, and the input shown in a rejection.

use std::time::{Duration, UNIX_EPOCH};

use rockit_model::{MAX_TASK_NAME_LEN, TaskApp, TaskName, TaskNameError};

fn name(raw: &str) -> TaskName {
    raw.parse().unwrap()
}

#[test]
fn the_length_limit_counts_bytes_and_includes_the_limit_itself() {
    // A non-ASCII name takes the full check, whose comparison is the one that decides here.
    let at_limit = format!("é{}", "x".repeat(MAX_TASK_NAME_LEN - 2));
    assert_eq!(at_limit.len(), MAX_TASK_NAME_LEN);
    assert_eq!(name(&at_limit).as_str(), at_limit);
    let over = format!("é{}", "x".repeat(MAX_TASK_NAME_LEN - 1));
    assert_eq!(
        over.parse::<TaskName>().unwrap_err().task_name_error(),
        Some(&TaskNameError::TooLong { len: MAX_TASK_NAME_LEN + 1 })
    );
    // The ASCII fast path agrees.
    assert!(TaskName::new("x".repeat(MAX_TASK_NAME_LEN)).is_ok());
    assert!(TaskName::new("x".repeat(MAX_TASK_NAME_LEN + 1)).is_err());
}

#[test]
fn a_name_converts_back_to_the_string_it_was_made_of() {
    let raw = "exampleorg-sushi-0002-1733149403-dltar";
    assert_eq!(name(raw).into_string(), raw);
    assert_eq!(String::from(name(raw)), raw);
    assert_eq!(AsRef::<str>::as_ref(&name(raw)), raw);
    assert_eq!(format!("{:?}", name(raw)), format!("{raw:?}"));
    assert_eq!(format!("{:>8}", name("abc")), "     abc", "Display pads like a str");
}

#[test]
fn a_name_equals_exactly_its_own_text() {
    let task = name("exampleorg-sushi-0002-1733149403-dltar");
    assert!(PartialEq::<str>::eq(&task, "exampleorg-sushi-0002-1733149403-dltar"));
    assert!(!PartialEq::<str>::eq(&task, "exampleorg-sushi-0002-1733149403-mkraw"));
    assert!(task == "exampleorg-sushi-0002-1733149403-dltar");
    assert!(task != "exampleorg-sushi-0002-1733149403-mkraw");
}

#[test]
fn clone_from_copies_the_name() {
    let mut last = name("a-b-0001-1-dltar");
    last.clone_from(&name("exampleorg-sushi-0002-1733149403-mkraw"));
    assert_eq!(last, "exampleorg-sushi-0002-1733149403-mkraw");
}

#[test]
fn numbers_of_the_convention_are_plain_digits() {
    // `u32::from_str` and `u64::from_str` accept a leading `+`; the convention does not.
    for raw in ["org-app-+1-1733149403-dltar", "org-app-0001-+1733149403-dltar", "org-app--1733149403-dltar"]
    {
        assert_eq!(name(raw).parts(), None, "{raw}");
    }
}

#[test]
fn the_creation_time_is_after_the_epoch() {
    let task = name("exampleorg-sushi-0002-1733149403-dltar");
    let parts = task.parts().unwrap();
    assert_eq!(parts.created_str(), "1733149403");
    assert_eq!(parts.created_at(), UNIX_EPOCH + Duration::from_secs(1_733_149_403));
    assert_eq!(parts.kind_str(), "dltar");
}

#[test]
fn the_app_is_found_only_behind_the_right_org() {
    let task = name("exampleorg-sushi-0002-1733149403-dltar");
    let parts = task.parts().unwrap();
    // An org of the same length as `exampleorg`, so that a `-` follows it: still not the org.
    assert_eq!(parts.app(Some("otherorg12")), TaskApp::Prefix("exampleorg-sushi"));
    assert_eq!(parts.app(Some("EXAMPLEORG")), TaskApp::Named("sushi"));
    assert_eq!(parts.app(Some("exampleorg-sushi")).named(), None, "the app cannot be empty");
    assert_eq!(parts.app(Some("exampleorg")).as_str(), "sushi");
    assert_eq!(parts.app(Some("otherorg12")).as_str(), "exampleorg-sushi");
    assert_eq!(parts.app(None).as_str(), "exampleorg-sushi");
    // A prefix claims the app it ends with; a named app only itself.
    assert!(parts.app(None).is("sushi") && parts.app(None).is("exampleorg-sushi"));
    assert!(!parts.app(None).is("ushi") && !parts.app(Some("exampleorg")).is("exampleorg-sushi"));
}

#[test]
fn a_rejected_name_is_shown_whole_up_to_64_bytes() {
    let exactly = format!("/{}", "x".repeat(63));
    let err = exactly.parse::<TaskName>().unwrap_err().to_string();
    assert!(err.starts_with(&format!("invalid task name {exactly:?}: ")), "{err}");
    assert!(!err.contains('…'), "{err}");

    let longer = format!("/{}", "x".repeat(64));
    let err = longer.parse::<TaskName>().unwrap_err().to_string();
    assert!(err.starts_with(&format!("invalid task name {:?}…: ", &longer[..64])), "{err}");
}

#[test]
fn a_long_rejected_name_is_cut_before_a_character_that_straddles_the_cut() {
    // `é` takes bytes 63 and 64: the cut moves back to 63, never forward into the character.
    let raw = format!("/{}é{}", "x".repeat(62), "x".repeat(10));
    let err = raw.parse::<TaskName>().unwrap_err().to_string();
    assert!(err.starts_with(&format!("invalid task name {:?}…: ", &raw[..63])), "{err}");
}
