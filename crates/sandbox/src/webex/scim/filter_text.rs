//! Reading filter text. The one-comparison shape Entra sends on nearly every request
//! (`userName eq "…"`, `externalId eq "…"`, `displayName eq "…"`) is read directly, because the
//! general parser rebuilds its lexer's regex cache on every call (about 8 µs); everything else goes
//! to `scim_v2`'s full RFC 7644 parser. The direct reader only accepts input on which the two
//! agree exactly, which a property test checks against `scim_v2` itself.

use scim_v2::filter::{AttrExp, AttrPath, CompValue, CompareOp, Filter, ParseError};

/// Parses an RFC 7644 §3.4.2.2 filter.
pub fn parse(text: &str) -> Result<Filter, ParseError> {
    match simple_comparison(text.trim()) {
        Some(filter) => Ok(filter),
        None => text.parse(),
    }
}

/// `name[.sub] SP+ op SP+ "json string"`, or `None` for anything else.
fn simple_comparison(text: &str) -> Option<Filter> {
    let (path, rest) = text.split_once(' ')?;
    let rest = rest.trim_start_matches(' ');
    let (op, rest) = rest.split_at_checked(2)?;
    let value = rest.strip_prefix(' ')?.trim_start_matches(' ');
    if !value.starts_with('"') {
        return None;
    }
    let op = match op.to_ascii_lowercase().as_str() {
        "eq" => CompareOp::Eq,
        "ne" => CompareOp::Ne,
        "co" => CompareOp::Co,
        "sw" => CompareOp::Sw,
        "ew" => CompareOp::Ew,
        "gt" => CompareOp::Gt,
        "ge" => CompareOp::Ge,
        "lt" => CompareOp::Lt,
        "le" => CompareOp::Le,
        _ => return None,
    };
    let (name, sub_attr) = match path.split_once('.') {
        Some((name, sub)) => (name, Some(sub)),
        None => (path, None),
    };
    // Words the general lexer reads as keywords, not attribute names.
    if !is_attr_name(name) || sub_attr.is_some_and(|s| !is_attr_name(s)) {
        return None;
    }
    if matches!(name, "true" | "false" | "null") || name.eq_ignore_ascii_case("not") {
        return None;
    }
    let value: String = serde_json::from_str(value).ok()?;
    let path = AttrPath {
        uri: None,
        name: name.to_owned(),
        sub_attr: sub_attr.map(str::to_owned),
    };
    Some(Filter::Attr(AttrExp::Comparison(path, op, CompValue::Str(value))))
}

/// RFC 7643 `ATTRNAME = ALPHA *(nameChar)`, `nameChar = "-" / "_" / DIGIT / ALPHA`.
fn is_attr_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_what_entra_sends() {
        let filter = parse(r#"userName eq "Test.User@Contoso.com""#).unwrap();
        assert_eq!(
            filter,
            r#"userName eq "Test.User@Contoso.com""#.parse::<Filter>().unwrap()
        );
        assert!(simple_comparison(r#"userName eq "a""#).is_some());
        assert!(simple_comparison(r#"name.givenName SW "a\"b""#).is_some());
        for general in [
            r#"userName eq "a" and active eq true"#,
            r#"emails[type eq "work"]"#,
            "title pr",
            r#"urn:x:y:z eq "a""#,
        ] {
            assert!(simple_comparison(general).is_none(), "{general}");
            assert!(parse(general).is_ok(), "{general}");
        }
    }

    fn name() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-zA-Z][a-zA-Z0-9_-]{0,8}",
            Just("not".to_owned()),
            Just("NOT".to_owned()),
            Just("true".to_owned()),
            Just("null".to_owned()),
            Just("and".to_owned()),
            Just("eq".to_owned()),
            Just("pr".to_owned()),
            Just("9lives".to_owned()),
            Just("a:b".to_owned()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4_000))]

        /// Wherever the direct reader answers, `scim_v2` gives the same filter.
        #[test]
        fn agrees_with_the_full_parser(
            name in name(),
            sub in proptest::option::of(name()),
            op in "(eq|EQ|Ne|co|sw|ew|gt|ge|lt|le|pr|xx)",
            before in " {1,3}",
            after in " {0,3}",
            value in any::<String>(),
            raw_quote in any::<bool>(),
            tail in "( |and active eq true|\\]|)",
        ) {
            let path = match &sub { Some(s) => format!("{name}.{s}"), None => name.clone() };
            let literal = if raw_quote { format!("\"{value}\"") } else { serde_json::to_string(&value).unwrap() };
            let text = format!("{path}{before}{op}{after}{literal}{tail}");
            if let Some(fast) = simple_comparison(text.trim()) {
                let full = text.parse::<Filter>();
                prop_assert_eq!(Some(fast), full.ok(), "{}", text);
            }
        }
    }
}
