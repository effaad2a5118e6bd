import Warehouse

// The master-data objects of protocol.md §11 and the lists that hold them. Each member is named once, in its type's
// `Key`; whsed encodes through `encoded()` and whsectl decodes through `init(decoding:)`.

extension String {
    /// A lot or serial no. as stored ("" for none) as a result's member (null for none).
    var codeOrNil: String? { isEmpty ? nil : self }
}

/// A location (`location.create`, `location.get`, `location.update`, `location.list`).
public struct LocationResult: RPCResult, Hashable {
    public enum Key: String, MemberKey {
        case code, name, kind, adjustmentBin, binCapacityPolicy, checkWarehouseClass, allowNegativeInventory
    }
    public var code: String
    public var name: String
    public var kind: LocationKind
    public var adjustmentBin: String?
    public var binCapacityPolicy: CapacityPolicy
    public var checkWarehouseClass: Bool
    public var allowNegativeInventory: Bool

    public init(
        code: String, name: String = "", kind: LocationKind = .directed, adjustmentBin: String? = nil,
        binCapacityPolicy: CapacityPolicy = .never, checkWarehouseClass: Bool = false,
        allowNegativeInventory: Bool = false
    ) {
        self.code = code
        self.name = name
        self.kind = kind
        self.adjustmentBin = adjustmentBin
        self.binCapacityPolicy = binCapacityPolicy
        self.checkWarehouseClass = checkWarehouseClass
        self.allowNegativeInventory = allowNegativeInventory
    }

    public init(_ l: Location) {
        self.init(
            code: l.code, name: l.name, kind: l.kind, adjustmentBin: l.adjustmentBin,
            binCapacityPolicy: l.binCapacityPolicy, checkWarehouseClass: l.checkWarehouseClass,
            allowNegativeInventory: l.allowNegativeInventory)
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = p.resultMembers(Key.self)
        code = try m.text(.code)
        name = try m.optionalText(.name) ?? ""
        kind = try m.requiredEnum(.kind, LocationKind.self)
        adjustmentBin = try m.optionalText(.adjustmentBin)
        binCapacityPolicy = try m.optionalEnum(.binCapacityPolicy, CapacityPolicy.self) ?? .never
        checkWarehouseClass = try m.optionalBool(.checkWarehouseClass) ?? false
        allowNegativeInventory = try m.optionalBool(.allowNegativeInventory) ?? false
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.code, code)
        w.set(.name, name)
        w.set(.kind, kind)
        w.setOrNull(.adjustmentBin, adjustmentBin)
        w.set(.binCapacityPolicy, binCapacityPolicy)
        w.set(.checkWarehouseClass, checkWarehouseClass)
        w.set(.allowNegativeInventory, allowNegativeInventory)
        return w.json
    }
}

/// The answer of `location.list`.
public struct LocationListResult: RPCResult {
    public enum Key: String, MemberKey { case locations }
    public var locations: [LocationResult]

    public init(locations: [LocationResult]) { self.locations = locations }

    public init(decoding p: Params) throws(RPCError) {
        locations = try p.resultMembers(Key.self).objects(.locations, of: LocationResult.self)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.locations, locations)
        return w.json
    }
}

/// A zone (`zone.create`, `zone.list`).
public struct ZoneResult: RPCResult, Hashable {
    public enum Key: String, MemberKey { case location, code, description, binType, warehouseClass }
    public var location: String
    public var code: String
    public var description: String
    public var binType: String?
    public var warehouseClass: String?

    public init(
        location: String, code: String, description: String = "", binType: String? = nil,
        warehouseClass: String? = nil
    ) {
        self.location = location
        self.code = code
        self.description = description
        self.binType = binType
        self.warehouseClass = warehouseClass
    }

    public init(_ z: Zone) {
        self.init(
            location: z.location, code: z.code, description: z.description, binType: z.binType,
            warehouseClass: z.warehouseClass)
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = p.resultMembers(Key.self)
        location = try m.text(.location)
        code = try m.text(.code)
        description = try m.optionalText(.description) ?? ""
        binType = try m.optionalText(.binType)
        warehouseClass = try m.optionalText(.warehouseClass)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.location, location)
        w.set(.code, code)
        w.set(.description, description)
        w.setOrNull(.binType, binType)
        w.setOrNull(.warehouseClass, warehouseClass)
        return w.json
    }
}

/// The answer of `zone.list`.
public struct ZoneListResult: RPCResult {
    public enum Key: String, MemberKey { case zones }
    public var zones: [ZoneResult]

    public init(zones: [ZoneResult]) { self.zones = zones }

    public init(decoding p: Params) throws(RPCError) {
        zones = try p.resultMembers(Key.self).objects(.zones, of: ZoneResult.self)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.zones, zones)
        return w.json
    }
}

/// A bin (`bin.create`, `bin.update`, `bin.list`).
public struct BinResult: RPCResult, Hashable {
    public enum Key: String, MemberKey {
        case location, code, description, zone, binType, blockMovement, maximumCubage, maximumWeight, warehouseClass,
            adjustmentBin
    }
    public var location: String
    public var code: String
    public var description: String
    public var zone: String?
    public var binType: String?
    public var blockMovement: BlockMovement
    public var maximumCubage: Quantity
    public var maximumWeight: Quantity
    public var warehouseClass: String?
    /// Only in `bin.list`: whether the bin is its location's adjustment bin.
    public var adjustmentBin: Bool?

    public init(
        location: String, code: String, description: String = "", zone: String? = nil, binType: String? = nil,
        blockMovement: BlockMovement = BlockMovement.none, maximumCubage: Quantity = .zero,
        maximumWeight: Quantity = .zero, warehouseClass: String? = nil, adjustmentBin: Bool? = nil
    ) {
        self.location = location
        self.code = code
        self.description = description
        self.zone = zone
        self.binType = binType
        self.blockMovement = blockMovement
        self.maximumCubage = maximumCubage
        self.maximumWeight = maximumWeight
        self.warehouseClass = warehouseClass
        self.adjustmentBin = adjustmentBin
    }

    public init(_ b: Bin, adjustmentBin: Bool? = nil) {
        self.init(
            location: b.location, code: b.code, description: b.description, zone: b.zone, binType: b.binType,
            blockMovement: b.blockMovement, maximumCubage: b.maximumCubage, maximumWeight: b.maximumWeight,
            warehouseClass: b.warehouseClass, adjustmentBin: adjustmentBin)
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = p.resultMembers(Key.self)
        location = try m.text(.location)
        code = try m.text(.code)
        description = try m.optionalText(.description) ?? ""
        zone = try m.optionalText(.zone)
        binType = try m.optionalText(.binType)
        blockMovement = try m.optionalEnum(.blockMovement, BlockMovement.self) ?? BlockMovement.none
        maximumCubage = try m.optionalQuantity(.maximumCubage) ?? .zero
        maximumWeight = try m.optionalQuantity(.maximumWeight) ?? .zero
        warehouseClass = try m.optionalText(.warehouseClass)
        adjustmentBin = try m.optionalBool(.adjustmentBin)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.location, location)
        w.set(.code, code)
        w.set(.description, description)
        w.setOrNull(.zone, zone)
        w.setOrNull(.binType, binType)
        w.set(.blockMovement, blockMovement)
        w.set(.maximumCubage, maximumCubage)
        w.set(.maximumWeight, maximumWeight)
        w.setOrNull(.warehouseClass, warehouseClass)
        w.set(.adjustmentBin, adjustmentBin)
        return w.json
    }
}

/// The answer of `bin.list`.
public struct BinListResult: RPCResult {
    public enum Key: String, MemberKey { case bins }
    public var bins: [BinResult]

    public init(bins: [BinResult]) { self.bins = bins }

    public init(decoding p: Params) throws(RPCError) {
        bins = try p.resultMembers(Key.self).objects(.bins, of: BinResult.self)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.bins, bins)
        return w.json
    }
}

/// An item (`item.create`, `item.get`, `item.list`, `item.setCountingPeriod`, `countingPeriod.due`).
public struct ItemResult: RPCResult, Hashable {
    public enum Key: String, MemberKey {
        case no, description, baseUnitOfMeasure, unitsOfMeasure, blocked, tracking, warehouseClass, countingPeriod,
            lastCountingPeriodUpdate, nextCountingStart, nextCountingEnd, lastPhysInventoryDate
    }

    /// One of the item's units of measure, in code order.
    public struct UnitOfMeasure: RPCResult, Hashable {
        public enum Key: String, MemberKey { case code, quantityPerUnitOfMeasure, roundingPrecision, cubage, weight }
        public var code: String
        public var quantityPerUnitOfMeasure: Quantity
        public var roundingPrecision: Quantity
        public var cubage: Quantity
        public var weight: Quantity

        public init(
            code: String, quantityPerUnitOfMeasure: Quantity, roundingPrecision: Quantity, cubage: Quantity = .zero,
            weight: Quantity = .zero
        ) {
            self.code = code
            self.quantityPerUnitOfMeasure = quantityPerUnitOfMeasure
            self.roundingPrecision = roundingPrecision
            self.cubage = cubage
            self.weight = weight
        }

        public init(decoding p: Params) throws(RPCError) {
            let m = p.resultMembers(Key.self)
            code = try m.text(.code)
            quantityPerUnitOfMeasure = try m.quantity(.quantityPerUnitOfMeasure)
            roundingPrecision = try m.quantity(.roundingPrecision)
            cubage = try m.optionalQuantity(.cubage) ?? .zero
            weight = try m.optionalQuantity(.weight) ?? .zero
        }

        public func encoded() -> JSON {
            var w = MemberWriter<Key>()
            w.set(.code, code)
            w.set(.quantityPerUnitOfMeasure, quantityPerUnitOfMeasure)
            w.set(.roundingPrecision, roundingPrecision)
            w.set(.cubage, cubage)
            w.set(.weight, weight)
            return w.json
        }
    }

    public var no: String
    public var description: String
    public var baseUnitOfMeasure: String
    public var unitsOfMeasure: [UnitOfMeasure]
    public var blocked: Bool
    public var tracking: ItemTracking
    public var warehouseClass: String?
    public var countingPeriod: String?
    public var lastCountingPeriodUpdate: String?
    public var nextCountingStart: String?
    public var nextCountingEnd: String?
    public var lastPhysInventoryDate: String?

    public init(
        no: String, description: String = "", baseUnitOfMeasure: String, unitsOfMeasure: [UnitOfMeasure],
        blocked: Bool = false, tracking: ItemTracking = .none, warehouseClass: String? = nil,
        countingPeriod: String? = nil, lastCountingPeriodUpdate: String? = nil, nextCountingStart: String? = nil,
        nextCountingEnd: String? = nil, lastPhysInventoryDate: String? = nil
    ) {
        self.no = no
        self.description = description
        self.baseUnitOfMeasure = baseUnitOfMeasure
        self.unitsOfMeasure = unitsOfMeasure
        self.blocked = blocked
        self.tracking = tracking
        self.warehouseClass = warehouseClass
        self.countingPeriod = countingPeriod
        self.lastCountingPeriodUpdate = lastCountingPeriodUpdate
        self.nextCountingStart = nextCountingStart
        self.nextCountingEnd = nextCountingEnd
        self.lastPhysInventoryDate = lastPhysInventoryDate
    }

    public init(_ i: Item) {
        self.init(
            no: i.no, description: i.description, baseUnitOfMeasure: i.baseUnitOfMeasure,
            unitsOfMeasure: i.unitsOfMeasure.sorted { $0.key < $1.key }.map { code, perUnit in
                UnitOfMeasure(
                    code: code, quantityPerUnitOfMeasure: perUnit, roundingPrecision: i.precision(code),
                    cubage: i.unitMeasures[code]?.cubage ?? .zero, weight: i.unitMeasures[code]?.weight ?? .zero)
            },
            blocked: i.blocked, tracking: i.tracking, warehouseClass: i.warehouseClass,
            countingPeriod: i.countingPeriod, lastCountingPeriodUpdate: i.lastCountingPeriodUpdate,
            nextCountingStart: i.nextCountingStart, nextCountingEnd: i.nextCountingEnd,
            lastPhysInventoryDate: i.lastPhysInventoryDate)
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = p.resultMembers(Key.self)
        no = try m.text(.no)
        description = try m.optionalText(.description) ?? ""
        baseUnitOfMeasure = try m.text(.baseUnitOfMeasure)
        unitsOfMeasure = try m.objects(.unitsOfMeasure, of: UnitOfMeasure.self)
        blocked = try m.optionalBool(.blocked) ?? false
        tracking = try m.optionalObject(.tracking, ItemTracking.self) ?? .none
        warehouseClass = try m.optionalText(.warehouseClass)
        countingPeriod = try m.optionalText(.countingPeriod)
        lastCountingPeriodUpdate = try m.optionalText(.lastCountingPeriodUpdate)
        nextCountingStart = try m.optionalText(.nextCountingStart)
        nextCountingEnd = try m.optionalText(.nextCountingEnd)
        lastPhysInventoryDate = try m.optionalText(.lastPhysInventoryDate)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.no, no)
        w.set(.description, description)
        w.set(.baseUnitOfMeasure, baseUnitOfMeasure)
        w.set(.unitsOfMeasure, unitsOfMeasure)
        w.set(.blocked, blocked)
        w.set(.tracking, tracking)
        w.setOrNull(.warehouseClass, warehouseClass)
        w.setOrNull(.countingPeriod, countingPeriod)
        w.setOrNull(.lastCountingPeriodUpdate, lastCountingPeriodUpdate)
        w.setOrNull(.nextCountingStart, nextCountingStart)
        w.setOrNull(.nextCountingEnd, nextCountingEnd)
        w.setOrNull(.lastPhysInventoryDate, lastPhysInventoryDate)
        return w.json
    }
}

/// The answer of `item.list`.
public struct ItemListResult: RPCResult {
    public enum Key: String, MemberKey { case items }
    public var items: [ItemResult]

    public init(items: [ItemResult]) { self.items = items }

    public init(decoding p: Params) throws(RPCError) {
        items = try p.resultMembers(Key.self).objects(.items, of: ItemResult.self)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.items, items)
        return w.json
    }
}

/// A counting period (`countingPeriod.create`, `countingPeriod.list`).
public struct CountingPeriodResult: RPCResult, Hashable {
    public enum Key: String, MemberKey { case code, description, countFrequencyPerYear }
    public var code: String
    public var description: String
    public var countFrequencyPerYear: Int

    public init(code: String, description: String = "", countFrequencyPerYear: Int) {
        self.code = code
        self.description = description
        self.countFrequencyPerYear = countFrequencyPerYear
    }

    public init(_ c: CountingPeriod) {
        self.init(code: c.code, description: c.description, countFrequencyPerYear: c.frequency)
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = p.resultMembers(Key.self)
        code = try m.text(.code)
        description = try m.optionalText(.description) ?? ""
        countFrequencyPerYear = try m.int(.countFrequencyPerYear, range: 0...Int.max)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.code, code)
        w.set(.description, description)
        w.set(.countFrequencyPerYear, countFrequencyPerYear)
        return w.json
    }
}

/// The answer of `countingPeriod.list`.
public struct CountingPeriodListResult: RPCResult {
    public enum Key: String, MemberKey { case countingPeriods }
    public var countingPeriods: [CountingPeriodResult]

    public init(countingPeriods: [CountingPeriodResult]) { self.countingPeriods = countingPeriods }

    public init(decoding p: Params) throws(RPCError) {
        countingPeriods = try p.resultMembers(Key.self).objects(.countingPeriods, of: CountingPeriodResult.self)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.countingPeriods, countingPeriods)
        return w.json
    }
}

/// The answer of `countingPeriod.due`: the items due for counting on `date`.
public struct CountingPeriodDueResult: RPCResult {
    public enum Key: String, MemberKey { case date, items }
    public var date: String
    public var items: [ItemResult]

    public init(date: String, items: [ItemResult]) {
        self.date = date
        self.items = items
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = p.resultMembers(Key.self)
        date = try m.text(.date)
        items = try m.objects(.items, of: ItemResult.self)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.date, date)
        w.set(.items, items)
        return w.json
    }
}

/// A reservation (`reservation.create`, `reservation.cancel`, `reservation.list`), lean (protocol.md §11): see
/// `MemberDefaults.reservation`.
public struct ReservationResult: RPCResult, Hashable {
    public enum Key: String, MemberKey {
        case reservation, location, item, lot, serial, quantityBase, source, createdBy, createdAt, cancelled
    }
    public var reservation: Int
    public var location: String
    public var item: String
    public var lot: String?
    public var serial: String?
    public var quantityBase: Quantity
    public var source: String
    public var createdBy: String
    public var createdAt: String
    /// Only in the answer of `reservation.cancel`, where it is true.
    public var cancelled: Bool?

    public init(
        reservation: Int, location: String, item: String, lot: String? = nil, serial: String? = nil,
        quantityBase: Quantity, source: String = "", createdBy: String, createdAt: String, cancelled: Bool? = nil
    ) {
        self.reservation = reservation
        self.location = location
        self.item = item
        self.lot = lot
        self.serial = serial
        self.quantityBase = quantityBase
        self.source = source
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.cancelled = cancelled
    }

    public init(_ r: Reservation, cancelled: Bool? = nil) {
        self.init(
            reservation: r.no, location: r.location, item: r.item, lot: r.lot.codeOrNil, serial: r.serial.codeOrNil,
            quantityBase: r.quantityBase, source: r.source, createdBy: r.createdBy, createdAt: r.createdAt,
            cancelled: cancelled)
    }

    /// Absent members read as their defaults (`MemberDefaults.reservation`).
    public init(decoding p: Params) throws(RPCError) {
        let m = p.resultMembers(Key.self)
        reservation = try m.int(.reservation, range: 0...Int.max)
        location = try m.text(.location)
        item = try m.text(.item)
        lot = try m.optionalText(.lot)
        serial = try m.optionalText(.serial)
        quantityBase = try m.quantity(.quantityBase)
        source = try m.optionalText(.source) ?? ""
        createdBy = try m.text(.createdBy)
        createdAt = try m.text(.createdAt)
        cancelled = try m.optionalBool(.cancelled)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.reservation, reservation)
        w.set(.location, location)
        w.set(.item, item)
        w.setOrNull(.lot, lot)
        w.setOrNull(.serial, serial)
        w.set(.quantityBase, quantityBase)
        w.set(.source, source)
        w.set(.createdBy, createdBy)
        w.set(.createdAt, createdAt)
        w.set(.cancelled, cancelled)
        return MemberDefaults.reservation.encode(w.object)
    }
}

/// The answer of `reservation.list`.
public struct ReservationListResult: RPCResult {
    public enum Key: String, MemberKey { case reservations }
    public var reservations: [ReservationResult]

    public init(reservations: [ReservationResult]) { self.reservations = reservations }

    public init(decoding p: Params) throws(RPCError) {
        reservations = try p.resultMembers(Key.self).objects(.reservations, of: ReservationResult.self)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.reservations, reservations)
        return w.json
    }
}
