import ArgumentParser
import WhseProtocol

let binColumns = [Column("LOCATION", "location"), Column("ZONE", "zone"), Column("BIN", "bin"), Column("ITEM", "item"),
                  Column("UNIT", "unitOfMeasure"), Column("LOT", "lot"), Column("SERIAL", "serial"), Column("EXPIRES", "expirationDate"),
                  Column("QUANTITY", "quantity"), Column("BASE QTY", "quantityBase"), Column("ADJ", "adjustmentBin"),
                  Column("DEFAULT", "default")]

struct LocationGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "location", abstract: "Locations (sites) and their kinds.",
        subcommands: [Create.self, Update.self, Get.self, List.self, Convert.self])

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a location's name, bin capacity policy, warehouse class check or negative-inventory setting (location.update).",
            discussion: "Example: whsectl location update WH1 --bin-capacity-policy prohibitMore --check-warehouse-class")
        @OptionGroup var global: Global
        @Argument var code: String
        @Option var name: String?
        @Option(help: "never, allowMore (post and warn) or prohibitMore (refuse).") var binCapacityPolicy: String?
        @Flag(inversion: .prefixedNo, help: "Items go only into bins of their warehouse class.") var checkWarehouseClass: Bool?
        @Flag(inversion: .prefixedNo, help: "Item journal lines may take the location's inventory below zero (directed and plain locations).")
        var allowNegativeInventory: Bool?
        func run() throws {
            try perform {
                var p: [String: JSON] = ["code": .string(code)]
                opt(&p, "name", name); opt(&p, "binCapacityPolicy", binCapacityPolicy)
                if let c = checkWarehouseClass { p["checkWarehouseClass"] = .bool(c) }
                if let a = allowNegativeInventory { p["allowNegativeInventory"] = .bool(a) }
                Output.object(try global.call("location.update", p, posting: true), format: global.outputFormat)
            }
        }
    }

    struct Convert: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Convert a plain location to directed put-away and pick (location.convertToDirected).",
            discussion: """
                Its stock moves into the new adjustment bin; then count it into real bins:
                  whsectl location convert SHOP
                  whsectl count calculate SHOP --journal MOVE-IN
                  whsectl count enter MOVE-IN --bin A-01 --item ITEM1 --quantity 40
                  whsectl count register MOVE-IN
                """)
        @OptionGroup var global: Global
        @Argument var code: String
        @Option var adjustmentBin: String?
        @Option var adjustmentZone: String?
        func run() throws {
            try perform {
                var p: [String: JSON] = ["code": .string(code)]
                opt(&p, "adjustmentBin", adjustmentBin); opt(&p, "adjustmentZone", adjustmentZone)
                printPosting(try global.call("location.convertToDirected", p, posting: true), global.outputFormat)
            }
        }
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a location (location.create).",
            discussion: "Example: whsectl location create WH1 --name 'Main warehouse' --kind directed --adjustment-bin ADJ")
        @OptionGroup var global: Global
        @Argument(help: "Location code.") var code: String
        @Option(help: "Name.") var name: String?
        @Option(help: "directed (zones, adjustment bin), basic (bin mandatory) or plain (no bins).") var kind: String = "directed"
        @Option(help: "Code of the default adjustment bin (directed).") var adjustmentBin: String?
        @Option(help: "Zone of the adjustment bin (directed).") var adjustmentZone: String?
        @Option(help: "never (default), allowMore (post and warn) or prohibitMore (refuse).") var binCapacityPolicy: String?
        @Flag(help: "Items go only into bins of their warehouse class.") var checkWarehouseClass = false
        @Flag(help: "Item journal lines may take the location's inventory below zero (directed and plain locations).")
        var allowNegativeInventory = false
        func run() throws {
            try perform {
                var p: [String: JSON] = ["code": .string(code), "kind": .string(kind)]
                opt(&p, "name", name); opt(&p, "adjustmentBin", adjustmentBin); opt(&p, "adjustmentZone", adjustmentZone)
                opt(&p, "binCapacityPolicy", binCapacityPolicy)
                if checkWarehouseClass { p["checkWarehouseClass"] = .bool(true) }
                if allowNegativeInventory { p["allowNegativeInventory"] = .bool(true) }
                Output.object(try global.call("location.create", p, posting: true), format: global.outputFormat)
            }
        }
    }

    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a location (location.get).",
                                                        discussion: "Example: whsectl location get WH1")
        @OptionGroup var global: Global
        @Argument var code: String
        func run() throws {
            try perform { Output.object(try global.call("location.get", ["code": .string(code)]), format: global.outputFormat) }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List locations (location.list).",
                                                        discussion: "Example: whsectl location list")
        @OptionGroup var global: Global
        func run() throws {
            try perform {
                let r = try global.call("location.list", [:])
                Output.rows(r["locations"]?.arrayValue ?? [], [Column("CODE", "code"), Column("KIND", "kind"),
                            Column("ADJUSTMENT BIN", "adjustmentBin"), Column("NAME", "name")],
                            format: global.outputFormat, whole: r)
            }
        }
    }
}

struct ZoneGroup: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "zone", abstract: "Zones of directed locations.",
                                                    subcommands: [Create.self, List.self])
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a zone (zone.create).",
                                                        discussion: "Example: whsectl zone create WH1 PICK --bin-type PICK")
        @OptionGroup var global: Global
        @Argument var location: String
        @Argument var code: String
        @Option(help: "Bin type new bins take: RECEIVE, SHIP, PUTAWAY, PICK, PUTPICK, QC.") var binType: String?
        @Option(help: "Warehouse class new bins take.") var warehouseClass: String?
        @Option var description: String?
        func run() throws {
            try perform {
                var p: [String: JSON] = ["location": .string(location), "code": .string(code)]
                opt(&p, "binType", binType); opt(&p, "description", description); opt(&p, "warehouseClass", warehouseClass)
                Output.object(try global.call("zone.create", p, posting: true), format: global.outputFormat)
            }
        }
    }
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a location's zones (zone.list).",
                                                        discussion: "Example: whsectl zone list WH1")
        @OptionGroup var global: Global
        @Argument var location: String
        func run() throws {
            try perform {
                let r = try global.call("zone.list", ["location": .string(location)])
                Output.rows(r["zones"]?.arrayValue ?? [], [Column("ZONE", "code"), Column("BIN TYPE", "binType"),
                            Column("DESCRIPTION", "description")], format: global.outputFormat, whole: r)
            }
        }
    }
}

struct BinGroup: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bin", abstract: "Bins and what they hold.",
                                                    subcommands: [Create.self, Update.self, List.self, Contents.self, SetupContent.self])
    struct SetupContent: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "setup-content",
            abstract: "Set up a bin content: min./max. quantity, Fixed, Default (binContent.setup).",
            discussion: """
                Example: whsectl bin setup-content BASIC S-02 --item ITEM1 --default --fixed
                         whsectl bin setup-content WH1 A-01 --item ITEM1 --unit BOX --max 20
                """)
        @OptionGroup var global: Global
        @Argument var location: String
        @Argument var bin: String
        @Option var item: String
        @Option var unit: String?
        @Option(parsing: .unconditional) var min: String?
        @Option(parsing: .unconditional, help: "Max. quantity in the unit (0: none).") var max: String?
        @Flag(inversion: .prefixedNo, help: "Keep the bin content when it is empty.") var fixed: Bool?
        @Flag(inversion: .prefixedNo, help: "The item's default bin at the location.") var `default`: Bool?
        func run() throws {
            try perform {
                var p: [String: JSON] = ["location": .string(location), "bin": .string(bin), "item": .string(item)]
                opt(&p, "unitOfMeasure", unit)
                if let min { p["minQuantity"] = try quantity(min, "--min") }
                if let max { p["maxQuantity"] = try quantity(max, "--max") }
                if let fixed { p["fixed"] = .bool(fixed) }
                if let d = `default` { p["default"] = .bool(d) }
                Output.object(try global.call("binContent.setup", p, posting: true), format: global.outputFormat)
            }
        }
    }
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a bin (bin.create).",
                                                        discussion: "Example: whsectl bin create WH1 A-01 --zone PICK")
        @OptionGroup var global: Global
        @Argument var location: String
        @Argument var code: String
        @Option(help: "Zone (required at directed locations).") var zone: String?
        @Option(help: "Bin type (default: the zone's).") var binType: String?
        @Option(help: "Block movement: none, inbound, outbound, all.") var block: String?
        @Option(parsing: .unconditional, help: "Maximum cubage (0: unlimited).") var maximumCubage: String?
        @Option(parsing: .unconditional, help: "Maximum weight (0: unlimited).") var maximumWeight: String?
        @Option(help: "Warehouse class (default: the zone's).") var warehouseClass: String?
        @Option var description: String?
        func run() throws {
            try perform {
                var p: [String: JSON] = ["location": .string(location), "code": .string(code)]
                opt(&p, "zone", zone); opt(&p, "binType", binType); opt(&p, "blockMovement", block); opt(&p, "description", description)
                opt(&p, "warehouseClass", warehouseClass)
                if let c = maximumCubage { p["maximumCubage"] = try quantity(c, "--maximum-cubage") }
                if let w = maximumWeight { p["maximumWeight"] = try quantity(w, "--maximum-weight") }
                Output.object(try global.call("bin.create", p, posting: true), format: global.outputFormat)
            }
        }
    }
    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a bin (bin.update).",
                                                        discussion: "Example: whsectl bin update WH1 A-01 --block outbound")
        @OptionGroup var global: Global
        @Argument var location: String
        @Argument var code: String
        @Option(help: "Block movement: none, inbound, outbound, all.") var block: String?
        @Option var binType: String?
        @Option var description: String?
        @Option(parsing: .unconditional, help: "Maximum cubage (0: unlimited).") var maximumCubage: String?
        @Option(parsing: .unconditional, help: "Maximum weight (0: unlimited).") var maximumWeight: String?
        @Option(help: "Warehouse class (the bin must be empty).") var warehouseClass: String?
        @Flag(help: "Remove the bin's warehouse class (the bin must be empty).") var clearWarehouseClass = false
        func run() throws {
            try perform {
                var p: [String: JSON] = ["location": .string(location), "code": .string(code)]
                opt(&p, "blockMovement", block); opt(&p, "binType", binType); opt(&p, "description", description)
                if let c = maximumCubage { p["maximumCubage"] = try quantity(c, "--maximum-cubage") }
                if let w = maximumWeight { p["maximumWeight"] = try quantity(w, "--maximum-weight") }
                if clearWarehouseClass { p["warehouseClass"] = .null } else { opt(&p, "warehouseClass", warehouseClass) }
                Output.object(try global.call("bin.update", p, posting: true), format: global.outputFormat)
            }
        }
    }
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a location's bins (bin.list).",
                                                        discussion: "Example: whsectl bin list WH1 --zone PICK")
        @OptionGroup var global: Global
        @Argument var location: String
        @Option var zone: String?
        func run() throws {
            try perform {
                var p: [String: JSON] = ["location": .string(location)]
                opt(&p, "zone", zone)
                let r = try global.call("bin.list", p)
                Output.rows(r["bins"]?.arrayValue ?? [], [Column("BIN", "code"), Column("ZONE", "zone"),
                            Column("BIN TYPE", "binType"), Column("BLOCK", "blockMovement"), Column("ADJ", "adjustmentBin"),
                            Column("DESCRIPTION", "description")], format: global.outputFormat, whole: r)
            }
        }
    }
    struct Contents: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "What a bin holds (bin.contents).",
                                                        discussion: "Example: whsectl bin contents WH1 A-01")
        @OptionGroup var global: Global
        @Argument var location: String
        @Argument var bin: String
        @Flag(help: "Include items whose quantity is zero.") var includeZero = false
        func run() throws {
            try perform {
                let r = MemberDefaults.binContentRow.restored(
                    try global.call("bin.contents", ["location": .string(location), "bin": .string(bin),
                                                     "includeZero": .bool(includeZero)]), in: "rows")
                Output.rows(r["rows"]?.arrayValue ?? [], binColumns, format: global.outputFormat, whole: r)
            }
        }
    }
}

struct ItemGroup: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "item", abstract: "Items, where they are, availability.",
                                                    subcommands: [Create.self, Get.self, List.self, Bins.self, Availability.self,
                                                                  SetCountingPeriod.self, Block.self])
    struct Block: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Block (or --unblock) a lot or serial no.: it stays in stock but is not available to pick or reserve (itemTracking.setBlocked).",
            discussion: "Example: whsectl item block LOTITEM --lot L1     whsectl item block LOTITEM --lot L1 --unblock")
        @OptionGroup var global: Global
        @Argument var item: String
        @Option var lot: String?
        @Option var serial: String?
        @Flag(help: "Lift the block.") var unblock = false
        func run() throws {
            try perform {
                var p: [String: JSON] = ["item": .string(item), "blocked": .bool(!unblock)]
                opt(&p, "lot", lot); opt(&p, "serial", serial)
                Output.object(try global.call("itemTracking.setBlocked", p, posting: true), format: global.outputFormat)
            }
        }
    }
    struct SetCountingPeriod: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-counting-period",
            abstract: "Assign a counting period to an item; its next counting window holds --date (item.setCountingPeriod).",
            discussion: "Example: whsectl item set-counting-period ITEM1 --period MONTH --date 2026-03-15   (--clear removes it)")
        @OptionGroup var global: Global
        @Argument var item: String
        @Option var period: String?
        @Flag(help: "Remove the item's counting period.") var clear = false
        @Option(help: "YYYY-MM-DD (default: today).") var date: String?
        func run() throws {
            try perform {
                guard (period == nil) == clear else { throw CLIError(code: Exit.usage, message: "give --period CODE or --clear") }
                var p: [String: JSON] = ["item": .string(item), "countingPeriod": period.map { .string($0) } ?? .null]
                opt(&p, "date", date)
                Output.object(try global.call("item.setCountingPeriod", p, posting: true), format: global.outputFormat)
            }
        }
    }
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an item (item.create).",
                                                        discussion: """
                                                            Example: whsectl item create ITEM1 --description Widget --base-unit PCS --unit BOX=12
                                                            Tracked: whsectl item create LOTITEM --lot-tracked --expiration-required
                                                            Whole pieces only: whsectl item create ITEM2 --unit BOX=6 --rounding PCS=1
                                                            """)
        @OptionGroup var global: Global
        @Argument var no: String
        @Option var description: String?
        @Option(help: "Base unit of measure.") var baseUnit: String = "PCS"
        @Option(name: .customLong("unit"), help: "A further unit as CODE=QTY-PER-UNIT (repeatable).") var units: [String] = []
        @Option(name: .customLong("rounding"), help: "A unit's rounding precision as CODE=PRECISION, e.g. PCS=1 (repeatable).")
        var roundings: [String] = []
        @Flag(help: "Lot warehouse tracking: every line carries a lot no.") var lotTracked = false
        @Flag(help: "Serial warehouse tracking: every line carries a serial no.") var serialTracked = false
        @Flag(help: "A lot coming in needs an expiration date.") var expirationRequired = false
        @Option(help: "Warehouse class (bins of the same class only, where the location checks classes).") var warehouseClass: String?
        @Option(name: .customLong("cubage"), help: "A unit's cubage as CODE=CUBAGE (repeatable).") var cubages: [String] = []
        @Option(name: .customLong("weight"), help: "A unit's weight as CODE=WEIGHT (repeatable).") var weights: [String] = []
        func run() throws {
            try perform {
                var p: [String: JSON] = ["no": .string(no), "baseUnitOfMeasure": .string(baseUnit)]
                opt(&p, "description", description)
                var list: [JSON] = []
                var precision: [String: JSON] = [:]
                opt(&p, "warehouseClass", warehouseClass)
                var measures: [String: [String: JSON]] = [:]
                for (flag, key, values) in [("--cubage", "cubage", cubages), ("--weight", "weight", weights)] {
                    for v in values {
                        let parts = v.split(separator: "=", maxSplits: 1).map(String.init)
                        guard parts.count == 2 else { throw CLIError(code: Exit.usage, message: "\(flag) takes CODE=QUANTITY, e.g. BOX=0.25") }
                        measures[parts[0], default: [:]][key] = try quantity(parts[1], "\(flag) \(v)")
                    }
                }
                for r in roundings {
                    let parts = r.split(separator: "=", maxSplits: 1).map(String.init)
                    guard parts.count == 2 else { throw CLIError(code: Exit.usage, message: "--rounding takes CODE=PRECISION, e.g. PCS=1") }
                    precision[parts[0]] = try quantity(parts[1], "--rounding \(r)")
                }
                for u in units {
                    let parts = u.split(separator: "=", maxSplits: 1).map(String.init)
                    guard parts.count == 2 else { throw CLIError(code: Exit.usage, message: "--unit takes CODE=QTY, e.g. BOX=12") }
                    var o: [String: JSON] = ["code": .string(parts[0]), "quantityPerUnitOfMeasure": try quantity(parts[1], "--unit \(u)")]
                    if let r = precision.removeValue(forKey: parts[0]) { o["roundingPrecision"] = r }
                    for (k, v) in measures.removeValue(forKey: parts[0]) ?? [:] { o[k] = v }
                    list.append(.object(o))
                }
                for code in Set(precision.keys).union(measures.keys).sorted() {
                    guard code == baseUnit else { throw CLIError(code: Exit.usage, message: "\(code): not a unit of the item") }
                    var o: [String: JSON] = ["code": .string(code)]
                    if let r = precision[code] { o["roundingPrecision"] = r }
                    for (k, v) in measures[code] ?? [:] { o[k] = v }
                    list.append(.object(o))
                }
                if lotTracked || serialTracked || expirationRequired {
                    p["tracking"] = .object(["lot": .bool(lotTracked), "serial": .bool(serialTracked),
                                             "expirationRequired": .bool(expirationRequired)])
                }
                if !list.isEmpty { p["unitsOfMeasure"] = .array(list) }
                Output.object(try global.call("item.create", p, posting: true), format: global.outputFormat)
            }
        }
    }
    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an item (item.get).", discussion: "Example: whsectl item get ITEM1")
        @OptionGroup var global: Global
        @Argument var no: String
        func run() throws { try perform { Output.object(try global.call("item.get", ["no": .string(no)]), format: global.outputFormat) } }
    }
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List items (item.list).", discussion: "Example: whsectl item list")
        @OptionGroup var global: Global
        func run() throws {
            try perform {
                let r = try global.call("item.list", [:])
                Output.rows(r["items"]?.arrayValue ?? [], [Column("ITEM", "no"), Column("BASE UNIT", "baseUnitOfMeasure"),
                            Column("DESCRIPTION", "description")], format: global.outputFormat, whole: r)
            }
        }
    }
    struct Bins: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Where an item is, per bin, the adjustment bin included (item.bins).",
                                                        discussion: "Example: whsectl item bins ITEM1 --location WH1")
        @OptionGroup var global: Global
        @Argument var item: String
        @Option var location: String?
        @Flag var includeZero = false
        func run() throws {
            try perform {
                var p: [String: JSON] = ["item": .string(item), "includeZero": .bool(includeZero)]
                opt(&p, "location", location)
                let r = MemberDefaults.binContentRow.restored(try global.call("item.bins", p), in: "rows")
                Output.rows(r["rows"]?.arrayValue ?? [], binColumns, format: global.outputFormat, whole: r)
            }
        }
    }
    struct Availability: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Inventory, stock in bins, adjustment bin and available quantity (item.availability).",
                                                        discussion: "Example: whsectl item availability ITEM1")
        @OptionGroup var global: Global
        @Argument var item: String
        @Option var location: String?
        func run() throws {
            try perform {
                var p: [String: JSON] = ["item": .string(item)]
                opt(&p, "location", location)
                let r = try global.call("item.availability", p)
                Output.rows(r["locations"]?.arrayValue ?? [], [Column("LOCATION", "location"), Column("ITEM", "item"),
                            Column("INVENTORY", "inventory"), Column("IN BINS", "inBins"), Column("ADJ BIN", "adjustmentBin"),
                            Column("AVAILABLE", "available"), Column("TO PICK", "availableToPick"), Column("RESERVED", "reserved"),
                            Column("TO RESERVE", "availableToReserve")], format: global.outputFormat, whole: r)
            }
        }
    }
}
