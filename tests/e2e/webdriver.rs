//! A small W3C WebDriver client over HTTP, enough to drive the app through tauri-driver:
//! sessions, key actions with explicit pauses, script execution and screenshots.

use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

pub const ENTER: &str = "\u{E007}";
pub const F1: &str = "\u{E031}";
pub const F2: &str = "\u{E032}";
pub const F6: &str = "\u{E036}";
pub const F7: &str = "\u{E037}";
pub const F8: &str = "\u{E038}";
pub const F9: &str = "\u{E039}";
pub const F11: &str = "\u{E03B}";
pub const ESCAPE: &str = "\u{E00C}";
pub const ARROW_UP: &str = "\u{E013}";

pub struct Session {
    base: String,
    id: String,
}

/// Every WebDriver call gets an answer within a minute: a command the app never completes
/// fails the test instead of hanging it.
fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().timeout_global(Some(Duration::from_secs(60))).build().into()
}

fn post(url: &str, body: &Value) -> Value {
    let mut response =
        agent().post(url).send_json(body).unwrap_or_else(|e| panic!("POST {url}: {e}"));
    response.body_mut().read_json().unwrap_or_else(|e| panic!("POST {url}: {e}"))
}

impl Session {
    /// Starts the app through the driver listening on `port`.
    pub fn start(port: u16, application: &str, args: &[&str]) -> Session {
        let base = format!("http://127.0.0.1:{port}");
        let options = json!({"application": application, "args": args});
        let caps = json!({"capabilities": {"alwaysMatch": {"tauri:options": options}}});
        let reply = post(&format!("{base}/session"), &caps);
        let id = reply["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {reply}"))
            .to_owned();
        Session { base, id }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/session/{}/{path}", self.base, self.id)
    }

    /// Runs a script in the page and returns its value.
    pub fn script(&self, source: &str) -> Value {
        post(&self.url("execute/sync"), &json!({"script": source, "args": []}))["value"].clone()
    }

    /// Waits until `condition` (a JavaScript expression) is true, or panics after `timeout`.
    pub fn wait_for(&self, condition: &str, timeout: Duration) {
        let started = Instant::now();
        loop {
            if self.script(&format!("return !!({condition});")) == Value::Bool(true) {
                return;
            }
            let body =
                self.script("return document.body ? document.body.innerText.slice(0, 2000) : ''");
            assert!(
                started.elapsed() < timeout,
                "timed out waiting for {condition}; the page shows:\n{}",
                body.as_str().unwrap_or("")
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Types `text` as real key events, `gap` apart (a scanner burst is a few milliseconds,
    /// a person is over a hundred).
    pub fn type_keys(&self, text: &str, gap: Duration) {
        let mut actions = Vec::new();
        for key in text.chars() {
            let value = key.to_string();
            actions.push(json!({"type": "keyDown", "value": value}));
            actions.push(json!({"type": "keyUp", "value": value}));
            actions.push(json!({"type": "pause", "duration": gap.as_millis() as u64}));
        }
        self.key_actions(actions);
    }

    /// Presses one key (Enter, F8, …).
    pub fn press(&self, key: &str) {
        self.key_actions(vec![
            json!({"type": "keyDown", "value": key}),
            json!({"type": "keyUp", "value": key}),
        ]);
    }

    fn key_actions(&self, actions: Vec<Value>) {
        post(
            &self.url("actions"),
            &json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]}),
        );
    }

    pub fn screenshot(&self, path: &std::path::Path) {
        let mut response = agent()
            .get(&self.url("screenshot"))
            .call()
            .unwrap_or_else(|e| panic!("screenshot {}: {e}", path.display()));
        let reply: Value = response.body_mut().read_json().unwrap();
        let png = base64::engine::general_purpose::STANDARD
            .decode(reply["value"].as_str().unwrap_or(""))
            .unwrap();
        std::fs::write(path, png).unwrap();
    }

    /// Resizes the window, for screenshots at the smallest size the app supports.
    pub fn set_window(&self, width: u32, height: u32) {
        post(&self.url("window/rect"), &json!({"width": width, "height": height}));
    }

    pub fn end(self) {
        let _ = agent().delete(&format!("{}/session/{}", self.base, self.id)).call();
    }
}
