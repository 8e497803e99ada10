//! A seeded simulation: registers selling offline over a network that drops, duplicates,
//! reorders and partitions, with registers restarted between a commit and its upload and
//! acknowledgements lost after the server's commit. At the end the server holds every entry
//! exactly once, with no gap, and the totals match the registers' to the cent.
//!
//! `COMPTOIR_SIM_SEED=<n>` replays one seed; a failure names its seed.

use std::cell::{Cell, RefCell};

use comptoir_protocol::payload::Sale;
use comptoir_protocol::wire::{BatchAck, LedgerBatch};
use comptoir_server::db::Authenticated;
use comptoir_server::secret;
use comptoir_sync::{SyncError, Transport};
use rust_decimal::Decimal;

use crate::support::*;

/// xorshift64*: small, seeded, the same sequence on every machine.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// True `percent` times in a hundred.
    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

#[derive(Debug, Default)]
pub(crate) struct Faults {
    pub dropped_requests: u32,
    pub lost_answers: u32,
    pub duplicated: u32,
    pub held_back: u32,
    pub delivered_late: u32,
    pub refused_partitioned: u32,
}

impl Faults {
    pub(crate) fn add(&mut self, f: Faults) {
        self.dropped_requests += f.dropped_requests;
        self.lost_answers += f.lost_answers;
        self.duplicated += f.duplicated;
        self.held_back += f.held_back;
        self.delivered_late += f.delivered_late;
        self.refused_partitioned += f.refused_partitioned;
    }
}

/// The network between one register and the server: it calls the server's own ingest (the
/// code behind `ledger:batch`), and misbehaves on purpose.
struct FaultyNetwork<'a> {
    server: &'a TestServer,
    caller: Authenticated,
    rng: &'a RefCell<Rng>,
    partitioned: &'a Cell<bool>,
    faulty: Cell<bool>,
    held: RefCell<Vec<LedgerBatch>>,
    faults: &'a RefCell<Faults>,
}

impl FaultyNetwork<'_> {
    fn deliver(&self, batch: LedgerBatch) -> BatchAck {
        let epoch = batch.epoch;
        let plan = self
            .server
            .rt
            .block_on(self.server.db.ingest(&self.caller, batch, &comptoir_server::now(), 0))
            .expect("the server stores the batch");
        BatchAck {
            epoch,
            high_water: plan.high_water,
            accepted: plan.accept.len() as u32,
            duplicates: plan.duplicates,
            quarantined: plan.rejected(),
            clock_skew_seconds: None,
        }
    }

    fn offline(what: &str) -> SyncError {
        SyncError::new("offline", what.to_owned())
    }

    /// Delivers whatever the network still holds, as a healed network eventually does.
    fn flush(&self) {
        for batch in self.held.borrow_mut().drain(..) {
            self.deliver(batch);
            self.faults.borrow_mut().delivered_late += 1;
        }
    }
}

impl Transport for FaultyNetwork<'_> {
    fn post_batch(&self, batch: &LedgerBatch) -> Result<BatchAck, SyncError> {
        if !self.faulty.get() {
            return Ok(self.deliver(batch.clone()));
        }
        let mut rng = self.rng.borrow_mut();
        let mut faults = self.faults.borrow_mut();
        if self.partitioned.get() {
            faults.refused_partitioned += 1;
            return Err(Self::offline("partitioned"));
        }
        // An older batch, held up on the way, overtakes or follows this one.
        while !self.held.borrow().is_empty() && rng.chance(50) {
            let index = rng.below(self.held.borrow().len() as u64) as usize;
            let late = self.held.borrow_mut().remove(index);
            drop(rng);
            self.deliver(late);
            rng = self.rng.borrow_mut();
            faults.delivered_late += 1;
        }
        if rng.chance(15) {
            faults.held_back += 1;
            self.held.borrow_mut().push(batch.clone());
            return Err(Self::offline("timed out (the batch is still on its way)"));
        }
        if rng.chance(10) {
            faults.dropped_requests += 1;
            return Err(Self::offline("connection reset before the server read it"));
        }
        let duplicate = rng.chance(10);
        let lose_answer = rng.chance(10);
        drop(rng);
        let ack = self.deliver(batch.clone());
        if duplicate {
            faults.duplicated += 1;
            self.deliver(batch.clone());
        }
        if lose_answer {
            // The server committed; its acknowledgement never arrives.
            faults.lost_answers += 1;
            return Err(Self::offline("connection reset after the server's commit"));
        }
        Ok(ack)
    }
}

fn sale_total(entries: &[comptoir_store::Entry]) -> Decimal {
    entries
        .iter()
        .filter(|e| e.kind == "sale")
        .map(|e| {
            serde_json::from_str::<Sale>(&e.payload).unwrap().total.parse::<Decimal>().unwrap()
        })
        .sum()
}

fn simulate(backend: Backend, seed: u64, registers: usize, sales_each: usize) -> Faults {
    let server = TestServer::start(backend);
    server.add_store("montreal", "CAD", "America/Toronto");
    let opening = comptoir_server::stock::Recorded::Receipt {
        store: "montreal".into(),
        sku: "M0019061093791".into(),
        qty: "10".into(),
        reference: "opening".into(),
    };
    server.rt.block_on(comptoir_server::stock::record(&server.db, opening)).unwrap();
    let rng = RefCell::new(Rng::new(seed));
    let partitioned = Cell::new(false);
    let faults = RefCell::new(Faults::default());
    let mut tills: Vec<Till> = (0..registers).map(|_| Till::enrolled(&server)).collect();
    let networks: Vec<FaultyNetwork<'_>> = tills
        .iter()
        .map(|till| {
            let credential = till.sync_server().credential;
            let caller = server
                .rt
                .block_on(server.db.authenticate(&secret::hash(&credential)))
                .unwrap()
                .unwrap();
            FaultyNetwork {
                server: &server,
                caller,
                rng: &rng,
                partitioned: &partitioned,
                faulty: Cell::new(true),
                held: RefCell::new(Vec::new()),
                faults: &faults,
            }
        })
        .collect();
    let mut sold = vec![0usize; registers];
    let mut restarts = 0;
    while sold.iter().any(|s| *s < sales_each) {
        let which = rng.borrow_mut().below(registers as u64) as usize;
        let roll = rng.borrow_mut().below(100);
        if partitioned.get() {
            // A partition lasts a few steps: sales go on, uploads fail.
            if rng.borrow_mut().chance(20) {
                partitioned.set(false);
            }
        } else if rng.borrow_mut().chance(3) {
            partitioned.set(true);
        }
        match roll {
            0..=54 if sold[which] < sales_each => {
                tills[which].sell();
                sold[which] += 1;
            }
            0..=54 => {}
            55..=91 => {
                let mut db = tills[which].store();
                // Errors are the network's doing; what was acknowledged stays acknowledged.
                let _ = comptoir_sync::upload(&mut db, &networks[which], &comptoir_server::now);
            }
            _ => {
                // The register dies between a commit and its upload, and starts again.
                let till = tills.remove(which);
                tills.insert(which, till.restart());
                restarts += 1;
            }
        }
    }

    // The network heals; what it held arrives; every register syncs until nothing waits.
    partitioned.set(false);
    for (till, network) in tills.iter().zip(&networks) {
        network.flush();
        network.faulty.set(false);
        let mut db = till.store();
        let report = comptoir_sync::upload(&mut db, network, &comptoir_server::now)
            .unwrap_or_else(|e| panic!("seed {seed}: the last upload failed: {e:?}"));
        assert_eq!(report.pending, 0, "seed {seed}");
    }

    let counts = server.rt.block_on(server.db.ledger_counts(None)).unwrap();
    let mut register_total = Decimal::ZERO;
    for (till, network) in tills.iter().zip(&networks) {
        let entries = till.entries();
        let count = counts.iter().find(|c| c.register_id == network.caller.register_id).unwrap();
        assert_eq!(count.entries as usize, entries.len(), "seed {seed}: every entry, once");
        assert_eq!(count.sales as usize, sales_each, "seed {seed}");
        assert_eq!(count.quarantined, 0, "seed {seed}: nothing set aside");
        let marks =
            server.rt.block_on(server.db.ledger_status(&network.caller.register_id)).unwrap();
        assert_eq!(marks.len(), 1);
        assert_eq!(marks[0].high_water as usize, entries.len(), "seed {seed}: seqs 1..n, no gap");
        // Sending the whole ledger again changes nothing.
        let again = network
            .post_batch(&LedgerBatch { epoch: 1, entries: entries.clone(), sent_at: None })
            .unwrap();
        assert_eq!((again.accepted, again.duplicates as usize), (0, entries.len()), "seed {seed}");
        register_total += sale_total(&entries);
    }
    let server_total: Decimal = server
        .rt
        .block_on(server.db.sale_payloads("montreal"))
        .unwrap()
        .iter()
        .map(|p| serde_json::from_str::<Sale>(p).unwrap().total.parse::<Decimal>().unwrap())
        .sum();
    assert_eq!(server_total, register_total, "seed {seed}: totals to the cent");
    assert_eq!(server_total, Decimal::new(849, 2) * Decimal::from((registers * sales_each) as u64));
    // Stock: the opening plus every sale once, whatever was dropped, duplicated or replayed;
    // no truffle was ever received, so every sale of one is in the exception, once.
    let sold = (registers * sales_each) as i64 * 1000;
    let on_hand = |sku: &str| server.rt.block_on(server.db.on_hand("montreal", sku)).unwrap();
    assert_eq!(on_hand("M0019061093791"), 10_000 - sold, "seed {seed}: peanuts");
    assert_eq!(on_hand("M0020601405080"), -sold, "seed {seed}: truffles");
    let exceptions =
        server.rt.block_on(server.db.stock_exceptions(Some("montreal"), true)).unwrap();
    let truffles = exceptions.iter().find(|e| e.sku == "M0020601405080").unwrap();
    let mut listed = truffles.entries.clone();
    listed.sort();
    listed.dedup();
    assert_eq!(
        (truffles.entries.len(), listed.len()),
        (registers * sales_each, registers * sales_each),
        "seed {seed}: each oversold sale listed once"
    );
    let faults = faults.into_inner();
    eprintln!("seed {seed} ({backend:?}): {restarts} restarts, {faults:?}");
    faults
}

#[test]
fn registers_reconcile_exactly_once_through_a_faulty_network() {
    let seeds: Vec<u64> = match std::env::var("COMPTOIR_SIM_SEED") {
        Ok(seed) => vec![seed.parse().expect("COMPTOIR_SIM_SEED is a number")],
        Err(_) => vec![1, 2, 3],
    };
    let mut all = Faults::default();
    for seed in &seeds {
        all.add(simulate(Backend::Sqlite, *seed, 3, 50));
    }
    all.add(simulate(Backend::Postgres, seeds[0], 3, 25));
    if seeds.len() > 1 {
        assert!(
            all.lost_answers > 0
                && all.held_back > 0
                && all.duplicated > 0
                && all.dropped_requests > 0
                && all.refused_partitioned > 0,
            "the network misbehaved in every way ({all:?})"
        );
    }
}
