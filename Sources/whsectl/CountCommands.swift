import ArgumentParser
import Foundation
import Warehouse
import WhseProtocol

struct CountGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "count",
        abstract:
            "Warehouse physical inventory at directed locations: calculate, print the count list, enter counts, register.",
        subcommands: [
            Calculate.self, List.self, Journals.self, Enter.self, Recalculate.self, Register.self, Delete.self
        ])

    struct Calculate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Calculate a count journal: one line per bin content, quantity frozen (whsePhysInventory.calculate).",
            discussion: "Example: whsectl count calculate WH1 --journal COUNT1 --zone PICK")
        @OptionGroup var global: Global
        @Argument var location: String
        @Option var journal: String?
        @Option var zone: String?
        @Option var bin: String?
        @Option var item: String?
        @Option var documentNo: String?
        @Option var registeringDate: String?
        @Flag(help: "Include bin contents that are now zero (items not on inventory).") var includeZero = false
        @Flag(help: "A blind count: no answer about this journal shows the calculated quantities.") var blind = false
        @Flag(help: "Only the items due in their counting period on the registering date (cycle count).")
        var countingPeriodDue = false
        func run() throws {
            try perform {
                let p = WhsePhysInventoryCalculateParams(
                    location: location, journal: journal, documentNo: documentNo, registeringDate: registeringDate,
                    zone: zone, bin: bin, item: item, includeZero: includeZero, blind: blind,
                    countingPeriodDue: countingPeriodDue ? true : nil)
                let r = try global.call(p)
                if global.outputFormat == .table {
                    let j = try decodeResult(r, as: WhseCountJournalResult.self)
                    print("journal \(Output.shown(.string(j.journal))): \(j.lines.count) line(s) to count")
                } else {
                    Output.object(r, format: global.outputFormat)
                }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the count list to count from (whsePhysInventory.get).",
            discussion: """
                For the printer:   whsectl count list COUNT1 --blind | lpr
                As a sheet:        whsectl count list COUNT1 --format csv > count1.csv   (fill the "counted" column, then
                                   whsectl count enter COUNT1 --file count1.csv)
                A cell that a spreadsheet would run as a formula (=, +, -, @, tab, CR...) gets a ' in front;
                count enter --file drops it again, so a lot no. such as =X comes back as =X.
                """)
        @OptionGroup var global: Global
        @Argument var journal: String
        @Flag(help: "Hide the calculated quantities (blind count).") var blind = false
        func run() throws {
            try perform {
                let (journal, r) = try global.call(
                    WhsePhysInventoryGetParams(journal: journal, blind: blind),
                    result: WhseCountJournalResult.self)
                let lines = journal.lines
                switch global.outputFormat {
                case .json: print(r.serializedString)
                case .jsonl: for l in r[Journal.Key.lines.rawValue]?.arrayValue ?? [] { print(l.serializedString) }
                case .csv:
                    print(CountSheet.columns.joined(separator: ","))
                    let descriptions = try itemDescriptions()
                    for l in lines {
                        let counted = l.counted ? text(l.quantityPhysInventory) : ""
                        print(
                            CSV.record([
                                String(l.lineNo), journal.location, l.zone ?? "", l.bin, l.item,
                                descriptions[l.item] ?? "", l.unitOfMeasure, l.lot ?? "", l.serial ?? "",
                                blind ? "" : text(l.quantityCalculated), counted
                            ]))
                    }
                case .table:
                    let descriptions = try itemDescriptions()
                    print("WAREHOUSE PHYSICAL INVENTORY LIST")
                    print(
                        "Journal: \(Output.shown(.string(journal.journal)))   "
                            + "Location: \(Output.shown(.string(journal.location)))   "
                            + "Document: \(Output.shown(.string(journal.documentNo)))   "
                            + "Registering date: \(Output.shown(journal.registeringDate.map { .string($0) }))"
                            + (blind ? "   (blind count)" : ""))
                    print("")
                    let rows: [JSON] = lines.map { l in
                        var o = l.encoded().objectValue ?? [:]
                        o[Self.description] = .string(descriptions[l.item] ?? "")
                        o[Self.write] = .string("__________")
                        if blind { o[Line.Key.quantityCalculated.rawValue] = .null }
                        return .object(o)
                    }
                    var cols = [
                        Column("LINE", Line.Key.lineNo), Column("ZONE", Line.Key.zone),
                        Column("BIN", Line.Key.bin), Column("ITEM", Line.Key.item),
                        Column("DESCRIPTION", Self.description), Column("UNIT", Line.Key.unitOfMeasure)
                    ]
                    // Lot / serial columns only when some line carries one.
                    if lines.contains(where: { $0.lot != nil }) { cols.append(Column("LOT", Line.Key.lot)) }
                    if lines.contains(where: { $0.serial != nil }) { cols.append(Column("SERIAL", Line.Key.serial)) }
                    if !blind { cols.append(Column("CALCULATED", Line.Key.quantityCalculated)) }
                    cols.append(Column("COUNTED", Self.write))
                    Output.rows(rows, cols, format: .table, whole: r)
                    print("")
                    print("Counted by: ____________________   Date: __________")
                }
            }
        }

        typealias Journal = WhseCountJournalResult
        typealias Line = Journal.Line
        /// The list's own columns: the item's description, and a blank to write the count on.
        static let description = "description", write = "write"

        func text(_ q: Quantity?) -> String { q?.description ?? "" }

        func itemDescriptions() throws -> [String: String] {
            let (list, _) = try global.call(ItemListParams(), result: ItemListResult.self)
            var d: [String: String] = [:]
            for i in list.items { d[i.no] = i.description }
            return d
        }
    }

    struct Journals: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List open count journals (whsePhysInventory.list).",
            discussion: "Example: whsectl count journals")
        @OptionGroup var global: Global
        func run() throws {
            try perform {
                let (list, r) = try global.call(WhsePhysInventoryListParams(), result: CountJournalListResult.self)
                Output.rows(list.journals.map(\.wire), journalColumns, format: global.outputFormat, whole: r)
            }
        }
    }

    struct Enter: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Enter counted quantities (whsePhysInventory.recordCounts); may be repeated, the last count wins.",
            discussion: """
                By bin and item:  whsectl count enter COUNT1 --bin A-01 --item ITEM1 --quantity 62
                By line:          whsectl count enter COUNT1 --line 10000 --quantity 62
                A lot found:      whsectl count enter COUNT1 --bin A-02 --item LOTITEM --lot L7 --expiration-date 2027-05-31 --quantity 4
                From the sheet:   whsectl count enter COUNT1 --file count1.csv   (columns lineNo or bin+item, and counted or quantity;
                                  rows with an empty count are skipped; the ' that count list --format csv puts
                                  before a formula-like cell is dropped)
                """)
        @OptionGroup var global: Global
        @Argument var journal: String
        @Option var line: Int?
        @Option var bin: String?
        @Option var item: String?
        @Option var unit: String?
        @OptionGroup var tracking: TrackingOptions
        @Option(parsing: .unconditional) var quantity: String?
        @Option(help: "CSV or JSON Lines file ('-' for stdin).") var file: String?
        func run() throws {
            try perform {
                let counts: [CountInput]
                if let f = file {
                    counts = try CountSheet.read(f)
                    if counts.isEmpty { throw CLIError(code: Exit.usage, message: "\(f) holds no counts") }
                } else {
                    guard let quantity else {
                        throw CLIError(
                            code: Exit.usage, message: "give --quantity (with --line, or --bin and --item), or --file")
                    }
                    if let line {
                        counts = [CountInput(lineNo: line, quantity: try quantity_(quantity))]
                    } else {
                        guard let bin, let item else {
                            throw CLIError(code: Exit.usage, message: "give --line, or --bin and --item")
                        }
                        let q = try quantity_(quantity)
                        counts = [
                            CountInput(
                                bin: bin, item: item, unitOfMeasure: unit, quantity: q, lot: tracking.lot,
                                serial: tracking.serial, expirationDate: tracking.expirationDate)
                        ]
                    }
                }
                let r = try global.call(WhsePhysInventoryRecordCountsParams(journal: journal, counts: counts))
                if global.outputFormat == .table {
                    let lines = try decodeResult(r, as: WhseCountJournalResult.self).lines
                    let counted = lines.filter(\.counted).count
                    print("recorded \(counts.count) count(s); \(counted) of \(lines.count) lines counted")
                } else {
                    Output.object(r, format: global.outputFormat)
                }
            }
        }
    }

    struct Recalculate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recalculate stale lines (whsePhysInventory.recalculate); their counts must be entered again.",
            discussion: "Example: whsectl count recalculate COUNT1 --line 10000")
        @OptionGroup var global: Global
        @Argument var journal: String
        @Option(name: .customLong("line"), help: "Line number (repeatable; default: all lines).") var lines: [Int] = []
        func run() throws {
            try perform {
                let p = WhsePhysInventoryRecalculateParams(journal: journal, lines: lines.isEmpty ? nil : lines)
                let r = try global.call(p)
                if global.outputFormat == .table {
                    print("recalculated \(lines.isEmpty ? "all" : String(lines.count)) line(s)")
                } else {
                    Output.object(r, format: global.outputFormat)
                }
            }
        }
    }

    struct Register: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Register the count (whsePhysInventory.register): bins to counted, differences into the adjustment bin.",
            discussion: "Example: whsectl count register COUNT1")
        @OptionGroup var global: Global
        @Argument var journal: String
        func run() throws {
            try perform {
                let r = try global.call(WhsePhysInventoryRegisterParams(journal: journal))
                try printPosting(r, global.outputFormat)
            }
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a count journal without registering (whsePhysInventory.delete).",
            discussion: "Example: whsectl count delete COUNT1")
        @OptionGroup var global: Global
        @Argument var journal: String
        func run() throws {
            try perform {
                let r = try global.call(WhsePhysInventoryDeleteParams(journal: journal))
                Output.object(r, format: global.outputFormat)
            }
        }
    }
}

let physColumns: [Column] = {
    typealias K = PhysInventoryJournalResult.Line.Key
    return [
        Column("LINE", K.lineNo), Column("ITEM", K.item), Column("BIN", K.bin), Column("LOT", K.lot),
        Column("SERIAL", K.serial), Column("UNIT", K.unitOfMeasure),
        Column("CALCULATED", K.quantityCalculated), Column("PHYS. INVENTORY", K.quantityPhysInventory),
        Column("TYPE", K.entryType), Column("QUANTITY", K.quantity), Column("STALE", K.stale)
    ]
}()

/// The columns of `count journals` and `phys-inventory journals`.
let journalColumns: [Column] = {
    typealias K = CountJournalListResult.Summary.Key
    return [
        Column("JOURNAL", K.journal), Column("LOCATION", K.location), Column("LINES", K.lines),
        Column("COUNTED", K.counted), Column("BY", K.createdBy), Column("CREATED", K.createdAt)
    ]
}()

struct PhysInventoryGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "phys-inventory",
        abstract: "Phys. Inventory Journal: bring the item ledger to the counted stock.",
        subcommands: [Calculate.self, Show.self, Enter.self, Recalculate.self, Post.self, Delete.self])

    struct Calculate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Calculate a phys. inventory journal (physInventory.calculate).",
            discussion: "Example: whsectl phys-inventory calculate WH1 --journal PHYS1")
        @OptionGroup var global: Global
        @Argument var location: String
        @Option var journal: String?
        @Option var item: String?
        @Option var bin: String?
        @Option var documentNo: String?
        @Option var postingDate: String?
        @Flag var includeZero = false
        @Flag(help: "Only the items due in their counting period on the posting date (cycle count).")
        var countingPeriodDue = false
        func run() throws {
            try perform {
                let p = PhysInventoryCalculateParams(
                    location: location, journal: journal, documentNo: documentNo, postingDate: postingDate, item: item,
                    bin: bin, includeZero: includeZero, countingPeriodDue: countingPeriodDue ? true : nil)
                let (j, r) = try global.call(p, result: PhysInventoryJournalResult.self)
                if global.outputFormat == .table { print("journal \(Output.shown(.string(j.journal)))") }
                Output.rows(j.lines.map(\.wire), physColumns, format: global.outputFormat, whole: r)
            }
        }
    }
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a phys. inventory journal (physInventory.get).",
            discussion: "Example: whsectl phys-inventory show PHYS1")
        @OptionGroup var global: Global
        @Argument var journal: String
        func run() throws {
            try perform {
                let (j, r) = try global.call(
                    PhysInventoryGetParams(journal: journal), result: PhysInventoryJournalResult.self)
                Output.rows(j.lines.map(\.wire), physColumns, format: global.outputFormat, whole: r)
            }
        }
    }
    struct Enter: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enter counts at basic or plain locations (physInventory.recordCounts).",
            discussion: """
                Example: whsectl phys-inventory enter PHYS1 --item ITEM1 --bin S-01 --quantity 7
                A lot:   whsectl phys-inventory enter PHYS1 --item LOTITEM --lot LOT1002 --quantity 12   (a lot not listed gets a line)
                """)
        @OptionGroup var global: Global
        @Argument var journal: String
        @Option var line: Int?
        @Option var item: String?
        @Option var bin: String?
        @Option var unit: String?
        @Option var lot: String?
        @Option var serial: String?
        @Option(parsing: .unconditional) var quantity: String
        func run() throws {
            try perform {
                let count = CountInput(
                    lineNo: line, bin: bin, item: item, unitOfMeasure: unit,
                    quantity: try quantity_(quantity), lot: lot, serial: serial)
                let p = PhysInventoryRecordCountsParams(journal: journal, counts: [count])
                let (j, r) = try global.call(p, result: PhysInventoryJournalResult.self)
                Output.rows(j.lines.map(\.wire), physColumns, format: global.outputFormat, whole: r)
            }
        }
    }
    struct Recalculate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recalculate stale lines (physInventory.recalculate).",
            discussion: "Example: whsectl phys-inventory recalculate PHYS1")
        @OptionGroup var global: Global
        @Argument var journal: String
        @Option(name: .customLong("line")) var lines: [Int] = []
        func run() throws {
            try perform {
                let p = PhysInventoryRecalculateParams(journal: journal, lines: lines.isEmpty ? nil : lines)
                let (j, r) = try global.call(p, result: PhysInventoryJournalResult.self)
                Output.rows(j.lines.map(\.wire), physColumns, format: global.outputFormat, whole: r)
            }
        }
    }
    struct Post: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Post the journal (physInventory.post).",
            discussion: "Example: whsectl phys-inventory post PHYS1")
        @OptionGroup var global: Global
        @Argument var journal: String
        func run() throws {
            try perform {
                try printPosting(try global.call(PhysInventoryPostParams(journal: journal)), global.outputFormat)
            }
        }
    }
    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete the journal without posting (physInventory.delete).",
            discussion: "Example: whsectl phys-inventory delete PHYS1")
        @OptionGroup var global: Global
        @Argument var journal: String
        func run() throws {
            try perform {
                Output.object(try global.call(PhysInventoryDeleteParams(journal: journal)), format: global.outputFormat)
            }
        }
    }
}

/// The count sheet of `count list --format csv`, read back by `count enter --file`: the count list's columns, and the
/// count in `counted` (or `quantity`). A row names its line by `lineNo`, else by bin, item and tracking.
enum CountSheet {
    typealias Count = CountInput.Key
    /// The columns written, in order.
    static let columns = [
        Count.lineNo.rawValue, "location", "zone", Count.bin.rawValue, Count.item.rawValue,
        "description", Count.unitOfMeasure.rawValue, Count.lot.rawValue, Count.serial.rawValue,
        "quantityCalculated", counted
    ]
    /// The column the counter fills in.
    static let counted = "counted"

    /// The counts of a filled-in sheet (CSV or JSON Lines); rows with no count are skipped.
    static func read(_ path: String) throws -> [CountInput] {
        let allowed = Set(columns).union(Count.allCases.map(\.rawValue))
        let file = try FileRows(path, allowed: allowed)
        return try file.rows.compactMap { row throws -> CountInput? in
            guard let q = row.fields[counted] ?? row.fields[Count.quantity.rawValue] else { return nil }
            var c: [String: JSON] = [:]
            let keys: [Count] =
                row.fields[Count.lineNo.rawValue] != nil
                ? [.lineNo] : [.bin, .item, .unitOfMeasure, .lot, .serial, .expirationDate]
            for k in keys { c[k.rawValue] = row.fields[k.rawValue] }
            c[Count.quantity.rawValue] = q
            return try file.decode(c.filter { $0.value != .null }, line: row.line, as: CountInput.self)
        }
    }
}
