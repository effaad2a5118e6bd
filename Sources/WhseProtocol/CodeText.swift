/// How codes are spelled and compared (protocol.md §5.2).
///
/// Swift's `String ==` is canonical equivalence, so "A" + U+030A and "Å" (U+00C5) are equal as Strings but differ
/// as bytes. whsed settles this once, at input: every code is put in Unicode Normalization Form C before it reaches
/// the ledger, so two canonically equivalent spellings are one code, and every stored code is already in its one
/// spelling. Stored text then round-trips byte for byte through the log, snapshots and backups.
public enum CodeText {
    /// `s` in NFC. ASCII (the common case) is already NFC and is returned as is.
    /// Whether every byte of `s` is printable ASCII (space through `~`): such a code is NFC and holds no character
    /// `forbiddenScalar` refuses. Reads the bytes in place when the string is native.
    public static func isPrintableASCII(_ s: String) -> Bool {
        let fast = s.utf8.withContiguousStorageIfAvailable { u in
            for b in u where b < 0x20 || b >= 0x7f { return false }
            return true
        }
        return fast ?? s.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7f }
    }

    public static func normalized(_ s: String) -> String {
        if s.utf8.allSatisfy({ $0 < 0x80 }) { return s }
        let nfc = s._nfcCodeUnits
        if nfc.elementsEqual(s.utf8) { return s }
        return String(decoding: nfc, as: UTF8.self)
    }

    /// The first scalar a code may not hold: controls (C0, DEL, C1 with NEL), format characters (zero-width
    /// characters, bidi controls, the BOM), line and paragraph separators, private-use, surrogate and unassigned
    /// code points (noncharacters included). Nil when the code is clean.
    public static func forbiddenScalar(in s: String) -> Unicode.Scalar? {
        for u in s.unicodeScalars {
            if u.value < 0x80 {
                if u.value < 0x20 || u.value == 0x7f { return u }
                continue
            }
            switch u.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .surrogate, .unassigned:
                return u
            default:
                continue
            }
        }
        return nil
    }

    /// "U+200B" and its category, for messages.
    public static func describe(_ u: Unicode.Scalar) -> String {
        let hex = String(u.value, radix: 16, uppercase: true)
        let name: String
        switch u.properties.generalCategory {
        case .control: name = "a control character"
        case .format: name = "a format character"
        case .lineSeparator, .paragraphSeparator: name = "a separator character"
        case .privateUse: name = "a private-use character"
        default: name = "an unassigned code point"
        }
        return "\(name) (U+\(String(repeating: "0", count: max(0, 4 - hex.count)))\(hex))"
    }
}
