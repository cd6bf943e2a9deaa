//! The wire format: every message between ranks, each encoder next to its
//! decoder.
//!
//! One MPI tag; the first byte says what a message is:
//! - `DATA graph:u32 edge:u32 flags:u8 [count:u32 ids:u32…] payload…` —
//!   one remote edge, one generation; flag bit 0 is the notify flag, bit 1
//!   says a payload (postcard) follows: always on the build call, then only
//!   when notified; bit 2 says the sender's poked-source list for this
//!   generation rides along (`count` ids), in place of an `AGREE`;
//! - `AGREE graph:u32 ids:u32…` — the sources this rank poked for the next
//!   generation of `graph`;
//! - `POISON text…` — a node panicked on the sender's rank;
//! - `CHECK graph:u32 body…` — at build time, a rank's description of
//!   `graph` (to rank 0), or rank 0's verdict on it (empty when every rank
//!   built the same graph);
//! - `BYE text…` — the sender is shutting down and will send nothing more;
//!   `text` is its poison reason, if it is poisoned. A peer may hear the
//!   `BYE` before the `POISON` that a third rank sent (MPI orders messages
//!   per pair of ranks only), and must then still report the poison.
//!
//! MPI does not reorder messages between one pair of ranks on one tag, so
//! per-edge and per-rank queues see generations in order. Every decoder
//! checks lengths: a malformed message (from a rank running another build of
//! the program) is an error, never a panic on the thread that received it.

use std::any::Any;

use serde::de::DeserializeOwned;
use serde::Serialize;

const DATA: u8 = 1;
const AGREE: u8 = 2;
const POISON: u8 = 3;
const BYE: u8 = 4;
const CHECK: u8 = 5;

/// Bytes of a `DATA` header: kind, graph, edge, flags.
pub(crate) const DATA_HEADER: usize = 10;

/// A message as received.
#[derive(Debug, PartialEq)]
pub(crate) enum Msg {
    /// One remote edge, one generation: its notify flag, the sender's
    /// poked-source list if it rides along, and, when a value was sent, the
    /// whole message and where the value starts in it.
    Data {
        graph: u32,
        edge: u32,
        notify: bool,
        agree: Option<Vec<u32>>,
        payload: Option<(Vec<u8>, usize)>,
    },
    /// A rank's poked sources for the next generation of `graph`.
    Agree { graph: u32, ids: Vec<u32> },
    /// A node panicked on the sender's rank.
    Poison(String),
    /// The sender shuts down; with its poison reason, if it has one.
    Bye(Option<String>),
    /// A graph description or a verdict on one, at build time.
    Check { graph: u32, body: Vec<u8> },
}

/// Why a message could not be decoded.
#[derive(Debug, PartialEq)]
pub(crate) struct Malformed {
    kind: Option<u8>,
    len: usize,
    why: &'static str,
}

impl std::fmt::Display for Malformed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            Some(k) => write!(
                f,
                "a malformed message ({} bytes, kind {k}): {}",
                self.len, self.why
            ),
            None => write!(f, "an empty message"),
        }
    }
}

fn word(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"))
}

/// Decodes one message.
pub(crate) fn parse(bytes: Vec<u8>) -> Result<Msg, Malformed> {
    let malformed = |why| Malformed {
        kind: bytes.first().copied(),
        len: bytes.len(),
        why,
    };
    match bytes.first().copied() {
        None => Err(malformed("")),
        Some(DATA) => {
            if bytes.len() < DATA_HEADER {
                return Err(malformed("shorter than a data header"));
            }
            let (graph, edge, flags) = (word(&bytes, 1), word(&bytes, 5), bytes[DATA_HEADER - 1]);
            if flags & !7 != 0 {
                return Err(malformed("unknown data flags"));
            }
            let notify = flags & 1 != 0;
            let has_value = flags & 2 != 0;
            let mut at = DATA_HEADER;
            let agree = if flags & 4 != 0 {
                let count = bytes
                    .get(at..at + 4)
                    .map(|_| word(&bytes, at) as usize)
                    .ok_or_else(|| malformed("no poked-source count"))?;
                let ids = count
                    .checked_mul(4)
                    .and_then(|n| bytes.get(at + 4..at + 4 + n))
                    .ok_or_else(|| malformed("a poked-source list cut short"))?;
                at += 4 + ids.len();
                Some(ids_of(ids))
            } else {
                None
            };
            if !has_value && bytes.len() > at {
                return Err(malformed("a payload without the value flag"));
            }
            // The payload stays in the message; the receiver skips the header.
            let payload = has_value.then_some((bytes, at));
            Ok(Msg::Data {
                graph,
                edge,
                notify,
                agree,
                payload,
            })
        }
        Some(AGREE) => {
            if bytes.len() < 5 || (bytes.len() - 5) % 4 != 0 {
                return Err(malformed("not a graph id and a list of node ids"));
            }
            Ok(Msg::Agree {
                graph: word(&bytes, 1),
                ids: ids_of(&bytes[5..]),
            })
        }
        Some(POISON) => Ok(Msg::Poison(text(&bytes[1..]))),
        Some(BYE) => Ok(Msg::Bye((bytes.len() > 1).then(|| text(&bytes[1..])))),
        Some(CHECK) => {
            if bytes.len() < 5 {
                return Err(malformed("shorter than a graph id"));
            }
            Ok(Msg::Check {
                graph: word(&bytes, 1),
                body: bytes[5..].to_vec(),
            })
        }
        Some(_) => Err(malformed("unknown kind")),
    }
}

/// Node ids, 4 bytes each (`bytes.len()` is a multiple of 4).
fn ids_of(bytes: &[u8]) -> Vec<u32> {
    bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")))
        .collect()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Writes a `DATA` message's header into `bytes` (cleared first), with the
/// poked-source list `agree` if given; the value (if any) is appended next.
pub(crate) fn data_header(
    mut bytes: Vec<u8>,
    (graph, edge): (u32, u32),
    notify: bool,
    with_value: bool,
    agree: Option<&[u32]>,
) -> Vec<u8> {
    bytes.clear();
    bytes.push(DATA);
    bytes.extend_from_slice(&graph.to_le_bytes());
    bytes.extend_from_slice(&edge.to_le_bytes());
    bytes.push(u8::from(notify) | (u8::from(with_value) << 1) | (u8::from(agree.is_some()) << 2));
    if let Some(ids) = agree {
        bytes.extend_from_slice(&(ids.len() as u32).to_le_bytes());
        for id in ids {
            bytes.extend_from_slice(&id.to_le_bytes());
        }
    }
    bytes
}

/// An `AGREE` message.
pub(crate) fn agree(graph: u32, ids: &[u32]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(5 + 4 * ids.len());
    bytes.push(AGREE);
    bytes.extend_from_slice(&graph.to_le_bytes());
    for id in ids {
        bytes.extend_from_slice(&id.to_le_bytes());
    }
    bytes
}

/// A `POISON` message.
pub(crate) fn poison(why: &str) -> Vec<u8> {
    let mut bytes = vec![POISON];
    bytes.extend_from_slice(why.as_bytes());
    bytes
}

/// A `BYE` message, with the sender's poison reason if it has one.
pub(crate) fn bye(poison: Option<&str>) -> Vec<u8> {
    let mut bytes = vec![BYE];
    if let Some(why) = poison {
        bytes.extend_from_slice(why.as_bytes());
    }
    bytes
}

/// A `CHECK` message.
pub(crate) fn check(graph: u32, body: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(5 + body.len());
    bytes.push(CHECK);
    bytes.extend_from_slice(&graph.to_le_bytes());
    bytes.extend_from_slice(body);
    bytes
}

/// Appends the postcard encoding of `value` to `bytes`. A `Vec<u8>` (postcard
/// writes it as a varint length and the bytes) is written in one copy rather
/// than byte by byte through serde.
pub(crate) fn encode<T: Serialize + 'static>(
    value: &T,
    bytes: Vec<u8>,
) -> postcard::Result<Vec<u8>> {
    if let Some(v) = (value as &dyn Any).downcast_ref::<Vec<u8>>() {
        let mut bytes = postcard::to_extend(&(v.len() as u64), bytes)?;
        bytes.extend_from_slice(v);
        return Ok(bytes);
    }
    postcard::to_extend(value, bytes)
}

/// Decodes the postcard encoding in `bytes` into `slot`; a `Vec<u8>` is
/// copied at once into the buffer already there.
pub(crate) fn decode_into<T: DeserializeOwned + 'static>(
    slot: &mut Option<T>,
    bytes: &[u8],
) -> postcard::Result<()> {
    if let Some(slot) = (slot as &mut dyn Any).downcast_mut::<Option<Vec<u8>>>() {
        let (len, rest) = postcard::take_from_bytes::<u64>(bytes)?;
        let data = usize::try_from(len)
            .ok()
            .and_then(|n| rest.get(..n))
            .ok_or(postcard::Error::DeserializeUnexpectedEnd)?;
        match slot {
            Some(buf) => {
                buf.clear();
                buf.extend_from_slice(data);
            }
            None => *slot = Some(data.to_vec()),
        }
        return Ok(());
    }
    *slot = Some(postcard::from_bytes(bytes)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind_of(bytes: &[u8]) -> &'static str {
        match parse(bytes.to_vec()) {
            Ok(Msg::Data { .. }) => "data",
            Ok(Msg::Agree { .. }) => "agree",
            Ok(Msg::Poison(_)) => "poison",
            Ok(Msg::Bye(_)) => "bye",
            Ok(Msg::Check { .. }) => "check",
            Err(_) => "malformed",
        }
    }

    #[test]
    fn every_message_decodes_to_what_was_encoded() {
        assert_eq!(
            parse(agree(7, &[1, 2, 300])),
            Ok(Msg::Agree {
                graph: 7,
                ids: vec![1, 2, 300]
            })
        );
        assert_eq!(
            parse(agree(7, &[])),
            Ok(Msg::Agree {
                graph: 7,
                ids: vec![]
            })
        );
        assert_eq!(parse(poison("p")), Ok(Msg::Poison("p".into())));
        assert_eq!(parse(bye(None)), Ok(Msg::Bye(None)));
        assert_eq!(
            parse(check(2, b"ab")),
            Ok(Msg::Check {
                graph: 2,
                body: b"ab".to_vec()
            })
        );
        assert_eq!(kind_of(&check(2, b"")[..4]), "malformed");
        assert_eq!(parse(bye(Some("p"))), Ok(Msg::Bye(Some("p".into()))));
        assert_eq!(
            parse(data_header(Vec::new(), (3, 9), true, false, None)),
            Ok(Msg::Data {
                graph: 3,
                edge: 9,
                notify: true,
                agree: None,
                payload: None
            })
        );
        for agree in [None, Some(&[][..]), Some(&[4, 70_000][..])] {
            let header = data_header(vec![1, 2, 3], (3, 9), false, true, agree);
            let with = encode(&vec![5_u8, 6], header).unwrap();
            let Ok(Msg::Data {
                notify: false,
                agree: got,
                payload: Some((p, at)),
                ..
            }) = parse(with)
            else {
                panic!("a data message with a value")
            };
            assert_eq!(got.as_deref(), agree);
            let mut slot = None;
            decode_into::<Vec<u8>>(&mut slot, &p[at..]).unwrap();
            assert_eq!(slot, Some(vec![5, 6]));
        }
    }

    #[test]
    fn a_short_agreement_is_malformed_not_a_panic() {
        let full = agree(1, &[4]);
        for len in 0..full.len() {
            let expected = if len == 5 { "agree" } else { "malformed" };
            assert_eq!(kind_of(&full[..len]), expected, "{len} bytes");
        }
        assert_eq!(kind_of(&full), "agree");
        let err = parse(full[..3].to_vec()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "a malformed message (3 bytes, kind 2): not a graph id and a list of node ids"
        );
    }

    #[test]
    fn a_short_or_odd_data_message_is_malformed() {
        let full = data_header(Vec::new(), (1, 2), true, false, None);
        for len in 0..full.len() {
            assert_eq!(kind_of(&full[..len]), "malformed", "{len} bytes");
        }
        // A poked-source list cut anywhere.
        let listed = data_header(Vec::new(), (1, 2), true, false, Some(&[7, 8]));
        assert_eq!(kind_of(&listed), "data");
        for len in DATA_HEADER..listed.len() {
            assert_eq!(kind_of(&listed[..len]), "malformed", "{len} bytes");
        }
        let mut huge = listed.clone();
        huge[DATA_HEADER..DATA_HEADER + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(kind_of(&huge), "malformed");
        let mut flags = full.clone();
        flags[DATA_HEADER - 1] = 0x80;
        assert_eq!(kind_of(&flags), "malformed");
        let mut extra = full;
        extra.push(0);
        assert_eq!(kind_of(&extra), "malformed");
        assert_eq!(kind_of(&[99]), "malformed");
        assert_eq!(
            parse(Vec::new()).unwrap_err().to_string(),
            "an empty message"
        );
    }
}
