//! `web/src/api-types.ts`, the page's types of the API's bodies, is made
//! from this crate's OpenAPI schemas. This test fails when the committed
//! file differs from them, so that a field changed here reaches the page,
//! whose TypeScript is then checked against it (`npm run check` in `web/`).
//!
//! `HASHBANK_WRITE_API_TYPES=1 cargo test -p hashbank-api --test typescript`
//! writes the file.

use std::fmt::Write;
use std::path::PathBuf;

use utoipa::openapi::schema::{ArrayItems, Schema, SchemaType, Type};
use utoipa::openapi::RefOr;
use utoipa::OpenApi;

/// Set to write the file instead of comparing it.
const WRITE: &str = "HASHBANK_WRITE_API_TYPES";

const HEADER: &str = "\
// The bodies of the bank's HTTP API as TypeScript types, made from the OpenAPI
// schemas of crates/api. Do not edit: `cargo test -p hashbank-api --test typescript`
// fails when this file differs from them, and with HASHBANK_WRITE_API_TYPES=1
// writes it.
";

#[test]
fn the_pages_api_types_are_the_crates() {
    let made = typescript();
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../web/src/api-types.ts");
    if std::env::var_os(WRITE).is_some() {
        std::fs::write(&path, &made).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; {WRITE}=1 cargo test -p hashbank-api --test typescript writes it",
            path.display()
        )
    });
    assert!(
        committed == made,
        "{} is not the API's types: write it with {WRITE}=1 cargo test -p hashbank-api \
         --test typescript, then check the page with `npm run check` in web/",
        path.display()
    );
}

/// Every schema of the API as a TypeScript type: objects as interfaces
/// (a property not required is optional), words as unions of strings.
fn typescript() -> String {
    let document = api::openapi::Schemas::openapi();
    let schemas = document.components.expect("the schemas").schemas;
    let mut out = String::from(HEADER);
    for (name, schema) in &schemas {
        let RefOr::T(schema) = schema else {
            panic!("{name}: a schema of the API is a reference");
        };
        out.push('\n');
        comment(&mut out, "", description(schema));
        match schema {
            Schema::Object(object) if !object.properties.is_empty() => {
                writeln!(out, "export interface {name} {{").unwrap();
                for (field, property) in &object.properties {
                    let described = match property {
                        RefOr::Ref(r) => Some(r.description.as_str()).filter(|d| !d.is_empty()),
                        RefOr::T(schema) => description(schema),
                    };
                    comment(&mut out, "  ", described);
                    let optional = if object.required.contains(field) {
                        ""
                    } else {
                        "?"
                    };
                    writeln!(out, "  {field}{optional}: {};", type_of(property)).unwrap();
                }
                out.push_str("}\n");
            }
            other => writeln!(out, "export type {name} = {};", type_of_schema(other)).unwrap(),
        }
    }
    out
}

fn type_of(schema: &RefOr<Schema>) -> String {
    match schema {
        RefOr::Ref(r) => r
            .ref_location
            .rsplit('/')
            .next()
            .expect("a named reference")
            .to_string(),
        RefOr::T(schema) => type_of_schema(schema),
    }
}

fn type_of_schema(schema: &Schema) -> String {
    match schema {
        Schema::Object(object) => match &object.enum_values {
            Some(words) => words
                .iter()
                .map(|w| serde_json::to_string(w).unwrap())
                .collect::<Vec<_>>()
                .join(" | "),
            None => match &object.schema_type {
                SchemaType::Type(t) => primitive(t).to_string(),
                SchemaType::Array(types) => {
                    types.iter().map(primitive).collect::<Vec<_>>().join(" | ")
                }
                SchemaType::AnyValue => "unknown".to_string(),
            },
        },
        Schema::Array(array) => match &array.items {
            ArrayItems::RefOrSchema(items) => {
                let item = type_of(items);
                if item.contains(' ') {
                    format!("({item})[]")
                } else {
                    format!("{item}[]")
                }
            }
            ArrayItems::False => "[]".to_string(),
        },
        Schema::OneOf(one_of) => {
            let mut types: Vec<String> = one_of.items.iter().map(type_of).collect();
            types.dedup();
            types.join(" | ")
        }
        Schema::AllOf(all_of) if all_of.items.len() == 1 => type_of(&all_of.items[0]),
        _ => panic!(
            "a schema this generator does not know: {}",
            serde_json::to_string(schema).unwrap()
        ),
    }
}

fn primitive(t: &Type) -> &'static str {
    match t {
        Type::String => "string",
        Type::Integer | Type::Number => "number",
        Type::Boolean => "boolean",
        Type::Null => "null",
        Type::Object => "Record<string, unknown>",
        Type::Array => "unknown[]",
    }
}

/// A schema's description; for a union with null, its other member's.
fn description(schema: &Schema) -> Option<&str> {
    let own = match schema {
        Schema::Object(object) => object.description.as_deref(),
        Schema::Array(array) => array.description.as_deref(),
        Schema::OneOf(one_of) => one_of.description.as_deref().or_else(|| {
            one_of.items.iter().find_map(|item| match item {
                RefOr::Ref(r) => Some(r.description.as_str()).filter(|d| !d.is_empty()),
                RefOr::T(schema) => description(schema),
            })
        }),
        _ => None,
    };
    own.filter(|d| !d.is_empty())
}

/// `text` as a doc comment indented by `indent`.
fn comment(out: &mut String, indent: &str, text: Option<&str>) {
    let Some(text) = text else {
        return;
    };
    let text = text.replace("*/", "*\\/");
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    if let [line] = lines[..] {
        writeln!(out, "{indent}/** {line} */").unwrap();
        return;
    }
    writeln!(out, "{indent}/**").unwrap();
    for line in lines {
        if line.is_empty() {
            writeln!(out, "{indent} *").unwrap();
        } else {
            writeln!(out, "{indent} * {line}").unwrap();
        }
    }
    writeln!(out, "{indent} */").unwrap();
}
