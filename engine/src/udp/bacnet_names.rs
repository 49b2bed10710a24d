//! The names of BACnet's numbers in replies (ASHRAE 135): BVLC functions and results (Annex J),
//! network-layer messages (clause 6.4), confirmed services, error classes and codes, reject
//! and abort reasons (clause 21), for [`super`]'s banner.

pub(super) fn bvlc_name(f: u8) -> &'static str {
    match f {
        0x00 => "BVLC-Result",
        0x01 => "Write-Broadcast-Distribution-Table",
        0x02 => "Read-Broadcast-Distribution-Table",
        0x03 => "Read-Broadcast-Distribution-Table-Ack",
        0x04 => "Forwarded-NPDU",
        0x05 => "Register-Foreign-Device",
        0x06 => "Read-Foreign-Device-Table",
        0x07 => "Read-Foreign-Device-Table-Ack",
        0x08 => "Delete-Foreign-Device-Table-Entry",
        0x09 => "Distribute-Broadcast-To-Network",
        0x0a => "Original-Unicast-NPDU",
        0x0b => "Original-Broadcast-NPDU",
        _ => "Secure-BVLL",
    }
}

pub(super) fn result_name(code: u16) -> &'static str {
    match code {
        0x0000 => "successful completion",
        0x0010 => "write-broadcast-distribution-table NAK",
        0x0020 => "read-broadcast-distribution-table NAK",
        0x0030 => "register-foreign-device NAK",
        0x0040 => "read-foreign-device-table NAK",
        0x0050 => "delete-foreign-device-table-entry NAK",
        0x0060 => "distribute-broadcast-to-network NAK",
        _ => "unknown",
    }
}

pub(super) fn network_message(kind: u8) -> &'static str {
    match kind {
        0x00 => "Who-Is-Router-To-Network",
        0x01 => "I-Am-Router-To-Network",
        0x02 => "I-Could-Be-Router-To-Network",
        0x03 => "Reject-Message-To-Network",
        0x04 => "Router-Busy-To-Network",
        0x05 => "Router-Available-To-Network",
        0x06 => "Initialize-Routing-Table",
        0x07 => "Initialize-Routing-Table-Ack",
        0x12 => "What-Is-Network-Number",
        0x13 => "Network-Number-Is",
        0x80.. => "proprietary",
        _ => "unknown",
    }
}

pub(super) fn error_class(c: u64) -> String {
    let name = match c {
        0 => "device",
        1 => "object",
        2 => "property",
        3 => "resources",
        4 => "security",
        5 => "services",
        6 => "vt",
        7 => "communication",
        _ => return format!("class {c}"),
    };
    name.to_string()
}

pub(super) fn error_code(c: u64) -> String {
    let name = match c {
        0 => "other",
        2 => "configuration-in-progress",
        3 => "device-busy",
        9 => "invalid-data-type",
        25 => "operational-problem",
        27 => "read-access-denied",
        29 => "service-request-denied",
        30 => "timeout",
        31 => "unknown-object",
        32 => "unknown-property",
        36 => "unsupported-object-type",
        40 => "write-access-denied",
        42 => "invalid-array-index",
        _ => return format!("code {c}"),
    };
    name.to_string()
}

pub(super) fn reject_reason(r: u8) -> &'static str {
    match r {
        0 => "other",
        1 => "buffer-overflow",
        2 => "inconsistent-parameters",
        3 => "invalid-parameter-data-type",
        4 => "invalid-tag",
        5 => "missing-required-parameter",
        6 => "parameter-out-of-range",
        7 => "too-many-arguments",
        8 => "undefined-enumeration",
        9 => "unrecognized-service",
        64.. => "proprietary",
        _ => "unknown",
    }
}

pub(super) fn abort_reason(r: u8) -> &'static str {
    match r {
        0 => "other",
        1 => "buffer-overflow",
        2 => "invalid-apdu-in-this-state",
        3 => "preempted-by-higher-priority-task",
        4 => "segmentation-not-supported",
        5 => "security-error",
        6 => "insufficient-security",
        7 => "window-size-out-of-range",
        8 => "application-exceeded-reply-time",
        9 => "out-of-resources",
        10 => "tsm-timeout",
        11 => "apdu-too-long",
        64.. => "proprietary",
        _ => "unknown",
    }
}

pub(super) fn confirmed_service(s: u8) -> String {
    let name = match s {
        12 => "ReadProperty",
        14 => "ReadPropertyMultiple",
        15 => "WriteProperty",
        16 => "WritePropertyMultiple",
        _ => return format!("service {s}"),
    };
    name.to_string()
}
