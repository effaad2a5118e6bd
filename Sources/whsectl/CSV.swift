/// Minimal RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF; with formula neutralization on both sides.
///
/// A spreadsheet that opens a CSV runs a cell starting with `=`, `+`, `-`, `@`, tab or CR as a formula
/// (OWASP "CSV Injection"; ASVS adds NUL, and a leading LF is treated the same here). Any user with the post role
/// can put such text into a lot no., description or document no., so every cell whsectl writes goes through
/// `cell(_:)`, which prefixes a `'`. A cell that is a plain decimal (`-3`, `-0.5`) stays as it is: it is a number
/// to a spreadsheet, not a formula, and quantity columns must read back as numbers.
/// `restore(_:)` undoes the prefix when whsectl reads a CSV (`--file`), so a lot no. `=X` round-trips through
/// a count sheet. Cells made only of quotes before a dangerous text get one more quote, so the mapping is
/// one to one: a value that really starts with `'=` is written `''=` and read back as `'=`.
enum CSV {
    /// One value as a cell: neutralized, then quoted if it holds a separator, quote or line break.
    static func cell(_ s: String) -> String { quote(neutralize(s)) }

    /// One record (no line end) from raw values.
    static func record(_ values: [String]) -> String { values.map(cell).joined(separator: ",") }

    static func quote(_ s: String) -> String {
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }

    /// The first characters that make a spreadsheet evaluate a cell.
    static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r", "\n", "\0"]

    /// `'` + s when s (after any quotes it already starts with) would be a formula; s otherwise.
    static func neutralize(_ s: String) -> String {
        needsPrefix(s.unicodeScalars.drop(while: { $0 == "'" })) ? "'" + s : s
    }

    /// The inverse of `neutralize`: drops the one `'` it added, leaves every other value alone.
    static func restore(_ s: String) -> String {
        let scalars = s.unicodeScalars
        guard scalars.first == "'" else { return s }
        let rest = scalars.dropFirst()
        return needsPrefix(rest.drop(while: { $0 == "'" })) ? String(Substring(rest)) : s
    }

    static func needsPrefix(_ s: Substring.UnicodeScalarView) -> Bool {
        guard let first = s.first, formulaStarts.contains(first) else { return false }
        return !isPlainDecimal(s)
    }

    /// `-?[0-9]+(\.[0-9]+)?`: how whsed writes a quantity; a spreadsheet reads it as a number.
    static func isPlainDecimal(_ s: Substring.UnicodeScalarView) -> Bool {
        var rest = s[...]
        if rest.first == "-" { rest = rest.dropFirst() }
        let isDigit: (Unicode.Scalar) -> Bool = { ("0"..."9").contains($0) }
        let whole = rest.prefix(while: isDigit)
        guard !whole.isEmpty else { return false }
        rest = rest.dropFirst(whole.count)
        if rest.isEmpty { return true }
        guard rest.first == "." else { return false }
        let fraction = rest.dropFirst()
        return !fraction.isEmpty && fraction.allSatisfy(isDigit)
    }

    /// Parses CSV text into records; each record keeps the line number it started on.
    static func parse(_ text: String) throws -> [(line: Int, fields: [String])] {
        var records: [(Int, [String])] = []
        var field = ""
        var fields: [String] = []
        var inQuotes = false
        var line = 1
        var start = 1
        var afterQuote = false
        var chars = Array(text.unicodeScalars)[...]
        func endRecord() {
            fields.append(field)
            if !(fields.count == 1 && fields[0].isEmpty) { records.append((start, fields)) }
            field = ""
            fields = []
        }
        while let c = chars.popFirst() {
            if inQuotes {
                if c == "\"" {
                    if chars.first == "\"" {
                        chars.removeFirst()
                        field.unicodeScalars.append("\"")
                    } else {
                        inQuotes = false
                        afterQuote = true
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"":
                guard field.isEmpty && !afterQuote else {
                    throw CLIError(code: Exit.usage, message: "CSV line \(line): a quote inside an unquoted field")
                }
                inQuotes = true
            case ",":
                fields.append(field)
                field = ""
                afterQuote = false
            case "\r": continue
            case "\n":
                endRecord()
                line += 1
                start = line
                afterQuote = false
            default:
                guard !afterQuote else {
                    throw CLIError(code: Exit.usage, message: "CSV line \(line): text after a closing quote")
                }
                field.unicodeScalars.append(c)
            }
        }
        if inQuotes { throw CLIError(code: Exit.usage, message: "CSV line \(start): unterminated quoted field") }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        return records
    }
}
