//! Connections that failed and were made again. A client that loses its broker, database or
//! peer logs the failure, retries, and logs `Reconnected to …` or `Connected to …` once an
//! attempt succeeds (a cluster's member: `… is now UP`). A failure whose connection was made
//! again later is *degraded but recovered by itself* — medium, not high (`TRIAGE.md`):
//! oslo.messaging refused by RabbitMQ for 13 s and then `Reconnected to AMQP server on
//! 192.0.2.70:5672` is not the outage a broker that stays down is.
//!
//! The success must come from who failed: the failure's dotted component
//! (`[homeassistant.components.mqtt.client]`, `oslo.messaging._drivers.impl_rabbit`), else
//! its process — the syslog tag (`nomad[1184]: `) or Zabbix's process id (`  1905:`, the
//! server's `database connection re-established`, an Unreal client's log category, a Node-RED
//! node, a Go daemon's module after its bracketed level, a Liquidsoap source without its level
//! digit, the C source file Suricata names);
//! without either, nothing is claimed. A success line that itself reports a failure (`Connected to X
//! failed`) is none. A request that completed counts only for the host the failure named
//! (Synapse's `[chat.example.com] Completed request: 200 OK` after a key fetch from that
//! server timed out).

use crate::events::{line_at, line_start};
use regex::Regex;
use std::sync::LazyLock;

/// A logger or module name of three dotted parts or more, as Python, Java and .NET loggers
/// write them: `homeassistant.components.mqtt.client`, `oslo.messaging._drivers.impl_rabbit`.
static COMPONENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[\s\[(])([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*){2,})[\]):\s]")
        .expect("component pattern")
});

/// A syslog program with its process id, as the tag of a record: `nomad[1184]: `.
static SYSLOG_TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|\s)([A-Za-z][\w.-]*\[\d+\]: )").expect("syslog tag pattern")
});

/// A GlusterFS translator, as its records name it: `] 0-shared-client-1: `.
static GLUSTER_XLATOR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\] (\d+-[A-Za-z][\w-]*: )").expect("translator pattern"));

/// A module named after the record's level, as FreeRADIUS writes its modules
/// (`Error: rlm_sql_mysql: Couldn't connect …`, `Info: rlm_sql_mysql: Connected to …`).
static MODULE_TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:Error|Warning|Info|Notice|ERROR|WARNING|INFO|NOTICE) ?: ([a-z]+_[a-z0-9_]+: )",
    )
    .expect("module pattern")
});

/// An Unreal Engine log category, after the record's time and frame counter:
/// `[2026.12.04-19.52.47:120][5231]LogNet: `.
static UNREAL_CATEGORY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\[[\d.:-]+\]\[\s*\d+\](Log\w+: )").expect("unreal category pattern")
});

/// A Node-RED node, as its records name it: `4 Dec 06:15:27 - [info] [mqtt-broker:Mosquitto
/// LAN] Connection failed to broker: …`.
static NODE_RED_NODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\d{1,2} [A-Z][a-z]{2} \d{2}:\d{2}:\d{2} - \[\w+\] (\[[\w-]+:[^\]]+\])")
        .expect("node-red node pattern")
});

/// A module after a bracketed level, as Go daemons write it (AdGuard Home's `[error]
/// dnsproxy: upstream … i/o timeout`, then `[info] dnsproxy: upstream … is responding again`).
static BRACKETED_LEVEL_MODULE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\[(?:error|warn|warning|info|debug)\] ([a-z][\w-]*: )").expect("module pattern")
});

/// A source with its level digit, as Liquidsoap names its outputs (`2026/12/07 06:00:02
/// [radio_mp3:2] Connection failed: …`, then `[radio_mp3:3] Connection setup was successful.`):
/// the name without the level, which changes from failure to success.
static LEVELLED_SOURCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d (\[[\w.-]+:)\d\] ").expect("source pattern")
});

/// A collector job after the record's level, as Netdata's plugins name theirs (`go.d ERROR:
/// zookeeper[local] error on collecting …`, then `go.d INFO: zookeeper[local] check success`).
static LEVEL_JOB: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:ERROR|WARNING|WARN|INFO|NOTICE|DEBUG):? ([a-z][\w.-]*\[[\w.-]+\] )")
        .expect("job pattern")
});

/// rspamd's module and function after the task id: `<k7v2dx>; redis_pool;
/// rspamd_redis_pool_new_connection: `.
static RSPAMD_MODULE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"> ?; (\w+; \w+: )").expect("rspamd module pattern"));

/// A Java class before its method and line, after the thread's number, as Jitsi's services
/// write them: `[32] XmppProvider.doConnect#179: ` (and `[32]
/// XmppProvider$connectionListener$1.connected#122: Connected`).
static CLASS_METHOD_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\[\d+\] ([A-Z][A-Za-z0-9]+)[.$][\w$.]*#\d+: ").expect("class pattern")
});

/// An Erlang module after the process id, as ejabberd writes it: `<0.729.0>@ejabberd_sql:`.
static ERLANG_MODULE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r">@(\w+:)\w+/\d+:\d+ ").expect("erlang module pattern"));

/// The C source file a record names, as Suricata writes it: `(source-af-packet.c:511)`.
static C_SOURCE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\(([\w-]+\.c):\d+\)").expect("source file pattern"));

/// A line saying a connection was made (again), or the peer is up again (ScyllaDB's gossip:
/// `InetAddress 198.51.100.12 is now UP`, Corosync's `rx: host: 2 link: 0 is up`, a BGP
/// daemon's `%ADJCHANGE: neighbor 203.0.113.1(transit-a) in vrf default Up`, an Unreal
/// client's `Welcomed by server` after it joined again).
static CONNECTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:re-?connected to|connected(?:, attached)? to|connection (?:re-?)?established|is now up|link: \d+ is up|ADJCHANGE: neighbor \S+(?: in vrf \S+)? Up$|Welcomed by server|is responding again|data is no longer stale|Interface '[^']+' is back|created new connection to|connection to \S+ established|check (?:success|succeeded|passed)|(?:auth|bind|connection|session|replication) resumed|registered (?:\w+ )?connection|connection setup (?:was )?successful)\b|:\s+connected(?:,|\s*$)",
    )
    .expect("connected pattern")
});

/// A request to a host that completed (Synapse's federation client: `{PUT-O-262}
/// [chat.example.com] Completed request: 200 OK`): a recovery only when it names the host the
/// failure named in brackets.
static COMPLETED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bCompleted request: 2\d\d\b").expect("completed pattern"));

/// A host name in brackets: `[chat.ops-archive.example.com]` (ending in a name: not a
/// version `[v4.0.11.2680]` or an address).
static BRACKETED_HOST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\[[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\])").expect("host pattern")
});

/// Words that make a "connected" line a report of another failure.
static STILL_FAILING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:fail\w*|error|unable|cannot|refused|lost|timed out|disconnected)\b")
        .expect("failing pattern")
});

/// How far past a failure the success is looked for (bytes): a client retries within
/// seconds, and the lines of a few seconds fit; a log where every fifth line is a failure
/// must not pay a long search for each.
const LOOK_AHEAD: usize = 64 << 10;

/// How many of the component's later lines are read for the success: its next few failures
/// (`Trying again in 1 seconds`, `… in 2 seconds`), then the success.
const MOST_LINES: usize = 16;

/// Who wrote a failure's first line, as text its later lines carry too, and whether that
/// text opens the line: the dotted component it names (a logger, not the exception:
/// `java.net.ConnectException:` names what failed, not who), else its syslog tag, else a
/// GlusterFS translator, else Zabbix's process id.
pub(crate) fn writer(line: &str) -> Option<(&str, bool)> {
    // Each shape is only searched for where the text it cannot do without is in the line
    // (a failure-dense log asks this of every failure).
    let has = |needle: &str| memchr::memmem::find(line.as_bytes(), needle.as_bytes()).is_some();
    let bracket_space = has("] ");
    let dotted = || {
        (memchr::memchr_iter(b'.', line.as_bytes()).nth(1).is_some())
            .then(|| {
                COMPONENT
                    .captures_iter(line)
                    .filter_map(|c| c.get(1))
                    .map(|m| m.as_str())
                    .find(|name| !(name.ends_with("Exception") || name.ends_with("Error")))
            })
            .flatten()
    };
    let tag = || has("]: ").then(|| first_group(&SYSLOG_TAG, line)).flatten();
    let zabbix_pid = || {
        crate::events::is_zabbix_record(line.as_bytes())
            .then(|| line.find(':').map(|i| &line[..=i]))
            .flatten()
    };
    let guarded = |needed: bool, re: &Regex| needed.then(|| first_group(re, line)).flatten();
    let xlator = || guarded(bracket_space, &GLUSTER_XLATOR);
    let module = || guarded(has(": ") && line.contains('_'), &MODULE_TAG);
    let unreal = || guarded(line.starts_with('['), &UNREAL_CATEGORY);
    let node = || guarded(has(" - ["), &NODE_RED_NODE);
    let go_module = || guarded(bracket_space, &BRACKETED_LEVEL_MODULE);
    let levelled = || guarded(bracket_space && line.starts_with("20"), &LEVELLED_SOURCE);
    let source = || guarded(has(".c:"), &C_SOURCE);
    let job = || guarded(bracket_space, &LEVEL_JOB);
    let rspamd = || guarded(has("; "), &RSPAMD_MODULE);
    let erlang = || guarded(has(">@"), &ERLANG_MODULE);
    // `[32] XmppProvider.doConnect#179: ` names its writer before any dotted host it names.
    guarded(bracket_space && line.contains('#'), &CLASS_METHOD_LINE)
        .or_else(dotted)
        .or_else(tag)
        .or_else(xlator)
        .or_else(module)
        .or_else(unreal)
        .or_else(node)
        .or_else(go_module)
        .or_else(levelled)
        .or_else(source)
        .or_else(job)
        .or_else(rspamd)
        .or_else(erlang)
        .map(|w| (w, false))
        .or_else(|| zabbix_pid().map(|w| (w, true)))
}

/// The first group of `re`'s first match in `line`.
fn first_group<'a>(re: &Regex, line: &'a str) -> Option<&'a str> {
    re.captures(line).and_then(|c| c.get(1)).map(|m| m.as_str())
}

/// Where (a byte offset into `buf`) the component named in `line` connected again after
/// `from`, if it did within [`LOOK_AHEAD`] bytes.
pub(crate) fn connected_later(buf: &[u8], from: usize, line: &str) -> Option<usize> {
    let (name, opens_line) = writer(line)?;
    let from = from.min(buf.len());
    let window = &buf[from..(from + LOOK_AHEAD).min(buf.len())];
    let host = first_group(&BRACKETED_HOST, line);
    let mut hits = memchr::memmem::find_iter(window, name.as_bytes()).take(MOST_LINES);
    hits.find_map(|hit| {
        let start = line_start(window, hit);
        let text = String::from_utf8_lossy(line_at(window, start));
        let succeeded = CONNECTED.is_match(&text)
            || (COMPLETED.is_match(&text) && host.is_some_and(|h| text.contains(h)));
        let recovered = succeeded && !STILL_FAILING.is_match(&text);
        (recovered && (!opens_line || start == hit)).then_some(from + start)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OSLO: &str = concat!(
        "2026-11-26 06:20:44.120 2931 ERROR oslo.messaging._drivers.impl_rabbit [-] [7f2a] AMQP server on 192.0.2.70:5672 is unreachable: [Errno 111] ECONNREFUSED. Trying again in 1 seconds.\n",
        "2026-11-26 06:20:51.160 2931 INFO nova.compute.manager [-] Final resource view: name=cmp-12\n",
        "2026-11-26 06:20:57.201 2931 INFO oslo.messaging._drivers.impl_rabbit [-] [7f2a] Reconnected to AMQP server on 192.0.2.70:5672 via [amqp] client with port 48802.\n",
    );

    fn after_first(text: &str) -> Option<usize> {
        let first = text.lines().next().expect("a line");
        connected_later(text.as_bytes(), first.len() + 1, first)
    }

    #[test]
    fn a_gluster_client_connected_again_is_found_by_its_translator() {
        let log = concat!(
            "[2026-11-21 08:40:12.377902 +0000] E [MSGID: 114058] [client-handshake.c:1201:client_query_portmap_cbk] 0-shared-client-1: failed to get the port number for remote subvolume.\n",
            "[2026-11-21 08:40:12.381066 +0000] I [MSGID: 114046] [client-handshake.c:857:client_setvolume_cbk] 0-shared-client-0: Connected, attached to remote volume\n",
            "[2026-11-21 08:40:16.384530 +0000] I [MSGID: 114046] [client-handshake.c:857:client_setvolume_cbk] 0-shared-client-1: Connected, attached to remote volume\n",
        );
        let at = after_first(log).expect("reconnected");
        assert!(
            log[at..].starts_with("[2026-11-21 08:40:16"),
            "{}",
            &log[at..]
        );
        // The other replica's client connecting says nothing about this one.
        let only_other: String = log.lines().take(2).map(|l| format!("{l}\n")).collect();
        assert_eq!(after_first(&only_other), None);
    }

    #[test]
    fn a_liquidsoap_source_and_a_tunnel_registered_again_are_found() {
        let liquidsoap = concat!(
            "2026/12/07 06:00:02 [radio_mp3:2] Connection failed: could not write data to host: Connection refused in write()\n",
            "2026/12/07 06:00:02 [radio_mp3:3] Will try again in 3.00 sec.\n",
            "2026/12/07 06:00:05 [other_mp3:3] Connection setup was successful.\n",
            "2026/12/07 06:00:11 [radio_mp3:3] Connection setup was successful.\n",
        );
        let last = liquidsoap.find("2026/12/07 06:00:11").expect("line");
        assert_eq!(after_first(liquidsoap), Some(last));
        let cloudflared = concat!(
            "Dec 07 05:58:25 gw01 cloudflared[812]: 2026-12-07T05:58:25Z ERR Serve tunnel error error=\"DialContext error: dial tcp 198.51.100.33:7844: i/o timeout\" connIndex=0\n",
            "Dec 07 05:59:36 gw01 cloudflared[812]: 2026-12-07T05:59:36Z INF Registered tunnel connection connIndex=0 location=fra08 protocol=quic\n",
        );
        assert!(after_first(cloudflared).is_some());
    }

    #[test]
    fn node_red_nodes_go_modules_and_c_sources_are_writers() {
        let node_red = concat!(
            "4 Dec 06:15:27 - [info] [mqtt-broker:Mosquitto LAN] Connection failed to broker: hp@mqtt://192.0.2.15:1883\n",
            "4 Dec 06:15:40 - [info] [mqtt-broker:Other] Connected to broker: x@mqtt://192.0.2.16:1883\n",
            "4 Dec 06:16:47 - [info] [mqtt-broker:Mosquitto LAN] Connected to broker: hp@mqtt://192.0.2.15:1883\n",
        );
        let second = node_red.find("4 Dec 06:16:47").expect("line");
        assert_eq!(after_first(node_red), Some(second));
        let adguard = concat!(
            "2026/12/02 11:31:45.212017 [error] dnsproxy: upstream 192.0.2.53:53 failed to exchange: i/o timeout\n",
            "2026/12/02 11:32:04.884120 [info] dnsproxy: upstream 192.0.2.53:53 is responding again rtt=1.402ms\n",
        );
        assert!(after_first(adguard).is_some());
        let suricata = concat!(
            "[4119] 2/12/2026 -- 09:47:13 - (source-af-packet.c:511) <Error> (ReceiveAFPLoop) -- Error reading data from iface 'eth1': Network is down\n",
            "[4119] 2/12/2026 -- 09:47:23 - (source-af-packet.c:1329) <Info> (AFPTryReopen) -- Interface 'eth1' is back\n",
        );
        assert!(after_first(suricata).is_some());
        let still_down = concat!(
            "[4119] 2/12/2026 -- 09:47:13 - (source-af-packet.c:511) <Error> (ReceiveAFPLoop) -- Error reading data from iface 'eth1': Network is down\n",
            "[4117] 2/12/2026 -- 09:48:00 - (flow-manager.c:1037) <Info> (FlowManager) -- flow manager running\n",
        );
        assert_eq!(after_first(still_down), None);
    }

    #[test]
    fn collector_jobs_rspamd_modules_and_java_classes_are_writers() {
        let netdata = concat!(
            "2026-11-27 09:45:01: go.d ERROR: zookeeper[local] error on collecting 'mntr' : dial tcp 127.0.0.1:2181: connect: connection refused\n",
            "2026-11-27 09:45:02: go.d INFO: web_log[nginx] check success\n",
            "2026-11-27 09:46:01: go.d ERROR: zookeeper[local] check failed\n",
            "2026-11-27 09:49:01: go.d INFO: zookeeper[local] check success\n",
        );
        let back = netdata.find("2026-11-27 09:49:01").expect("line");
        assert_eq!(after_first(netdata), Some(back));
        let rspamd = concat!(
            "2026-11-17 03:15:01 #21165(normal) <k7v2dx>; redis_pool; rspamd_redis_pool_new_connection: cannot connect to redis 127.0.0.1 (port 6379): Connection refused\n",
            "2026-11-17 03:15:21 #21165(normal) <r8bn2e>; redis_pool; rspamd_redis_pool_new_connection: created new connection to 127.0.0.1:6379\n",
        );
        assert!(after_first(rspamd).is_some());
        let jicofo = concat!(
            "Jicofo 2026-11-23 08:00:02.517 SEVERE: [32] XmppProvider.doConnect#179: Failed to connect/login: [xmpp.meet.jitsi:5222] (xmpp.meet.jitsi/192.0.2.12:5222) failed because: java.net.ConnectException: Connection refused\n",
            "Jicofo 2026-11-23 08:00:02.617 INFO: [32] XmppProvider.doConnect#186: Retrying connection in 5 seconds, attempt failed_count=1\n",
            "Jicofo 2026-11-23 08:00:17.702 INFO: [32] XmppProvider$connectionListener$1.connected#122: Connected, isResumed=false\n",
        );
        let back = jicofo.find("Jicofo 2026-11-23 08:00:17").expect("line");
        assert_eq!(after_first(jicofo), Some(back));
        let ejabberd = concat!(
            "2026-12-09 22:47:19.004057+00:00 [error] <0.729.0>@ejabberd_sql:log/3:1257 p1_mysql_conn: Failed connecting to \"localhost\":3306 : {error,econnrefused}\n",
            "2026-12-09 22:47:49.010233+00:00 [info] <0.556.0>@ejabberd_sql:connecting/2:317 SQL connection to localhost:3306 established (pool chat.example.org)\n",
        );
        assert!(after_first(ejabberd).is_some());
    }

    #[test]
    fn a_client_that_reconnected_is_found_at_its_success_line() {
        let at = after_first(OSLO).expect("reconnected");
        assert!(
            OSLO[at..].contains("Reconnected to AMQP"),
            "{}",
            &OSLO[at..]
        );
        let ha = "2026-11-18 06:01:46.231 ERROR (MainThread) [homeassistant.components.mqtt.client] Failed to connect to MQTT server due to exception: [Errno 111] Connection refused\n2026-11-18 06:01:58.251 INFO (MainThread) [homeassistant.components.mqtt.client] Connected to MQTT server core-mosquitto:1883 (0)\n";
        assert!(after_first(ha).is_some());
    }

    #[test]
    fn another_component_or_another_failure_is_no_recovery() {
        let other = OSLO.replace(
            "INFO oslo.messaging._drivers.impl_rabbit [-] [7f2a] Reconnected",
            "INFO nova.scheduler.client.report [-] [7f2a] Reconnected",
        );
        assert_eq!(after_first(&other), None);
        let failed_again = OSLO.replace("client with port 48802.", "client failed: timed out.");
        assert_eq!(after_first(&failed_again), None);
        // The same process by its syslog tag or Zabbix's process id.
        let zabbix = "  1905:20261127:051744.019 [Z3001] connection to database 'zabbix' failed: [0] could not connect to server: Connection refused\n  1930:20261127:051800.000 housekeeper started\n  1905:20261127:051814.060 database connection re-established\n";
        assert!(after_first(zabbix).is_some());
        assert_eq!(
            after_first(&zabbix.replace("  1905:20261127:051814", "  1930:20261127:051814")),
            None
        );
        let syslog = "Nov 14 02:31:12 worker-07 nomad[1184]: [ERROR] rpc: connection refused\nNov 14 02:31:40 worker-07 nomad[1184]: [INFO] rpc: connection established to 192.0.2.12:4647\n";
        assert!(after_first(syslog).is_some());
        // A peer back up, told by the same process.
        let scylla = "Nov 22 09:41:02 scylla-03 scylla[2211]:  [shard 0] gossip - Fail to send EchoMessage to 198.51.100.12:0: seastar::rpc::timeout_error (rpc call timed out)\nNov 22 09:41:14 scylla-03 scylla[2211]:  [shard 0] gossip - InetAddress 198.51.100.12 is now UP, status = NORMAL\n";
        assert!(after_first(scylla).is_some());
        // A BGP session back up, told by the same daemon.
        let bgp = "2026-11-30T04:12:09.377615+00:00 edge-rtr1 bgpd[812]: [HZN6M-XRM1G] %NOTIFICATION: received from neighbor 203.0.113.1 4/0 (Hold Timer Expired) 0 bytes\n2026-11-30T04:12:09.377702+00:00 edge-rtr1 bgpd[812]: [PXVXG-TFNNT] %ADJCHANGE: neighbor 203.0.113.1(transit-a) in vrf default Down BGP Notification received\n2026-11-30T04:12:31.812040+00:00 edge-rtr1 bgpd[812]: [N9HHH-F8H1M] %ADJCHANGE: neighbor 203.0.113.1(transit-a) in vrf default Up\n";
        let at = after_first(bgp).expect("session up");
        assert!(bgp[at..].contains("default Up"), "{}", &bgp[at..]);
        // A FreeRADIUS module by its name after the level.
        let radius = "Tue Dec  1 10:14:03 2026 : Error: rlm_sql_mysql: Couldn't connect to MySQL server radius@192.0.2.30:radius\nTue Dec  1 10:15:33 2026 : Info: rlm_sql_mysql: Connected to database 'radius' on 192.0.2.30 via TCP/IP\n";
        assert!(after_first(radius).is_some());
        assert_eq!(
            after_first(&radius.replace("Info: rlm_sql_mysql", "Info: rlm_ldap")),
            None
        );
        // An Unreal client that joined the server again, told by the same log category.
        let unreal = "[2026.12.04-19.52.47:120][5231]LogNet: Warning: UNetConnection::Tick: Connection TIMED OUT. Closing connection..\n[2026.12.04-19.52.47:402][5232]LogNet: Browse: 198.51.100.23:7777/Game/Maps/Menu?closed\n[2026.12.04-19.53.31:890][6126]LogNet: Welcomed by server (Level: /Game/Maps/Main)\n";
        assert!(after_first(unreal).is_some());
        assert_eq!(
            after_first(&unreal.replace("]LogNet: Welcomed", "]LogOnline: Welcomed")),
            None
        );
        // A request to the host that timed out completing later; another host's is none.
        let synapse = "2026-12-02 08:36:08,332 - synapse.http.matrixfederationclient - 761 - INFO - ServerKeyFetcher-233 - {GET-O-231} [chat.ops-archive.example.com] Request failed: GET matrix-federation://chat.ops-archive.example.com/_matrix/key/v2/server: TimeoutError('Timed out after 10s')\n2026-12-02 08:51:38,240 - synapse.http.matrixfederationclient - 327 - INFO - loop-88 - {PUT-O-262} [chat.ops-archive.example.com] Completed request: 200 OK in 0.41 secs\n";
        assert!(after_first(synapse).is_some());
        assert_eq!(
            after_first(&synapse.replace(
                "{PUT-O-262} [chat.ops-archive",
                "{PUT-O-262} [partner.ops-archive"
            )),
            None
        );
        // No component named, nothing claimed.
        // A word that only starts like one is none (`connected tooling`).
        let tooling = "Nov 14 02:31:12 w nomad[1184]: [ERROR] rpc: connection refused\nNov 14 02:31:40 w nomad[1184]: [INFO] connected tooling loaded\n";
        assert_eq!(after_first(tooling), None);
        let bare = "ERROR: connection refused\nINFO: Reconnected to server\n";
        assert_eq!(after_first(bare), None);
    }
}
