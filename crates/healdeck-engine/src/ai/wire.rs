//! The three wire formats an answer streams in, decoded line by line: Ollama's NDJSON
//! (`/api/chat`), OpenAI's server-sent events (`/v1/chat/completions`, ending `data: [DONE]`)
//! and Anthropic's server-sent events (`/v1/messages`: `content_block_delta` … `message_stop`,
//! or an `error` event). A line that is not what the format says is an error naming the line,
//! never a panic.

use serde_json::Value;

/// Which format a stream is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wire {
    OllamaNdjson,
    OpenAiSse,
    AnthropicSse,
}

/// What one line (or one finished event) said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece {
    Text(String),
    Done,
    /// The answer ended at the provider's token limit (it is incomplete).
    Cut,
    /// The server reported an error inside the stream.
    ServerError(String),
}

/// Decodes one stream; feed it lines (without their newline) in order.
#[derive(Debug)]
pub(crate) struct Decoder {
    wire: Wire,
    line_no: usize,
    /// The `event:` name of the server-sent event being read.
    event: Option<String>,
}

impl Decoder {
    pub(crate) fn new(wire: Wire) -> Decoder {
        Decoder {
            wire,
            line_no: 0,
            event: None,
        }
    }

    /// The pieces one line gives, or why the line is not the format's.
    pub(crate) fn line(&mut self, raw: &str) -> Result<Option<Piece>, String> {
        self.line_no += 1;
        let line = raw.trim_end_matches('\r');
        match self.wire {
            Wire::OllamaNdjson => self.ndjson(line),
            Wire::OpenAiSse | Wire::AnthropicSse => self.sse(line),
        }
    }

    fn bad(&self, why: impl std::fmt::Display, line: &str) -> String {
        let shown: String = line.chars().take(120).collect();
        let shown = crate::redact::redact(&shown).text;
        format!("stream line {}: {why}: {shown:?}", self.line_no)
    }

    fn ndjson(&mut self, line: &str) -> Result<Option<Piece>, String> {
        if line.trim().is_empty() {
            return Ok(None);
        }
        let v: Value = serde_json::from_str(line).map_err(|e| self.bad(e, line))?;
        if let Some(e) = v.get("error") {
            return Ok(Some(Piece::ServerError(text_of(e))));
        }
        if v.get("done").and_then(Value::as_bool) == Some(true) {
            let cut = v.get("done_reason").and_then(Value::as_str) == Some("length");
            return Ok(Some(if cut { Piece::Cut } else { Piece::Done }));
        }
        match v.pointer("/message/content").and_then(Value::as_str) {
            Some(t) => Ok(Some(Piece::Text(t.to_string()))),
            None => Err(self.bad("no message.content", line)),
        }
    }

    fn sse(&mut self, line: &str) -> Result<Option<Piece>, String> {
        if line.is_empty() {
            self.event = None;
            return Ok(None);
        }
        if line.starts_with(':') {
            return Ok(None); // a comment (keep-alive)
        }
        if let Some(name) = line.strip_prefix("event:") {
            self.event = Some(name.trim().to_string());
            return Ok(None);
        }
        let Some(data) = line.strip_prefix("data:") else {
            if line.starts_with("id:") || line.starts_with("retry:") {
                return Ok(None);
            }
            return Err(self.bad("not a server-sent event field", line));
        };
        let data = data.strip_prefix(' ').unwrap_or(data);
        if self.wire == Wire::OpenAiSse && data.trim() == "[DONE]" {
            return Ok(Some(Piece::Done));
        }
        let v: Value = serde_json::from_str(data).map_err(|e| self.bad(e, line))?;
        match self.wire {
            Wire::OpenAiSse => self.openai(&v, line),
            _ => self.anthropic(&v, line),
        }
    }

    fn openai(&self, v: &Value, line: &str) -> Result<Option<Piece>, String> {
        if let Some(e) = v.get("error") {
            return Ok(Some(Piece::ServerError(text_of(e))));
        }
        let Some(choice) = v.pointer("/choices/0") else {
            // Usage-only chunks carry no choices.
            return if v.get("usage").is_some() {
                Ok(None)
            } else {
                Err(self.bad("no choices", line))
            };
        };
        if choice.get("finish_reason").and_then(Value::as_str) == Some("length") {
            return Ok(Some(Piece::Cut));
        }
        Ok(choice
            .pointer("/delta/content")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .map(|t| Piece::Text(t.to_string())))
    }

    fn anthropic(&self, v: &Value, line: &str) -> Result<Option<Piece>, String> {
        let kind = v
            .get("type")
            .and_then(Value::as_str)
            .or(self.event.as_deref())
            .ok_or_else(|| self.bad("an event without a type", line))?;
        Ok(match kind {
            "content_block_delta" => v
                .pointer("/delta/text")
                .and_then(Value::as_str)
                .map(|t| Piece::Text(t.to_string())),
            "message_stop" => Some(Piece::Done),
            "message_delta"
                if v.pointer("/delta/stop_reason").and_then(Value::as_str)
                    == Some("max_tokens") =>
            {
                Some(Piece::Cut)
            }
            "error" => Some(Piece::ServerError(
                v.get("error").map_or_else(|| text_of(v), text_of),
            )),
            _ => None, // message_start, content_block_start/stop, message_delta, ping
        })
    }
}

/// An error value as one line: its message, else its JSON.
pub(crate) fn text_of(v: &Value) -> String {
    v.get("message")
        .and_then(Value::as_str)
        .or_else(|| v.as_str())
        .map_or_else(|| v.to_string(), str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(wire: Wire, text: &str) -> Result<Vec<Piece>, String> {
        let mut d = Decoder::new(wire);
        let mut out = Vec::new();
        for l in text.lines() {
            out.extend(d.line(l)?);
        }
        Ok(out)
    }

    fn t(s: &str) -> Piece {
        Piece::Text(s.into())
    }

    #[test]
    fn ollama_ndjson() {
        let s = "{\"message\":{\"role\":\"assistant\",\"content\":\"The \"},\"done\":false}\n\
                 {\"message\":{\"role\":\"assistant\",\"content\":\"disk\"},\"done\":false}\n\
                 {\"done\":true,\"done_reason\":\"stop\"}\n";
        assert_eq!(
            decode(Wire::OllamaNdjson, s),
            Ok(vec![t("The "), t("disk"), Piece::Done])
        );
        let e = decode(Wire::OllamaNdjson, "{\"error\":\"model 'x' not found\"}").expect("ok");
        assert_eq!(e, [Piece::ServerError("model 'x' not found".into())]);
        let bad = decode(
            Wire::OllamaNdjson,
            "{\"message\":{\"content\":\"a\"}}\nnot json",
        )
        .expect_err("malformed");
        assert!(bad.starts_with("stream line 2:"), "{bad}");
    }

    #[test]
    fn openai_sse() {
        let s = ": keep-alive\n\
                 data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n\
                 data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n\
                 data: {\"choices\":[],\"usage\":{\"total_tokens\":3}}\n\n\
                 data: [DONE]\n";
        assert_eq!(decode(Wire::OpenAiSse, s), Ok(vec![t("Hi"), Piece::Done]));
        assert!(decode(Wire::OpenAiSse, "data: {\"choices\": [").is_err());
        let cut = "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"length\"}]}\n";
        assert_eq!(decode(Wire::OpenAiSse, cut), Ok(vec![Piece::Cut]));
        assert!(decode(Wire::OpenAiSse, "<html>502 Bad Gateway</html>").is_err());
    }

    #[test]
    fn anthropic_sse() {
        let s = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{}}\n\n\
                 event: ping\ndata: {\"type\": \"ping\"}\n\n\
                 event: content_block_delta\n\
                 data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Root\"}}\n\n\
                 event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
        assert_eq!(
            decode(Wire::AnthropicSse, s),
            Ok(vec![t("Root"), Piece::Done])
        );
        let e = "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n";
        assert_eq!(
            decode(Wire::AnthropicSse, e),
            Ok(vec![Piece::ServerError("Overloaded".into())])
        );
    }
}
