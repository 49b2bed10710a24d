use super::*;

/// An OP_REPLY carrying `doc`.
pub(crate) fn op_reply(doc: &[u8]) -> Vec<u8> {
    let mut body = 8u32.to_le_bytes().to_vec(); // responseFlags: AwaitCapable
    body.extend_from_slice(&0u64.to_le_bytes()); // cursorID
    body.extend_from_slice(&0u32.to_le_bytes()); // startingFrom
    body.extend_from_slice(&1u32.to_le_bytes()); // numberReturned
    body.extend_from_slice(doc);
    let mut m = Vec::new();
    message(&mut m, 7, OP_REPLY, &body);
    m
}

/// An OP_MSG carrying `doc` in a kind-0 section.
pub(crate) fn op_msg(doc: &[u8]) -> Vec<u8> {
    let mut body = 0u32.to_le_bytes().to_vec();
    body.push(0);
    body.extend_from_slice(doc);
    let mut m = Vec::new();
    message(&mut m, 8, OP_MSG, &body);
    m
}

pub(crate) fn status() -> Vec<u8> {
    document(&[
        ("host", Value::Str("db1:27017")),
        ("version", Value::Str("4.4.29")),
        ("process", Value::Str("mongod")),
        ("pid", Value::Int(7)),
        ("uptime", Value::Double(12.0)),
        ("ok", Value::Double(1.0)),
    ])
}

pub(crate) fn unauthorized() -> Vec<u8> {
    document(&[
        ("ok", Value::Double(0.0)),
        (
            "errmsg",
            Value::Str("command serverStatus requires authentication"),
        ),
        ("code", Value::Int(13)),
        ("codeName", Value::Str("Unauthorized")),
    ])
}

fn run(replies: &[Vec<u8>]) -> (Vec<u8>, Vec<Found>) {
    let chunks: Vec<&[u8]> = replies.iter().map(Vec::as_slice).collect();
    crate::banner::parser::drive(start, crate::banner::hello::tests::IP, &chunks)
}

#[test]
fn hello_is_the_originals_server_status_query() {
    let mut out = Vec::new();
    start(
        crate::banner::hello::tests::IP,
        &BannerConfig::default(),
        &mut out,
    );
    assert_eq!(out.len(), 0x41);
    assert_eq!(le32(&out, 12), Some(OP_QUERY));
    assert!(out.windows(10).any(|w| w == b"test.$cmd\0"));
    let doc = &out[out.len() - 27..];
    assert_eq!(fields(doc), [(&b"serverStatus"[..], "1".to_string())]);
}

#[test]
fn server_status_in_op_reply_and_op_msg() {
    let (sent, found) = run(&[op_reply(&status())]);
    assert_eq!(sent.len(), 0x41, "no follow-up once the version is known");
    let want = "MongoDB OP_REPLY, version 4.4.29, host db1:27017, process mongod";
    assert_eq!(found, [Found::new(app::MONGODB, want)]);
    let (_, found) = run(&[op_msg(&status())]);
    assert_eq!(found[0].text, want.replace("OP_REPLY", "OP_MSG").as_bytes());
}

#[test]
fn a_refusal_is_followed_by_build_info() {
    let build = document(&[
        ("version", Value::Str("7.0.14")),
        ("ok", Value::Double(1.0)),
    ]);
    let (sent, found) = run(&[op_reply(&unauthorized()), op_msg(&build)]);
    let follow = &sent[0x41..];
    assert_eq!(le32(follow, 12), Some(OP_MSG));
    let names: Vec<_> = fields(&follow[21..]).into_iter().map(|f| f.0).collect();
    assert_eq!(names, [&b"buildInfo"[..], b"$db"]);
    assert_eq!(
        String::from_utf8_lossy(&found[0].text),
        "MongoDB OP_REPLY, error 13, codeName Unauthorized, errmsg command serverStatus \
         requires authentication; buildInfo: MongoDB OP_MSG, version 7.0.14"
    );
}

#[test]
fn a_build_info_reply_in_the_same_read_is_kept() {
    let build = document(&[("version", Value::Str("7.0.14"))]);
    let (_, found) = run(&[[op_reply(&unauthorized()), op_msg(&build)].concat()]);
    assert!(String::from_utf8_lossy(&found[0].text)
        .ends_with("buildInfo: MongoDB OP_MSG, version 7.0.14"));
}

#[test]
fn a_reply_cut_by_the_byte_cap_still_tells_its_first_fields() {
    // serverStatus goes on for kilobytes after host, version and process.
    let big = "y".repeat(9000);
    let doc = document(&[
        ("host", Value::Str("db1:27017")),
        ("version", Value::Str("4.4.29")),
        ("process", Value::Str("mongod")),
        ("locks", Value::Str(&big)),
    ]);
    let r = op_reply(&doc);
    let (_, found) = run(&[r[..200].to_vec()]);
    assert_eq!(
        String::from_utf8_lossy(&found[0].text),
        "MongoDB OP_REPLY, version 4.4.29, host db1:27017, process mongod (cut short)"
    );
}

#[test]
fn every_cut_and_a_non_mongodb_reply() {
    let r = op_reply(&status());
    for n in 1..r.len() {
        let (_, found) = run(&[r[..n].to_vec()]);
        assert!(String::from_utf8_lossy(&found[0].text).starts_with("MongoDB"));
    }
    // Another kind of server's answer is reported as it came, unlabelled.
    let http = b"HTTP/1.0 200 OK\r\n\r\nIt looks like you are trying".to_vec();
    let (_, found) = run(std::slice::from_ref(&http));
    assert_eq!(found, [Found::new(app::HEUR, http)]);
    // A document whose lengths lie ends the walk, never reads past it.
    let mut bad = status();
    bad[4 + 1 + 5] = 0xff;
    assert!(fields(&bad).len() < 6);
}
