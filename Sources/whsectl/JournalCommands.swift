import ArgumentParser
import Warehouse
import WhseProtocol

/// Prints a posting's summary: register and entry ranges.
func printPosting(_ r: JSON, _ format: OutputFormat) throws {
    if format != .table {
        Output.object(r, format: format)
        return
    }
    let p = try decodeResult(r, as: PostingResult.self)
    var parts = ["register \(p.registerNo)", "\(p.lines) line(s)"]
    for (range, name) in [
        (p.warehouseEntries, "warehouse entries"), (p.itemLedgerEntries, "item ledger entries"),
        (p.physInventoryEntries, "phys. inventory entries")
    ] {
        if let range { parts.append("\(name) \(range.from)–\(range.to)") }
    }
    if p.replayed { parts.append("(replayed: posted earlier with this idempotency key)") }
    print("posted: " + parts.joined(separator: ", "))
    for w in p.warnings { print("warning: " + Output.shown(.string(w))) }
}

struct WhseJournalGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whse-journal",
        abstract: "Warehouse journals at directed locations: adjustments and reclassification.",
        subcommands: [Register.self, Reclass.self])

    struct Register: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Register a Whse. Item Journal (whseItemJournal.register): +q into a bin from the adjustment bin, -q back.",
            discussion: """
                One line:   whsectl whse-journal register WH1 --item ITEM1 --bin A-01 --quantity 5
                Many lines: whsectl whse-journal register WH1 --file lines.csv   (header: item,bin,quantity[,unitOfMeasure,zone,lot,serial,expirationDate])
                Tracked:    whsectl whse-journal register WH1 --item LOTITEM --bin A-01 --quantity 5 --lot L1 --expiration-date 2027-01-31
                """)
        @OptionGroup var global: Global
        @Argument var location: String
        @Option var item: String?
        @Option var bin: String?
        @Option var zone: String?
        @Option(parsing: .unconditional, help: "Signed quantity: positive adds to the bin, negative takes from it.")
        var quantity: String?
        @Option(help: "Unit of measure (default: the item's base unit).") var unit: String?
        @OptionGroup var tracking: TrackingOptions
        @Option var documentNo: String?
        @Option var registeringDate: String?
        @Option(help: "CSV or JSON Lines file of lines ('-' for stdin).") var file: String?
        func run() throws {
            try perform {
                let lines: [WhseItemJournalLine]
                if let f = file {
                    lines = try readLines(f, as: WhseItemJournalLine.self)
                    progress("whsectl: sending \(lines.count) lines")
                } else {
                    guard let item, let bin, let quantity else {
                        throw CLIError(code: Exit.usage, message: "give --item, --bin and --quantity, or --file")
                    }
                    lines = [
                        WhseItemJournalLine(
                            item: item, zone: zone, bin: bin, quantity: try quantity_(quantity),
                            unitOfMeasure: unit, lot: tracking.lot, serial: tracking.serial,
                            expirationDate: tracking.expirationDate)
                    ]
                }
                let p = WhseItemJournalRegisterParams(
                    location: location, documentNo: documentNo,
                    registeringDate: registeringDate, lines: lines)
                try printPosting(try global.call(p), global.outputFormat)
            }
        }
    }

    struct Reclass: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a Whse. Reclassification Journal (whseReclassJournal.register): bin to bin.",
            discussion: """
                One line:   whsectl whse-journal reclass WH1 --item ITEM1 --from-bin A-01 --to-bin A-02 --quantity 3
                Many lines: whsectl whse-journal reclass WH1 --file moves.csv   (header: item,fromBin,toBin,quantity[,unitOfMeasure,lot,serial,newLot,newSerial,newExpirationDate])
                New lot:    whsectl whse-journal reclass WH1 --item LOTITEM --from-bin A-01 --to-bin A-02 --quantity 2 --lot L1 --new-lot L9 --new-expiration-date 2027-06-30
                """)
        @OptionGroup var global: Global
        @Argument var location: String
        @Option var item: String?
        @Option var fromBin: String?
        @Option var toBin: String?
        @Option(parsing: .unconditional) var quantity: String?
        @Option var unit: String?
        @Option var lot: String?
        @Option var serial: String?
        @OptionGroup var newTracking: NewTrackingOptions
        @Option var documentNo: String?
        @Option var registeringDate: String?
        @Option(help: "CSV or JSON Lines file of lines ('-' for stdin).") var file: String?
        func run() throws {
            try perform {
                let lines: [WhseReclassJournalLine]
                if let f = file {
                    lines = try readLines(f, as: WhseReclassJournalLine.self)
                } else {
                    guard let item, let fromBin, let toBin, let quantity else {
                        throw CLIError(
                            code: Exit.usage, message: "give --item, --from-bin, --to-bin and --quantity, or --file")
                    }
                    let q = try quantity_(quantity)
                    lines = [
                        WhseReclassJournalLine(
                            item: item, fromBin: fromBin, toBin: toBin, quantity: q,
                            unitOfMeasure: unit, lot: lot, serial: serial,
                            newLot: newTracking.newLot,
                            newSerial: newTracking.newSerial,
                            newExpirationDate: newTracking.newExpirationDate)
                    ]
                }
                let p = WhseReclassJournalRegisterParams(
                    location: location, documentNo: documentNo,
                    registeringDate: registeringDate, lines: lines)
                try printPosting(try global.call(p), global.outputFormat)
            }
        }
    }
}

func quantity_(_ text: String) throws -> Quantity { try quantity(text, "--quantity") }

/// --lot, --serial and --expiration-date of a line.
struct TrackingOptions: ParsableArguments {
    @Option(help: "Lot no. (lot-tracked items).") var lot: String?
    @Option(help: "Serial no. (serial-tracked items; quantity 1).") var serial: String?
    @Option(help: "Expiration date YYYY-MM-DD of a lot coming in.") var expirationDate: String?
}

/// --new-lot, --new-serial and --new-expiration-date of a reclassification line.
struct NewTrackingOptions: ParsableArguments {
    @Option(help: "Reclassify into this lot no.") var newLot: String?
    @Option(help: "Reclassify into this serial no.") var newSerial: String?
    @Option(help: "Expiration date of the new lot.") var newExpirationDate: String?
}

/// The column `withTrackingText` adds: whsectl's own, not a member of the answer.
let trackingText = "trackingText"

let itemJournalColumns: [Column] = {
    typealias K = ItemJournalLineResult.Key
    return [
        Column("TYPE", K.entryType), Column("LOCATION", K.location), Column("BIN", K.bin), Column("ITEM", K.item),
        Column("QUANTITY", K.quantity), Column("UNIT", K.unitOfMeasure), Column("BASE QTY", K.quantityBase),
        Column("LOT", K.lot), Column("SERIAL", K.serial), Column("TRACKING", trackingText),
        Column("DOCUMENT", K.documentNo)
    ]
}()

/// Item journal lines with their tracking lines as one readable column ("L1 5; L2 3").
func withTrackingText(_ lines: [ItemJournalLineResult]) -> [JSON] {
    lines.map { l in
        guard case .object(var o) = l.wire else { return l.wire }
        let parts = l.tracking.map { t in
            [t.lot ?? "", t.serial ?? "", t.quantity.description].filter { !$0.isEmpty }.joined(separator: " ")
        }
        o[trackingText] = .string(parts.joined(separator: "; "))
        return .object(o)
    }
}

struct ItemJournalGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "item-journal",
        abstract: "Item journal: adjustments, purchases, sales; Calculate Whse. Adjustment.",
        subcommands: [Post.self, Reclass.self, CalcWhseAdjustment.self, Show.self, Delete.self])

    struct Reclass: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Post an Item Reclassification Journal (itemReclassJournal.post): bin, location or lot/serial changes at basic and plain locations.",
            discussion: """
                Bin to bin: whsectl item-journal reclass --item ITEM1 --location BASIC --bin S-01 --new-bin S-02 --quantity 3
                To a store: whsectl item-journal reclass --item ITEM1 --location BASIC --bin S-02 --new-location SHOP --quantity 5
                New lot:    whsectl item-journal reclass --item LOTITEM --location SHOP --lot L1 --new-lot L2 --quantity 4
                A file:     --file lines.csv (header: item,location,bin,newLocation,newBin,quantity[,unitOfMeasure,lot,serial,newLot,newSerial,newExpirationDate])
                """)
        @OptionGroup var global: Global
        @Option var item: String?
        @Option var location: String?
        @Option var bin: String?
        @Option var newLocation: String?
        @Option var newBin: String?
        @Option(parsing: .unconditional) var quantity: String?
        @Option var unit: String?
        @Option var lot: String?
        @Option var serial: String?
        @OptionGroup var newTracking: NewTrackingOptions
        @Option var documentNo: String?
        @Option var postingDate: String?
        @Option(help: "CSV or JSON Lines file of lines ('-' for stdin).") var file: String?
        func run() throws {
            try perform {
                let lines: [ItemReclassJournalLine]
                if let f = file {
                    lines = try readLines(f, as: ItemReclassJournalLine.self)
                } else {
                    guard let item, let location, let quantity else {
                        throw CLIError(
                            code: Exit.usage,
                            message: "give --item, --location and --quantity (and what changes), or --file")
                    }
                    let q = try quantity_(quantity)
                    lines = [
                        ItemReclassJournalLine(
                            item: item, location: location, bin: bin, newLocation: newLocation,
                            newBin: newBin, quantity: q, unitOfMeasure: unit, lot: lot,
                            serial: serial,
                            newLot: newTracking.newLot, newSerial: newTracking.newSerial,
                            newExpirationDate: newTracking.newExpirationDate)
                    ]
                }
                let p = ItemReclassJournalPostParams(documentNo: documentNo, postingDate: postingDate, lines: lines)
                try printPosting(try global.call(p), global.outputFormat)
            }
        }
    }

    struct Post: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Post item journal lines, or a batch made by calc-whse-adjustment (itemJournal.post).",
            discussion: """
                One line:  whsectl item-journal post --entry-type purchase --location BASIC --bin S-01 --item ITEM1 --quantity 10
                A batch:   whsectl item-journal post --batch DEFAULT
                A file:    whsectl item-journal post --file lines.csv  (header: entryType,location,bin,item,quantity[,unitOfMeasure,documentNo,postingDate,lot,serial,expirationDate])
                Tracked:   whsectl item-journal post --entry-type purchase --location MAIN --item LOTITEM --quantity 80 --lot LOT1001
                Entry types: positiveAdjmt, negativeAdjmt, purchase, sale.
                """)
        @OptionGroup var global: Global
        @Option var batch: String?
        @Option var entryType: EntryType?
        @Option var location: String?
        @Option var bin: String?
        @Option var item: String?
        @Option(parsing: .unconditional) var quantity: String?
        @Option var unit: String?
        @OptionGroup var tracking: TrackingOptions
        @Option var documentNo: String?
        @Option var postingDate: String?
        @Option(help: "CSV or JSON Lines file of lines ('-' for stdin).") var file: String?
        func run() throws {
            try perform {
                let p: ItemJournalPostParams
                if let batch {
                    p = ItemJournalPostParams(batch: batch)
                } else {
                    let lines: [ItemJournalPostLine]
                    if let f = file {
                        lines = try readLines(f, as: ItemJournalPostLine.self)
                    } else {
                        guard let entryType, let location, let item, let quantity else {
                            throw CLIError(
                                code: Exit.usage,
                                message: "give --batch, or --entry-type, --location, --item and --quantity, or --file")
                        }
                        let q = try quantity_(quantity)
                        lines = [
                            ItemJournalPostLine(
                                entryType: entryType, location: location, bin: bin, item: item,
                                quantity: q, unitOfMeasure: unit, lot: tracking.lot,
                                serial: tracking.serial, expirationDate: tracking.expirationDate)
                        ]
                    }
                    p = ItemJournalPostParams(lines: lines, documentNo: documentNo, postingDate: postingDate)
                }
                try printPosting(try global.call(p), global.outputFormat)
            }
        }
    }

    struct CalcWhseAdjustment: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "calc-whse-adjustment",
            abstract:
                "Turn the adjustment bins' content into item journal lines (itemJournal.calculateWhseAdjustment).",
            discussion:
                "Example: whsectl item-journal calc-whse-adjustment --location WH1 && whsectl item-journal post --batch DEFAULT"
        )
        @OptionGroup var global: Global
        @Option var batch: String = "DEFAULT"
        @Option var location: String?
        @Option var item: String?
        @Option var documentNo: String?
        @Option var postingDate: String?
        func run() throws {
            try perform {
                let p = ItemJournalCalculateWhseAdjustmentParams(
                    batch: batch, location: location, item: item,
                    documentNo: documentNo, postingDate: postingDate)
                let (batch, r) = try global.call(p, result: ItemJournalBatchResult.self)
                Output.rows(withTrackingText(batch.lines), itemJournalColumns, format: global.outputFormat, whole: r)
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a batch's lines (itemJournal.get).",
            discussion: "Example: whsectl item-journal show --batch DEFAULT")
        @OptionGroup var global: Global
        @Option var batch: String = "DEFAULT"
        func run() throws {
            try perform {
                let p = ItemJournalGetParams(batch: batch)
                let (result, r) = try global.call(p, result: ItemJournalBatchResult.self)
                Output.rows(withTrackingText(result.lines), itemJournalColumns, format: global.outputFormat, whole: r)
            }
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a batch's lines without posting (itemJournal.delete).",
            discussion: "Example: whsectl item-journal delete --batch DEFAULT")
        @OptionGroup var global: Global
        @Option var batch: String = "DEFAULT"
        func run() throws {
            try perform {
                Output.object(try global.call(ItemJournalDeleteParams(batch: batch)), format: global.outputFormat)
            }
        }
    }
}
