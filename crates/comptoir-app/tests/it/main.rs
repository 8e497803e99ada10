//! Integration tests of the application API: the cashier's use cases on a real database, a
//! real catalog and the virtual printer, with receipts checked by the independent decoder.

mod card_payment;
mod card_refund;
mod common;
mod config_file;
mod credit;
mod customers;
mod discounts;
mod display;
mod drawer;
mod import;
mod labels;
mod logs;
mod printing;
mod promotions;
mod replay;
mod return_screens;
mod returns;
mod sale;
mod serial_scanner;
mod shift;
mod sign_in;
mod weighed;
