import ArgumentParser
import WhseProtocol

/// Prints a posting's summary: register and entry ranges.
func printPosting(_ r: JSON, _ format: OutputFormat) {
    if format != .table && format != .csv { print(r.serializedString); return }
    var parts = ["register \(Output.text(r["registerNo"]))", "\(Output.text(r["lines"])) line(s)"]
    for (key, name) in [("warehouseEntries", "warehouse entries"), ("itemLedgerEntries", "item ledger entries"),
                        ("physInventoryEntries", "phys. inventory entries")] {
        if let range = r[key], case .object = range {
            parts.append("\(name) \(Output.text(range["from"]))–\(Output.text(range["to"]))")
        }
    }
    if r["replayed"] == .bool(true) { parts.append("(replayed: posted earlier with this idempotency key)") }
    print("posted: " + parts.joined(separator: ", "))
}

struct WhseJournalGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whse-journal", abstract: "Warehouse journals at directed locations: adjustments and reclassification.",
        subcommands: [Register.self, Reclass.self])

    struct Register: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a Whse. Item Journal (whseItemJournal.register): +q into a bin from the adjustment bin, -q back.",
            discussion: """
                One line:   whsectl whse-journal register WH1 --item ITEM1 --bin A-01 --quantity 5
                Many lines: whsectl whse-journal register WH1 --file lines.csv   (header: item,bin,quantity[,unitOfMeasure,zone])
                """)
        @OptionGroup var global: Global
        @Argument var location: String
        @Option var item: String?
        @Option var bin: String?
        @Option var zone: String?
        @Option(parsing: .unconditional, help: "Signed quantity: positive adds to the bin, negative takes from it.") var quantity: String?
        @Option(help: "Unit of measure (default: the item's base unit).") var unit: String?
        @Option var documentNo: String?
        @Option var registeringDate: String?
        @Option(help: "CSV or JSON Lines file of lines ('-' for stdin).") var file: String?
        func run() throws {
            try perform {
                var lines: [JSON]
                if let f = file {
                    lines = try readLines(f, quantityFields: ["quantity"], allowed: ["item", "bin", "zone", "quantity", "unitOfMeasure"])
                    progress("whsectl: sending \(lines.count) lines")
                } else {
                    guard let item, let bin, let quantity else {
                        throw CLIError(code: Exit.usage, message: "give --item, --bin and --quantity, or --file")
                    }
                    var l: [String: JSON] = ["item": .string(item), "bin": .string(bin), "quantity": try quantity_(quantity)]
                    opt(&l, "unitOfMeasure", unit); opt(&l, "zone", zone)
                    lines = [.object(l)]
                }
                var p: [String: JSON] = ["location": .string(location), "lines": .array(lines)]
                opt(&p, "documentNo", documentNo); opt(&p, "registeringDate", registeringDate)
                printPosting(try global.call("whseItemJournal.register", p, posting: true), global.outputFormat)
            }
        }
    }

    struct Reclass: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a Whse. Reclassification Journal (whseReclassJournal.register): bin to bin.",
            discussion: """
                One line:   whsectl whse-journal reclass WH1 --item ITEM1 --from-bin A-01 --to-bin A-02 --quantity 3
                Many lines: whsectl whse-journal reclass WH1 --file moves.csv   (header: item,fromBin,toBin,quantity[,unitOfMeasure])
                """)
        @OptionGroup var global: Global
        @Argument var location: String
        @Option var item: String?
        @Option var fromBin: String?
        @Option var toBin: String?
        @Option(parsing: .unconditional) var quantity: String?
        @Option var unit: String?
        @Option var documentNo: String?
        @Option var registeringDate: String?
        @Option(help: "CSV or JSON Lines file of lines ('-' for stdin).") var file: String?
        func run() throws {
            try perform {
                var lines: [JSON]
                if let f = file {
                    lines = try readLines(f, quantityFields: ["quantity"], allowed: ["item", "fromBin", "toBin", "quantity", "unitOfMeasure"])
                } else {
                    guard let item, let fromBin, let toBin, let quantity else {
                        throw CLIError(code: Exit.usage, message: "give --item, --from-bin, --to-bin and --quantity, or --file")
                    }
                    var l: [String: JSON] = ["item": .string(item), "fromBin": .string(fromBin), "toBin": .string(toBin),
                                             "quantity": try quantity_(quantity)]
                    opt(&l, "unitOfMeasure", unit)
                    lines = [.object(l)]
                }
                var p: [String: JSON] = ["location": .string(location), "lines": .array(lines)]
                opt(&p, "documentNo", documentNo); opt(&p, "registeringDate", registeringDate)
                printPosting(try global.call("whseReclassJournal.register", p, posting: true), global.outputFormat)
            }
        }
    }
}

func quantity_(_ text: String) throws -> JSON { try quantity(text, "--quantity") }

let itemJournalColumns = [Column("TYPE", "entryType"), Column("LOCATION", "location"), Column("BIN", "bin"),
                          Column("ITEM", "item"), Column("QUANTITY", "quantity"), Column("UNIT", "unitOfMeasure"),
                          Column("BASE QTY", "quantityBase"), Column("DOCUMENT", "documentNo")]

struct ItemJournalGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "item-journal", abstract: "Item journal: adjustments, purchases, sales; Calculate Whse. Adjustment.",
        subcommands: [Post.self, CalcWhseAdjustment.self, Show.self, Delete.self])

    struct Post: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Post item journal lines, or a batch made by calc-whse-adjustment (itemJournal.post).",
            discussion: """
                One line:  whsectl item-journal post --entry-type purchase --location BASIC --bin S-01 --item ITEM1 --quantity 10
                A batch:   whsectl item-journal post --batch DEFAULT
                A file:    whsectl item-journal post --file lines.csv  (header: entryType,location,bin,item,quantity[,unitOfMeasure,documentNo,postingDate])
                Entry types: positiveAdjmt, negativeAdjmt, purchase, sale.
                """)
        @OptionGroup var global: Global
        @Option var batch: String?
        @Option var entryType: String?
        @Option var location: String?
        @Option var bin: String?
        @Option var item: String?
        @Option(parsing: .unconditional) var quantity: String?
        @Option var unit: String?
        @Option var documentNo: String?
        @Option var postingDate: String?
        @Option(help: "CSV or JSON Lines file of lines ('-' for stdin).") var file: String?
        func run() throws {
            try perform {
                var p: [String: JSON] = [:]
                if let batch {
                    p["batch"] = .string(batch)
                } else {
                    var lines: [JSON]
                    if let f = file {
                        lines = try readLines(f, quantityFields: ["quantity"], allowed: ["entryType", "location", "bin", "item", "quantity",
                                                                                          "unitOfMeasure", "documentNo", "postingDate"])
                    } else {
                        guard let entryType, let location, let item, let quantity else {
                            throw CLIError(code: Exit.usage, message: "give --batch, or --entry-type, --location, --item and --quantity, or --file")
                        }
                        var l: [String: JSON] = ["entryType": .string(entryType), "location": .string(location),
                                                 "item": .string(item), "quantity": try quantity_(quantity)]
                        opt(&l, "bin", bin); opt(&l, "unitOfMeasure", unit)
                        lines = [.object(l)]
                    }
                    p["lines"] = .array(lines)
                    opt(&p, "documentNo", documentNo); opt(&p, "postingDate", postingDate)
                }
                printPosting(try global.call("itemJournal.post", p, posting: true), global.outputFormat)
            }
        }
    }

    struct CalcWhseAdjustment: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "calc-whse-adjustment",
            abstract: "Turn the adjustment bins' content into item journal lines (itemJournal.calculateWhseAdjustment).",
            discussion: "Example: whsectl item-journal calc-whse-adjustment --location WH1 && whsectl item-journal post --batch DEFAULT")
        @OptionGroup var global: Global
        @Option var batch: String = "DEFAULT"
        @Option var location: String?
        @Option var item: String?
        @Option var documentNo: String?
        @Option var postingDate: String?
        func run() throws {
            try perform {
                var p: [String: JSON] = ["batch": .string(batch)]
                opt(&p, "location", location); opt(&p, "item", item); opt(&p, "documentNo", documentNo); opt(&p, "postingDate", postingDate)
                let r = try global.call("itemJournal.calculateWhseAdjustment", p, posting: true)
                Output.rows(r["lines"]?.arrayValue ?? [], itemJournalColumns, format: global.outputFormat, whole: r)
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a batch's lines (itemJournal.get).",
                                                        discussion: "Example: whsectl item-journal show --batch DEFAULT")
        @OptionGroup var global: Global
        @Option var batch: String = "DEFAULT"
        func run() throws {
            try perform {
                let r = try global.call("itemJournal.get", ["batch": .string(batch)])
                Output.rows(r["lines"]?.arrayValue ?? [], itemJournalColumns, format: global.outputFormat, whole: r)
            }
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a batch's lines without posting (itemJournal.delete).",
                                                        discussion: "Example: whsectl item-journal delete --batch DEFAULT")
        @OptionGroup var global: Global
        @Option var batch: String = "DEFAULT"
        func run() throws {
            try perform { Output.object(try global.call("itemJournal.delete", ["batch": .string(batch)], posting: true), format: global.outputFormat) }
        }
    }
}
