//! The long list pages, each on the one table component (`table`): filters and order in
//! the address, read server-side through the same scoped use cases as the API, paged by
//! number or by cursor, and exported as the same rows. The portfolio is a short list
//! read whole; the other short ones — provinces, programs, formations, the funds and the
//! trial balance — are in their nouns' modules, on the same component.)

pub mod applications;
pub mod cooperatives;
pub mod loans;
pub mod portfolio;
