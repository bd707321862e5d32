//! One module per subcommand. Each parses what clap gave it, calls `scim_token_core::api`, and
//! prints; the flows themselves live in core.

pub(crate) mod check;
pub(crate) mod copy;
pub(crate) mod forget;
pub(crate) mod login;
pub(crate) mod sandbox;
pub(crate) mod status;
pub(crate) mod test;
pub(crate) mod token;

use anyhow::{Context, Result};
use scim_token_core::Tokens;

/// The user's tokens.
pub(crate) fn tokens() -> Result<Tokens> {
    Tokens::open_default().context("cannot open the token store")
}
