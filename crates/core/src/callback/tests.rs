use proptest::prelude::*;
use time::macros::datetime;

use super::*;
use crate::authorize::AuthorizeRequest;
use crate::broker::{Broker, BrokerId};

const STATE: &str = "s7ate-Xyz_0123456789ab";
const TOKEN: &str = "ZjQ1YTJlNDMtNzkxYi00_PF84_1eb65fdf-9643-417f-9974-ad72cae0e10f";

fn pending() -> PendingLogin {
    AuthorizeRequest::new(Broker::resolve(&BrokerId::Webex))
        .with_state_for_tests(STATE)
        .start(datetime!(2026-11-29 12:00 UTC))
}

/// The redirect from Webex's guide, with our state.
fn sample_redirect() -> String {
    format!(
        "http://localhost:3000/auth/code#access_token={TOKEN}&token_type=Bearer&expires_in=3887999&state={STATE}"
    )
}

#[test]
fn sample_redirect_from_the_guide() {
    let captured = parse(&sample_redirect(), &pending()).unwrap();
    assert_eq!(captured.token.expose_secret(), TOKEN);
    assert_eq!(captured.expires_in, Some(Duration::seconds(3_887_999)));
    assert_eq!(captured.granted_scopes, None);
    assert!(captured.scope_warning().is_none());
}

#[test]
fn accepted_shapes() {
    let fragment = format!("access_token={TOKEN}&token_type=Bearer&expires_in=3887999&state={STATE}");
    let encoded = format!(
        "access_token={}&token_type=bearer&state={}",
        TOKEN.replace('_', "%5F"),
        STATE.replace('-', "%2D")
    );
    let cases = [
        sample_redirect(),
        format!("#{fragment}"),
        fragment.clone(),
        format!("?{fragment}"),
        format!("  {}\n", sample_redirect()),
        format!("http://127.0.0.1:3000/auth/code#{fragment}&unknown=ignored"),
        encoded,
    ];
    for input in cases {
        let captured = parse(&input, &pending()).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(captured.token.expose_secret(), TOKEN, "{input}");
    }
}

#[test]
fn rejected_shapes() {
    let ok = |extra: &str| format!("access_token={TOKEN}&token_type=Bearer&state={STATE}{extra}");
    let cases: Vec<(String, CallbackError)> = vec![
        (String::new(), CallbackError::Empty),
        ("   ".to_owned(), CallbackError::Empty),
        (
            format!("access_token={TOKEN}&token_type=Bearer"),
            CallbackError::StateMissing,
        ),
        (
            format!("access_token={TOKEN}&token_type=Bearer&state=other"),
            CallbackError::StateMismatch,
        ),
        (
            format!("access_token={TOKEN}&token_type=Bearer&state="),
            CallbackError::StateMismatch,
        ),
        (
            format!("token_type=Bearer&state={STATE}"),
            CallbackError::MissingToken,
        ),
        (
            format!("access_token=&token_type=Bearer&state={STATE}"),
            CallbackError::MissingToken,
        ),
        (
            format!("access_token={TOKEN}&state={STATE}"),
            CallbackError::WrongTokenType("(none)".into()),
        ),
        (
            format!("access_token={TOKEN}&token_type=mac&state={STATE}"),
            CallbackError::WrongTokenType("mac".into()),
        ),
        (
            format!("access_token=a%0Ab&token_type=Bearer&state={STATE}"),
            CallbackError::MalformedToken,
        ),
        (
            format!("access_token=%C3%A9&token_type=Bearer&state={STATE}"),
            CallbackError::MalformedToken,
        ),
        (ok("&expires_in=soon"), CallbackError::BadExpiresIn("soon".into())),
        (ok("&expires_in=-5"), CallbackError::BadExpiresIn("-5".into())),
        (
            ok("&expires_in=99999999999999999999"),
            CallbackError::BadExpiresIn("99999999999999999999".into()),
        ),
        (ok("&state=second"), CallbackError::DuplicateParameter("state")),
        (
            ok(&format!("&access_token={TOKEN}")),
            CallbackError::DuplicateParameter("access_token"),
        ),
        (
            ok("&error=access_denied"),
            CallbackError::Broker {
                code: BrokerErrorCode::AccessDenied,
                description: None,
                uri: None,
            },
        ),
        (
            "http://localhost:3000/auth/code".to_owned(),
            CallbackError::StateMissing,
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(parse(&input, &pending()).unwrap_err(), expected, "{input}");
    }
}

#[test]
fn every_rfc_6749_error_code() {
    let cases = [
        ("invalid_request", BrokerErrorCode::InvalidRequest),
        ("unauthorized_client", BrokerErrorCode::UnauthorizedClient),
        ("access_denied", BrokerErrorCode::AccessDenied),
        (
            "unsupported_response_type",
            BrokerErrorCode::UnsupportedResponseType,
        ),
        ("invalid_scope", BrokerErrorCode::InvalidScope),
        ("server_error", BrokerErrorCode::ServerError),
        ("temporarily_unavailable", BrokerErrorCode::TemporarilyUnavailable),
        (
            "interaction_required",
            BrokerErrorCode::Other("interaction_required".into()),
        ),
    ];
    for (code, expected) in cases {
        let input = format!(
            "http://localhost:3000/auth/code#error={code}&error_description=The+user+said+no%21&error_uri=https%3A%2F%2Fhelp.example%2Fe&state={STATE}"
        );
        let err = parse(&input, &pending()).unwrap_err();
        let CallbackError::Broker {
            code: got,
            description,
            uri,
        } = &err
        else {
            panic!("{code}: {err:?}")
        };
        assert_eq!(got, &expected);
        assert_eq!(description.as_deref(), Some("The user said no!"));
        assert_eq!(uri.as_deref(), Some("https://help.example/e"));
        let message = err.to_string();
        assert!(
            message.contains(code) && message.contains("The user said no!"),
            "{message}"
        );
    }
}

#[test]
fn broker_error_in_query_string_and_hostile_text() {
    let long = "x".repeat(1000);
    let input = format!(
        "http://localhost:3000/auth/code?error=access_denied&error_description=a%0Db%1B[31m{long}&error_uri=javascript:alert(1)&state={STATE}"
    );
    let CallbackError::Broker {
        code,
        description,
        uri,
    } = parse(&input, &pending()).unwrap_err()
    else {
        panic!("expected a broker error")
    };
    assert_eq!(code, BrokerErrorCode::AccessDenied);
    let description = description.unwrap();
    assert!(
        description.starts_with("ab[31mxxx") && description.ends_with('…'),
        "{description}"
    );
    assert_eq!(description.chars().count(), MAX_SHOWN_TEXT + 1);
    assert_eq!(uri, None);
}

#[test]
fn error_with_wrong_state_is_not_trusted() {
    let input = "#error=access_denied&state=forged";
    assert_eq!(
        parse(input, &pending()).unwrap_err(),
        CallbackError::StateMismatch
    );
}

#[test]
fn oversized_input_is_refused_without_parsing() {
    let huge = format!("{}&access_token={}", sample_redirect(), "a".repeat(1 << 20));
    let err = parse(&huge, &pending()).unwrap_err();
    assert_eq!(
        err,
        CallbackError::TooLong {
            len: huge.len(),
            max: MAX_CALLBACK_LEN
        }
    );
    assert!(!err.to_string().contains(TOKEN));
}

#[test]
fn granted_scope_narrower_than_requested_warns() {
    let input = format!("{}&scope=spark%3Apeople_read", sample_redirect());
    let captured = parse(&input, &pending()).unwrap();
    assert_eq!(captured.missing_scopes, ["spark:people_write", "Identity:SCIM"]);
    let warning = captured.scope_warning().unwrap();
    assert!(
        warning.contains("Identity:SCIM") && warning.contains("full administrator"),
        "{warning}"
    );

    let full = format!(
        "{}&scope=Identity%3ASCIM+spark%3Apeople_write+spark%3Apeople_read",
        sample_redirect()
    );
    assert!(parse(&full, &pending()).unwrap().scope_warning().is_none());
}

#[test]
fn record_from_capture() {
    let login = AuthorizeRequest::new(Broker::resolve(&BrokerId::Webex))
        .with_state_for_tests(STATE)
        .login_hint("admin@example.com")
        .start(datetime!(2026-11-29 12:00 UTC));
    let captured = parse(&sample_redirect(), &login).unwrap();
    let record = captured
        .record(&login, datetime!(2026-11-29 12:01 UTC), None)
        .unwrap();
    assert_eq!(record.org_id.to_string(), "1eb65fdf-9643-417f-9974-ad72cae0e10f");
    // The login hint names who was meant to sign in, not who did: the account comes from the
    // People API afterwards.
    assert_eq!(record.account, None);
    assert_eq!(
        record.broker_expires_at,
        Some(datetime!(2026-11-29 12:01 UTC) + Duration::seconds(3_887_999))
    );
    assert_eq!(record.fingerprint, captured.token.fingerprint());
}

#[test]
fn redirect_matching_is_exact() {
    let redirect = Url::parse("http://localhost:3000/auth/code").unwrap();
    let yes = [
        "http://localhost:3000/auth/code#access_token=x",
        "http://localhost:3000/auth/code?x=1",
    ];
    let no = [
        "http://localhost:3001/auth/code",
        "https://localhost:3000/auth/code",
        "http://localhost:3000/auth/code/",
        "http://localhost.evil:3000/auth/code",
        "http://127.0.0.1:3000/auth/code",
        "http://localhost:3000/auth/codes",
    ];
    for url in yes {
        assert!(is_redirect(&Url::parse(url).unwrap(), &redirect), "{url}");
    }
    for url in no {
        assert!(!is_redirect(&Url::parse(url).unwrap(), &redirect), "{url}");
    }
}

fn token_strategy() -> impl Strategy<Value = String> {
    "[A-Za-z0-9]{24,48}_(PF84|P0A1|FC82)_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn parse_never_panics(input in any::<String>()) {
        let _ = parse(&input, &pending());
    }

    #[test]
    fn parse_never_panics_on_url_like_input(input in "(http://localhost:3000/auth/code)?[#?]?([a-z_]{1,14}=[%A-Za-z0-9&=+._~-]{0,30}&?){0,8}") {
        let _ = parse(&input, &pending());
    }

    #[test]
    fn errors_never_echo_the_token(
        token in token_strategy(),
        token_type in "(Bearer|bearer|mac|)",
        state in "(s7ate-Xyz_0123456789ab|forged|)",
        expires in "(3887999|-1|x|)",
        error in "(access_denied|invalid_scope|)",
        extra in "[a-z=&]{0,12}",
        duplicate in any::<bool>(),
        oversize in any::<bool>(),
    ) {
        let mut input = format!("access_token={token}&token_type={token_type}&state={state}&expires_in={expires}&{extra}");
        if !error.is_empty() { input.push_str(&format!("&error={error}&error_description=desc")); }
        if duplicate { input.push_str(&format!("&access_token={token}")); }
        if oversize { input.push_str(&"&pad=0".repeat(MAX_CALLBACK_LEN / 6 + 1)); }
        if let Err(err) = parse(&input, &pending()) {
            prop_assert!(!err.to_string().contains(&token));
            let debug = format!("{err:?}");
            prop_assert!(!debug.contains(&token));
        }
    }
}

#[test]
fn only_errors_after_the_state_check_end_a_sign_in() {
    let login = AuthorizeRequest::new(Broker::resolve(&BrokerId::Webex))
        .with_state_for_tests(STATE)
        .start(datetime!(2026-11-29 12:00 UTC));
    let long = format!("state={STATE}&access_token={}", "a".repeat(MAX_CALLBACK_LEN));
    for from_anyone in [
        String::new(),
        long,
        format!("state={STATE}&state={STATE}&access_token=x&token_type=Bearer"),
        "access_token=x&token_type=Bearer".to_owned(),
        "state=forged&error=access_denied".to_owned(),
    ] {
        let err = parse(&from_anyone, &login).unwrap_err();
        assert!(!err.ends_sign_in(), "{from_anyone:.60}: {err}");
    }
    for from_the_broker in [
        format!("error=access_denied&state={STATE}"),
        format!("token_type=Bearer&state={STATE}"),
        format!("access_token={TOKEN}&state={STATE}"),
        format!("access_token={TOKEN}&token_type=Bearer&expires_in=soon&state={STATE}"),
    ] {
        let err = parse(&from_the_broker, &login).unwrap_err();
        assert!(err.ends_sign_in(), "{from_the_broker}: {err}");
    }
}
