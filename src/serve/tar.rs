//! A small ustar writer for the sweep's result folder (`folder.tar`): regular
//! files and their folders, names up to 255 bytes. The `tar` crate would
//! do the same at the cost of two more crates to build.

use std::path::Path;

/// Appends one file's header and content.
pub(super) fn append(out: &mut Vec<u8>, name: &str, data: &[u8], mtime: u64) -> Result<(), String> {
    let mut h = [0u8; 512];
    let bytes = name.as_bytes();
    let (prefix, rest) = if bytes.len() <= 100 {
        (&b""[..], bytes)
    } else {
        // Split at a '/' so that the prefix has at most 155 bytes and the
        // name at most 100.
        let cut = (0..bytes.len())
            .rev()
            .find(|&i| bytes[i] == b'/' && i <= 155 && bytes.len() - i - 1 <= 100)
            .ok_or_else(|| format!("{name}: too long a name for a tar file"))?;
        (&bytes[..cut], &bytes[cut + 1..])
    };
    h[..rest.len()].copy_from_slice(rest);
    octal(&mut h[100..108], 0o644);
    octal(&mut h[108..116], 0);
    octal(&mut h[116..124], 0);
    octal(&mut h[124..136], data.len() as u64);
    octal(&mut h[136..148], mtime);
    h[156] = b'0';
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[345..345 + prefix.len()].copy_from_slice(prefix);
    h[148..156].copy_from_slice(b"        ");
    let sum: u64 = h.iter().map(|&b| u64::from(b)).sum();
    octal(&mut h[148..155], sum);
    h[155] = b' ';
    out.extend_from_slice(&h);
    out.extend_from_slice(data);
    out.resize(out.len().div_ceil(512) * 512, 0);
    Ok(())
}

/// Writes `n` in octal, zero-padded, ending with NUL.
fn octal(field: &mut [u8], n: u64) {
    let s = format!("{:0width$o}\0", n, width = field.len() - 1);
    field.copy_from_slice(&s.as_bytes()[s.len() - field.len()..]);
}

/// The end of the archive.
pub(super) fn finish(out: &mut Vec<u8>) {
    out.extend_from_slice(&[0u8; 1024]);
}

/// Every file under `dir`, as `top/relative/path`, in name order.
pub(super) fn append_dir(
    out: &mut Vec<u8>,
    dir: &Path,
    top: &str,
    mtime: u64,
) -> Result<(), String> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = format!("{top}/{}", e.file_name().to_string_lossy());
        let Ok(kind) = e.file_type() else { continue };
        if kind.is_dir() {
            append_dir(out, &e.path(), &name, mtime)?;
        } else if kind.is_file() {
            let data =
                std::fs::read(e.path()).map_err(|err| format!("cannot read {name}: {err}"))?;
            append(out, &name, &data, mtime)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_have_the_ustar_layout_and_checksum() {
        let mut out = Vec::new();
        append(&mut out, "a/b.txt", b"hello", 7).unwrap();
        let long = format!("{}/{}", "d".repeat(120), "f".repeat(90));
        append(&mut out, &long, b"", 7).unwrap();
        finish(&mut out);
        assert_eq!(out.len(), 512 * 2 + 512 + 1024);
        assert_eq!(&out[..7], b"a/b.txt");
        assert_eq!(&out[124..136], b"00000000005\0");
        assert_eq!(&out[257..262], b"ustar");
        let mut h = out[..512].to_vec();
        let stored = u64::from_str_radix(std::str::from_utf8(&h[148..154]).unwrap(), 8).unwrap();
        h[148..156].copy_from_slice(b"        ");
        assert_eq!(stored, h.iter().map(|&b| u64::from(b)).sum::<u64>());
        assert_eq!(&out[512..517], b"hello");
        assert_eq!(
            &out[1024 + 345..1024 + 345 + 120],
            "d".repeat(120).as_bytes()
        );
        assert_eq!(&out[1024..1024 + 90], "f".repeat(90).as_bytes());
    }
}
