#if canImport(Glibc)
import Glibc
#endif
import Foundation
import WhseProtocol

/// How whsectl prints results.
enum OutputFormat: String, CaseIterable {
    case table, json, jsonl, csv
}

/// One column of a table: header and the key (or dotted path) in each row object.
struct Column {
    var header: String
    var key: String
    init(_ header: String, _ key: String) { self.header = header; self.key = key }
}

enum Output {
    /// A JSON scalar as text: strings raw, numbers exactly as sent, null as empty.
    static func text(_ v: JSON?) -> String {
        switch v {
        case nil, .null?: return ""
        case .string(let s)?: return s
        case .number(let n)?: return n
        case .bool(let b)?: return b ? "yes" : "no"
        case let other?: return other.serializedString
        }
    }

    static func lookup(_ row: JSON, _ key: String) -> JSON? {
        var v: JSON? = row
        for part in key.split(separator: ".") { v = v?[String(part)] }
        return v
    }

    static func isNumeric(_ v: JSON?) -> Bool { if case .number? = v { return true }; return false }

    /// Prints rows as an aligned table (numbers right-aligned), CSV, or one JSON object per line.
    static func rows(_ rows: [JSON], _ columns: [Column], format: OutputFormat, whole: JSON) {
        switch format {
        case .json:
            print(whole.serializedString)
        case .jsonl:
            for r in rows { print(r.serializedString) }
        case .csv:
            print(columns.map { CSV.quote($0.key) }.joined(separator: ","))
            for r in rows { print(columns.map { CSV.quote(text(lookup(r, $0.key))) }.joined(separator: ",")) }
        case .table:
            if rows.isEmpty { print("(none)"); return }
            let cells = rows.map { r in columns.map { text(lookup(r, $0.key)) } }
            let numeric = columns.map { c in rows.contains { isNumeric(lookup($0, c.key)) } }
            var widths = columns.map { $0.header.count }
            for row in cells { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
            func line(_ values: [String]) -> String {
                values.enumerated().map { i, v in
                    let pad = String(repeating: " ", count: widths[i] - v.count)
                    return numeric[i] ? pad + v : v + pad
                }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
            }
            print(line(columns.map(\.header)))
            print(line(widths.map { String(repeating: "-", count: $0) }))
            for row in cells { print(line(row)) }
        }
    }

    /// Prints one object as "key: value" lines (or JSON).
    static func object(_ v: JSON, format: OutputFormat) {
        switch format {
        case .json, .jsonl: print(v.serializedString)
        case .csv, .table:
            guard case .object(let o) = v else { print(v.serializedString); return }
            let width = o.keys.map(\.count).max() ?? 0
            for k in o.keys.sorted() {
                let value: String
                switch o[k]! {
                case .object, .array: value = o[k]!.serializedString
                default: value = text(o[k])
                }
                print(k + ":" + String(repeating: " ", count: width - k.count + 1) + value)
            }
        }
    }

    static func stderr(_ s: String) {
        let bytes = Array((s + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}

/// Minimal RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF.
enum CSV {
    static func quote(_ s: String) -> String {
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }

    /// Parses CSV text into records; each record keeps the line number it started on.
    static func parse(_ text: String) throws -> [(line: Int, fields: [String])] {
        var records: [(Int, [String])] = []
        var field = "", fields: [String] = []
        var inQuotes = false, line = 1, start = 1, afterQuote = false
        var chars = Array(text.unicodeScalars)[...]
        func endRecord() {
            fields.append(field)
            if !(fields.count == 1 && fields[0].isEmpty) { records.append((start, fields)) }
            field = ""; fields = []
        }
        while let c = chars.popFirst() {
            if inQuotes {
                if c == "\"" {
                    if chars.first == "\"" { chars.removeFirst(); field.unicodeScalars.append("\"") } else { inQuotes = false; afterQuote = true }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"":
                guard field.isEmpty && !afterQuote else { throw CLIError(code: Exit.usage, message: "CSV line \(line): a quote inside an unquoted field") }
                inQuotes = true
            case ",": fields.append(field); field = ""; afterQuote = false
            case "\r": continue
            case "\n": endRecord(); line += 1; start = line; afterQuote = false
            default:
                guard !afterQuote else { throw CLIError(code: Exit.usage, message: "CSV line \(line): text after a closing quote") }
                field.unicodeScalars.append(c)
            }
        }
        if inQuotes { throw CLIError(code: Exit.usage, message: "CSV line \(start): unterminated quoted field") }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        return records
    }
}
