//! Filter parsing and evaluation, and the indexed `userName eq` lookup against a full scan.

#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use scim_token_sandbox::scim::{Kind, Store, parse_filter, seed_demo};
use scim_v2::filter::Filter;

const FILTERS: [(&str, &str); 4] = [
    (
        "entra_test_connection",
        r#"userName eq "f3f1b3c2-93f5-4a9c-8d0e-111111111111""#,
    ),
    ("value_path", r#"emails[type eq "work" and primary eq true]"#),
    (
        "boolean_mix",
        r#"not (userName sw "x") and (active eq true or title pr) and name.givenName co "a""#,
    ),
    (
        "urn_qualified",
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Sales""#,
    ),
];

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("filter_parse");
    for (name, text) in FILTERS {
        group.bench_function(format!("{name}/scim_v2"), |b| {
            b.iter(|| black_box(text).parse::<Filter>().unwrap())
        });
        group.bench_function(format!("{name}/sandbox"), |b| {
            b.iter(|| parse_filter(black_box(text)).unwrap())
        });
    }
    group.finish();
}

fn lookup(c: &mut Criterion) {
    let store = Store::new("5a4db0c5-0000-4000-8000-00000000c0de".parse().unwrap());
    seed_demo(&store, 100_000);
    let indexed: Filter = r#"userName eq "user050000@sandbox.example""#.parse().unwrap();
    let scanned: Filter = r#"displayName eq "Seeded User 50000""#.parse().unwrap();
    let mut group = c.benchmark_group("list_100k_users");
    group.bench_function("userName_eq_indexed", |b| {
        b.iter(|| assert_eq!(store.list(Kind::User, Some(black_box(&indexed))).len(), 1))
    });
    group.sample_size(10);
    group.bench_function("displayName_eq_full_scan", |b| {
        b.iter(|| assert_eq!(store.list(Kind::User, Some(black_box(&scanned))).len(), 1))
    });
    group.finish();
}

criterion_group!(benches, parse, lookup);
criterion_main!(benches);
