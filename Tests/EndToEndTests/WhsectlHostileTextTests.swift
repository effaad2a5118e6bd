import Foundation
import Testing
import WhseProtocol

/// Text that a user with the post role puts into lot nos., bins, descriptions and document nos., read back through
/// whsectl by someone else: CSV cells must not run as spreadsheet formulas, table output must not drive the terminal,
/// and --json stays exact.
@Suite(.serialized) struct WhsectlHostileText {
    /// The first characters a spreadsheet evaluates (OWASP); codes cannot hold tab or CR, texts can.
    static let formulaStarts = ["=", "+", "-", "@"]
    static let textFormulaStarts = formulaStarts + ["\t", "\r"]

    static func daemon(_ tmp: TempDir) throws -> Daemon {
        let d = Daemon(dir: tmp.path, activated: false)
        try d.start()
        try d.ok(["location", "create", "WH1", "--kind", "directed"])
        try d.ok(["zone", "create", "WH1", "PICK", "--bin-type", "PICK"])
        try d.ok(["bin", "create", "WH1", "A-01", "--zone", "PICK"])
        try d.ok(["item", "create", "LOTITEM", "--lot-tracked", "--description=-1+1 @SUM(A1)"])
        return d
    }

    /// RFC 4180 records, as a spreadsheet or Python's csv module reads them.
    static func parseCSV(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var scalars = Array(text.unicodeScalars)[...]
        while let c = scalars.popFirst() {
            if inQuotes {
                if c == "\"" {
                    if scalars.first == "\"" {
                        scalars.removeFirst()
                        field += "\""
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"": inQuotes = true
            case ",":
                fields.append(field)
                field = ""
            case "\n":
                fields.append(field)
                records.append(fields)
                fields = []
                field = ""
            default: field.unicodeScalars.append(c)
            }
        }
        if !field.isEmpty || !fields.isEmpty {
            fields.append(field)
            records.append(fields)
        }
        return records
    }

    static func csvLine(_ cells: [String]) -> String {
        cells.map { c in
            c.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + c.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : c
        }.joined(separator: ",")
    }

    static func isPlainDecimal(_ s: String) -> Bool {
        s.range(of: #"^-?[0-9]+(\.[0-9]+)?$"#, options: .regularExpression) != nil
    }

    /// Parses whsectl's CSV and checks that no cell would run as a formula; returns the records.
    static func neutralizedCSV(
        _ d: Daemon, _ args: [String],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> [[String]] {
        let records = parseCSV(try d.ok(args + ["--format", "csv"], sourceLocation: sourceLocation).stdout)
        #expect(records.count >= 2, "\(args): \(records)", sourceLocation: sourceLocation)
        for cell in records.joined() {
            let first = cell.unicodeScalars.first.map { String($0) } ?? ""
            let formula = (textFormulaStarts + ["\n", "\0"]).contains(first) && !isPlainDecimal(cell)
            #expect(
                !formula, "\(args) --format csv: cell \(cell.debugDescription) would run as a formula",
                sourceLocation: sourceLocation)
        }
        return records
    }

    static func column(_ records: [[String]], _ name: String) -> [String] {
        guard let i = records.first?.firstIndex(of: name) else { return [] }
        return records.dropFirst().map { $0[i] }
    }

    @Test func csvCellsThatWouldRunAsFormulasGetAQuote() throws {
        let tmp = TempDir()
        let d = try WhsectlHostileText.daemon(tmp)
        for (i, c) in WhsectlHostileText.formulaStarts.enumerated() {
            try d.ok(["bin", "create", "WH1", "--zone", "PICK", "--", "\(c)B\(i)"])
            try d.ok([
                "whse-journal", "register", "WH1", "--item", "LOTITEM", "--bin=\(c)B\(i)",
                "--lot=\(c)HYPERLINK(x)", "--quantity", "5", "--document-no=\(c)DOC\(i)"
            ])
        }
        for (i, c) in WhsectlHostileText.textFormulaStarts.enumerated() {
            try d.ok(["item", "create", "D\(i)", "--description=\(c)2+3+cmd|' /C calc'!A0"])
            let register = [
                "whse-journal", "register", "WH1", "--item", "D\(i)", "--bin", "A-01", "--quantity", "1",
                "--document-no=\(c)2+3 text"
            ]
            // A document no. is matched like a code: whsed refuses control characters in it (protocol.md 5.2).
            if c.unicodeScalars.allSatisfy({ $0.value >= 0x20 }) {
                try d.ok(register)
            } else {
                #expect(try d.ctl(register).status != 0, "document no. starting with \(c.debugDescription)")
            }
        }
        let entries = try WhsectlHostileText.neutralizedCSV(d, ["entries", "warehouse"])
        let lots = Set(WhsectlHostileText.column(entries, "lot"))
        let documents = Set(WhsectlHostileText.column(entries, "documentNo"))
        let bins = Set(WhsectlHostileText.column(entries, "bin"))
        for (i, c) in WhsectlHostileText.formulaStarts.enumerated() {
            #expect(lots.contains("'\(c)HYPERLINK(x)") && bins.contains("'\(c)B\(i)"))
            #expect(documents.contains("'\(c)DOC\(i)"))
        }
        for c in WhsectlHostileText.textFormulaStarts where c.unicodeScalars.allSatisfy({ $0.value >= 0x20 }) {
            #expect(documents.contains("'\(c)2+3 text"), "\(documents)")
        }
        // Numbers stay numbers: the adjustment bin's negative quantities are written as they are.
        #expect(WhsectlHostileText.column(entries, "quantity").contains("-5"))
        #expect(WhsectlHostileText.column(entries, "quantityBase").contains("-1"))

        let items = try WhsectlHostileText.neutralizedCSV(d, ["item", "list"])
        let descriptions = Set(WhsectlHostileText.column(items, "description"))
        for c in WhsectlHostileText.textFormulaStarts { #expect(descriptions.contains("'\(c)2+3+cmd|' /C calc'!A0")) }
        #expect(descriptions.contains("'-1+1 @SUM(A1)"))
        // A single object as CSV: a header row of the keys and one row.
        let one = try WhsectlHostileText.neutralizedCSV(d, ["item", "get", "D0"])
        #expect(one.count == 2 && WhsectlHostileText.column(one, "description") == ["'=2+3+cmd|' /C calc'!A0"])
        _ = try WhsectlHostileText.neutralizedCSV(d, ["bin", "list", "WH1"])
        _ = try WhsectlHostileText.neutralizedCSV(d, ["bin", "contents", "WH1", "=B0"])
        _ = try WhsectlHostileText.neutralizedCSV(d, ["item", "bins", "LOTITEM"])
        _ = try WhsectlHostileText.neutralizedCSV(
            d,
            [
                "whse-journal", "register", "WH1", "--item", "LOTITEM",
                "--bin", "A-01", "--lot=@L", "--quantity", "1",
                "--document-no=@SUM(1+1)"
            ])
        try d.ok(["count", "calculate", "WH1", "--journal", "C1", "--document-no=-2+3"])
        let sheet = try WhsectlHostileText.neutralizedCSV(d, ["count", "list", "C1"])
        #expect(WhsectlHostileText.column(sheet, "lot").contains("'=HYPERLINK(x)"))
        _ = try WhsectlHostileText.neutralizedCSV(d, ["count", "journals"])

        // --json carries the exact text.
        let json = try d.ok(["entries", "warehouse", "--json"]).json?["entries"]?.arrayValue ?? []
        #expect(json.contains { $0["lot"] == .string("=HYPERLINK(x)") && $0["documentNo"] == .string("=DOC0") })
    }

    /// The count sheet that staff open in a spreadsheet: lots and bins that look like formulas go out with a quote
    /// and come back through `count enter --file` as the same codes (no new lines for lots that do not exist).
    @Test func countSheetRoundTripsThroughCountEnter() throws {
        let tmp = TempDir()
        let d = try WhsectlHostileText.daemon(tmp)
        try d.ok(["bin", "create", "WH1", "+B1", "--zone", "PICK"])
        // "'=Y" really starts with a quote: it is written with two and read back with one.
        let lots = ["=X": "A-01", "-L": "+B1", "@Z": "A-01", "+P": "+B1", "'=Y": "A-01", "-7": "A-01"]
        for (n, (lot, bin)) in lots.sorted(by: { $0.key < $1.key }).enumerated() {
            try d.ok([
                "whse-journal", "register", "WH1", "--item", "LOTITEM", "--bin=\(bin)", "--lot=\(lot)",
                "--quantity", "\(n + 2)"
            ])
        }
        try d.ok(["count", "calculate", "WH1", "--journal", "C1"])
        let before = try d.ok(["count", "list", "C1", "--json"]).json?["lines"]?.arrayValue ?? []
        #expect(before.count == lots.count)
        let sheet = try WhsectlHostileText.neutralizedCSV(d, ["count", "list", "C1"])
        #expect(Set(WhsectlHostileText.column(sheet, "lot")) == ["'=X", "'-L", "'@Z", "'+P", "''=Y", "-7"])
        #expect(Set(WhsectlHostileText.column(sheet, "bin")) == ["A-01", "'+B1"])

        // Fill in the sheet by bin, item and lot (no line numbers), one more than calculated on each line. One row is
        // saved the way a spreadsheet may save it, without the quote: it is the same lot.
        let header = sheet[0]
        let lineNo = header.firstIndex(of: "lineNo")!
        let calculated = header.firstIndex(of: "quantityCalculated")!
        let counted = header.firstIndex(of: "counted")!
        let lot = header.firstIndex(of: "lot")!
        var text = WhsectlHostileText.csvLine(header.enumerated().filter { $0.offset != lineNo }.map(\.element)) + "\n"
        for var row in sheet.dropFirst() {
            row[counted] = String(Int(row[calculated])! + 1)
            if row[lot] == "'@Z" { row[lot] = "@Z" }
            text += WhsectlHostileText.csvLine(row.enumerated().filter { $0.offset != lineNo }.map(\.element)) + "\n"
        }
        let path = tmp.path + "/count1.csv"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let entered = try d.ok(["count", "enter", "C1", "--file", path, "--json"]).json
        #expect(entered?["lines"]?.arrayValue?.count == lots.count, "a quoted lot became a new lot: \(text)")
        let after = try d.ok(["count", "list", "C1", "--json"]).json?["lines"]?.arrayValue ?? []
        #expect(after.count == lots.count)
        for l in after {
            let expected = (Int(l["quantityCalculated"]?.numberLiteral ?? "") ?? -100) + 1
            #expect(l["counted"] == .bool(true) && l["quantityPhysInventory"] == .number(String(expected)), "\(l)")
            #expect(lots.keys.contains(l["lot"]?.stringValue ?? ""), "\(l)")
        }
        try d.ok(["count", "register", "C1"])
        let rows = try d.ok(["bin", "contents", "WH1", "A-01", "--json"]).json?["rows"]?.arrayValue ?? []
        #expect(rows.first { $0["lot"] == .string("=X") }?["quantity"] == .number("7"))
        #expect(rows.first { $0["lot"] == .string("'=Y") }?["quantity"] == .number("3"))
        try d.ok(["server", "verify"])
    }

    /// Every scalar a terminal acts on instead of printing: C0 but line feed, DEL, C1, format characters (bidi
    /// overrides, zero-width space, BOM) other than the joiners, line and paragraph separators.
    static func actsOnTerminal(_ c: Unicode.Scalar) -> Bool {
        if c == "\n" || c == "\u{200C}" || c == "\u{200D}" { return false }
        switch c.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }

    @Test func tablesShowControlCharactersAsEscapes() throws {
        let tmp = TempDir()
        let d = try WhsectlHostileText.daemon(tmp)
        let description = "Widget\nFAKE ROW\r\t\u{7f}\u{9b}\u{1b}[2J\u{202e}4321\u{2066}\u{200b}\u{feff}\u{2028}end"
        // Codes and document nos. cannot hold control characters (whsed refuses them, protocol.md 5.2); free texts
        // such as descriptions and location names can, and are shown escaped.
        let documentNo = "\u{1b}[2J\u{1b}]0;pwned\u{7}"
        try d.ok(["item", "create", "CTRL", "--description", description])
        let refused = try d.ctl([
            "whse-journal", "register", "WH1", "--item", "CTRL", "--bin", "A-01", "--quantity", "3",
            "--document-no", documentNo
        ])
        #expect(refused.status != 0 && refused.stderr.contains("U+001B"), "\(refused.stderr)")
        #expect(refused.stderr.unicodeScalars.filter(WhsectlHostileText.actsOnTerminal).isEmpty)
        try d.ok(["whse-journal", "register", "WH1", "--item", "CTRL", "--bin", "A-01", "--quantity", "3"])
        try d.ok(["location", "update", "WH1", "--name", "Main\u{1b}]0;pwned\u{7}"])
        try d.ok(["count", "calculate", "WH1", "--journal", "C1"])
        let shownDescription = #"Widget\nFAKE ROW\r\t\x7f\u{9b}\x1b[2J\u{202e}4321\u{2066}\u{200b}\u{feff}\u{2028}end"#
        let cases: [(args: [String], lines: Int?, shows: [String])] = [
            (["item", "list"], 4, [shownDescription]),
            (["item", "get", "CTRL"], nil, [shownDescription]),
            (["entries", "warehouse"], 4, []),
            (["location", "list"], nil, [#"Main\x1b]0;pwned\x07"#]),
            (["count", "list", "C1"], nil, [shownDescription]),
            (["item-journal", "calc-whse-adjustment", "--location", "WH1"], nil, []),
            (["item-journal", "show"], nil, [])
        ]
        for c in cases {
            let out = try d.ok(c.args).stdout
            let raw = out.unicodeScalars.filter(WhsectlHostileText.actsOnTerminal)
            #expect(raw.isEmpty, "\(c.args) printed raw \(raw.map { String($0.value, radix: 16) })")
            if let lines = c.lines {
                #expect(out.split(separator: "\n").count == lines, "\(c.args): a fake row\n\(out)")
            }
            for s in c.shows { #expect(out.contains(s), "\(c.args) does not show \(s):\n\(out)") }
        }
        // --json and CSV keep the exact text.
        #expect(try d.ok(["item", "get", "CTRL", "--json"]).json?["description"] == .string(description))
        #expect(try d.ok(["location", "get", "WH1", "--json"]).json?["name"] == .string("Main\u{1b}]0;pwned\u{7}"))
        let csv = WhsectlHostileText.parseCSV(try d.ok(["item", "get", "CTRL", "--format", "csv"]).stdout)
        #expect(WhsectlHostileText.column(csv, "description") == [description])
        // Error messages echo what was asked for; stderr is a terminal too.
        let missing = try d.ctl(["bin", "contents", "WH1", "A\u{1b}[2J"])
        #expect(missing.status == 1)
        #expect(missing.stderr.unicodeScalars.filter(WhsectlHostileText.actsOnTerminal).isEmpty)
        #expect(missing.stderr.contains("U+001B"), "\(missing.stderr)")
    }
}
