//! The HTML pages, one module per part of the interface.

pub mod admin;
pub mod dashboard;
pub mod entities;
pub mod error_page;
pub mod fact_form;
pub mod message;
pub mod model;
pub mod public_check;
pub mod public_numbers;
pub mod review;
pub mod rights;
pub mod search;
pub mod session;
