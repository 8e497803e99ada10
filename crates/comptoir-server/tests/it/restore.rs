//! Backup and restore: a register restored from a backup takes back what reached the server
//! and goes on in a new epoch; a server restored from a backup gets what it lost from the
//! registers again.

use comptoir_app::backup;

use crate::support::*;

#[test]
fn a_restored_register_takes_back_what_reached_the_server_and_starts_a_new_epoch() {
    for backend in BACKENDS {
        let server = TestServer::start(backend);
        server.add_store("montreal", "CAD", "America/Toronto");
        let mut till = Till::enrolled(&server);
        for _ in 0..3 {
            till.sell();
        }
        till.register.sync_now().unwrap();
        let saved = tempfile::tempdir().unwrap();
        let file = saved.path().join("register.backup");
        let made = backup::backup(till.dir.path(), &file).unwrap();
        assert_eq!((made.entries, made.last), (4, (1, 4)));
        assert!(backup::backup(till.dir.path(), &file).is_err(), "a backup never overwrites");
        till.sell();
        till.sell();
        till.register.sync_now().unwrap();
        till.sell(); // never reached the server: lost with the disk
        let lost = till.entries().last().unwrap().receipt_no.clone().unwrap();
        assert_eq!(lost, "MTL01-000006");

        let Till { dir, clock, register } = till;
        drop(register);
        // The database still opens and holds a sale nobody else has: not without --force.
        let refused = backup::restore(dir.path(), &file, false, false).unwrap_err();
        assert_eq!(refused.code, "restore_would_lose", "{refused:?}");
        assert!(refused.detail.contains("MTL01-000006"), "{}", refused.detail);
        assert!(!dir.path().join("register.db.restoring").exists(), "nothing left behind");
        let report = backup::restore(dir.path(), &file, false, true).unwrap();
        assert_eq!((report.from_backup, report.recovered, report.epoch), (4, 2, 2), "{backend:?}");
        assert!(report.replaced.as_ref().is_some_and(|p| p.exists()), "the old file is kept");
        let mut till = Till::reopen(dir, clock);
        assert_eq!(till.entries().len(), 6);
        assert!(till.register.verify().unwrap().first_bad.is_none());
        assert_eq!(till.register.view().unwrap().printer.pending_jobs, 0, "nothing prints again");

        till.register.scan(PEANUTS).unwrap();
        let sale = till.register.tender_cash("10.00").unwrap().expect("paid");
        assert_eq!((sale.entry.epoch, sale.entry.seq), (2, 1));
        assert_eq!(sale.sale.receipt_no, "MTL01-2-000006", "not the lost sale's number");
        let report = till.register.sync_now().unwrap();
        assert_eq!((report.accepted, report.quarantined, report.pending), (1, 0, 0));
        let counts = server.rt.block_on(server.db.ledger_counts(None)).unwrap();
        assert_eq!((counts[0].entries, counts[0].sales, counts[0].quarantined), (7, 6, 0));
    }
}

#[test]
fn a_register_restored_offline_starts_a_new_epoch_without_the_server() {
    let mut till = Till::new("montreal");
    till.sell();
    let saved = tempfile::tempdir().unwrap();
    let file = saved.path().join("register.backup");
    backup::backup(till.dir.path(), &file).unwrap();
    till.sell();
    let Till { dir, clock, register } = till;
    drop(register);
    let report = backup::restore(dir.path(), &file, true, true).unwrap();
    assert_eq!((report.from_backup, report.recovered), (2, 0));
    // Offline, the epoch comes from the clock (minutes since 2026): no earlier restore's.
    assert!(report.epoch > 100_000, "{}", report.epoch);
    let mut till = Till::reopen(dir, clock);
    till.sell();
    assert_eq!(till.entries().last().map(|e| (e.epoch, e.seq)), Some((report.epoch, 1)));
    assert!(till.register.verify().unwrap().first_bad.is_none());
}

#[test]
fn a_restored_server_gets_what_it_lost_from_the_registers() {
    for backend in BACKENDS {
        let mut server = TestServer::start(backend);
        server.add_store("montreal", "CAD", "America/Toronto");
        let mut till = Till::enrolled(&server);
        for _ in 0..3 {
            till.sell();
        }
        till.register.sync_now().unwrap();
        let saved = tempfile::tempdir().unwrap();
        let file = saved.path().join("server.backup");
        comptoir_server::backup::backup(&server.location, &file).unwrap();
        till.sell();
        till.sell();
        till.register.sync_now().unwrap();

        server.restart_with(|location| {
            comptoir_server::backup::restore(location, &file, true).unwrap();
        });
        let counts = server.rt.block_on(server.db.ledger_counts(None)).unwrap();
        assert_eq!(counts[0].entries, 4, "{backend:?}: the server is back to its backup");

        let report = till.register.sync_now().unwrap();
        assert_eq!((report.accepted, report.pending), (2, 0), "{backend:?}");
        let counts = server.rt.block_on(server.db.ledger_counts(None)).unwrap();
        assert_eq!((counts[0].entries, counts[0].sales, counts[0].quarantined), (6, 5, 0));
    }
}

#[test]
fn a_restored_server_gets_back_an_epoch_that_started_after_its_backup() {
    for backend in BACKENDS {
        let mut server = TestServer::start(backend);
        server.add_store("montreal", "CAD", "America/Toronto");
        let mut till = Till::enrolled(&server);
        till.sell();
        till.register.sync_now().unwrap();
        let saved = tempfile::tempdir().unwrap();
        let server_file = saved.path().join("server.backup");
        comptoir_server::backup::backup(&server.location, &server_file).unwrap();
        // The register goes on, is restored from its own backup (a new epoch), sells again.
        till.sell();
        till.register.sync_now().unwrap();
        let register_file = saved.path().join("register.backup");
        backup::backup(till.dir.path(), &register_file).unwrap();
        let Till { dir, clock, register } = till;
        drop(register);
        backup::restore(dir.path(), &register_file, false, false).unwrap();
        let mut till = Till::reopen(dir, clock);
        till.sell();
        till.register.sync_now().unwrap();
        // Now the server goes back to before all that.
        server.restart_with(|location| {
            comptoir_server::backup::restore(location, &server_file, true).unwrap();
        });
        let report = till.register.sync_now().unwrap();
        assert_eq!((report.accepted, report.quarantined, report.pending), (2, 0, 0), "{backend:?}");
        let counts = server.rt.block_on(server.db.ledger_counts(None)).unwrap();
        assert_eq!((counts[0].entries, counts[0].sales, counts[0].quarantined), (4, 3, 0));
        let marks = server.rt.block_on(server.db.ledger_status(&counts[0].register_id)).unwrap();
        let marks: Vec<(i64, i64)> = marks.iter().map(|m| (m.epoch, m.high_water)).collect();
        assert_eq!(marks, vec![(1, 3), (2, 1)]);
    }
}

#[test]
fn a_reinstall_takes_back_the_branch_that_leads_to_the_latest_sale() {
    let server = TestServer::start(Backend::Sqlite);
    server.add_store("montreal", "CAD", "America/Toronto");
    let mut till = Till::enrolled(&server);
    till.sell();
    till.register.sync_now().unwrap();
    let saved = tempfile::tempdir().unwrap();
    let file = saved.path().join("register.backup");
    backup::backup(till.dir.path(), &file).unwrap();
    till.sell();
    till.register.sync_now().unwrap(); // (1, 3) reaches the server
    let register_id = till.sync_server().register_id;
    let Till { dir, clock, register } = till;
    drop(register);
    // Restored offline: epoch 2 starts from (1, 2), and (1, 3) is on a branch of its own.
    let forked = backup::restore(dir.path(), &file, true, true).unwrap().epoch;
    let mut till = Till::reopen(dir, clock);
    till.sell();
    till.register.sync_now().unwrap();
    drop(till);
    // A new install of the register takes back (1, 1), (1, 2), (forked, 1) and goes on after.
    let code = server.new_code(&register_id);
    let mut new = Till::bare("montreal", 1);
    new.register
        .enrol(&server.url, &code, comptoir_sync::Trust::Fingerprint(server.fingerprint.clone()))
        .unwrap();
    let positions: Vec<(i64, i64)> = new.entries().iter().map(|e| (e.epoch, e.seq)).collect();
    assert_eq!(positions, vec![(1, 1), (1, 2), (forked, 1)]);
    assert!(new.register.verify().unwrap().first_bad.is_none());
    new.register.scan(PEANUTS).unwrap();
    let sale = new.register.tender_cash("10.00").unwrap().expect("paid");
    assert_eq!((sale.entry.epoch, sale.entry.seq), (forked + 1, 1));
    let report = new.register.sync_now().unwrap();
    assert_eq!((report.accepted, report.quarantined), (1, 0));
}

#[test]
fn an_offline_restore_after_an_online_one_never_reuses_its_epoch() {
    let server = TestServer::start(Backend::Sqlite);
    server.add_store("montreal", "CAD", "America/Toronto");
    let mut till = Till::enrolled(&server);
    till.sell();
    till.register.sync_now().unwrap();
    let saved = tempfile::tempdir().unwrap();
    let file = saved.path().join("b1.backup");
    backup::backup(till.dir.path(), &file).unwrap();
    till.sell();
    till.register.sync_now().unwrap();
    let Till { dir, clock, register } = till;
    drop(register);
    assert_eq!(backup::restore(dir.path(), &file, false, false).unwrap().epoch, 2);
    let mut till = Till::reopen(dir, clock);
    till.sell();
    till.register.sync_now().unwrap(); // epoch 2 is on the server
    let Till { dir, clock, register } = till;
    drop(register);
    std::fs::remove_file(dir.path().join("register.db")).unwrap(); // the disk is gone
    let report = backup::restore(dir.path(), &file, true, false).unwrap();
    assert!(report.epoch > 2);
    let mut till = Till::reopen(dir, clock);
    till.sell();
    let sync = till.register.sync_now().unwrap();
    assert_eq!((sync.quarantined, sync.pending), (0, 0), "{sync:?}");
    let counts = server.rt.block_on(server.db.ledger_counts(None)).unwrap();
    assert_eq!((counts[0].sales, counts[0].quarantined), (4, 0));
}

#[test]
fn a_backup_from_before_the_enrolment_keeps_the_current_one() {
    let server = TestServer::start(Backend::Sqlite);
    server.add_store("montreal", "CAD", "America/Toronto");
    let issued = server.add_register("montreal");
    let mut till = Till::numbered("montreal", issued.register.number);
    till.sell();
    let saved = tempfile::tempdir().unwrap();
    let file = saved.path().join("before-enrol.backup");
    backup::backup(till.dir.path(), &file).unwrap();
    till.register
        .enrol(
            &server.url,
            &issued.code,
            comptoir_sync::Trust::Fingerprint(server.fingerprint.clone()),
        )
        .unwrap();
    till.sell();
    till.register.sync_now().unwrap();
    let Till { dir, clock, register } = till;
    drop(register);
    let report = backup::restore(dir.path(), &file, false, false).unwrap();
    assert_eq!(report.recovered, 1, "the sale after the backup comes back from the server");
    let mut till = Till::reopen(dir, clock);
    assert!(till.store().sync_server().unwrap().is_some(), "still enrolled");
    till.sell();
    let sync = till.register.sync_now().unwrap();
    assert_eq!((sync.accepted, sync.quarantined), (1, 0));
}
