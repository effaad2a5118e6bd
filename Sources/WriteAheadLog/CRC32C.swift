/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of every record and header.
/// Software slicing-by-8: eight table lookups per 8 input bytes.
public enum CRC32C {
    /// Checksum of `bytes`. Chaining works like zlib's `crc32`: `checksum(b, seed: checksum(a))`
    /// equals `checksum(a ++ b)`.
    public static func checksum(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return seed }
        var crc = ~seed
        var p = base
        var n = bytes.count
        crc32cTables.withUnsafeBufferPointer { t in
            while n >= 8 {
                let w = UInt64(littleEndian: p.loadUnaligned(as: UInt64.self)) ^ UInt64(crc)
                crc =
                    t[7 &* 256 &+ Int(truncatingIfNeeded: w & 0xFF)]
                    ^ t[6 &* 256 &+ Int(truncatingIfNeeded: (w >> 8) & 0xFF)]
                    ^ t[5 &* 256 &+ Int(truncatingIfNeeded: (w >> 16) & 0xFF)]
                    ^ t[4 &* 256 &+ Int(truncatingIfNeeded: (w >> 24) & 0xFF)]
                    ^ t[3 &* 256 &+ Int(truncatingIfNeeded: (w >> 32) & 0xFF)]
                    ^ t[2 &* 256 &+ Int(truncatingIfNeeded: (w >> 40) & 0xFF)]
                    ^ t[1 &* 256 &+ Int(truncatingIfNeeded: (w >> 48) & 0xFF)]
                    ^ t[Int(truncatingIfNeeded: w >> 56)]
                p += 8
                n -= 8
            }
            while n > 0 {
                let b = UInt32(p.load(as: UInt8.self))
                crc = t[Int(truncatingIfNeeded: (crc ^ b) & 0xFF)] ^ (crc >> 8)
                p += 1
                n -= 1
            }
        }
        return ~crc
    }

    /// Convenience for byte arrays.
    public static func checksum(_ bytes: [UInt8], seed: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, seed: seed) }
    }
}

/// Eight 256-entry tables, table k at [k*256 ..< (k+1)*256].
private let crc32cTables: [UInt32] = {
    var t = [UInt32](repeating: 0, count: 8 * 256)
    for i in 0..<256 {
        var c = UInt32(i)
        for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
        t[i] = c
    }
    for k in 1..<8 {
        for i in 0..<256 {
            let prev = t[(k - 1) * 256 + i]
            t[k * 256 + i] = (prev >> 8) ^ t[Int(prev & 0xFF)]
        }
    }
    return t
}()
