use serde_json::Value;

use crate::helpers::*;

async fn the_openapi_document_describes_every_route() {
    let app = spawn_app().await;
    let doc = app.get_json("/v1/openapi.json").await;

    let version = doc["openapi"].as_str().expect("openapi version");
    assert!(version.starts_with("3."), "openapi version {version}");
    assert_eq!(doc["info"]["title"], "jobmatch");
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));

    let expected: &[(&str, &[&str])] = &[
        ("/v1/employers", &["post"]),
        ("/v1/employers/{id}", &["get"]),
        ("/v1/openings", &["post", "get"]),
        ("/v1/openings/{id}", &["get", "put", "delete"]),
        ("/v1/openings/{id}/candidates", &["get"]),
        ("/v1/participants", &["post"]),
        ("/v1/participants/{id}", &["get", "put", "delete"]),
        ("/v1/participants/{id}/suggestions", &["get"]),
        ("/v1/match", &["post"]),
        ("/v1/status", &["get"]),
        ("/v1/audit", &["get"]),
        ("/v1/participants/{id}/profile", &["get"]),
        ("/health", &["get"]),
    ];
    for (path, methods) in expected {
        let item = &doc["paths"][path];
        assert!(item.is_object(), "{path} is missing from the document");
        for method in *methods {
            assert!(
                item[method].is_object(),
                "{path} has no {method} operation: {item}"
            );
        }
    }

    let opening = &doc["components"]["schemas"]["OpeningInput"];
    let required: Vec<&str> = opening["required"]
        .as_array()
        .expect("OpeningInput lists required fields")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    // `employer_id` is optional in the body: an employer's user posts for its own employer.
    assert!(
        opening["properties"]["employer_id"].is_object(),
        "OpeningInput has no employer_id: {opening}"
    );
    for field in ["kind", "title"] {
        assert!(
            required.contains(&field),
            "{field} is not required: {required:?}"
        );
    }
    assert!(
        opening["properties"]["swedish_min"].is_object(),
        "OpeningInput has no swedish_min: {opening}"
    );

    // Routes that take a JSON body describe every way a body can be refused.
    for (path, method) in [
        ("/v1/openings", "post"),
        ("/v1/participants/{id}", "put"),
        ("/v1/match", "post"),
    ] {
        let responses = &doc["paths"][path][method]["responses"];
        for status in ["400", "413", "415", "422"] {
            assert_eq!(
                responses[status]["content"]["application/json"]["schema"]["$ref"],
                "#/components/schemas/ErrorBody",
                "{method} {path} lacks {status}: {responses}"
            );
        }
    }

    // Sign-in: the bearer scheme, and on every /v1 operation its roles and the 401 and 403.
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if !path.starts_with("/v1") {
                assert!(operation.get("security").is_none(), "{path} is open");
                continue;
            }
            assert!(
                operation["security"][0]["bearer"].is_array(),
                "{method} {path}"
            );
            assert!(
                !operation["x-roles"].as_array().unwrap().is_empty(),
                "{method} {path}"
            );
            for status in ["401", "403"] {
                assert!(
                    operation["responses"][status].is_object(),
                    "{method} {path} {status}"
                );
            }
        }
    }
}

on_both_backends!(the_openapi_document_describes_every_route,);
