//! AWS facts, as data: the Regions and their zones, the VPC endpoint catalog, the SageMaker
//! condition keys and the actions that carry them, and the price table. Nothing here knows the
//! spec or the model: `spec` validates against these facts and `model` resolves with them, so
//! they sit below both (see `docs/architecture.md`). Each table names its AWS sources.

pub mod condition_keys;
pub mod endpoints;
pub mod prices;
pub mod region;
