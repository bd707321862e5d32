//! The attributes the sandbox knows, as one table. It drives validation (unknown attributes are
//! refused), filters (case sensitivity), PATCH (multi-valued or not) and the `/Schemas` endpoint.

/// Core User schema URN.
pub const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// Core Group schema URN.
pub const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// Enterprise User extension URN.
pub const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/// Webex User extension URN.
pub const WEBEX_USER: &str = "urn:scim:schemas:extension:cisco:webexidentity:2.0:User";
/// Webex Group extension URN.
pub const WEBEX_GROUP: &str = "urn:scim:schemas:extension:cisco:webexidentity:2.0:Group";

/// An attribute's type (RFC 7643 §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    /// string
    String,
    /// boolean
    Boolean,
    /// dateTime
    DateTime,
    /// reference
    Reference,
    /// complex
    Complex,
}

/// One attribute.
#[derive(Debug, Clone, Copy)]
pub struct Attr {
    /// Name.
    pub name: &'static str,
    /// Type.
    pub kind: Type,
    /// Multi-valued.
    pub multi: bool,
    /// Compared case-sensitively.
    pub case_exact: bool,
    /// Set only by the server.
    pub read_only: bool,
    /// Must be present.
    pub required: bool,
    /// Sub-attributes of a complex attribute.
    pub sub: &'static [Attr],
}

const fn a(name: &'static str, kind: Type) -> Attr {
    Attr {
        name,
        kind,
        multi: false,
        case_exact: false,
        read_only: false,
        required: false,
        sub: &[],
    }
}
const fn multi(name: &'static str, sub: &'static [Attr]) -> Attr {
    Attr {
        name,
        kind: Type::Complex,
        multi: true,
        case_exact: false,
        read_only: false,
        required: false,
        sub,
    }
}
const fn complex(name: &'static str, sub: &'static [Attr]) -> Attr {
    Attr {
        name,
        kind: Type::Complex,
        multi: false,
        case_exact: false,
        read_only: false,
        required: false,
        sub,
    }
}
const fn exact(mut attr: Attr) -> Attr {
    attr.case_exact = true;
    attr
}
const fn required(mut attr: Attr) -> Attr {
    attr.required = true;
    attr
}
const fn read_only(mut attr: Attr) -> Attr {
    attr.read_only = true;
    attr
}

const MULTI_SUB: &[Attr] = &[
    a("value", Type::String),
    a("display", Type::String),
    a("type", Type::String),
    a("primary", Type::Boolean),
];
const NAME_SUB: &[Attr] = &[
    a("formatted", Type::String),
    a("familyName", Type::String),
    a("givenName", Type::String),
    a("middleName", Type::String),
    a("honorificPrefix", Type::String),
    a("honorificSuffix", Type::String),
];
const ADDRESS_SUB: &[Attr] = &[
    a("formatted", Type::String),
    a("streetAddress", Type::String),
    a("locality", Type::String),
    a("region", Type::String),
    a("postalCode", Type::String),
    a("country", Type::String),
    a("type", Type::String),
    a("primary", Type::Boolean),
];
const MEMBER_SUB: &[Attr] = &[
    exact(a("value", Type::String)),
    exact(a("$ref", Type::Reference)),
    a("display", Type::String),
    a("type", Type::String),
];
const META_SUB: &[Attr] = &[
    exact(a("resourceType", Type::String)),
    exact(a("created", Type::DateTime)),
    exact(a("lastModified", Type::DateTime)),
    exact(a("location", Type::Reference)),
    exact(a("version", Type::String)),
    exact(a("organizationId", Type::String)),
];
const COMMON: &[Attr] = &[
    read_only(exact(a("id", Type::String))),
    exact(a("externalId", Type::String)),
    read_only(complex("meta", META_SUB)),
];

/// Core User attributes (RFC 7643 §4.1).
pub(super) const USER_ATTRS: &[Attr] = &[
    required(a("userName", Type::String)),
    complex("name", NAME_SUB),
    a("displayName", Type::String),
    a("nickName", Type::String),
    a("profileUrl", Type::Reference),
    a("title", Type::String),
    a("userType", Type::String),
    a("preferredLanguage", Type::String),
    a("locale", Type::String),
    a("timezone", Type::String),
    a("active", Type::Boolean),
    a("password", Type::String),
    multi("emails", MULTI_SUB),
    multi("phoneNumbers", MULTI_SUB),
    multi("ims", MULTI_SUB),
    multi("photos", MULTI_SUB),
    multi("addresses", ADDRESS_SUB),
    read_only(multi("groups", MEMBER_SUB)),
    multi("entitlements", MULTI_SUB),
    multi("roles", MULTI_SUB),
    multi("x509Certificates", MULTI_SUB),
];

/// Enterprise extension attributes (RFC 7643 §4.3).
pub(super) const ENTERPRISE_ATTRS: &[Attr] = &[
    a("employeeNumber", Type::String),
    a("costCenter", Type::String),
    a("organization", Type::String),
    a("division", Type::String),
    a("department", Type::String),
    complex(
        "manager",
        &[
            exact(a("value", Type::String)),
            exact(a("$ref", Type::Reference)),
            a("displayName", Type::String),
        ],
    ),
];

/// Webex User extension attributes (the subset the sandbox stores; others are kept as given).
pub(super) const WEBEX_USER_ATTRS: &[Attr] = &[
    a("accountStatus", Type::String),
    multi("sipAddresses", MULTI_SUB),
    multi(
        "managedOrgs",
        &[a("orgId", Type::String), a("role", Type::String)],
    ),
    multi(
        "managedGroups",
        &[
            a("orgId", Type::String),
            a("groupId", Type::String),
            a("role", Type::String),
        ],
    ),
];

/// Core Group attributes (RFC 7643 §4.2).
pub(super) const GROUP_ATTRS: &[Attr] = &[
    required(a("displayName", Type::String)),
    multi("members", MEMBER_SUB),
];

/// Webex Group extension attributes.
pub(super) const WEBEX_GROUP_ATTRS: &[Attr] = &[a("usage", Type::String), multi("owners", MEMBER_SUB)];

/// The attributes of a schema URN, core ones including the common `id`/`externalId`/`meta`.
pub(super) fn attrs_of(schema: &str) -> Option<&'static [Attr]> {
    match schema {
        s if s.eq_ignore_ascii_case(ENTERPRISE) => Some(ENTERPRISE_ATTRS),
        s if s.eq_ignore_ascii_case(WEBEX_USER) => Some(WEBEX_USER_ATTRS),
        s if s.eq_ignore_ascii_case(WEBEX_GROUP) => Some(WEBEX_GROUP_ATTRS),
        _ => None,
    }
}

/// Looks an attribute up by name, case-insensitively, among core attributes of `core` and `COMMON`.
pub(super) fn core_attr(core: &'static [Attr], name: &str) -> Option<&'static Attr> {
    core.iter()
        .chain(COMMON)
        .find(|a| a.name.eq_ignore_ascii_case(name))
}

/// Looks a sub-attribute up, case-insensitively.
pub(super) fn sub_attr(attr: &Attr, name: &str) -> Option<&'static Attr> {
    attr.sub.iter().find(|a| a.name.eq_ignore_ascii_case(name))
}

/// The attribute list of a schema, for `/Schemas`.
pub(super) fn describe(attrs: &[Attr]) -> Vec<serde_json::Value> {
    attrs
        .iter()
        .map(|attr| {
            let kind = match attr.kind {
                Type::String => "string",
                Type::Boolean => "boolean",
                Type::DateTime => "dateTime",
                Type::Reference => "reference",
                Type::Complex => "complex",
            };
            let mut json = serde_json::json!({
                "name": attr.name,
                "type": kind,
                "multiValued": attr.multi,
                "required": attr.required,
                "caseExact": attr.case_exact,
                "mutability": if attr.read_only { "readOnly" } else { "readWrite" },
                "returned": if attr.name == "password" { "never" } else { "default" },
                "uniqueness": if attr.name == "userName" { "server" } else { "none" },
            });
            if !attr.sub.is_empty() {
                json["subAttributes"] = describe(attr.sub).into();
            }
            json
        })
        .collect()
}
