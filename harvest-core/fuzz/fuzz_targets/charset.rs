//! Charset sniffing and decoding: `charset::decode` (BOM, `Content-Type` charset, `<meta>`
//! prescan, chardetng detection, encoding_rs decoding) plus its parts.
//!
//! Input: byte 0 is the length (mod 64) of a `Content-Type` value that follows (0: no
//! header); byte 1 picks a TLD hint; the rest is the body.
#![no_main]

use harvest_core::scrape::charset::{decode, from_content_type, from_meta, PRESCAN_BYTES};
use harvest_core::scrape::meta::meta_tags;
use libfuzzer_sys::fuzz_target;

const TLDS: [Option<&str>; 8] = [
    None,
    Some("com"),
    Some("ru"),
    Some("jp"),
    Some("cn"),
    Some("de"),
    Some("xn--p1ai"),
    Some("c.o"),
];

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let ct_len = (data[0] % 64) as usize;
    let tld = TLDS[(data[1] % TLDS.len() as u8) as usize];
    let rest = &data[2..];
    let (ct, body) = if ct_len == 0 || rest.len() < ct_len {
        (None, rest)
    } else {
        (
            Some(String::from_utf8_lossy(&rest[..ct_len]).into_owned()),
            &rest[ct_len..],
        )
    };

    let (text, name) = decode(body, ct.as_deref(), tld);
    assert!(!name.is_empty());
    assert_eq!(name, name.to_ascii_lowercase());
    // No text-length check: a body of ISO-2022-JP escape sequences decodes to nothing.
    let _ = text;

    if let Some(ct) = &ct {
        let _ = from_content_type(ct);
    }
    let _ = from_meta(body);
    let _ = meta_tags(body, PRESCAN_BYTES);
});
