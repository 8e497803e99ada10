//! The schema and its forward-only migrations, versioned in `PRAGMA user_version`.

use rusqlite::Connection;

use crate::StoreError;

/// Each migration runs once, in its own transaction, in order. Never edit a shipped one:
/// add the next.
const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    r#"
    CREATE TABLE register (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        register_id TEXT NOT NULL,
        store_code TEXT NOT NULL,
        number INTEGER NOT NULL,
        epoch INTEGER NOT NULL,
        store_config TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    -- `position` is (epoch, seq) packed into the rowid (epoch × 2^32 + seq): the table's own
    -- key orders and deduplicates entries, so appending an entry writes one table page and no
    -- extra index (see docs/benchmarks.md).
    CREATE TABLE ledger (
        position INTEGER PRIMARY KEY CHECK (position = epoch * 4294967296 + seq),
        epoch INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        entry_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        business_day TEXT NOT NULL,
        receipt_no TEXT,
        receipt_seq INTEGER,
        external_ref TEXT,
        payload TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    -- Most entries have neither: partial indexes keep a sale's commit to the writes it needs.
    CREATE UNIQUE INDEX ledger_receipt_seq ON ledger (receipt_seq) WHERE receipt_seq IS NOT NULL;
    CREATE UNIQUE INDEX ledger_external_ref ON ledger (external_ref) WHERE external_ref IS NOT NULL;
    CREATE TABLE counter (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL
    );
    CREATE TABLE catalog_item (
        sku TEXT PRIMARY KEY,
        gtin TEXT UNIQUE,
        name TEXT NOT NULL,
        name_fr TEXT,
        price_minor INTEGER,
        tax_class TEXT NOT NULL,
        kind TEXT NOT NULL
    );
    CREATE TABLE cashier (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        pin_hash TEXT NOT NULL,
        failed_attempts INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT
    );
    CREATE TABLE parked_cart (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        parked_at TEXT NOT NULL,
        cashier_id TEXT NOT NULL,
        payload TEXT NOT NULL
    );
    CREATE TABLE current_cart (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        payload TEXT NOT NULL
    );
    CREATE TABLE print_job (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        kind TEXT NOT NULL,
        receipt_no TEXT,
        bytes BLOB NOT NULL,
        state TEXT NOT NULL,
        error TEXT,
        attempts INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE setting (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    "#,
    // 2: the register's link to the central server (one row once enrolled), the server's
    // acknowledgement per epoch, and what the server set aside.
    r#"
    CREATE TABLE sync_server (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        url TEXT NOT NULL,
        register_id TEXT NOT NULL,
        store_id TEXT NOT NULL,
        credential TEXT NOT NULL,
        pin_pem TEXT NOT NULL,
        enrolled_at TEXT NOT NULL
    );
    CREATE TABLE sync_ack (
        epoch INTEGER PRIMARY KEY,
        high_water INTEGER NOT NULL,
        acked_at TEXT NOT NULL
    );
    CREATE TABLE sync_rejected (
        epoch INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        entry_id TEXT NOT NULL,
        code TEXT NOT NULL,
        reason TEXT NOT NULL,
        seen_at TEXT NOT NULL,
        PRIMARY KEY (epoch, seq, code)
    );
    "#,
    // 3: the server's catalog: prices from a moment on (the store's local time), so an offline
    // register switches on time. The version pulled so far is the `catalog_version` setting.
    r#"
    CREATE TABLE catalog_price (
        sku TEXT NOT NULL,
        effective_from TEXT NOT NULL,
        price_minor INTEGER,
        version INTEGER NOT NULL,
        PRIMARY KEY (sku, effective_from)
    ) WITHOUT ROWID;
    "#,
    // 4: the store's stock as the server last told it (on-hand per SKU, a decimal), shown with
    // its age when the register is offline. When it was told is the `stock_as_of` setting.
    r#"
    CREATE TABLE stock_level (
        sku TEXT PRIMARY KEY,
        on_hand TEXT NOT NULL,
        updated_at TEXT NOT NULL
    ) WITHOUT ROWID;
    "#,
    // 5: customer profiles, as comptoir-customers keeps them: automerge chunks (personal fields
    // only as ciphertext), the per-customer keys, the erasures.
    comptoir_customers::store::SCHEMA,
    // 6: which customer chunks the server has acknowledged (`pushed`); chunks pulled from the
    // server are stored acknowledged. Where the pull of the chain's customer log stands is the
    // `customers.cursor` setting.
    r#"
    ALTER TABLE customer_chunks ADD COLUMN pushed INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX customer_chunks_unpushed ON customer_chunks (customer_id, seq) WHERE pushed = 0;
    "#,
    // 7: promotions, as the server publishes them in the catalog log (or a demo store's file
    // gives them, version 0): the record's JSON by id; a retired one is deleted.
    r#"
    CREATE TABLE promotion (
        id TEXT PRIMARY KEY,
        record TEXT NOT NULL,
        version INTEGER NOT NULL
    ) WITHOUT ROWID;
    "#,
    // 8: the lines of this register's returns and exchanges by the receipt they came from, so
    // the returns of a sale are found without reading the ledger. Written by a trigger in the
    // entry's own insert (a return committed, or entries taken back from the server), from the
    // payload's `returns[].original.receipt_no`: the one payload field the store reads, in SQL,
    // so no writer can forget it. Entries recorded before this step are added by it.
    r#"
    CREATE TABLE returned_line (
        original_receipt TEXT NOT NULL,
        position INTEGER NOT NULL,
        line INTEGER NOT NULL,
        PRIMARY KEY (original_receipt, position, line)
    ) WITHOUT ROWID;
    CREATE TRIGGER returned_line_of_entry AFTER INSERT ON ledger
    WHEN NEW.kind IN ('return', 'exchange') AND json_valid(NEW.payload)
    BEGIN
        INSERT OR IGNORE INTO returned_line (original_receipt, position, line)
        SELECT json_extract(r.value, '$.original.receipt_no'), NEW.position,
            coalesce(json_extract(r.value, '$.line'), r.key)
        FROM json_each(NEW.payload, '$.returns') AS r
        WHERE json_type(r.value, '$.original.receipt_no') = 'text';
    END;
    INSERT OR IGNORE INTO returned_line (original_receipt, position, line)
    SELECT json_extract(r.value, '$.original.receipt_no'), l.position,
        coalesce(json_extract(r.value, '$.line'), r.key)
    FROM ledger AS l, json_each(l.payload, '$.returns') AS r
    WHERE l.kind IN ('return', 'exchange') AND json_valid(l.payload)
        AND json_type(r.value, '$.original.receipt_no') = 'text';
    "#,
    // 9: the sales, returns and exchanges with a store-credit leg, by the credit note's
    // number (issued by a refund, spent as a tender), so a note's balance is read without the
    // ledger. Written by a trigger in the entry's own insert, like `returned_line`, from
    // `tenders[].reference` where `tenders[].kind` is `store_credit`.
    r#"
    CREATE TABLE credit_leg (
        reference TEXT NOT NULL,
        position INTEGER NOT NULL,
        PRIMARY KEY (reference, position)
    ) WITHOUT ROWID;
    CREATE TRIGGER credit_leg_of_entry AFTER INSERT ON ledger
    WHEN NEW.kind IN ('sale', 'return', 'exchange') AND NEW.payload LIKE '%"store_credit"%'
        AND json_valid(NEW.payload)
    BEGIN
        INSERT OR IGNORE INTO credit_leg (reference, position)
        SELECT json_extract(t.value, '$.reference'), NEW.position
        FROM json_each(NEW.payload, '$.tenders') AS t
        WHERE json_extract(t.value, '$.kind') = 'store_credit'
            AND json_type(t.value, '$.reference') = 'text';
    END;
    INSERT OR IGNORE INTO credit_leg (reference, position)
    SELECT json_extract(t.value, '$.reference'), l.position
    FROM ledger AS l, json_each(l.payload, '$.tenders') AS t
    WHERE l.kind IN ('sale', 'return', 'exchange') AND json_valid(l.payload)
        AND json_extract(t.value, '$.kind') = 'store_credit'
        AND json_type(t.value, '$.reference') = 'text';
    "#,
    // 10: card payments on an integrated terminal, each recorded before it is sent, so a
    // payment whose answer was lost is asked about at the next start instead of charged again.
    r#"
    CREATE TABLE card_payment (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('payment', 'refund')),
        amount TEXT NOT NULL,
        currency TEXT NOT NULL,
        state TEXT NOT NULL
            CHECK (state IN ('pending', 'approved', 'declined', 'reversing', 'reversed')),
        reference TEXT,
        slip TEXT,
        outcome TEXT,
        -- The terminal's receipt number of its last transaction the register saw end before
        -- this one was sent, and this one's: how a lost answer is told apart on recovery.
        previous_receipt_no INTEGER,
        receipt_no INTEGER
    );
    CREATE INDEX card_payment_unsettled ON card_payment (state)
        WHERE state IN ('pending', 'reversing');
    "#,
    // 11: every opening of the cash drawer, as the register saw it: why (a sale, a refund, a
    // no-sale, a paid in or out, a test, or none: opened by its key), by whom, for which
    // receipt, whether the printer was in error (the real-time pulse), and when it closed
    // again if the drawer has a sensor. The ledger holds the money; this holds the drawer.
    r#"
    CREATE TABLE drawer_opening (
        id INTEGER PRIMARY KEY,
        opened_at TEXT NOT NULL,
        reason TEXT NOT NULL
            CHECK (reason IN ('sale', 'refund', 'no_sale', 'cash_movement', 'test', 'unexplained')),
        cashier_id TEXT,
        receipt_no TEXT,
        real_time INTEGER NOT NULL CHECK (real_time IN (0, 1)),
        pin INTEGER NOT NULL CHECK (pin IN (2, 5)),
        closed_at TEXT
    );
    CREATE INDEX drawer_opening_open ON drawer_opening (id) WHERE closed_at IS NULL;
    "#,
    // 12: a card refund keeps the cart it refunds (the return, as the register saves its cart
    // in progress), so a refund the terminal approved after the register that rang it stopped
    // is recorded with its return, not refunded again.
    r#"
    ALTER TABLE card_payment ADD COLUMN cart TEXT;
    "#,
];

/// The schema version this build knows.
pub const CURRENT: i64 = MIGRATIONS.len() as i64;

pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found > CURRENT {
        return Err(StoreError::TooNew { found, known: CURRENT });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        tx.commit()?;
        tracing::info!(version = index + 1, "database migrated");
    }
    Ok(())
}
