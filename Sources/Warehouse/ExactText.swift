/// A String compared and hashed by its UTF-8 bytes.
///
/// Swift's `String ==` is canonical equivalence: "A" + U+030A equals "Å" (U+00C5). Wherever text is deduplicated
/// or looked up as data rather than as a code (the snapshot's string table, idempotency keys), that would merge
/// two spellings and hand back whichever was stored first; this type keeps them apart.
public struct ExactText: Hashable, Sendable {
    public let string: String

    public init(_ string: String) { self.string = string }

    public static func == (a: ExactText, b: ExactText) -> Bool {
        a.string.utf8.elementsEqual(b.string.utf8)
    }

    public func hash(into hasher: inout Hasher) {
        var s = string
        s.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        hasher.combine(string.utf8.count)
    }
}
