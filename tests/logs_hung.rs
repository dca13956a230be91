//! A Loki that accepts the connection and never answers, beside the demo, in the built
//! cockpit in a real pseudo-terminal: the logs panel shows the demo's lines and says Loki is
//! still being asked, while every key is answered — another pane, back, quit — at once.

#[path = "support/misbehaving.rs"]
#[allow(dead_code)]
mod misbehaving;
#[path = "support/pty.rs"]
mod pty;
#[path = "support/vt.rs"]
mod vt;

use misbehaving::{Misbehaviour, Server};
use pty::{Session, temp_home};

#[test]
fn a_hung_log_source_leaves_the_cockpit_answering_keys() {
    let hung = Server::start(Misbehaviour::Hang);
    let home = temp_home("logs-hung");
    let dir = home.join("config/ondeck");
    std::fs::create_dir_all(&dir).unwrap();
    // A minute's timeout: the request hangs for the whole test.
    let config = format!(
        "[[source]]\nname = \"demo\"\nkind = \"demo\"\n\n[[source]]\nname = \"loki\"\nkind = \"loki\"\nurl = \"{}\"\ntimeout = \"60s\"\n",
        hung.url
    );
    std::fs::write(dir.join("config.toml"), config).unwrap();
    let mut session = Session::start(&home);
    session.shows("Overview");
    session.keys(":logs checkout\r");
    session.shows("loki asking");
    // The demo answered; Loki holds its request open.
    session.shows("connection pool exhausted");
    // Both of Loki's questions (every line, trouble lines) reached it and hang there.
    session.wait_for("both requests at Loki", |_| hung.requests() >= 2);
    assert!(
        !session.screen().contains("Overview"),
        "the debug pane is up"
    );
    session.keys("1");
    session.shows("Overview");
    session.keys("3");
    session.shows("loki asking");
    session.keys("q");
    let status = session.exit_status();
    assert!(status.success(), "quits while a request hangs: {status:?}");
}
