//! OpenTelemetry logs (OTLP/HTTP `/v1/logs`) as records. The request arrives as protobuf
//! (`application/x-protobuf`) or as OTLP's JSON mapping (`application/json`); both are read
//! into the same log list. The messages below declare only what healdeck reads, with the field
//! numbers of `opentelemetry/proto/{collector/logs,logs,common,resource}/v1/*.proto`; prost
//! skips the rest. A record's host is the resource's `host.name` (or `service.name`, or the
//! sending address), its name the service, its text the body and — when the SDK recorded an
//! exception — the exception's stack trace below it, so a Python traceback reads as one.

use super::syslog::host_name;
use crate::remote::record::{Record, iso_micros};
use serde::Deserialize;

/// `ExportLogsServiceRequest`.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct ExportLogsServiceRequest {
    #[prost(message, repeated, tag = "1")]
    pub resource_logs: Vec<ResourceLogs>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct ResourceLogs {
    #[prost(message, optional, tag = "1")]
    pub resource: Option<Resource>,
    #[prost(message, repeated, tag = "2")]
    pub scope_logs: Vec<ScopeLogs>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct Resource {
    #[prost(message, repeated, tag = "1")]
    pub attributes: Vec<KeyValue>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct ScopeLogs {
    #[prost(message, optional, tag = "1")]
    pub scope: Option<InstrumentationScope>,
    #[prost(message, repeated, tag = "2")]
    pub log_records: Vec<LogRecord>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct InstrumentationScope {
    #[prost(string, tag = "1")]
    pub name: String,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct LogRecord {
    #[prost(fixed64, tag = "1")]
    pub time_unix_nano: u64,
    #[prost(int32, tag = "2")]
    pub severity_number: i32,
    #[prost(string, tag = "3")]
    pub severity_text: String,
    #[prost(message, optional, tag = "5")]
    pub body: Option<AnyValue>,
    #[prost(message, repeated, tag = "6")]
    pub attributes: Vec<KeyValue>,
    #[prost(fixed64, tag = "11")]
    pub observed_time_unix_nano: u64,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct KeyValue {
    #[prost(string, tag = "1")]
    pub key: String,
    #[prost(message, optional, tag = "2")]
    pub value: Option<AnyValue>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct AnyValue {
    #[prost(oneof = "any_value::Value", tags = "1, 2, 3, 4, 5, 6, 7")]
    pub value: Option<any_value::Value>,
}

pub(crate) mod any_value {
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub(crate) enum Value {
        #[prost(string, tag = "1")]
        Text(String),
        #[prost(bool, tag = "2")]
        Bool(bool),
        #[prost(int64, tag = "3")]
        Int(i64),
        #[prost(double, tag = "4")]
        Double(f64),
        #[prost(message, tag = "5")]
        Array(super::ArrayValue),
        #[prost(message, tag = "6")]
        Kvlist(super::KeyValueList),
        #[prost(bytes, tag = "7")]
        Bytes(Vec<u8>),
    }
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct ArrayValue {
    #[prost(message, repeated, tag = "1")]
    pub values: Vec<AnyValue>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct KeyValueList {
    #[prost(message, repeated, tag = "1")]
    pub values: Vec<KeyValue>,
}

/// A number OTLP's JSON writes as a string (64-bit integers) or as a number.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum JsonNumber {
    Text(String),
    Int(i64),
    Float(f64),
}

impl JsonNumber {
    fn as_i64(&self) -> i64 {
        match self {
            JsonNumber::Text(t) => t.trim().parse().unwrap_or(0),
            JsonNumber::Int(i) => *i,
            JsonNumber::Float(f) => *f as i64,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct JsonRequest {
    resource_logs: Vec<JsonResourceLogs>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct JsonResourceLogs {
    resource: Option<JsonResource>,
    scope_logs: Vec<JsonScopeLogs>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct JsonResource {
    attributes: Vec<JsonKeyValue>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct JsonScopeLogs {
    scope: Option<JsonScope>,
    log_records: Vec<JsonLogRecord>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct JsonScope {
    name: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct JsonLogRecord {
    time_unix_nano: Option<JsonNumber>,
    observed_time_unix_nano: Option<JsonNumber>,
    severity_number: Option<JsonNumber>,
    severity_text: String,
    body: Option<JsonAnyValue>,
    attributes: Vec<JsonKeyValue>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct JsonKeyValue {
    key: String,
    value: Option<JsonAnyValue>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct JsonAnyValue {
    string_value: Option<String>,
    bool_value: Option<bool>,
    int_value: Option<JsonNumber>,
    double_value: Option<f64>,
    array_value: Option<JsonArray>,
    kvlist_value: Option<JsonKvList>,
    bytes_value: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct JsonArray {
    values: Vec<JsonAnyValue>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct JsonKvList {
    values: Vec<JsonKeyValue>,
}

impl From<JsonAnyValue> for AnyValue {
    fn from(j: JsonAnyValue) -> Self {
        use any_value::Value;
        let value = if let Some(s) = j.string_value {
            Some(Value::Text(s))
        } else if let Some(b) = j.bool_value {
            Some(Value::Bool(b))
        } else if let Some(i) = j.int_value {
            Some(Value::Int(i.as_i64()))
        } else if let Some(d) = j.double_value {
            Some(Value::Double(d))
        } else if let Some(a) = j.array_value {
            Some(Value::Array(ArrayValue {
                values: a.values.into_iter().map(Into::into).collect(),
            }))
        } else if let Some(kv) = j.kvlist_value {
            Some(Value::Kvlist(KeyValueList {
                values: kv.values.into_iter().map(Into::into).collect(),
            }))
        } else {
            j.bytes_value.map(|b| Value::Bytes(b.into_bytes()))
        };
        AnyValue { value }
    }
}

impl From<JsonKeyValue> for KeyValue {
    fn from(j: JsonKeyValue) -> Self {
        KeyValue {
            key: j.key,
            value: j.value.map(Into::into),
        }
    }
}

/// Reads OTLP's JSON mapping into the protobuf messages.
pub(crate) fn from_json(body: &[u8]) -> Result<ExportLogsServiceRequest, String> {
    let j: JsonRequest = serde_json::from_slice(body).map_err(|e| format!("not OTLP JSON: {e}"))?;
    let nanos = |n: Option<JsonNumber>| n.map_or(0, |n| n.as_i64().max(0) as u64);
    Ok(ExportLogsServiceRequest {
        resource_logs: j
            .resource_logs
            .into_iter()
            .map(|rl| ResourceLogs {
                resource: rl.resource.map(|r| Resource {
                    attributes: r.attributes.into_iter().map(Into::into).collect(),
                }),
                scope_logs: rl
                    .scope_logs
                    .into_iter()
                    .map(|sl| ScopeLogs {
                        scope: sl.scope.map(|s| InstrumentationScope { name: s.name }),
                        log_records: sl
                            .log_records
                            .into_iter()
                            .map(|lr| LogRecord {
                                time_unix_nano: nanos(lr.time_unix_nano),
                                observed_time_unix_nano: nanos(lr.observed_time_unix_nano),
                                severity_number: lr
                                    .severity_number
                                    .map_or(0, |n| n.as_i64() as i32),
                                severity_text: lr.severity_text,
                                body: lr.body.map(Into::into),
                                attributes: lr.attributes.into_iter().map(Into::into).collect(),
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
    })
}

/// A value as text: strings as they are, the rest as a reader would write them.
fn text_of(v: &AnyValue) -> String {
    use any_value::Value;
    match &v.value {
        None => String::new(),
        Some(Value::Text(s)) => s.clone(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Int(i)) => i.to_string(),
        Some(Value::Double(d)) => d.to_string(),
        Some(Value::Bytes(b)) => format!("<{} bytes>", b.len()),
        Some(Value::Array(a)) => {
            let items: Vec<String> = a.values.iter().map(text_of).collect();
            format!("[{}]", items.join(", "))
        }
        Some(Value::Kvlist(kv)) => {
            let items: Vec<String> = kv
                .values
                .iter()
                .map(|p| {
                    format!(
                        "{}={}",
                        p.key,
                        p.value.as_ref().map(text_of).unwrap_or_default()
                    )
                })
                .collect();
            format!("{{{}}}", items.join(", "))
        }
    }
}

fn attribute<'a>(attrs: &'a [KeyValue], key: &str) -> Option<&'a AnyValue> {
    attrs
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref())
}

/// OTLP severity numbers (1–24) as syslog severities.
fn severity(number: i32, text: &str) -> Option<u8> {
    match number {
        21.. => Some(2),
        17..=20 => Some(3),
        13..=16 => Some(4),
        9..=12 => Some(6),
        1..=8 => Some(7),
        _ => crate::remote::parse_priority(text).ok(),
    }
}

/// The records of a request from `peer`, received at `now` (µs); each text is cut to
/// `max_text` bytes.
pub(crate) fn records(
    request: ExportLogsServiceRequest,
    peer: &str,
    now: u64,
    max_text: usize,
) -> Vec<Record> {
    let mut out = Vec::new();
    for rl in request.resource_logs {
        let attrs = rl.resource.map(|r| r.attributes).unwrap_or_default();
        let named = |key: &str| {
            attribute(&attrs, key)
                .map(text_of)
                .filter(|t| !t.is_empty())
        };
        let service = named("service.name");
        let host = host_name(
            &named("host.name")
                .or_else(|| service.clone())
                .unwrap_or_default(),
            peer,
        );
        let pid = named("process.pid").unwrap_or_default();
        for sl in rl.scope_logs {
            let name = service
                .clone()
                .or_else(|| {
                    sl.scope
                        .as_ref()
                        .map(|s| s.name.clone())
                        .filter(|n| !n.is_empty())
                })
                .unwrap_or_else(|| "otlp".into());
            for lr in sl.log_records {
                let nanos = if lr.time_unix_nano > 0 {
                    lr.time_unix_nano
                } else {
                    lr.observed_time_unix_nano
                };
                let micros = if nanos > 0 { nanos / 1000 } else { now };
                let mut text = lr.body.as_ref().map(text_of).unwrap_or_default();
                let stack = attribute(&lr.attributes, "exception.stacktrace").map(text_of);
                match stack.filter(|s| !s.trim().is_empty()) {
                    Some(stack) => {
                        text.push('\n');
                        text.push_str(stack.trim_end());
                    }
                    None => {
                        if let Some(kind) = attribute(&lr.attributes, "exception.type").map(text_of)
                        {
                            let message = attribute(&lr.attributes, "exception.message")
                                .map(text_of)
                                .unwrap_or_default();
                            text.push_str(&format!(" ({kind}: {message})"));
                        }
                    }
                }
                if text.len() > max_text {
                    let cut = (0..=max_text)
                        .rev()
                        .find(|i| text.is_char_boundary(*i))
                        .unwrap_or(0);
                    text.truncate(cut);
                    text.push_str(super::framing::CUT_MARK);
                }
                out.push(Record {
                    at_micros: micros,
                    stamp: iso_micros(micros),
                    host: host.clone(),
                    name: name.clone(),
                    pid: pid.clone(),
                    severity: severity(lr.severity_number, &lr.severity_text),
                    text,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;

    fn kv(key: &str, value: &str) -> KeyValue {
        KeyValue {
            key: key.into(),
            value: Some(AnyValue {
                value: Some(any_value::Value::Text(value.into())),
            }),
        }
    }

    #[test]
    fn protobuf_and_json_read_the_same() {
        let request = ExportLogsServiceRequest {
            resource_logs: vec![ResourceLogs {
                resource: Some(Resource {
                    attributes: vec![kv("service.name", "checkout"), kv("host.name", "web-3")],
                }),
                scope_logs: vec![ScopeLogs {
                    scope: None,
                    log_records: vec![LogRecord {
                        time_unix_nano: 1_764_680_000_000_000_000,
                        severity_number: 17,
                        severity_text: "ERROR".into(),
                        body: Some(AnyValue {
                            value: Some(any_value::Value::Text("payment failed".into())),
                        }),
                        attributes: vec![
                            kv("exception.type", "KeyError"),
                            kv(
                                "exception.stacktrace",
                                "Traceback (most recent call last):\n  File \"a.py\", line 1, in <module>\nKeyError: 'card'\n",
                            ),
                        ],
                        observed_time_unix_nano: 0,
                    }],
                }],
            }],
        };
        let decoded =
            ExportLogsServiceRequest::decode(request.encode_to_vec().as_slice()).expect("decode");
        let json = r#"{"resourceLogs":[{"resource":{"attributes":[
            {"key":"service.name","value":{"stringValue":"checkout"}},
            {"key":"host.name","value":{"stringValue":"web-3"}}]},
          "scopeLogs":[{"logRecords":[{"timeUnixNano":"1764680000000000000","severityNumber":17,
            "severityText":"ERROR","body":{"stringValue":"payment failed"},
            "attributes":[{"key":"exception.type","value":{"stringValue":"KeyError"}},
            {"key":"exception.stacktrace","value":{"stringValue":"Traceback (most recent call last):\n  File \"a.py\", line 1, in <module>\nKeyError: 'card'\n"}}]}]}]}]}"#;
        let from_json = from_json(json.as_bytes()).expect("json");
        let a = records(decoded, "10.0.0.1", 0, 1000);
        let b = records(from_json, "10.0.0.1", 0, 1000);
        assert_eq!(a, b);
        assert_eq!(
            (a[0].host.as_str(), a[0].name.as_str()),
            ("web-3", "checkout")
        );
        assert_eq!(a[0].severity, Some(3));
        assert_eq!(a[0].stamp, "2025-12-02T12:53:20.000000Z");
        assert!(
            a[0].text.starts_with("payment failed\nTraceback"),
            "{}",
            a[0].text
        );
        assert!(a[0].text.ends_with("KeyError: 'card'"));
    }

    #[test]
    fn hostile_requests_are_errors_or_bounded() {
        assert!(ExportLogsServiceRequest::decode(&b"\xff\xff\xff\xff"[..]).is_err());
        assert!(from_json(b"{\"resourceLogs\": 7}").is_err());
        // Nesting deeper than the decoders allow is refused, not followed.
        let deep = "[".repeat(10_000);
        assert!(from_json(deep.as_bytes()).is_err());
        let mut nested = AnyValue::default();
        for _ in 0..200 {
            nested = AnyValue {
                value: Some(any_value::Value::Array(ArrayValue {
                    values: vec![nested],
                })),
            };
        }
        let bytes = nested.encode_to_vec();
        assert!(AnyValue::decode(bytes.as_slice()).is_err());
        let long = ExportLogsServiceRequest {
            resource_logs: vec![ResourceLogs {
                resource: None,
                scope_logs: vec![ScopeLogs {
                    scope: None,
                    log_records: vec![LogRecord {
                        body: Some(AnyValue {
                            value: Some(any_value::Value::Text("é".repeat(10_000))),
                        }),
                        ..LogRecord::default()
                    }],
                }],
            }],
        };
        let r = records(long, "peer", 5, 101);
        assert!(r[0].text.len() < 200);
        assert_eq!((r[0].host.as_str(), r[0].name.as_str()), ("peer", "otlp"));
    }
}
