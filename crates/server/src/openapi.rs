//! The OpenAPI 3 document served at `/openapi.json`, made from the API's
//! types (the schemas of `hashbank-api`) and the handlers'
//! `#[utoipa::path]` attributes, so that it says what the code does. A test
//! checks that it lists every route the router serves and no other.

use std::sync::OnceLock;

use api::ErrorBody;
use serde_json::Value;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi, ToResponse, ToSchema};

/// The document without the schemas of the bodies, which
/// [`document`] adds from `hashbank-api`.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "hashbank",
        description = "Hash-and-match against non-consensual intimate images. A person files a \
            case with hashes only (PDQ, MD5, SHA-256) and gets a case number and a PIN; \
            platforms pull the hash feed or query the match API, and report matches and \
            outcomes. Errors are JSON {\"error\": code, \"message\": text}."
    ),
    paths(
        crate::health::healthz,
        crate::health::readyz,
        crate::health::openapi,
        crate::cases::create,
        crate::cases::view,
        crate::cases::add_hashes,
        crate::cases::withdraw,
        crate::platform::feed,
        crate::platform::match_hashes,
        crate::platform::report,
        crate::platform::outcome,
        crate::platform::statement,
        crate::platform::put_statement_settings,
        crate::platform::get_statement_settings,
        crate::platform::file_find,
        crate::stopncii::fetch_hashes,
        crate::stopncii::submit_feedback,
    ),
    components(responses(
        BadRequest,
        Unauthorized,
        Forbidden,
        NotFound,
        BodyTimeout,
        Conflict,
        TooLarge,
        NotJson,
        TooMany,
        Failed,
        Unavailable
    )),
    modifiers(&Credentials, &EveryApiRoute),
    tags(
        (name = "service", description = "Whether the bank is up, and this document."),
        (name = "cases", description = "A person's case: case number in the path, PIN in X-Case-Pin."),
        (name = "platforms", description = "Platforms, with their API key: the feed, matching, reports. An investigator's key reads the feed and matches too."),
        (name = "investigators", description = "Investigators, with their API key: finds in seized material."),
        (name = "stopncii", description = "The feed and reports in the shape of the StopNCII partner API, for clients written for StopNCII.org; the platform key goes in Ocp-Apim-Subscription-Key."),
    )
)]
struct Document;

/// The OpenAPI 3.1 document of the bank's API.
pub fn document() -> Value {
    serde_json::to_value(openapi()).expect("an OpenAPI document is JSON")
}

/// [`document`] as JSON text, made once, each body's fields in their
/// order.
pub(crate) fn document_json() -> &'static [u8] {
    static JSON: OnceLock<Vec<u8>> = OnceLock::new();
    JSON.get_or_init(|| serde_json::to_vec(&openapi()).expect("an OpenAPI document is JSON"))
}

fn openapi() -> utoipa::openapi::OpenApi {
    let mut document = Document::openapi();
    document.merge(api::openapi::Schemas::openapi());
    document
}

/// The two kinds of credentials.
struct Credentials;

impl Modify for Credentials {
    fn modify(&self, document: &mut utoipa::openapi::OpenApi) {
        let components = document.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "platformKey",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A platform API key (hbk_<key id>_<secret>), issued by an operator \
                         with `hashbank platform add NAME`.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "stopnciiKey",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Ocp-Apim-Subscription-Key",
                "A platform API key, as for platformKey, in the header a StopNCII client \
                 sends its subscription key in. Such a client also sends x-functions-key: \
                 give it the same key (a different one is refused).",
            ))),
        );
        components.add_security_scheme(
            "casePin",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Case-Pin",
                "The case's PIN, given once when the case was filed. After 5 wrong PINs from \
                 one client, that client is locked out of the case number for 15 minutes, \
                 doubling on each lock up to a day; after 100 wrong PINs on one number from \
                 everyone in a day, it locks for everyone until the day ends (429).",
            ))),
        );
    }
}

/// What every route under `/v1/` may answer besides its own: a body
/// that does not arrive in time (408), a rate limit (429), a failure
/// (500), a bank loading or busy (503).
struct EveryApiRoute;

impl Modify for EveryApiRoute {
    fn modify(&self, document: &mut utoipa::openapi::OpenApi) {
        let every: [(&str, RefOr<Response>); 4] = [
            ("408", reference::<BodyTimeout>()),
            ("429", reference::<TooMany>()),
            ("500", reference::<Failed>()),
            ("503", reference::<Unavailable>()),
        ];
        for (path, item) in document.paths.paths.iter_mut() {
            if !path.starts_with("/v1/") {
                continue;
            }
            let operations: [&mut Option<Operation>; 3] =
                [&mut item.get, &mut item.post, &mut item.delete];
            for operation in operations.into_iter().flatten() {
                for (status, response) in &every {
                    operation
                        .responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| response.clone());
                }
            }
        }
    }
}

/// A reference to the response component `R`.
fn reference<'r, R: ToResponse<'r>>() -> RefOr<Response> {
    RefOr::Ref(Ref::from_response_name(R::response().0))
}

/// Defines an error answer of the API as a response component of
/// [`ErrorBody`], named after the type.
macro_rules! error_response {
    ($(#[$doc:meta])* $name:ident, $description:expr) => {
        $(#[$doc])*
        pub(crate) struct $name;

        impl<'r> ToResponse<'r> for $name {
            fn response() -> (&'r str, RefOr<Response>) {
                let body = ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name(ErrorBody::name())))
                    .build();
                let response = ResponseBuilder::new()
                    .description($description)
                    .content("application/json", body)
                    .build();
                (stringify!($name), RefOr::T(response))
            }
        }
    };
}

error_response!(
    /// 400.
    BadRequest,
    "Malformed request: bad JSON, unknown field, bad hex, wrong length, PDQ quality below \
     50, a degenerate PDQ hash (of a blank picture, or far too few or too many bits set: \
     `degenerate_hash`), unknown label or one that does not fit the kind or role, duplicate \
     hash, too many hashes, bad query parameter, a report whose value is not a match of the \
     stored hash (`not_a_match`)."
);
error_response!(
    /// 401.
    Unauthorized,
    "No credentials, or wrong ones: a wrong or revoked API key, or a case number and PIN \
     that do not match (an unknown number answers the same)."
);
error_response!(
    /// 403.
    Forbidden,
    "The key is valid but not for this route: an investigator's key reports nothing and gives \
     no outcomes or statements; only an investigator's key files finds (`forbidden`)."
);
error_response!(
    /// 404.
    NotFound,
    "No such report or hash for this platform (a report's hash id must be one the match API \
     or the feed gave this platform)."
);
error_response!(
    /// 408.
    BodyTimeout,
    "The request's body did not arrive within the body timeout (`body_timeout`)."
);
error_response!(
    /// 409.
    Conflict,
    "The case was withdrawn, or this platform already reported this content for this hash, \
     or a statement of reasons lacks what it needs (a removal, the platform's settings, how \
     automated the decision was, picture or video)."
);
error_response!(
    /// 413.
    TooLarge,
    "The body is over the limit (1 MiB by default)."
);
error_response!(
    /// 415.
    NotJson,
    "The body is not sent as application/json."
);
error_response!(
    /// 429.
    TooMany,
    "Too many requests from this client or from everyone (`rate_limited`), or too many \
     wrong PINs (`locked`): see Retry-After (seconds)."
);
error_response!(
    /// 500.
    Failed,
    "The bank failed; try again."
);
error_response!(
    /// 503.
    Unavailable,
    "The bank is still loading its hashes (`not_ready`), too many PIN and key checks are \
     waiting (`busy`), or too many connections are open (`overloaded`): see Retry-After."
);

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// Every route the router serves is in the document, and the document
    /// lists no route the router does not serve.
    #[test]
    fn the_document_lists_every_route_and_no_other() {
        let document = document();
        let mut documented = BTreeSet::new();
        for (path, item) in document["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                if method != "parameters" {
                    documented.insert((path.clone(), method.to_uppercase()));
                }
            }
        }
        let served: BTreeSet<(String, String)> = crate::routes()
            .into_iter()
            .map(|(path, method)| (path, method.as_str().to_string()))
            .collect();
        assert!(served.len() >= 11, "{served:?}");
        let undocumented: Vec<_> = served.difference(&documented).collect();
        assert!(
            undocumented.is_empty(),
            "served, not documented: {undocumented:?}"
        );
        let unserved: Vec<_> = documented.difference(&served).collect();
        assert!(unserved.is_empty(), "documented, not served: {unserved:?}");
    }

    /// What `/openapi.json` sends is the document.
    #[test]
    fn the_served_text_is_the_document() {
        let served: Value = serde_json::from_slice(document_json()).unwrap();
        assert_eq!(served, document());
        let text = std::str::from_utf8(document_json()).unwrap();
        let hash = &text[text.find("\"NewHash\":{").unwrap()..];
        // Declared kind, value, quality; in alphabetical order value
        // would come last.
        let (value, quality) = (hash.find("\"value\""), hash.find("\"quality\""));
        assert!(value < quality, "a body's fields in their order");
    }

    /// Each documented operation's credentials, parameters, body and
    /// answers.
    #[test]
    fn every_route_says_what_it_takes_and_answers() {
        let document = document();
        let operation = |path: &str, method: &str| document["paths"][path][method].clone();
        let statuses = |op: &Value| -> BTreeSet<String> {
            op["responses"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect()
        };
        let body =
            |op: &Value| op["requestBody"]["content"]["application/json"]["schema"]["$ref"].clone();
        let schema = |name: &str| Value::from(format!("#/components/schemas/{name}"));
        let set = |codes: &[&str]| codes.iter().map(|c| c.to_string()).collect::<BTreeSet<_>>();
        let every = ["408", "429", "500", "503"];
        let with_every = |codes: &[&str]| set(&[codes, &every].concat());

        for path in ["/healthz", "/readyz", "/openapi.json"] {
            assert!(statuses(&operation(path, "get")).contains("200"), "{path}");
        }
        assert!(statuses(&operation("/readyz", "get")).contains("503"));

        let create = operation("/v1/cases", "post");
        assert_eq!(body(&create), schema("NewCase"));
        assert_eq!(statuses(&create), with_every(&["201", "400", "413", "415"]));
        let view = operation("/v1/cases/{number}", "get");
        assert_eq!(statuses(&view), with_every(&["200", "401", "429"]));
        let more = operation("/v1/cases/{number}/hashes", "post");
        assert_eq!(body(&more), schema("MoreHashes"));
        assert_eq!(
            statuses(&more),
            with_every(&["201", "400", "401", "409", "413", "415", "429"])
        );
        let withdraw = operation("/v1/cases/{number}/withdraw", "post");
        assert_eq!(
            statuses(&withdraw),
            with_every(&["200", "401", "409", "429"])
        );
        for op in [&view, &more, &withdraw] {
            assert_eq!(op["security"][0]["casePin"], Value::Array(vec![]));
            assert_eq!(op["parameters"][0]["name"], "number");
            assert_eq!(op["parameters"][0]["in"], "path");
        }

        let feed = operation("/v1/feed", "get");
        assert_eq!(statuses(&feed), with_every(&["200", "400", "401"]));
        let names: Vec<&str> = feed["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["after", "limit"]);
        assert!(feed["responses"]["200"]["headers"]["Link"].is_object());
        let matching = operation("/v1/match", "post");
        assert_eq!(body(&matching), schema("MatchRequest"));
        assert_eq!(
            statuses(&matching),
            with_every(&["200", "400", "401", "413", "415"])
        );
        let report = operation("/v1/reports", "post");
        assert_eq!(body(&report), schema("NewReport"));
        assert_eq!(
            statuses(&report),
            with_every(&["201", "400", "401", "404", "409", "413", "415"])
        );
        let outcome = operation("/v1/reports/{id}/outcome", "post");
        assert_eq!(body(&outcome), schema("OutcomeRequest"));
        assert_eq!(
            statuses(&outcome),
            with_every(&["200", "400", "401", "404", "413", "415"])
        );
        assert_eq!(outcome["parameters"][0]["name"], "id");
        for op in [&feed, &matching, &report, &outcome] {
            assert_eq!(op["security"][0]["platformKey"], Value::Array(vec![]));
        }

        let schemes = &document["components"]["securitySchemes"];
        assert_eq!(schemes["platformKey"]["scheme"], "bearer");
        assert_eq!(schemes["casePin"]["name"], "X-Case-Pin");
        // Every reference leads somewhere.
        let text = document.to_string();
        for part in text.split("\"$ref\":\"#/components/").skip(1) {
            let (section, rest) = part.split_once('/').unwrap();
            let name = &rest[..rest.find('"').unwrap()];
            assert!(
                document["components"][section][name].is_object(),
                "{section}/{name}"
            );
        }
    }

    /// The limits the document states are the bank's.
    #[test]
    fn the_documented_limits_are_the_banks() {
        let document = document();
        let schemas = &document["components"]["schemas"];
        let max_hashes = hashbank_bank::MAX_HASHES_PER_CASE;
        assert_eq!(
            schemas["NewCase"]["properties"]["hashes"]["maxItems"],
            max_hashes
        );
        assert_eq!(
            schemas["MoreHashes"]["properties"]["hashes"]["maxItems"],
            max_hashes
        );
        let quality = &schemas["NewHash"]["properties"]["quality"];
        assert_eq!(quality["minimum"], f64::from(pdq_quality_threshold()));
        let request = &schemas["MatchRequest"]["properties"];
        assert_eq!(
            request["hashes"]["maxItems"],
            hashbank_bank::MAX_MATCH_BATCH
        );
        assert_eq!(
            request["radius"]["maximum"],
            f64::from(hashbank_bank::MAX_RADIUS)
        );
        let content_ref = &schemas["NewReport"]["properties"]["content_ref"];
        assert_eq!(content_ref["maxLength"], hashbank_bank::MAX_CONTENT_REF_LEN);
        let feed = &document["paths"]["/v1/feed"]["get"]["parameters"][1]["schema"];
        assert_eq!(feed["maximum"], hashbank_bank::MAX_FEED_LIMIT as f64);
        assert_eq!(feed["default"], hashbank_bank::DEFAULT_FEED_LIMIT);
    }

    fn pdq_quality_threshold() -> u8 {
        let at = |q: u32| {
            let hash = api::NewHash {
                kind: hashbank_bank::Kind::Pdq,
                value: "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22".into(),
                quality: Some(q),
                role: hashbank_bank::Role::Plain,
                label: None,
            };
            hashbank_bank::check_new_hashes(&[hash], &Default::default()).is_ok()
        };
        (0..=100).find(|&q| at(q)).expect("some quality is enough") as u8
    }
}
