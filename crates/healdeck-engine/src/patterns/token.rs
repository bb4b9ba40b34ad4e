//! How a token is masked before it is compared: the parameter masking of fingerprints, per
//! token. A hex string, UUID or long id is a wildcard outright; a token holding digits keeps
//! its letters and punctuation with each number (its sign, `0x` and hex digits included) made
//! `#` (`blk_-1608` → `blk_#`,
//! `/10.251.42.84:50010` → `/#.#.#.#:#`); any other token is a word, as written.

/// What a token turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mask {
    /// A word, kept as written.
    Word,
    /// Held digits: masked, and a variable for the tree.
    Digits,
    /// An id of its own (hex, UUID): the wildcard.
    Wild,
}

/// Masks `raw` into `out` (cleared first; a wildcard leaves it empty).
pub(super) fn mask(raw: &str, out: &mut String) -> Mask {
    out.clear();
    let bytes = raw.as_bytes();
    let (mut digits, mut slashes, mut dots) = (false, 0usize, 0usize);
    for &b in bytes {
        digits |= b.is_ascii_digit();
        slashes += usize::from(b == b'/' || b == b'\\');
        dots += usize::from(b == b'.');
    }
    mask_counted(raw, out, digits, slashes >= 2 || dots >= 2)
}

/// [`mask`], appending to `out`, with what one pass over the token found: whether it holds a digit, and
/// whether it has two dots or two slashes (without them it can be neither a host nor a path:
/// most tokens).
pub(super) fn mask_counted(raw: &str, out: &mut String, digits: bool, dotted: bool) -> Mask {
    let bytes = raw.as_bytes();
    if dotted && is_host_or_path(raw) {
        return Mask::Wild;
    }
    if !digits {
        out.push_str(raw);
        return Mask::Word;
    }
    if is_id(bytes) || (bytes.len() >= 20 && has_blob(bytes)) {
        return Mask::Wild;
    }
    // Each number becomes `#`: its sign, a `0x` hex number, and digits mixed with hex
    // letters (`0b1f`) included. What lies between numbers is copied a run at a time (the
    // cuts are at ASCII bytes, so at character boundaries).
    let (mut i, mut copied) = (0, 0);
    while i < bytes.len() {
        let b = bytes[i];
        let signed = matches!(b, b'-' | b'+') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
        if !(b.is_ascii_digit() || signed) {
            i += 1;
            continue;
        }
        out.push_str(&raw[copied..i]);
        let mut j = i + 1;
        if b == b'0' && matches!(bytes.get(j), Some(b'x' | b'X')) {
            j += 1;
        }
        let digits_end = j + bytes[j..].iter().take_while(|b| b.is_ascii_digit()).count();
        j += bytes[j..]
            .iter()
            .take_while(|b| b.is_ascii_hexdigit())
            .count();
        // Hex letters belong to the number only up to a boundary (`0b1f`), not into a
        // word (`5days` is `#days`).
        if bytes.get(j).is_some_and(u8::is_ascii_alphabetic) {
            j = digits_end;
        }
        out.push('#');
        i = j;
        copied = j;
    }
    out.push_str(&raw[copied..]);
    Mask::Digits
}

/// A host name (`proxy.cse.cuhk.edu.hk`, `a.b.c:5070`) or a path (`/var/log/x`, `C:\\x\\y`):
/// three dot-separated names with a letter, or two or more `/` or `\\` separators. One pass,
/// no allocation.
fn is_host_or_path(raw: &str) -> bool {
    let t = raw.trim_matches(|c: char| matches!(c, ',' | ';' | '(' | ')' | '[' | ']' | '\'' | '"'));
    let bytes = t.as_bytes();
    if bytes.len() < 4 {
        return false;
    }
    let slashes = bytes.iter().filter(|&&b| b == b'/' || b == b'\\').count();
    if slashes >= 2 {
        return true;
    }
    let host = match memchr::memchr(b':', bytes) {
        Some(i) => &bytes[..i],
        None => bytes,
    };
    let (mut dots, mut run, mut letter) = (0, 0, false);
    for &b in host {
        match b {
            b'.' if run > 0 => {
                dots += 1;
                run = 0;
            }
            b'.' => return false,
            b if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' => {
                run += 1;
                letter |= b.is_ascii_alphabetic();
            }
            _ => return false,
        }
    }
    dots >= 2 && run > 0 && letter
}

/// A run of 20 or more base64 characters mixing upper case, lower case and digits: a key
/// fingerprint (`SHA256:v9otAqOpRApzGy2tSKUxmIhL1RBvtsPqEdZy/T+upZY`), a token or a hash —
/// a value, never a word.
fn has_blob(bytes: &[u8]) -> bool {
    let (mut run, mut upper, mut lower, mut digit) = (0, false, false, false);
    for &b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'_' | b'-') {
            run += 1;
            upper |= b.is_ascii_uppercase();
            lower |= b.is_ascii_lowercase();
            digit |= b.is_ascii_digit();
            if run >= 20 && upper && lower && digit {
                return true;
            }
        } else {
            (run, upper, lower, digit) = (0, false, false, false);
        }
    }
    false
}

/// A hex number (`0x7f3a`, `deadbeef01`), a UUID, or a long run of hex and dashes (of a token
/// that holds a digit).
fn is_id(bytes: &[u8]) -> bool {
    let body = bytes
        .strip_prefix(b"0x")
        .or_else(|| bytes.strip_prefix(b"0X"))
        .unwrap_or(bytes);
    // One pass, stopping at the first byte that is not hex or a dash (most tokens).
    let mut letters = false;
    for &b in body {
        match b {
            b'0'..=b'9' | b'-' => {}
            b'a'..=b'f' | b'A'..=b'F' => letters = true,
            _ => return false,
        }
    }
    body.len() != bytes.len() || (body.len() >= 8 && letters)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(raw: &str) -> (Mask, String) {
        let mut out = String::new();
        let kind = mask(raw, &mut out);
        (kind, out)
    }

    #[test]
    fn tokens_are_masked_like_fingerprints() {
        assert_eq!(m("terminating"), (Mask::Word, "terminating".into()));
        assert_eq!(
            m("blk_-1608999687919862906"),
            (Mask::Digits, "blk_#".into())
        );
        assert_eq!(m("blk_38865049064139660"), (Mask::Digits, "blk_#".into()));
        assert_eq!(m("(unit=0x0b"), (Mask::Digits, "(unit=#".into()));
        assert_eq!(m("-5"), (Mask::Digits, "#".into()));
        assert_eq!(m("5days"), (Mask::Digits, "#days".into()));
        assert_eq!(m("12bytes"), (Mask::Digits, "#bytes".into()));
        assert_eq!(m("core.2a3f"), (Mask::Digits, "core.#".into()));
        assert_eq!(
            m("/10.251.42.84:50010"),
            (Mask::Digits, "/#.#.#.#:#".into())
        );
        assert_eq!(m("(uid=0)"), (Mask::Digits, "(uid=#)".into()));
        assert_eq!(m("0x7f3a"), (Mask::Wild, String::new()));
        assert_eq!(
            m("550e8400-e29b-41d4-a716-446655440000"),
            (Mask::Wild, String::new())
        );
        assert_eq!(m("deadbeef01"), (Mask::Wild, String::new()));
        assert_eq!(m("2024"), (Mask::Digits, "#".into()));
        assert_eq!(m("été"), (Mask::Word, "été".into()));
        assert_eq!(
            m("SHA256:v9otAqOpRApzGy2tSKUxmIhL1RBvtsPqEdZy/T+upZY"),
            (Mask::Wild, String::new())
        );
        assert_eq!(
            m("attempt_1445144423722_0020_m_000000_0"),
            (Mask::Digits, "attempt_#_#_m_#_#".into())
        );
        assert_eq!(m("ED25519"), (Mask::Digits, "ED#".into()));
    }
}
