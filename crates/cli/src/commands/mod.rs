//! One module per subcommand.

pub(crate) mod check;
pub(crate) mod copy;
pub(crate) mod forget;
pub(crate) mod login;
pub(crate) mod sandbox;
pub(crate) mod status;
pub(crate) mod test;
pub(crate) mod token;

use anyhow::{Context, Result, bail};
use scim_token_core::vault::Vault;
use scim_token_core::{OrgId, TokenRecord};

/// The user's vault.
pub(crate) fn vault() -> Result<Vault> {
    Vault::open_default().context("cannot open the token store")
}

/// Every stored token's summary at `now`, soonest expiry first.
pub(crate) fn summaries(
    vault: &Vault,
    now: time::OffsetDateTime,
) -> Result<Vec<scim_token_core::TokenSummary>> {
    Ok(vault
        .records()?
        .iter()
        .map(|r| scim_token_core::TokenSummary::of(r, now))
        .collect())
}

/// The record for `--org`, or the only stored one.
pub(crate) fn pick(vault: &Vault, org: Option<&str>) -> Result<TokenRecord> {
    if let Some(text) = org {
        let org: OrgId = text.parse()?;
        return Ok(vault.record(org)?);
    }
    let records = vault.records()?;
    match records.as_slice() {
        [] => bail!("no token is stored yet: run `scim-token login` first"),
        [only] => Ok(only.clone()),
        many => {
            let orgs: Vec<String> = many
                .iter()
                .map(|r| format!("  {} ({})", r.org_id, r.broker.label()))
                .collect();
            bail!(
                "several orgs are stored; choose one with --org:\n{}",
                orgs.join("\n")
            )
        }
    }
}
