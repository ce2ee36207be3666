//! Integration tests: the real server on a random port, over real HTTP, against a fresh
//! database with the demo data. One binary, so the server code is linked once.

mod api;
mod authorization;
mod awards;
mod awards_pages;
mod browser;
mod contract;
mod dashboard;
mod database_down;
mod disk_full;
mod events;
mod forms;
mod four_eyes;
mod helpers;
mod idempotency;
mod impact;
mod lists;
mod loans;
mod money;
mod pages;
mod program_form;
mod registry;
mod registry_policy;
mod services;
mod support;
mod synergy;
mod transparency;
mod two_servers;
mod ui;
mod web_security;
mod workflow;
