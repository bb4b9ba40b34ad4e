//! What receivers hear, in the live watcher: every sending host is a source of its own
//! (`syslog:web-1`), with its own feed, so a traceback from one host is never interleaved
//! with another host's lines. Past `max_hosts` hosts, the rest share one source.

use super::super::bus::TroubleAlert;
use super::super::engine::Engine;
use super::super::group::IssueStore;
use super::feed::Feed;
use super::streams::StateSink;
use crate::receive::{Protocol, Received};
use crate::remote::StreamState;
use crate::remote::record::RecordWriter;
use std::collections::HashMap;

/// One sending host's text.
pub(super) struct HostFeed {
    pub feed: Feed,
    writer: RecordWriter,
}

/// The hosts heard so far.
pub(super) struct Hosts {
    pub map: HashMap<String, HostFeed>,
    max: usize,
}

impl Hosts {
    pub(super) fn new(max: usize) -> Self {
        Hosts {
            map: HashMap::new(),
            max: max.max(1),
        }
    }

    /// Writes the records into their hosts' feeds and reports what completed.
    pub(super) fn take(
        &mut self,
        protocol: Protocol,
        records: Vec<Received>,
        (engine, store): (&Engine, &mut IssueStore),
        on_state: &mut Option<StateSink<'_>>,
        sink: &mut impl FnMut(TroubleAlert),
    ) {
        let mut touched: Vec<String> = Vec::new();
        let mut text: HashMap<String, Vec<u8>> = HashMap::new();
        for r in records {
            let mut name = format!("{}:{}", protocol.scheme(), r.host);
            if !self.map.contains_key(&name) && self.map.len() >= self.max {
                name = format!("{}:other-hosts", protocol.scheme());
            }
            let host = self.map.entry(name.clone()).or_insert_with(|| {
                if let Some(f) = on_state.as_mut() {
                    f(&name, &StreamState::Connected);
                }
                HostFeed {
                    // Everything a receiver hears is news.
                    feed: Feed::new(name.clone(), crate::timestamp::FileDate::today(), 0),
                    writer: RecordWriter::default(),
                }
            });
            let buf = text.entry(name.clone()).or_default();
            if buf.is_empty() {
                touched.push(name);
            }
            host.writer.write(&r.record, buf);
        }
        for name in touched {
            if let (Some(host), Some(bytes)) = (self.map.get_mut(&name), text.get(&name)) {
                host.feed.push(bytes);
                host.feed.process(engine, store, true, sink);
            }
        }
    }
}
