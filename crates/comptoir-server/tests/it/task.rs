//! The register's background sync task: sales go on while the server is unreachable, the
//! screen says offline and how many entries wait, and everything arrives once it is back.

use std::time::{Duration, Instant};

use comptoir_app::sync::SyncView;

use crate::support::*;

fn wait_for(till: &mut Till, what: &str, done: impl Fn(&SyncView) -> bool) -> SyncView {
    let started = Instant::now();
    loop {
        let view = till.register.view().unwrap().sync;
        if done(&view) {
            return view;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "{what}: {view:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn sales_go_on_offline_and_arrive_once_the_server_is_back() {
    let server = TestServer::start(Backend::Sqlite);
    server.add_store("montreal", "CAD", "America/Toronto");
    let mut till = Till::enrolled(&server);
    let reachable = till.sync_server();
    // The server's address now leads nowhere (a port nobody listens on).
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let mut unreachable = reachable.clone();
    unreachable.url = format!("https://{dead}");
    till.store().set_sync_server(&unreachable).unwrap();

    till.register.start_sync();
    for _ in 0..3 {
        till.sell();
    }
    let offline = wait_for(&mut till, "offline", |v| v.state == "offline");
    assert_eq!(offline.pending, 4, "the shift and three sales wait");
    assert_eq!(offline.last_error.as_ref().map(|e| e.code.as_str()), Some("offline"));

    till.store().set_sync_server(&reachable).unwrap();
    till.sell();
    let online = wait_for(&mut till, "back online", |v| v.state == "online" && v.pending == 0);
    assert!(online.last_success_at.is_some());
    assert_eq!(online.last_error, None);
    let counts = server.rt.block_on(server.db.ledger_counts(None)).unwrap();
    assert_eq!((counts[0].entries, counts[0].sales), (5, 4));
}

#[test]
fn closing_a_shift_says_which_sales_the_server_has_not_received() {
    let server = TestServer::start(Backend::Sqlite);
    server.add_store("montreal", "CAD", "America/Toronto");
    let mut lone = Till::new("montreal");
    lone.sell();
    assert_eq!(lone.register.report_x().unwrap().unsynced_sales, None, "not enrolled");

    let mut till = Till::enrolled(&server);
    till.sell();
    till.register.sync_now().unwrap();
    till.sell();
    till.sell();
    let z = till.register.close_shift("150.00").unwrap();
    assert_eq!((z.sales_count, z.unsynced_sales), (3, Some(2)));
    // Closing dropped nothing: the two sales (and the closing) go with the next sync.
    let report = till.register.sync_now().unwrap();
    assert_eq!((report.accepted, report.pending), (3, 0));
    assert_eq!(till.register.z_report(None).unwrap().unsynced_sales, Some(0));
}
