import Foundation
import WhseProtocol

#if canImport(Glibc)
    import Glibc
#endif

/// How whsectl prints results.
enum OutputFormat: String, CaseIterable {
    case table, json, jsonl, csv
}

/// One column of a table: header and the key (or dotted path) in each row object.
struct Column {
    var header: String
    var key: String
    init(_ header: String, _ key: String) {
        self.header = header
        self.key = key
    }
    /// A column of a typed result's member.
    init<K: MemberKey>(_ header: String, _ key: K) { self.init(header, key.rawValue) }
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

    /// `text` for a terminal: control and format characters escaped (see `TerminalSafe`).
    static func shown(_ v: JSON?) -> String { TerminalSafe.escape(text(v)) }

    static func lookup(_ row: JSON, _ key: String) -> JSON? {
        var v: JSON? = row
        for part in key.split(separator: ".") { v = v?[String(part)] }
        return v
    }

    static func isNumeric(_ v: JSON?) -> Bool {
        if case .number? = v { return true }
        return false
    }

    /// Prints rows as an aligned table (numbers right-aligned), CSV, or one JSON object per line.
    static func rows(_ rows: [JSON], _ columns: [Column], format: OutputFormat, whole: JSON) {
        switch format {
        case .json:
            print(whole.serializedString)
        case .jsonl:
            for r in rows { print(r.serializedString) }
        case .csv:
            print(CSV.record(columns.map(\.key)))
            for r in rows { print(CSV.record(columns.map { text(lookup(r, $0.key)) })) }
        case .table:
            if rows.isEmpty {
                print("(none)")
                return
            }
            let cells = rows.map { r in columns.map { shown(lookup(r, $0.key)) } }
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

    /// Prints one object as "key: value" lines, as CSV (a header row of the keys and one row; nested values as
    /// JSON text), or as JSON.
    static func object(_ v: JSON, format: OutputFormat) {
        guard case .object(let o) = v, format == .table || format == .csv else {
            print(format == .table ? TerminalSafe.escape(v.serializedString) : v.serializedString)
            return
        }
        let keys = o.keys.sorted()
        func value(_ k: String) -> String {
            switch o[k]! {
            case .object, .array: return o[k]!.serializedString
            default: return text(o[k])
            }
        }
        if format == .csv {
            print(CSV.record(keys))
            print(CSV.record(keys.map(value)))
            return
        }
        let width = keys.map(\.count).max() ?? 0
        for k in keys {
            let pad = String(repeating: " ", count: width - k.count + 1)
            print(TerminalSafe.escape(k) + ":" + pad + TerminalSafe.escape(value(k)))
        }
    }

    static func stderr(_ s: String) {
        let bytes = Array((s + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
