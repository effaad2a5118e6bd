/// Idempotency keys (protocol.md §8): one per logical posting, sent again unchanged with every retry of it, so
/// whsed posts it at most once and answers a repeat with the original result (`replayed: true`).
public enum IdempotencyKey {
    /// The longest key whsed takes, in UTF-8 bytes.
    public static let maxBytes = 128

    /// A fresh random key: `prefix` and 32 hex digits (128 random bits from the system's generator).
    public static func random(prefix: String = "") -> String {
        var g = SystemRandomNumberGenerator()
        let hex = Array("0123456789abcdef".utf8)
        var out = Array(prefix.utf8)
        for _ in 0..<2 {
            var x = g.next() as UInt64
            for _ in 0..<16 {
                out.append(hex[Int(x & 0xf)])
                x >>= 4
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
