//! The OpenAPI 3 document served at `/openapi.json`, written by hand. A
//! test checks that it documents every route the router serves, and that
//! every path it documents answers on a running server.

use serde_json::{json, Value};

/// The OpenAPI 3.0 document of the bank's API.
pub fn document() -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "hashbank",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Hash-and-match against non-consensual intimate images. A person files a case \
                with hashes only (PDQ, MD5, SHA-256) and gets a case number and a PIN; platforms pull \
                the hash feed or query the match API, and report matches and outcomes. Errors are \
                JSON {\"error\": code, \"message\": text}."
        },
        "components": {
            "securitySchemes": {
                "platformKey": {
                    "type": "http", "scheme": "bearer",
                    "description": "A platform API key (hbk_<key id>_<secret>), issued by an operator \
                        with `hashbank platform add NAME`."
                },
                "casePin": {
                    "type": "apiKey", "in": "header", "name": "X-Case-Pin",
                    "description": "The case's PIN, given once when the case was filed. After 5 wrong \
                        PINs from one client, that client is locked out of the case number for 15 \
                        minutes, doubling on each lock up to a day; after 100 wrong PINs on one \
                        number from everyone in a day, it locks for everyone until the day ends (429)."
                }
            },
            "parameters": {
                "number": {
                    "name": "number", "in": "path", "required": true,
                    "schema": {"type": "string", "example": "HB-7K2M-9QXP-4TDA"},
                    "description": "The case number (case and dashes do not matter)."
                }
            },
            "schemas": schemas(),
            "responses": responses()
        },
        "paths": {
            "/healthz": {"get": {
                "summary": "The process is up.", "tags": ["service"],
                "responses": {"200": plain("ok")}
            }},
            "/readyz": {"get": {
                "summary": "The database answers and the matcher is loaded.", "tags": ["service"],
                "responses": {"200": plain("ready"), "503": plain("not ready yet")}
            }},
            "/openapi.json": {"get": {
                "summary": "This document.", "tags": ["service"],
                "responses": {"200": plain("the OpenAPI document")}
            }},
            "/v1/cases": {"post": {
                "summary": "File a case with hashes only (1 to 500).", "tags": ["cases"],
                "description": "Answers with the case number and the PIN, shown this once. PDQ hashes \
                    need a quality of at least 50.",
                "requestBody": body("NewCase"),
                "responses": with_errors(json!({"201": json_of("Created case", "CreatedCase")}), &["400", "413", "415"])
            }},
            "/v1/cases/{number}": {"get": {
                "summary": "See a case: its hashes and, per platform, matches reported and outcomes.",
                "tags": ["cases"], "security": [{"casePin": []}],
                "parameters": [{"$ref": "#/components/parameters/number"}],
                "responses": with_errors(json!({"200": json_of("The case", "CaseView")}), &["401", "429"])
            }},
            "/v1/cases/{number}/hashes": {"post": {
                "summary": "Add hashes to an open case (at most 500 in all).", "tags": ["cases"],
                "security": [{"casePin": []}],
                "parameters": [{"$ref": "#/components/parameters/number"}],
                "requestBody": body("MoreHashes"),
                "responses": with_errors(json!({"201": json_of("All the case's hashes", "CaseHashes")}),
                    &["400", "401", "409", "413", "415", "429"])
            }},
            "/v1/cases/{number}/withdraw": {"post": {
                "summary": "Withdraw the case: every hash is erased, leaves matching and goes on the \
                    feed as a deletion; the case is closed.",
                "tags": ["cases"], "security": [{"casePin": []}],
                "parameters": [{"$ref": "#/components/parameters/number"}],
                "responses": with_errors(json!({"200": json_of("Withdrawn", "Withdrawn")}), &["401", "409", "429"])
            }},
            "/v1/feed": {"get": {
                "summary": "The hash feed after a cursor: additions and deletions in cursor order.",
                "description": "Cursor 0 gives a full copy. Pull again with after=next_cursor while \
                    more is true. New entries are held and released in shuffled batches that mix \
                    several writes (by default at least 8, or after an hour at most; deletions after \
                    15 minutes at most), so the order says nothing about which hashes came from one \
                    case. Every read is logged with the platform and the cursor range.",
                "tags": ["platforms"], "security": [{"platformKey": []}],
                "parameters": [
                    {"name": "after", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 10000, "default": 1000}}
                ],
                "responses": with_errors(json!({"200": {
                    "description": "A page of the feed. While more entries follow, a Link header \
                        names the next page (rel=\"next\"), so a client may ask for it before it \
                        has read this one.",
                    "headers": {"Link": {"schema": {"type": "string"},
                        "description": "</v1/feed?after=NEXT_CURSOR&limit=LIMIT>; rel=\"next\", when more is true"}},
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FeedPage"}}}
                }}), &["400", "401"])
            }},
            "/v1/match": {"post": {
                "summary": "Match up to 1000 hashes: PDQ by label within a radius (default 31), MD5 and SHA-256 exactly.",
                "description": "A PDQ query hash is compared only with the stored PDQ hashes whose label \
                    is paired with the query's label (model::radius: e.g. a query labelled pdq \
                    with stored pdq, trim and the crops; top80 only with top80; a mirrored query only with \
                    pdq and trim). Without radius each pair matches within its own radius (31 bits); with \
                    radius every compared pair matches within it, so a client can search wider and decide \
                    itself. Each match says the stored hash's role and label.",
                "tags": ["platforms"], "security": [{"platformKey": []}],
                "requestBody": body("MatchRequest"),
                "responses": with_errors(json!({"200": json_of("Matches per query, minor first", "MatchResponse")}),
                    &["400", "401", "413", "415"])
            }},
            "/v1/reports": {"post": {
                "summary": "Report a match: the hash id, the platform's own hash of its copy, its content reference.",
                "description": "The hash id must be one this platform was given: returned by the match \
                    API, or read from the feed. The bank computes the distance between `value` and the \
                    stored hash and refuses a report beyond the radius of the pair of labels (MD5 and \
                    SHA-256: equal). One report per platform, hash and content reference: another \
                    answers 409.",
                "tags": ["platforms"], "security": [{"platformKey": []}],
                "requestBody": body("NewReport"),
                "responses": with_errors(json!({"201": json_of("Recorded", "ReportCreated")}),
                    &["400", "401", "404", "409", "413", "415"])
            }},
            "/v1/reports/{id}/outcome": {"post": {
                "summary": "Give the outcome of one of this platform's reports.",
                "description": "When 3 (a setting) different platforms find matches of one hash not \
                    violating (each platform counts once), the hash value is suspended: a deletion on \
                    the feed, out of matching, whichever case holds it or files it again.",
                "tags": ["platforms"], "security": [{"platformKey": []}],
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
                "requestBody": body("OutcomeRequest"),
                "responses": with_errors(json!({"200": json_of("Recorded", "OutcomeRecorded")}),
                    &["400", "401", "404", "413", "415"])
            }}
        }
    })
}

fn plain(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"type": "object"}}}})
}

fn json_of(description: &str, schema: &str) -> Value {
    json!({"description": description,
           "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}})
}

fn body(schema: &str) -> Value {
    json!({"required": true,
           "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}})
}

fn with_errors(mut responses: Value, codes: &[&str]) -> Value {
    // Every API route may time out reading a body (408), be rate-limited
    // (429) or find the bank busy (503).
    for code in codes.iter().chain(&["408", "429", "500", "503"]) {
        responses[*code] = json!({"$ref": format!("#/components/responses/E{code}")});
    }
    responses
}

fn responses() -> Value {
    let error = |description: &str| json_of(description, "Error");
    json!({
        "E400": error("Malformed request: bad JSON, unknown field, bad hex, wrong length, \
            PDQ quality below 50, a degenerate PDQ hash (of a blank picture, or far too few or \
            too many bits set: `degenerate_hash`), unknown label or one that does not fit the kind \
            or role, duplicate hash, too many hashes, bad query parameter, a report whose value is \
            not a match of the stored hash (`not_a_match`)."),
        "E401": error("No credentials, or wrong ones: a wrong or revoked API key, or a case number \
            and PIN that do not match (an unknown number answers the same)."),
        "E404": error("No such report or hash for this platform (a report's hash id must be \
            one the match API or the feed gave this platform)."),
        "E408": error("The request's body did not arrive within the body timeout (`body_timeout`)."),
        "E409": error("The case was withdrawn, or this platform already reported this content \
            for this hash."),
        "E413": error("The body is over the limit (1 MiB by default)."),
        "E415": error("The body is not sent as application/json."),
        "E429": error("Too many requests from this client or from everyone (`rate_limited`), or \
            too many wrong PINs (`locked`): see Retry-After (seconds)."),
        "E500": error("The bank failed; try again."),
        "E503": error("The bank is still loading its hashes (`not_ready`), too many PIN and \
            key checks are waiting (`busy`), or too many connections are open (`overloaded`): \
            see Retry-After.")
    })
}

fn schemas() -> Value {
    let hex =
        |digits: &str| json!({"type": "string", "pattern": format!("^[0-9a-fA-F]{{{digits}}}$")});
    let bank_labels: Vec<&str> = hashbank_bank::BankLabel::all()
        .map(|l| l.as_str())
        .collect();
    let query_labels: Vec<&str> = hashbank_bank::QueryLabel::all()
        .map(|l| l.as_str())
        .collect();
    let mut schemas = json!({
        "Error": {"type": "object", "required": ["error", "message"], "properties": {
            "error": {"type": "string", "example": "quality_too_low"},
            "message": {"type": "string"}}},
        "Kind": {"type": "string", "enum": ["pdq", "md5", "sha256"]},
        "Role": {"type": "string", "enum": ["plain", "extra"], "default": "plain",
            "description": "plain: the plain hash of an image; extra: one of hashbank's additional hashes of it."},
        "Category": {"type": "string", "enum": ["minor"],
            "description": "The images were taken before the person was 18: platforms handle these first."},
        "NewHash": {"type": "object", "additionalProperties": false, "required": ["kind", "value"], "properties": {
            "kind": {"$ref": "#/components/schemas/Kind"},
            "value": {"type": "string", "description": "64 hex digits (pdq, sha256) or 32 (md5)"},
            "quality": {"type": "integer", "minimum": 50, "maximum": 100, "description": "PDQ only, required there"},
            "role": {"$ref": "#/components/schemas/Role"},
            "label": {"allOf": [{"$ref": "#/components/schemas/BankLabel"}],
                "description": "PDQ only: pdq (the default) with role plain; required with role extra, \
                    and then another label. MD5 and SHA-256 have no label and are always plain."}}},
        "NewCase": {"type": "object", "additionalProperties": false, "required": ["hashes"], "properties": {
            "hashes": {"type": "array", "minItems": 1, "maxItems": 500, "items": {"$ref": "#/components/schemas/NewHash"}},
            "category": {"$ref": "#/components/schemas/Category"}}},
        "MoreHashes": {"type": "object", "additionalProperties": false, "required": ["hashes"], "properties": {
            "hashes": {"type": "array", "minItems": 1, "maxItems": 500, "items": {"$ref": "#/components/schemas/NewHash"}}}},
        "CaseHash": {"type": "object", "required": ["id", "kind", "role", "status"], "properties": {
            "id": {"type": "integer", "description": "The case's own id of this hash."},
            "hash_id": {"type": "integer", "description": "The public id of its value, as platforms \
                see it (feed, matches, reports); the same in every case holding the value. Absent \
                once withdrawn."},
            "kind": {"$ref": "#/components/schemas/Kind"},
            "role": {"$ref": "#/components/schemas/Role"},
            "label": {"$ref": "#/components/schemas/BankLabel"}, "value": {"type": "string"},
            "quality": {"type": "integer"},
            "status": {"type": "string", "enum": ["active", "suspended", "withdrawn"]}}},
        "CaseHashes": {"type": "object", "properties": {
            "hashes": {"type": "array", "items": {"$ref": "#/components/schemas/CaseHash"}}}},
        "CreatedCase": {"type": "object", "required": ["case_number", "pin", "created_at", "hashes"], "properties": {
            "case_number": {"type": "string", "example": "HB-7K2M-9QXP-4TDA"},
            "pin": {"type": "string", "example": "4817203956", "description": "Shown only this once."},
            "created_at": {"type": "string", "format": "date-time"},
            "hashes": {"type": "array", "items": {"$ref": "#/components/schemas/CaseHash"}}}},
        "CaseView": {"type": "object", "properties": {
            "case_number": {"type": "string"},
            "status": {"type": "string", "enum": ["open", "withdrawn"]},
            "category": {"$ref": "#/components/schemas/Category"},
            "created_at": {"type": "string", "format": "date-time"},
            "withdrawn_at": {"type": "string", "format": "date-time"},
            "hashes": {"type": "array", "items": {"$ref": "#/components/schemas/CaseHash"}},
            "platforms": {"type": "array", "items": {"type": "object", "properties": {
                "platform": {"type": "string"},
                "matches_reported": {"type": "integer", "description": "Pieces of content reported."},
                "removed": {"type": "integer", "description": "Pieces of content removed."},
                "reports": {"type": "array", "items": {"type": "object", "properties": {
                    "hash_id": {"type": "integer"},
                    "reported_at": {"type": "string", "format": "date-time"},
                    "outcome": {"$ref": "#/components/schemas/Outcome"},
                    "outcome_at": {"type": "string", "format": "date-time"}}}}}}}}},
        "Withdrawn": {"type": "object", "properties": {
            "case_number": {"type": "string"}, "status": {"type": "string", "enum": ["withdrawn"]},
            "withdrawn_at": {"type": "string", "format": "date-time"}, "hashes_erased": {"type": "integer"}}}
    });
    // The platform and label schemas apart: one json! of all of them is
    // deeper than the macro's recursion limit.
    let platform = json!({
        "FeedEntry": {"type": "object", "required": ["cursor", "op", "hash_id"], "properties": {
            "cursor": {"type": "integer"}, "op": {"type": "string", "enum": ["add", "delete"]},
            "hash_id": {"type": "integer", "description": "The public id of a hash value: one \
                entry per value, however many cases hold it."},
            "kind": {"$ref": "#/components/schemas/Kind"}, "role": {"$ref": "#/components/schemas/Role"},
            "label": {"$ref": "#/components/schemas/BankLabel"},
            "value": {"type": "string"}, "quality": {"type": "integer"},
            "category": {"$ref": "#/components/schemas/Category"}}},
        "FeedPage": {"type": "object", "required": ["entries", "next_cursor", "more"], "properties": {
            "entries": {"type": "array", "items": {"$ref": "#/components/schemas/FeedEntry"}},
            "next_cursor": {"type": "integer"}, "more": {"type": "boolean"}}},
        "Query": {"type": "object", "additionalProperties": false, "required": ["kind", "value"], "properties": {
            "kind": {"$ref": "#/components/schemas/Kind"}, "value": {"type": "string"},
            "label": {"$ref": "#/components/schemas/QueryLabel"}}},
        "MatchRequest": {"type": "object", "additionalProperties": false, "required": ["hashes"], "properties": {
            "hashes": {"type": "array", "minItems": 1, "maxItems": 1000, "items": {"$ref": "#/components/schemas/Query"}},
            "radius": {"type": "integer", "minimum": 0, "maximum": 63,
                "description": "The same radius for every compared pair of labels; without it, each \
                    pair's own (31)."}}},
        "Match": {"type": "object", "properties": {
            "hash_id": {"type": "integer"}, "kind": {"$ref": "#/components/schemas/Kind"},
            "role": {"$ref": "#/components/schemas/Role"},
            "label": {"$ref": "#/components/schemas/BankLabel"}, "hash": hex("32,64"),
            "distance": {"type": "integer"}, "category": {"$ref": "#/components/schemas/Category"}}},
        "MatchResponse": {"type": "object", "properties": {
            "results": {"type": "array", "items": {"type": "object", "properties": {
                "query": {"$ref": "#/components/schemas/Query"},
                "matches": {"type": "array", "items": {"$ref": "#/components/schemas/Match"}}}}}}},
        "NewReport": {"type": "object", "additionalProperties": false,
            "required": ["hash_id", "value", "content_ref"], "properties": {
            "hash_id": {"type": "integer", "description": "A hash id the match API or the feed gave \
                this platform."},
            "value": {"type": "string", "description": "The platform's own hash of the copy it found, \
                in hex, of the stored hash's kind."},
            "label": {"$ref": "#/components/schemas/QueryLabel"},
            "distance": {"type": "integer", "minimum": 0, "maximum": 256,
                "description": "Optional and not trusted: the bank computes the distance from value."},
            "content_ref": {"type": "string", "minLength": 1, "maxLength": 1024}}},
        "ReportCreated": {"type": "object", "properties": {"report_id": {"type": "integer"}}},
        "Outcome": {"type": "string", "enum": ["removed", "not_violating", "pending_review"]},
        "OutcomeRequest": {"type": "object", "additionalProperties": false, "required": ["outcome"], "properties": {
            "outcome": {"$ref": "#/components/schemas/Outcome"}}},
        "OutcomeRecorded": {"type": "object", "properties": {
            "report_id": {"type": "integer"}, "outcome": {"$ref": "#/components/schemas/Outcome"}}}
    });
    let labels = json!({
        "BankLabel": {"type": "string", "enum": bank_labels, "default": "pdq",
            "description": "PDQ only: what a stored hash is a hash of. pdq: the whole image (role plain); \
                the others (role extra): the image without uniform borders (trim) or a fixed part of it \
                (central crops crop95, crop90, crop80; 85% crops pushed to a corner crop85tl, crop85tr, \
                crop85bl, crop85br; the top or bottom 80%)."},
        "QueryLabel": {"type": "string", "enum": query_labels, "default": "pdq",
            "description": "PDQ only: what a query hash is a hash of: the whole image (pdq), turned or \
                mirrored (rot90, flipx, ...), without uniform borders (trim), without a caption band \
                (uncaption), the picture inside a screenshot (screen), a turned picture straightened \
                (straight), or a fixed part (top80, bottom80, ...)."}
    });
    for more in [labels, platform] {
        if let (Value::Object(all), Value::Object(more)) = (&mut schemas, more) {
            all.extend(more);
        }
    }
    schemas
}
