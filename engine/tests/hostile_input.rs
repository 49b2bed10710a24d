//! Every parser of user input returns an error or a value for arbitrary text, never a panic.

use masscan_engine::config::{parse_conf, Mac};
use masscan_engine::plan::ports::PortSetBuilder;
use masscan_engine::plan::source::{IpRange, PortRange};
use masscan_engine::plan::targets::{parse_range, TargetSetBuilder};
use masscan_engine::plan::Shard;
use proptest::prelude::*;

fn fragments() -> impl Strategy<Value = String> {
    // Arbitrary text, plus text built from the characters these grammars use.
    prop_oneof![
        any::<String>(),
        proptest::string::string_regex("[0-9a-fA-F.:/,\\- UuSsIiTtAaOo#=\\n]{0,40}").unwrap(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn parsers_never_panic(s in fragments()) {
        let _ = parse_range(&s);
        let mut t = TargetSetBuilder::new();
        let _ = t.add_targets(&s);
        let _ = t.add_excludes(&s);
        let _ = t.build();
        let mut p = PortSetBuilder::new();
        if p.add_spec(&s).is_ok() {
            let ports = p.build();
            let mut again = PortSetBuilder::new();
            again.add_spec(&ports.to_spec()).unwrap();
            prop_assert_eq!(again.build(), ports);
        }
        let _ = parse_conf(&s, "f");
        let _ = s.parse::<Mac>();
        let _ = Shard::parse(&s);
        let _ = PortRange::parse(&s);
        let _ = IpRange::parse(&s);
    }
}
