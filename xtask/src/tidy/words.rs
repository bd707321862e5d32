//! Words core owns are written once, in core: a shell (`crates/cli/src`, `src-tauri/src`,
//! `ui/src`) that writes one of core's descriptions itself (in a string in production code, or
//! anywhere in the front end's source) is named, so it calls core's method instead of phrasing
//! a copy that drifts.

use std::path::Path;

use proc_macro2::{TokenStream, TokenTree};
use scim_token_core::BrokerId;
use scim_token_core::api::{ErrorKind, JobStep, PushAction, PushPlan, PushReport, Shell};
use scim_token_core::clipboard::ClearOutcome;
use scim_token_core::entra::{BaseAddressChange, Cloud, EntraLink, EntraTarget, ExecutionState, JobCode};
use syn::visit::Visit;

use super::rust_modules::{is_test_only, item_attrs};
use super::{CrateModules, TidyError, ts_modules};

/// Shorter phrases ("started", "Webex") are ordinary words, not core's sentences.
const SHORTEST: usize = 16;

/// The kinds of error with a next step (a kind without one adds nothing to look for).
const KINDS: &[ErrorKind] = &[
    ErrorKind::NotFound,
    ErrorKind::NoTokens,
    ErrorKind::SeveralOrgs,
    ErrorKind::TokenRefused,
    ErrorKind::Forbidden,
    ErrorKind::CorruptRecords,
    ErrorKind::EntraSignInNeeded,
    ErrorKind::EntraBrowserSignInNeeded,
    ErrorKind::Busy,
    ErrorKind::NotLinked,
    ErrorKind::EntraNotFound,
    ErrorKind::EntraThrottled,
    ErrorKind::EntraPolicy,
    ErrorKind::EntraPermission,
    ErrorKind::Clipboard,
    ErrorKind::EntraSettings,
    ErrorKind::EntraWrongTenant,
    ErrorKind::EntraRefused,
];

/// Core's descriptions: brokers, clouds, job states, push actions and steps, the clipboard's
/// clear, and every next step in both shells' words.
pub(crate) fn core_phrases() -> Vec<String> {
    let mut phrases: Vec<String> = Vec::new();
    for broker in [BrokerId::Webex, BrokerId::Government] {
        phrases.push(broker.choice_label().into());
    }
    for cloud in [Cloud::Global, Cloud::Usgov, Cloud::Dod] {
        phrases.push(cloud.choice_label().into());
        phrases.push(cloud.label());
    }
    for code in [
        JobCode::NotConfigured,
        JobCode::NotRun,
        JobCode::Active,
        JobCode::Paused,
        JobCode::Quarantine,
    ] {
        phrases.push(code.description().into());
    }
    for state in [
        ExecutionState::Succeeded,
        ExecutionState::Failed,
        ExecutionState::EntryLevelErrors,
    ] {
        phrases.push(state.description().into());
    }
    for action in [
        PushAction::Stored,
        PushAction::Restarted,
        PushAction::Started,
        PushAction::LeftPaused,
    ] {
        phrases.push(action.description().into());
    }
    for step in [
        JobStep::Restart,
        JobStep::Start,
        JobStep::LeavePaused,
        JobStep::Nothing,
    ] {
        phrases.push(step.description().into());
    }
    for outcome in [
        ClearOutcome::Cleared,
        ClearOutcome::LeftAlone,
        ClearOutcome::Failed,
    ] {
        phrases.push(outcome.description().into());
    }
    for kind in KINDS {
        for shell in [Shell::Cli, Shell::Desktop] {
            phrases.extend(kind.next_step(shell).map(str::to_owned));
        }
    }
    phrases.extend(push_sentences());
    phrases.retain(|p| p.len() >= SHORTEST);
    phrases.sort();
    phrases.dedup();
    phrases
}

/// The fixed sentences of a push's report in words (what follows the headline), from a report
/// of each outcome: a shell that writes one of them itself is phrasing a push again.
fn push_sentences() -> Vec<String> {
    let link = EntraLink::new(
        EntraTarget::new(Cloud::Global),
        "tidy-app".into(),
        "Tidy App".into(),
        "tidy-job".into(),
        None,
    );
    let plan = PushPlan {
        changes: vec!["SecretToken".into()],
        keeps: vec![],
        base_address: BaseAddressChange::Kept,
        then: JobStep::LeavePaused,
        settings_read: true,
    };
    let mut reports = Vec::new();
    for stored in [Some(true), Some(false), None] {
        let mut failed = PushReport::new(&link, false);
        failed.stored = stored;
        failed.error = Some("tidy failure".into());
        reports.push(failed);
    }
    let mut paused = PushReport::new(&link, false);
    paused.action = Some(PushAction::LeftPaused);
    paused.plan = Some(plan.clone());
    reports.push(paused);
    let mut dry = PushReport::new(&link, true);
    dry.plan = Some(plan);
    reports.push(dry);
    reports
        .iter()
        .flat_map(|report| [report.text(Shell::Cli), report.text(Shell::Desktop)])
        .flat_map(|text| text.details)
        .filter(|sentence| {
            !sentence.contains("Tidy") && !sentence.contains("tidy") && !sentence.contains("SecretToken")
        })
        .collect()
}

/// The Rust shells, by their crate roots.
const RUST_SHELLS: &[&str] = &["crates/cli/src/main.rs", "src-tauri/src/main.rs"];

/// Every place a shell writes one of `phrases` itself.
pub(crate) fn findings(root: &Path, phrases: &[String]) -> Result<Vec<String>, TidyError> {
    let mut findings = Vec::new();
    let mut check = |file: &str, text: &str| {
        for phrase in phrases.iter().filter(|p| text.contains(p.as_str())) {
            findings.push(format!(
                "{file} writes core's words \"{phrase}\": call core's method instead"
            ));
        }
    };
    for shell in RUST_SHELLS {
        for module in CrateModules::load(&root.join(shell))?.modules.values() {
            let file = super::shown(root, &module.file);
            for literal in strings(&module.file)? {
                check(&file, &literal);
            }
        }
    }
    let ui = root.join("ui/src");
    for file in ts_modules::files(&ui)? {
        let name = super::shown(root, &file);
        if name.ends_with("bindings.ts") {
            continue;
        }
        let text = super::read(&file)?;
        check(&name, &text);
    }
    Ok(super::sorted(findings))
}

/// The string literals of a file's production code, macro arguments included.
fn strings(file: &Path) -> Result<Vec<String>, TidyError> {
    let parsed = super::parse(file)?;
    let mut collector = Strings::default();
    for item in &parsed.items {
        if !is_test_only(item_attrs(item)) && !matches!(item, syn::Item::Mod(_)) {
            collector.visit_item(item);
        }
    }
    Ok(collector.found)
}

#[derive(Default)]
struct Strings {
    found: Vec<String>,
}

impl<'ast> Visit<'ast> for Strings {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        if !is_test_only(item_attrs(item)) {
            syn::visit::visit_item(self, item);
        }
    }

    fn visit_lit_str(&mut self, literal: &'ast syn::LitStr) {
        self.found.push(literal.value());
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        strings_in_tokens(mac.tokens.clone(), &mut self.found);
    }
}

fn strings_in_tokens(tokens: TokenStream, out: &mut Vec<String>) {
    for token in tokens {
        match token {
            TokenTree::Literal(literal) => {
                if let Ok(string) = syn::parse_str::<syn::LitStr>(&literal.to_string()) {
                    out.push(string.value());
                }
            }
            TokenTree::Group(group) => strings_in_tokens(group.stream(), out),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tidy::tests::tree;

    #[test]
    fn core_s_words_copied_into_a_shell_are_named() {
        let phrase = "US Government (GCC High)".to_owned();
        let root = tree(&[
            (
                "crates/cli/src/main.rs",
                "mod out;\nfn main() { let _ = cloud.choice_label(); }\n#[cfg(test)]\nmod tests { const X: &str = \"US Government (GCC High)\"; }\n",
            ),
            (
                "crates/cli/src/out.rs",
                "fn f() { println!(\"{}: US Government (GCC High)\", x); }\n",
            ),
            (
                "src-tauri/src/main.rs",
                "const LABEL: &str = \"US Government (GCC High)\";\n",
            ),
            (
                "ui/src/panel.ts",
                "select.title = \"US Government (GCC High)\";\n",
            ),
            ("ui/src/bindings.ts", "/** US Government (GCC High) */\n"),
        ]);
        assert_eq!(
            findings(&root, &[phrase]).unwrap(),
            [
                "crates/cli/src/out.rs writes core's words \"US Government (GCC High)\": call core's method instead",
                "src-tauri/src/main.rs writes core's words \"US Government (GCC High)\": call core's method instead",
                "ui/src/panel.ts writes core's words \"US Government (GCC High)\": call core's method instead",
            ]
        );
        let _ = std::fs::remove_dir_all(root);
    }

    #[test]
    fn core_s_phrases_include_each_kind_of_description() {
        let phrases = core_phrases();
        for expected in [
            "Webex for Government (FedRAMP)",
            "US Government cloud (GCC High)",
            "Press Get a token to sign in.",
            "run `scim-token login` to get a token.",
            "The job kept its old credentials; nothing in it was changed.",
            "Press Push and start to start it, or start it in the Entra admin center (Provisioning → Start provisioning).",
        ] {
            assert!(
                phrases.iter().any(|p| p == expected),
                "{expected} missing from {phrases:#?}"
            );
        }
    }
}
