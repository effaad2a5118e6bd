import ArgumentParser
import Warehouse
import WhseProtocol

// The enumerations of the params, given on the command line by their wire names.
extension LocationKind: ExpressibleByArgument {}
extension CapacityPolicy: ExpressibleByArgument {}
extension BlockMovement: ExpressibleByArgument {}
extension EntryType: ExpressibleByArgument {}

/// The rows of a `bin.contents` or `item.bins` answer, each lean member put back at its default, and the answer
/// with those rows.
func restoredRows(_ answer: JSON) throws -> (rows: [JSON], whole: JSON) {
    let r = MemberDefaults.binContentRow.restored(answer, in: BinContentRowsResult.Key.rows.rawValue)
    return (try decodeResult(r, as: BinContentRowsResult.self).rows, r)
}

let binColumns = [
    Column("LOCATION", "location"), Column("ZONE", "zone"), Column("BIN", "bin"), Column("ITEM", "item"),
    Column("UNIT", "unitOfMeasure"), Column("LOT", "lot"), Column("SERIAL", "serial"),
    Column("EXPIRES", "expirationDate"),
    Column("QUANTITY", "quantity"), Column("BASE QTY", "quantityBase"), Column("ADJ", "adjustmentBin"),
    Column("DEFAULT", "default")
]

struct LocationGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "location", abstract: "Locations (sites) and their kinds.",
        subcommands: [Create.self, Update.self, Get.self, List.self, Convert.self])

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Change a location's name, bin capacity policy, warehouse class check or negative-inventory setting (location.update).",
            discussion:
                "Example: whsectl location update WH1 --bin-capacity-policy prohibitMore --check-warehouse-class")
        @OptionGroup var global: Global
        @Argument var code: String
        @Option var name: String?
        @Option(help: "never, allowMore (post and warn) or prohibitMore (refuse).")
        var binCapacityPolicy: CapacityPolicy?
        @Flag(inversion: .prefixedNo, help: "Items go only into bins of their warehouse class.")
        var checkWarehouseClass: Bool?
        @Flag(
            inversion: .prefixedNo,
            help: "Item journal lines may take the location's inventory below zero (directed and plain locations).")
        var allowNegativeInventory: Bool?
        func run() throws {
            try perform {
                let p = LocationUpdateParams(
                    code: code, name: name, binCapacityPolicy: binCapacityPolicy,
                    checkWarehouseClass: checkWarehouseClass,
                    allowNegativeInventory: allowNegativeInventory)
                Output.object(try global.call(p), format: global.outputFormat)
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
                let p = LocationConvertToDirectedParams(
                    code: code, adjustmentBin: adjustmentBin,
                    adjustmentZone: adjustmentZone)
                try printPosting(try global.call(p), global.outputFormat)
            }
        }
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a location (location.create).",
            discussion:
                "Example: whsectl location create WH1 --name 'Main warehouse' --kind directed --adjustment-bin ADJ")
        @OptionGroup var global: Global
        @Argument(help: "Location code.") var code: String
        @Option(help: "Name.") var name: String?
        @Option(help: "directed (zones, adjustment bin), basic (bin mandatory) or plain (no bins).")
        var kind: LocationKind = .directed
        @Option(help: "Code of the default adjustment bin (directed).") var adjustmentBin: String?
        @Option(help: "Zone of the adjustment bin (directed).") var adjustmentZone: String?
        @Option(help: "never (default), allowMore (post and warn) or prohibitMore (refuse).")
        var binCapacityPolicy: CapacityPolicy?
        @Flag(help: "Items go only into bins of their warehouse class.") var checkWarehouseClass = false
        @Flag(help: "Item journal lines may take the location's inventory below zero (directed and plain locations).")
        var allowNegativeInventory = false
        func run() throws {
            try perform {
                let p = LocationCreateParams(
                    code: code, name: name, kind: kind, adjustmentBin: adjustmentBin,
                    adjustmentZone: adjustmentZone, binCapacityPolicy: binCapacityPolicy,
                    checkWarehouseClass: checkWarehouseClass ? true : nil,
                    allowNegativeInventory: allowNegativeInventory ? true : nil)
                Output.object(try global.call(p), format: global.outputFormat)
            }
        }
    }

    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a location (location.get).",
            discussion: "Example: whsectl location get WH1")
        @OptionGroup var global: Global
        @Argument var code: String
        func run() throws {
            try perform { Output.object(try global.call(LocationGetParams(code: code)), format: global.outputFormat) }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List locations (location.list).",
            discussion: "Example: whsectl location list")
        @OptionGroup var global: Global
        func run() throws {
            try perform {
                let (list, r) = try global.call(LocationListParams(), result: LocationListResult.self)
                typealias K = LocationResult.Key
                Output.rows(
                    list.locations.map(\.wire),
                    [
                        Column("CODE", K.code), Column("KIND", K.kind),
                        Column("ADJUSTMENT BIN", K.adjustmentBin), Column("NAME", K.name)
                    ],
                    format: global.outputFormat, whole: r)
            }
        }
    }
}

struct ZoneGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zone", abstract: "Zones of directed locations.",
        subcommands: [Create.self, List.self])
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a zone (zone.create).",
            discussion: "Example: whsectl zone create WH1 PICK --bin-type PICK")
        @OptionGroup var global: Global
        @Argument var location: String
        @Argument var code: String
        @Option(help: "Bin type new bins take: RECEIVE, SHIP, PUTAWAY, PICK, PUTPICK, QC.") var binType: String?
        @Option(help: "Warehouse class new bins take.") var warehouseClass: String?
        @Option var description: String?
        func run() throws {
            try perform {
                let p = ZoneCreateParams(
                    location: location, code: code, description: description, binType: binType,
                    warehouseClass: warehouseClass)
                Output.object(try global.call(p), format: global.outputFormat)
            }
        }
    }
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List a location's zones (zone.list).",
            discussion: "Example: whsectl zone list WH1")
        @OptionGroup var global: Global
        @Argument var location: String
        func run() throws {
            try perform {
                let (list, r) = try global.call(ZoneListParams(location: location), result: ZoneListResult.self)
                typealias K = ZoneResult.Key
                Output.rows(
                    list.zones.map(\.wire),
                    [Column("ZONE", K.code), Column("BIN TYPE", K.binType), Column("DESCRIPTION", K.description)],
                    format: global.outputFormat, whole: r)
            }
        }
    }
}

struct BinGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bin", abstract: "Bins and what they hold.",
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
                let p = BinContentSetupParams(
                    location: location, bin: bin, item: item, unitOfMeasure: unit,
                    minQuantity: try quantity(min, "--min"),
                    maxQuantity: try quantity(max, "--max"), fixed: fixed,
                    isDefault: `default`)
                Output.object(try global.call(p), format: global.outputFormat)
            }
        }
    }
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a bin (bin.create).",
            discussion: "Example: whsectl bin create WH1 A-01 --zone PICK")
        @OptionGroup var global: Global
        @Argument var location: String
        @Argument var code: String
        @Option(help: "Zone (required at directed locations).") var zone: String?
        @Option(help: "Bin type (default: the zone's).") var binType: String?
        @Option(help: "Block movement: none, inbound, outbound, all.") var block: BlockMovement?
        @Option(parsing: .unconditional, help: "Maximum cubage (0: unlimited).") var maximumCubage: String?
        @Option(parsing: .unconditional, help: "Maximum weight (0: unlimited).") var maximumWeight: String?
        @Option(help: "Warehouse class (default: the zone's).") var warehouseClass: String?
        @Option var description: String?
        func run() throws {
            try perform {
                let p = BinCreateParams(
                    location: location, code: code, description: description, zone: zone,
                    binType: binType, blockMovement: block,
                    maximumCubage: try quantity(maximumCubage, "--maximum-cubage"),
                    maximumWeight: try quantity(maximumWeight, "--maximum-weight"),
                    warehouseClass: warehouseClass)
                Output.object(try global.call(p), format: global.outputFormat)
            }
        }
    }
    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a bin (bin.update).",
            discussion: "Example: whsectl bin update WH1 A-01 --block outbound")
        @OptionGroup var global: Global
        @Argument var location: String
        @Argument var code: String
        @Option(help: "Block movement: none, inbound, outbound, all.") var block: BlockMovement?
        @Option var binType: String?
        @Option var description: String?
        @Option(parsing: .unconditional, help: "Maximum cubage (0: unlimited).") var maximumCubage: String?
        @Option(parsing: .unconditional, help: "Maximum weight (0: unlimited).") var maximumWeight: String?
        @Option(help: "Warehouse class (the bin must be empty).") var warehouseClass: String?
        @Flag(help: "Remove the bin's warehouse class (the bin must be empty).") var clearWarehouseClass = false
        func run() throws {
            try perform {
                // A string sets the class, --clear-warehouse-class clears it (null), neither keeps it.
                let whseClass: String?? = clearWarehouseClass ? .some(nil) : warehouseClass.map { .some($0) }
                let p = BinUpdateParams(
                    location: location, code: code, description: description, binType: binType,
                    blockMovement: block,
                    maximumCubage: try quantity(maximumCubage, "--maximum-cubage"),
                    maximumWeight: try quantity(maximumWeight, "--maximum-weight"),
                    warehouseClass: whseClass)
                Output.object(try global.call(p), format: global.outputFormat)
            }
        }
    }
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List a location's bins (bin.list).",
            discussion: "Example: whsectl bin list WH1 --zone PICK")
        @OptionGroup var global: Global
        @Argument var location: String
        @Option var zone: String?
        func run() throws {
            try perform {
                let (list, r) = try global.call(
                    BinListParams(location: location, zone: zone), result: BinListResult.self)
                typealias K = BinResult.Key
                Output.rows(
                    list.bins.map(\.wire),
                    [
                        Column("BIN", K.code), Column("ZONE", K.zone), Column("BIN TYPE", K.binType),
                        Column("BLOCK", K.blockMovement), Column("ADJ", K.adjustmentBin),
                        Column("DESCRIPTION", K.description)
                    ], format: global.outputFormat, whole: r)
            }
        }
    }
    struct Contents: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What a bin holds (bin.contents).",
            discussion: "Example: whsectl bin contents WH1 A-01")
        @OptionGroup var global: Global
        @Argument var location: String
        @Argument var bin: String
        @Flag(help: "Include items whose quantity is zero.") var includeZero = false
        func run() throws {
            try perform {
                let p = BinContentsParams(location: location, bin: bin, includeZero: includeZero)
                let (rows, r) = try restoredRows(try global.call(p))
                Output.rows(rows, binColumns, format: global.outputFormat, whole: r)
            }
        }
    }
}

struct ItemGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "item", abstract: "Items, where they are, availability.",
        subcommands: [
            Create.self, Get.self, List.self, Bins.self, Availability.self,
            SetCountingPeriod.self, Block.self
        ])
    struct Block: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Block (or --unblock) a lot or serial no.: it stays in stock but is not available to pick or reserve (itemTracking.setBlocked).",
            discussion: "Example: whsectl item block LOTITEM --lot L1     whsectl item block LOTITEM --lot L1 --unblock"
        )
        @OptionGroup var global: Global
        @Argument var item: String
        @Option var lot: String?
        @Option var serial: String?
        @Flag(help: "Lift the block.") var unblock = false
        func run() throws {
            try perform {
                let p = ItemTrackingSetBlockedParams(item: item, lot: lot, serial: serial, blocked: !unblock)
                Output.object(try global.call(p), format: global.outputFormat)
            }
        }
    }
    struct SetCountingPeriod: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-counting-period",
            abstract:
                "Assign a counting period to an item; its next counting window holds --date (item.setCountingPeriod).",
            discussion:
                "Example: whsectl item set-counting-period ITEM1 --period MONTH --date 2026-03-15   (--clear removes it)"
        )
        @OptionGroup var global: Global
        @Argument var item: String
        @Option var period: String?
        @Flag(help: "Remove the item's counting period.") var clear = false
        @Option(help: "YYYY-MM-DD (default: today).") var date: String?
        func run() throws {
            try perform {
                guard (period == nil) == clear else {
                    throw CLIError(code: Exit.usage, message: "give --period CODE or --clear")
                }
                let p = ItemSetCountingPeriodParams(item: item, countingPeriod: period, date: date)
                Output.object(try global.call(p), format: global.outputFormat)
            }
        }
    }
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an item (item.create).",
            discussion: """
                Example: whsectl item create ITEM1 --description Widget --base-unit PCS --unit BOX=12
                Tracked: whsectl item create LOTITEM --lot-tracked --expiration-required
                Whole pieces only: whsectl item create ITEM2 --unit BOX=6 --rounding PCS=1
                """)
        @OptionGroup var global: Global
        @Argument var no: String
        @Option var description: String?
        @Option(help: "Base unit of measure.") var baseUnit: String = "PCS"
        @Option(name: .customLong("unit"), help: "A further unit as CODE=QTY-PER-UNIT (repeatable).") var units:
            [String] = []
        @Option(
            name: .customLong("rounding"),
            help: "A unit's rounding precision as CODE=PRECISION, e.g. PCS=1 (repeatable).")
        var roundings: [String] = []
        @Flag(help: "Lot warehouse tracking: every line carries a lot no.") var lotTracked = false
        @Flag(help: "Serial warehouse tracking: every line carries a serial no.") var serialTracked = false
        @Flag(help: "A lot coming in needs an expiration date.") var expirationRequired = false
        @Option(help: "Warehouse class (bins of the same class only, where the location checks classes).")
        var warehouseClass: String?
        @Option(name: .customLong("cubage"), help: "A unit's cubage as CODE=CUBAGE (repeatable).") var cubages:
            [String] = []
        @Option(name: .customLong("weight"), help: "A unit's weight as CODE=WEIGHT (repeatable).") var weights:
            [String] = []
        func run() throws {
            try perform {
                /// CODE=QUANTITY of --unit, --rounding, --cubage and --weight.
                func split(_ value: String, _ flag: String, _ example: String) throws -> (String, Quantity) {
                    let parts = value.split(separator: "=", maxSplits: 1).map(String.init)
                    guard parts.count == 2 else {
                        throw CLIError(code: Exit.usage, message: "\(flag) takes \(example)")
                    }
                    return (parts[0], try quantity(parts[1], "\(flag) \(value)"))
                }
                func byUnit(_ values: [String], _ flag: String, _ example: String) throws -> [String: Quantity] {
                    var out: [String: Quantity] = [:]
                    for v in values {
                        let (code, q) = try split(v, flag, example)
                        out[code] = q
                    }
                    return out
                }
                var cubage = try byUnit(cubages, "--cubage", "CODE=QUANTITY, e.g. BOX=0.25")
                var weight = try byUnit(weights, "--weight", "CODE=QUANTITY, e.g. BOX=0.25")
                var precision = try byUnit(roundings, "--rounding", "CODE=PRECISION, e.g. PCS=1")
                var list: [ItemCreateParams.Unit] = []
                func unit(_ code: String, perUnit: Quantity?) -> ItemCreateParams.Unit {
                    ItemCreateParams.Unit(
                        code: code, quantityPerUnitOfMeasure: perUnit,
                        roundingPrecision: precision.removeValue(forKey: code),
                        cubage: cubage.removeValue(forKey: code),
                        weight: weight.removeValue(forKey: code))
                }
                for u in units {
                    let (code, perUnit) = try split(u, "--unit", "CODE=QTY, e.g. BOX=12")
                    list.append(unit(code, perUnit: perUnit))
                }
                for code in Set(precision.keys).union(cubage.keys).union(weight.keys).sorted() {
                    guard code == baseUnit else {
                        throw CLIError(code: Exit.usage, message: "\(code): not a unit of the item")
                    }
                    list.append(unit(code, perUnit: nil))
                }
                let tracking = ItemTracking(
                    lot: lotTracked, serial: serialTracked,
                    expirationRequired: expirationRequired)
                let p = ItemCreateParams(
                    no: no, description: description, baseUnitOfMeasure: baseUnit,
                    unitsOfMeasure: list, tracking: tracking, warehouseClass: warehouseClass)
                Output.object(try global.call(p), format: global.outputFormat)
            }
        }
    }
    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show an item (item.get).", discussion: "Example: whsectl item get ITEM1")
        @OptionGroup var global: Global
        @Argument var no: String
        func run() throws {
            try perform { Output.object(try global.call(ItemGetParams(no: no)), format: global.outputFormat) }
        }
    }
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List items (item.list).", discussion: "Example: whsectl item list")
        @OptionGroup var global: Global
        func run() throws {
            try perform {
                let (list, r) = try global.call(ItemListParams(), result: ItemListResult.self)
                typealias K = ItemResult.Key
                Output.rows(
                    list.items.map(\.wire),
                    [
                        Column("ITEM", K.no), Column("BASE UNIT", K.baseUnitOfMeasure),
                        Column("DESCRIPTION", K.description)
                    ], format: global.outputFormat, whole: r)
            }
        }
    }
    struct Bins: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Where an item is, per bin, the adjustment bin included (item.bins).",
            discussion: "Example: whsectl item bins ITEM1 --location WH1")
        @OptionGroup var global: Global
        @Argument var item: String
        @Option var location: String?
        @Flag var includeZero = false
        func run() throws {
            try perform {
                let p = ItemBinsParams(item: item, location: location, includeZero: includeZero)
                let (rows, r) = try restoredRows(try global.call(p))
                Output.rows(rows, binColumns, format: global.outputFormat, whole: r)
            }
        }
    }
    struct Availability: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Inventory, stock in bins, adjustment bin and available quantity (item.availability).",
            discussion: "Example: whsectl item availability ITEM1")
        @OptionGroup var global: Global
        @Argument var item: String
        @Option var location: String?
        func run() throws {
            try perform {
                let p = ItemAvailabilityParams(item: item, location: location)
                let (list, r) = try global.call(p, result: ItemAvailabilityResult.self)
                typealias K = AvailabilityResult.Key
                Output.rows(
                    list.locations.map(\.wire),
                    [
                        Column("LOCATION", K.location), Column("ITEM", K.item), Column("INVENTORY", K.inventory),
                        Column("IN BINS", K.inBins), Column("ADJ BIN", K.adjustmentBin),
                        Column("AVAILABLE", K.available), Column("TO PICK", K.availableToPick),
                        Column("RESERVED", K.reserved), Column("TO RESERVE", K.availableToReserve)
                    ], format: global.outputFormat, whole: r)
            }
        }
    }
}
