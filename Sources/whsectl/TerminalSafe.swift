/// Text from whsed made safe to print on a terminal.
///
/// Descriptions and document numbers are free text, so a user with the post role could put a line feed into one
/// (a fake table row), an escape sequence (ESC [2J clears the screen, others retitle the window or rewrite the
/// clipboard) or a right-to-left override (a number that reads backwards). Table output therefore shows every
/// control character (C0, DEL, C1), line and paragraph separator and invisible format character (bidi controls,
/// zero-width space, BOM, tag characters) as an escape: `\n`, `\r`, `\t`, `\x1b`, `\u{9b}`, `\u{202e}`.
/// Zero-width joiner and non-joiner stay: scripts and emoji need them, and they move no text.
/// A backslash is printed as it is, so table output is for people; `--json`, `--format jsonl` and `--format csv`
/// carry the exact text.
enum TerminalSafe {
    static func escape(_ s: String) -> String {
        if s.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return s }
        var out = ""
        out.unicodeScalars.reserveCapacity(s.unicodeScalars.count)
        for scalar in s.unicodeScalars {
            if let e = escape(scalar) { out += e } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }

    /// The escape for one scalar, or nil when it prints as itself.
    static func escape(_ c: Unicode.Scalar) -> String? {
        switch c {
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        case "\u{200C}", "\u{200D}": return nil
        default: break
        }
        let hex = String(c.value, radix: 16)
        if c.value < 0x20 || c.value == 0x7F { return "\\x" + (hex.count < 2 ? "0" + hex : hex) }
        switch c.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: return "\\u{" + hex + "}"
        default: return nil
        }
    }
}
