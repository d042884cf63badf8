//! Which roles may use which route, in one table, and what the OpenAPI document says of it:
//! the bearer scheme, each operation's roles (`x-roles` and its description) and the 401 and
//! 403 answers. The service decides rights on the object; this table is what a role may ever
//! reach, and the role × route test checks the two agree on every route the router serves.

use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{OpenApi, Ref, RefOr};

use crate::model::Role;

const ALL: &[Role] = &Role::ALL;
const STAFF: &[Role] = &[Role::Admin, Role::Coach, Role::Matcher];
const KEEPERS: &[Role] = &[Role::Admin, Role::Coach];
const PUBLISHERS: &[Role] = &[Role::Admin, Role::Matcher, Role::Employer];

/// Every route under `/v1` with the roles that may use it (`method`, path as documented).
/// Another employer's opening or another coach's participant still answers 404.
pub const ROUTE_ROLES: &[(&str, &str, &[Role])] = &[
    ("post", "/v1/employers", &[Role::Admin, Role::Matcher]),
    ("get", "/v1/employers/{id}", ALL),
    ("get", "/v1/employers/{id}/openings", ALL),
    ("get", "/v1/taxonomy/suggestions", ALL),
    ("post", "/v1/openings", PUBLISHERS),
    ("get", "/v1/openings", STAFF),
    ("get", "/v1/openings/{id}", ALL),
    ("put", "/v1/openings/{id}", PUBLISHERS),
    ("delete", "/v1/openings/{id}", PUBLISHERS),
    ("post", "/v1/openings/import", &[Role::Admin, Role::Matcher]),
    ("get", "/v1/openings/{id}/candidates", PUBLISHERS),
    ("post", "/v1/participants", KEEPERS),
    ("get", "/v1/participants", KEEPERS),
    ("get", "/v1/participants/{id}", KEEPERS),
    ("put", "/v1/participants/{id}", KEEPERS),
    ("delete", "/v1/participants/{id}", KEEPERS),
    ("get", "/v1/participants/{id}/suggestions", KEEPERS),
    ("get", "/v1/participants/{id}/gaps", KEEPERS),
    ("get", "/v1/participants/{id}/programme", KEEPERS),
    ("put", "/v1/participants/{id}/programme", KEEPERS),
    ("get", "/v1/clocks", KEEPERS),
    ("get", "/v1/stats", STAFF),
    ("put", "/v1/units/{unit}/limits", &[Role::Admin]),
    ("get", "/v1/participants/{id}/profile", STAFF),
    ("post", "/v1/match", STAFF),
    ("post", "/v1/allocations", STAFF),
    ("get", "/v1/allocations/{id}", STAFF),
    ("get", "/v1/policies", STAFF),
    ("put", "/v1/policies/{name}", &[Role::Admin]),
    ("get", "/v1/fairness", STAFF),
    ("post", "/v1/placements", STAFF),
    ("get", "/v1/placements", ALL),
    ("get", "/v1/placements/{id}", ALL),
    ("patch", "/v1/placements/{id}", ALL),
    ("get", "/v1/employers/{id}/cap", ALL),
    (
        "put",
        "/v1/employers/{id}/cap",
        &[Role::Admin, Role::Employer],
    ),
    ("post", "/v1/subscriptions", STAFF),
    ("get", "/v1/subscriptions", STAFF),
    ("delete", "/v1/subscriptions/{id}", STAFF),
    ("get", "/v1/alerts", STAFF),
    ("get", "/v1/status", STAFF),
    ("get", "/v1/openapi.json", ALL),
    ("get", "/v1/audit", &[Role::Admin]),
];

/// The roles that may use a route, when it is one of the table's.
pub fn roles_of(method: &str, path: &str) -> Option<&'static [Role]> {
    ROUTE_ROLES
        .iter()
        .find(|(m, p, _)| *m == method && *p == path)
        .map(|(_, _, roles)| *roles)
}

/// Adds the bearer scheme, and to each `/v1` operation its roles and its 401 and 403 answers.
pub fn document(doc: &mut OpenApi) {
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
    );
    for (path, item) in doc.paths.paths.iter_mut() {
        if !path.starts_with("/v1") {
            continue;
        }
        let operations = [
            ("get", item.get.as_mut()),
            ("put", item.put.as_mut()),
            ("post", item.post.as_mut()),
            ("delete", item.delete.as_mut()),
            ("patch", item.patch.as_mut()),
        ];
        for (method, operation) in operations {
            if let Some(operation) = operation {
                describe(operation, roles_of(method, path).unwrap_or(&[]));
            }
        }
    }
}

fn describe(operation: &mut Operation, roles: &[Role]) {
    let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    operation.security = Some(vec![SecurityRequirement::new(
        "bearer",
        Vec::<String>::new(),
    )]);
    let said = operation.description.take().unwrap_or_default();
    operation.description = Some(
        format!("{said}\n\nRoles: {}.", names.join(", "))
            .trim()
            .to_owned(),
    );
    let extensions = operation.extensions.get_or_insert_with(Default::default);
    extensions.insert("x-roles".to_owned(), serde_json::json!(names));
    let error = || RefOr::Ref(Ref::from_schema_name("ErrorBody"));
    for (status, text) in [
        (
            "401",
            "No token, or one that is malformed, unknown or revoked",
        ),
        ("403", "The caller's role may not use this route"),
        ("429", "Too many failed sign-ins from this address"),
        (
            "503",
            "The server is busy; try again after Retry-After seconds",
        ),
    ] {
        operation
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| {
                RefOr::T(
                    utoipa::openapi::ResponseBuilder::new()
                        .description(text)
                        .content(
                            "application/json",
                            utoipa::openapi::ContentBuilder::new()
                                .schema(Some(error()))
                                .build(),
                        )
                        .build(),
                )
            });
    }
}
