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
        let report = backup::restore(dir.path(), &file, false).unwrap();
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
    let report = backup::restore(dir.path(), &file, true).unwrap();
    assert_eq!((report.from_backup, report.recovered, report.epoch), (2, 0, 2));
    let mut till = Till::reopen(dir, clock);
    till.sell();
    assert_eq!(till.entries().last().map(|e| (e.epoch, e.seq)), Some((2, 1)));
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
