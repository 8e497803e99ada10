//! Integration tests of the register's database.

mod ledger;
mod promotions;
