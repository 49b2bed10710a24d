//! Vendor names for the first three bytes of a MAC address (its OUI), the short list the
//! original's console line for an ARP answer names (`Discovered up port 0/arp on IP (MAC)
//! VENDOR`): a fact table, sorted by prefix.

const VENDORS: &[(u32, &str)] = &[
    (0x0001c0, "Compulab"),
    (0x000732, "Aaeon"),
    (0x00089b, "ICPelec"),
    (0x000c29, "VMware"),
    (0x001075, "Seagate"),
    (0x001132, "Synology"),
    (0x0016cb, "Apple"),
    (0x001e06, "Odroid"),
    (0x001ff3, "Apple"),
    (0x0022b0, "D-Link"),
    (0x00236c, "Apple"),
    (0x002590, "Supermicro"),
    (0x022618, "Asus"),
    (0x04421a, "Asus"),
    (0x08cc68, "Cisco"),
    (0x0c9d92, "Asus"),
    (0x244bfe, "Asus"),
    (0x244ce3, "Amazon"),
    (0x28cdc1, "RPi 22-02"),
    (0x2c27d7, "HP"),
    (0x3497f6, "Asus"),
    (0x38f73d, "Amazon"),
    (0x3a3541, "RPi 19-12"),
    (0x3c22fb, "Apple"),
    (0x404a03, "Zyxel"),
    (0x4c9eff, "Zyxel"),
    (0x5855ca, "Apple"),
    (0x60a44c, "Asus"),
    (0x640bd7, "Apple"),
    (0x6c72e7, "Apple"),
    (0x8c3bad, "Netgear"),
    (0x9003b7, "Parrot"),
    (0x9009d0, "Synology"),
    (0x94a408, "Trolink"),
    (0x94dbc9, "Azurewave"),
    (0xa0cec8, "CeLink"),
    (0xacbc32, "Apple"),
    (0xb827eb, "RPi 12-03"),
    (0xc05627, "Belkin"),
    (0xc0c1c0, "Cisco-Linksys"),
    (0xd83add, "RPi 22-11"),
    (0xdca4ca, "Apple"),
    (0xdca632, "RPi 19-03"),
    (0xe45f01, "RPi 20-07"),
    (0xe4956e, "[random]"),
    (0xfcecda, "Ubiquiti"),
];

/// The vendor the original names for `mac`'s prefix, or `""`.
pub fn vendor(mac: &[u8; 6]) -> &'static str {
    let oui = u32::from(mac[0]) << 16 | u32::from(mac[1]) << 8 | u32::from(mac[2]);
    VENDORS
        .binary_search_by_key(&oui, |&(p, _)| p)
        .map_or("", |i| VENDORS[i].1)
}

#[cfg(test)]
mod tests {
    #[test]
    fn sorted_and_found() {
        assert!(super::VENDORS.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(super::vendor(&[0x00, 0x0c, 0x29, 1, 2, 3]), "VMware");
        assert_eq!(super::vendor(&[0xb8, 0x27, 0xeb, 0, 0, 0]), "RPi 12-03");
        assert_eq!(super::vendor(&[0x02, 0, 0, 0, 0, 1]), "");
    }
}
