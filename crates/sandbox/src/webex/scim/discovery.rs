//! Discovery endpoints (RFC 7644 §4): what this server supports, exactly.

use serde_json::{Value, json};

use super::query::MAX_COUNT;
use super::schema;

/// `/ServiceProviderConfig`
pub(super) fn service_provider_config(base: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "documentationUri": "https://developer.webex.com/docs/api/guides/webex-scim-2-overview",
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": MAX_COUNT},
        "changePassword": {"supported": false},
        "sort": {"supported": true},
        "etag": {"supported": true},
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "A token from the sandbox ID broker with the Identity:SCIM scope",
            "primary": true
        }],
        "meta": {"resourceType": "ServiceProviderConfig", "location": format!("{base}ServiceProviderConfig")}
    })
}

fn resource_type(base: &str, name: &str, endpoint: &str, core: &str, extensions: &[&str]) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
        "id": name,
        "name": name,
        "endpoint": format!("/{endpoint}"),
        "schema": core,
        "schemaExtensions": extensions.iter().map(|e| json!({"schema": e, "required": false})).collect::<Vec<_>>(),
        "meta": {"resourceType": "ResourceType", "location": format!("{base}ResourceTypes/{name}")}
    })
}

/// `/ResourceTypes`
pub(super) fn resource_types(base: &str) -> Vec<Value> {
    vec![
        resource_type(
            base,
            "User",
            "Users",
            schema::USER,
            &[schema::ENTERPRISE, schema::WEBEX_USER],
        ),
        resource_type(base, "Group", "Groups", schema::GROUP, &[schema::WEBEX_GROUP]),
    ]
}

/// `/Schemas`
pub(super) fn schemas(base: &str) -> Vec<Value> {
    [
        (schema::USER, "User", schema::USER_ATTRS),
        (schema::ENTERPRISE, "EnterpriseUser", schema::ENTERPRISE_ATTRS),
        (schema::WEBEX_USER, "WebexUser", schema::WEBEX_USER_ATTRS),
        (schema::GROUP, "Group", schema::GROUP_ATTRS),
        (schema::WEBEX_GROUP, "WebexGroup", schema::WEBEX_GROUP_ATTRS),
    ]
    .into_iter()
    .map(|(id, name, attrs)| {
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
            "id": id,
            "name": name,
            "attributes": schema::describe(attrs),
            "meta": {"resourceType": "Schema", "location": format!("{base}Schemas/{id}")}
        })
    })
    .collect()
}

/// A list of discovery resources.
pub(super) fn list(resources: Vec<Value>) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": resources.len(),
        "startIndex": 1,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}
