//! Syslog over TCP: where one message ends. RFC 6587 allows two framings on one connection —
//! octet counting (`57 <34>1 …`, the length first, so a message may hold newlines) and
//! newline-terminated messages (`<34>Oct 11 …\n`) — and a sender picks per message. Memory
//! stays bounded whatever arrives: a message longer than the limit keeps its first
//! `max_message` bytes (marked as cut) and the rest is skipped as it streams past; a length
//! that is not a number ends the connection.

/// Why a connection must be closed.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct FramingError(pub String);

#[derive(Debug)]
enum State {
    /// Between messages.
    Start,
    /// Reading the digits of an octet count.
    Length(usize),
    /// Inside an octet-counted message with this many bytes to go.
    Counted { left: usize },
    /// Inside a newline-terminated message.
    Line,
}

/// Splits a byte stream into messages.
#[derive(Debug)]
pub(crate) struct Framer {
    state: State,
    message: Vec<u8>,
    max_message: usize,
    /// The current message was longer than the limit.
    cut: bool,
    /// Messages cut to the limit so far.
    pub cut_messages: u64,
}

/// Marks a message that was cut to the limit.
pub(crate) const CUT_MARK: &str = " …[cut: message over the size limit]";

impl Framer {
    pub(crate) fn new(max_message: usize) -> Self {
        Framer {
            state: State::Start,
            message: Vec::new(),
            max_message,
            cut: false,
            cut_messages: 0,
        }
    }

    fn keep(&mut self, bytes: &[u8]) {
        let room = self.max_message.saturating_sub(self.message.len());
        if bytes.len() > room {
            self.cut = true;
        }
        self.message
            .extend_from_slice(&bytes[..bytes.len().min(room)]);
    }

    fn finish(&mut self, out: &mut Vec<Vec<u8>>) {
        let mut m = std::mem::take(&mut self.message);
        if std::mem::take(&mut self.cut) {
            self.cut_messages += 1;
            m.extend_from_slice(CUT_MARK.as_bytes());
        }
        if !m.iter().all(|b| b.is_ascii_whitespace()) {
            out.push(m);
        }
        self.state = State::Start;
    }

    /// Takes the next bytes of the stream; complete messages are appended to `out`.
    pub(crate) fn push(
        &mut self,
        mut data: &[u8],
        out: &mut Vec<Vec<u8>>,
    ) -> Result<(), FramingError> {
        while !data.is_empty() {
            match self.state {
                State::Start => {
                    let b = data[0];
                    if b.is_ascii_digit() {
                        self.state = State::Length(0);
                    } else if b == b'\n' || b == b'\r' || b == 0 {
                        data = &data[1..];
                    } else {
                        self.state = State::Line;
                    }
                }
                State::Length(n) => {
                    let b = data[0];
                    data = &data[1..];
                    if b.is_ascii_digit() {
                        let n = n * 10 + usize::from(b - b'0');
                        if n > 1 << 40 {
                            return Err(FramingError("an octet count beyond any message".into()));
                        }
                        self.state = State::Length(n);
                    } else if b == b' ' {
                        self.state = State::Counted { left: n };
                        if n == 0 {
                            self.finish(out);
                        }
                    } else {
                        return Err(FramingError(format!(
                            "`{}` inside an octet count",
                            char::from(b).escape_default()
                        )));
                    }
                }
                State::Counted { left } => {
                    let take = left.min(data.len());
                    self.keep(&data[..take]);
                    data = &data[take..];
                    if take == left {
                        self.finish(out);
                    } else {
                        self.state = State::Counted { left: left - take };
                    }
                }
                State::Line => match memchr::memchr(b'\n', data) {
                    Some(p) => {
                        self.keep(&data[..p]);
                        data = &data[p + 1..];
                        self.finish(out);
                    }
                    None => {
                        self.keep(data);
                        data = &[];
                    }
                },
            }
        }
        Ok(())
    }

    /// The connection closed: a newline-terminated message without its newline still counts.
    pub(crate) fn close(&mut self, out: &mut Vec<Vec<u8>>) {
        if matches!(self.state, State::Line) {
            self.finish(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(chunks: &[&[u8]], max: usize) -> (Vec<String>, Result<(), FramingError>) {
        let mut f = Framer::new(max);
        let mut out = Vec::new();
        for c in chunks {
            if let Err(e) = f.push(c, &mut out) {
                return (Vec::new(), Err(e));
            }
        }
        f.close(&mut out);
        (
            out.iter()
                .map(|m| String::from_utf8_lossy(m).into_owned())
                .collect(),
            Ok(()),
        )
    }

    #[test]
    fn both_framings_mixed_and_split_anywhere() {
        let stream = b"10 <1>1 a\nb c<2>plain line\n\n5 <3>xy<4>last";
        let whole = frames(&[stream], 1000).0;
        assert_eq!(whole, ["<1>1 a\nb c", "<2>plain line", "<3>xy", "<4>last"]);
        // The same bytes one at a time.
        let bytes: Vec<&[u8]> = stream.iter().map(std::slice::from_ref).collect();
        assert_eq!(frames(&bytes, 1000).0, whole);
    }

    #[test]
    fn long_messages_are_cut_and_memory_stays_bounded() {
        let mut f = Framer::new(8);
        let mut out = Vec::new();
        f.push(b"100000003 <1>", &mut out).expect("ok");
        for _ in 0..1000 {
            f.push(&[b'x'; 100_000], &mut out).expect("ok");
            assert!(f.message.capacity() < 64);
        }
        f.push(b"8 <2>after", &mut out).expect("ok");
        assert_eq!(out.len(), 2);
        assert!(String::from_utf8_lossy(&out[0]).starts_with("<1>xxxxx …[cut"));
        assert_eq!(out[1], b"<2>after");
        assert_eq!(f.cut_messages, 1);
    }

    #[test]
    fn a_broken_count_ends_the_connection() {
        assert!(frames(&[b"12x <1>oops"], 100).1.is_err());
        assert!(frames(&[b"99999999999999999999 x"], 100).1.is_err());
    }
}
