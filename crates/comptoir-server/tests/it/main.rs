//! The server's tests: every one runs against SQLite and against PostgreSQL (a fresh
//! database each time, on the server `COMPTOIR_TEST_POSTGRES` names, by default the local
//! one). Registers are real `comptoir-app` registers on demo data, syncing over HTTPS.

mod bad_input;
mod catalog;
mod customers;
mod enrol;
mod ledger;
mod multi;
mod outage;
mod promotions;
mod restore;
mod returns;
mod sim;
mod stock;
mod support;
mod task;
