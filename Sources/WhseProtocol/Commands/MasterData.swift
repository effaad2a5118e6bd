import Warehouse

// Params of the master-data methods (protocol.md 13.1, 13.7). Members are decoded in the order whsed has always read
// them, so a request with several faults is refused for the same one as before.

/// `location.create`.
public struct LocationCreateParams: RPCParams {
    public static let method = "location.create"
    public enum Key: String, MemberKey {
        case code, name, kind, adjustmentBin, adjustmentZone, binCapacityPolicy, checkWarehouseClass,
            allowNegativeInventory
    }
    public var code: String
    public var name: String?
    public var kind: LocationKind?
    /// Only at directed locations (the default kind).
    public var adjustmentBin: String?
    public var adjustmentZone: String?
    public var binCapacityPolicy: CapacityPolicy?
    public var checkWarehouseClass: Bool?
    public var allowNegativeInventory: Bool?

    public init(
        code: String, name: String? = nil, kind: LocationKind? = nil, adjustmentBin: String? = nil,
        adjustmentZone: String? = nil, binCapacityPolicy: CapacityPolicy? = nil, checkWarehouseClass: Bool? = nil,
        allowNegativeInventory: Bool? = nil
    ) {
        self.code = code
        self.name = name
        self.kind = kind
        self.adjustmentBin = adjustmentBin
        self.adjustmentZone = adjustmentZone
        self.binCapacityPolicy = binCapacityPolicy
        self.checkWarehouseClass = checkWarehouseClass
        self.allowNegativeInventory = allowNegativeInventory
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = try Self.members(p)
        allowNegativeInventory = try m.optionalBool(.allowNegativeInventory)
        code = try m.string(.code)
        name = try m.optionalText(.name)
        binCapacityPolicy = try m.optionalEnum(.binCapacityPolicy, CapacityPolicy.self)
        checkWarehouseClass = try m.optionalBool(.checkWarehouseClass)
        kind = try m.optionalEnum(.kind, LocationKind.self)
        if (kind ?? .directed) != .directed {
            for k in [Key.adjustmentBin, .adjustmentZone] where m.has(k) {
                throw RPCError.invalidParams("\(k.rawValue) applies only to directed locations", param: k.rawValue)
            }
        }
        adjustmentBin = try m.optionalString(.adjustmentBin)
        adjustmentZone = try m.optionalString(.adjustmentZone)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.code, code)
        w.set(.name, name)
        w.set(.kind, kind)
        w.set(.adjustmentBin, adjustmentBin)
        w.set(.adjustmentZone, adjustmentZone)
        w.set(.binCapacityPolicy, binCapacityPolicy)
        w.set(.checkWarehouseClass, checkWarehouseClass)
        w.set(.allowNegativeInventory, allowNegativeInventory)
        return w.json
    }
}

/// `location.update`: members left out keep their value.
public struct LocationUpdateParams: RPCParams {
    public static let method = "location.update"
    public enum Key: String, MemberKey {
        case code, name, binCapacityPolicy, checkWarehouseClass, allowNegativeInventory
    }
    public var code: String
    public var name: String?
    public var binCapacityPolicy: CapacityPolicy?
    public var checkWarehouseClass: Bool?
    public var allowNegativeInventory: Bool?

    public init(
        code: String, name: String? = nil, binCapacityPolicy: CapacityPolicy? = nil, checkWarehouseClass: Bool? = nil,
        allowNegativeInventory: Bool? = nil
    ) {
        self.code = code
        self.name = name
        self.binCapacityPolicy = binCapacityPolicy
        self.checkWarehouseClass = checkWarehouseClass
        self.allowNegativeInventory = allowNegativeInventory
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = try Self.members(p)
        allowNegativeInventory = try m.optionalBool(.allowNegativeInventory)
        code = try m.string(.code)
        name = try m.optionalText(.name)
        binCapacityPolicy = try m.optionalEnum(.binCapacityPolicy, CapacityPolicy.self)
        checkWarehouseClass = try m.optionalBool(.checkWarehouseClass)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.code, code)
        w.set(.name, name)
        w.set(.binCapacityPolicy, binCapacityPolicy)
        w.set(.checkWarehouseClass, checkWarehouseClass)
        w.set(.allowNegativeInventory, allowNegativeInventory)
        return w.json
    }
}

/// `location.convertToDirected`.
public struct LocationConvertToDirectedParams: RPCParams {
    public static let method = "location.convertToDirected"
    public enum Key: String, MemberKey {
        case code, adjustmentBin, adjustmentZone, registeringDate
    }
    public var code: String
    public var adjustmentBin: String?
    public var adjustmentZone: String?
    public var registeringDate: String?

    public init(
        code: String, adjustmentBin: String? = nil, adjustmentZone: String? = nil, registeringDate: String? = nil
    ) {
        self.code = code
        self.adjustmentBin = adjustmentBin
        self.adjustmentZone = adjustmentZone
        self.registeringDate = registeringDate
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = try Self.members(p)
        code = try m.string(.code)
        adjustmentBin = try m.optionalString(.adjustmentBin)
        adjustmentZone = try m.optionalString(.adjustmentZone)
        registeringDate = try m.optionalString(.registeringDate)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.code, code)
        w.set(.adjustmentBin, adjustmentBin)
        w.set(.adjustmentZone, adjustmentZone)
        w.set(.registeringDate, registeringDate)
        return w.json
    }
}

/// `location.get`.
public struct LocationGetParams: RPCParams {
    public static let method = "location.get"
    public enum Key: String, MemberKey { case code }
    public var code: String

    public init(code: String) { self.code = code }

    public init(decoding p: Params) throws(RPCError) {
        code = try Self.members(p).string(.code)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.code, code)
        return w.json
    }
}

/// `location.list`.
public struct LocationListParams: NoParams {
    public static let method = "location.list"
    public init() {}
}

/// `zone.create`.
public struct ZoneCreateParams: RPCParams {
    public static let method = "zone.create"
    public enum Key: String, MemberKey {
        case location, code, description, binType, warehouseClass
    }
    public var location: String
    public var code: String
    public var description: String?
    public var binType: String?
    public var warehouseClass: String?

    public init(
        location: String, code: String, description: String? = nil, binType: String? = nil,
        warehouseClass: String? = nil
    ) {
        self.location = location
        self.code = code
        self.description = description
        self.binType = binType
        self.warehouseClass = warehouseClass
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = try Self.members(p)
        location = try m.string(.location)
        code = try m.string(.code)
        description = try m.optionalText(.description)
        binType = try m.optionalString(.binType)
        warehouseClass = try m.optionalString(.warehouseClass)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.location, location)
        w.set(.code, code)
        w.set(.description, description)
        w.set(.binType, binType)
        w.set(.warehouseClass, warehouseClass)
        return w.json
    }
}

/// `zone.list`.
public struct ZoneListParams: RPCParams {
    public static let method = "zone.list"
    public enum Key: String, MemberKey { case location }
    public var location: String

    public init(location: String) { self.location = location }

    public init(decoding p: Params) throws(RPCError) {
        location = try Self.members(p).string(.location)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.location, location)
        return w.json
    }
}

/// `bin.create`.
public struct BinCreateParams: RPCParams {
    public static let method = "bin.create"
    public enum Key: String, MemberKey {
        case location, code, description, zone, binType, blockMovement, maximumCubage, maximumWeight, warehouseClass
    }
    public var location: String
    public var code: String
    public var description: String?
    public var zone: String?
    public var binType: String?
    public var blockMovement: BlockMovement?
    public var maximumCubage: Quantity?
    public var maximumWeight: Quantity?
    public var warehouseClass: String?

    public init(
        location: String, code: String, description: String? = nil, zone: String? = nil, binType: String? = nil,
        blockMovement: BlockMovement? = nil, maximumCubage: Quantity? = nil, maximumWeight: Quantity? = nil,
        warehouseClass: String? = nil
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
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = try Self.members(p)
        location = try m.string(.location)
        code = try m.string(.code)
        description = try m.optionalText(.description)
        zone = try m.optionalString(.zone)
        binType = try m.optionalString(.binType)
        blockMovement = try m.optionalEnum(.blockMovement, BlockMovement.self)
        maximumCubage = try m.optionalQuantity(.maximumCubage)
        maximumWeight = try m.optionalQuantity(.maximumWeight)
        warehouseClass = try m.optionalString(.warehouseClass)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.location, location)
        w.set(.code, code)
        w.set(.description, description)
        w.set(.zone, zone)
        w.set(.binType, binType)
        w.set(.blockMovement, blockMovement)
        w.set(.maximumCubage, maximumCubage)
        w.set(.maximumWeight, maximumWeight)
        w.set(.warehouseClass, warehouseClass)
        return w.json
    }
}

/// `bin.update`: members left out keep their value; `warehouseClass: null` clears the class.
public struct BinUpdateParams: RPCParams {
    public static let method = "bin.update"
    public enum Key: String, MemberKey {
        case location, code, description, binType, blockMovement, maximumCubage, maximumWeight, warehouseClass
    }
    public var location: String
    public var code: String
    public var description: String?
    public var binType: String?
    public var blockMovement: BlockMovement?
    public var maximumCubage: Quantity?
    public var maximumWeight: Quantity?
    /// nil: keep; `.some(nil)`: clear; a code: set.
    public var warehouseClass: String??

    public init(
        location: String, code: String, description: String? = nil, binType: String? = nil,
        blockMovement: BlockMovement? = nil, maximumCubage: Quantity? = nil, maximumWeight: Quantity? = nil,
        warehouseClass: String?? = nil
    ) {
        self.location = location
        self.code = code
        self.description = description
        self.binType = binType
        self.blockMovement = blockMovement
        self.maximumCubage = maximumCubage
        self.maximumWeight = maximumWeight
        self.warehouseClass = warehouseClass
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = try Self.members(p)
        location = try m.string(.location)
        code = try m.string(.code)
        description = try m.optionalText(.description)
        binType = try m.optionalString(.binType)
        blockMovement = try m.optionalEnum(.blockMovement, BlockMovement.self)
        maximumCubage = try m.optionalQuantity(.maximumCubage)
        maximumWeight = try m.optionalQuantity(.maximumWeight)
        warehouseClass = try m.clearableString(.warehouseClass)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.location, location)
        w.set(.code, code)
        w.set(.description, description)
        w.set(.binType, binType)
        w.set(.blockMovement, blockMovement)
        w.set(.maximumCubage, maximumCubage)
        w.set(.maximumWeight, maximumWeight)
        w.set(.warehouseClass, clearable: warehouseClass)
        return w.json
    }
}

/// `bin.list`.
public struct BinListParams: RPCParams {
    public static let method = "bin.list"
    public enum Key: String, MemberKey { case location, zone }
    public var location: String
    public var zone: String?

    public init(location: String, zone: String? = nil) {
        self.location = location
        self.zone = zone
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = try Self.members(p)
        location = try m.string(.location)
        zone = try m.optionalString(.zone)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.location, location)
        w.set(.zone, zone)
        return w.json
    }
}

/// `binContent.setup`.
public struct BinContentSetupParams: RPCParams {
    public static let method = "binContent.setup"
    public enum Key: String, MemberKey {
        case location, bin, item, unitOfMeasure, minQuantity, maxQuantity, fixed, `default`
    }
    public var location: String
    public var bin: String
    public var item: String
    public var unitOfMeasure: String?
    public var minQuantity: Quantity?
    public var maxQuantity: Quantity?
    public var fixed: Bool?
    /// The wire member `default`.
    public var isDefault: Bool?

    public init(
        location: String, bin: String, item: String, unitOfMeasure: String? = nil, minQuantity: Quantity? = nil,
        maxQuantity: Quantity? = nil, fixed: Bool? = nil, isDefault: Bool? = nil
    ) {
        self.location = location
        self.bin = bin
        self.item = item
        self.unitOfMeasure = unitOfMeasure
        self.minQuantity = minQuantity
        self.maxQuantity = maxQuantity
        self.fixed = fixed
        self.isDefault = isDefault
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = try Self.members(p)
        location = try m.string(.location)
        bin = try m.string(.bin)
        item = try m.string(.item)
        unitOfMeasure = try m.optionalString(.unitOfMeasure)
        minQuantity = try m.optionalQuantity(.minQuantity)
        maxQuantity = try m.optionalQuantity(.maxQuantity)
        fixed = try m.optionalBool(.fixed)
        isDefault = try m.optionalBool(.default)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.location, location)
        w.set(.bin, bin)
        w.set(.item, item)
        w.set(.unitOfMeasure, unitOfMeasure)
        w.set(.minQuantity, minQuantity)
        w.set(.maxQuantity, maxQuantity)
        w.set(.fixed, fixed)
        w.set(.default, isDefault)
        return w.json
    }
}

/// `item.create`.
public struct ItemCreateParams: RPCParams {
    public static let method = "item.create"
    public enum Key: String, MemberKey {
        case no, description, baseUnitOfMeasure, unitsOfMeasure, tracking, warehouseClass
    }
    /// The base unit when the request names none.
    public static let defaultBaseUnit = "PCS"
    /// Most elements of `unitsOfMeasure` (`maxUnitsOfMeasure`).
    public static let maxUnitsOfMeasure = 50

    /// One element of `unitsOfMeasure`. `quantityPerUnitOfMeasure` may be left out only for the base unit (it is 1).
    public struct Unit: WireValue, Sendable, Hashable {
        public enum Key: String, MemberKey {
            case code, quantityPerUnitOfMeasure, roundingPrecision, cubage, weight
        }
        public var code: String
        public var quantityPerUnitOfMeasure: Quantity?
        public var roundingPrecision: Quantity?
        public var cubage: Quantity?
        public var weight: Quantity?

        public init(
            code: String, quantityPerUnitOfMeasure: Quantity? = nil, roundingPrecision: Quantity? = nil,
            cubage: Quantity? = nil, weight: Quantity? = nil
        ) {
            self.code = code
            self.quantityPerUnitOfMeasure = quantityPerUnitOfMeasure
            self.roundingPrecision = roundingPrecision
            self.cubage = cubage
            self.weight = weight
        }

        public init(decoding p: Params, baseUnit: String) throws(RPCError) {
            let m = try p.members(Key.self)
            code = try m.string(.code)
            roundingPrecision = try m.optionalQuantity(.roundingPrecision)
            cubage = try m.optionalQuantity(.cubage)
            weight = try m.optionalQuantity(.weight)
            quantityPerUnitOfMeasure =
                code == baseUnit
                ? try m.optionalQuantity(.quantityPerUnitOfMeasure) : try m.quantity(.quantityPerUnitOfMeasure)
        }

        public var wire: JSON {
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
    public var description: String?
    public var baseUnitOfMeasure: String?
    public var unitsOfMeasure: [Unit]
    /// Sent only when some part is set.
    public var tracking: ItemTracking
    public var warehouseClass: String?

    public init(
        no: String, description: String? = nil, baseUnitOfMeasure: String? = nil, unitsOfMeasure: [Unit] = [],
        tracking: ItemTracking = .none, warehouseClass: String? = nil
    ) {
        self.no = no
        self.description = description
        self.baseUnitOfMeasure = baseUnitOfMeasure
        self.unitsOfMeasure = unitsOfMeasure
        self.tracking = tracking
        self.warehouseClass = warehouseClass
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = try Self.members(p)
        no = try m.string(.no)
        description = try m.optionalText(.description)
        baseUnitOfMeasure = try m.optionalString(.baseUnitOfMeasure)
        warehouseClass = try m.optionalString(.warehouseClass)
        let base = baseUnitOfMeasure ?? Self.defaultBaseUnit
        unitsOfMeasure = try m.objects(
            .unitsOfMeasure, max: Self.maxUnitsOfMeasure, limit: "maxUnitsOfMeasure",
            required: false
        ) { (u: Params) throws(RPCError) -> Unit in
            try Unit(decoding: u, baseUnit: base)
        }
        tracking = try ItemTracking(decoding: try m.object(.tracking))
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.no, no)
        w.set(.description, description)
        w.set(.baseUnitOfMeasure, baseUnitOfMeasure)
        if !unitsOfMeasure.isEmpty { w.set(.unitsOfMeasure, unitsOfMeasure) }
        if tracking != .none { w.set(.tracking, tracking) }
        w.set(.warehouseClass, warehouseClass)
        return w.json
    }
}

/// The `tracking` object of `item.create`; parts left out are false.
extension ItemTracking: WireObject {
    public enum Key: String, MemberKey { case lot, serial, expirationRequired }

    public init(decoding p: Params) throws(RPCError) {
        let m = try p.members(Key.self)
        self.init(
            lot: try m.optionalBool(.lot) ?? false, serial: try m.optionalBool(.serial) ?? false,
            expirationRequired: try m.optionalBool(.expirationRequired) ?? false)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.lot, lot)
        w.set(.serial, serial)
        w.set(.expirationRequired, expirationRequired)
        return w.json
    }
}

/// `item.get`.
public struct ItemGetParams: RPCParams {
    public static let method = "item.get"
    public enum Key: String, MemberKey { case no }
    public var no: String

    public init(no: String) { self.no = no }

    public init(decoding p: Params) throws(RPCError) {
        no = try Self.members(p).string(.no)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.no, no)
        return w.json
    }
}

/// `item.list`.
public struct ItemListParams: NoParams {
    public static let method = "item.list"
    public init() {}
}

/// `item.setCountingPeriod`: no period (or null) removes the item's.
public struct ItemSetCountingPeriodParams: RPCParams {
    public static let method = "item.setCountingPeriod"
    public enum Key: String, MemberKey { case item, countingPeriod, date }
    public var item: String
    public var countingPeriod: String?
    public var date: String?

    public init(item: String, countingPeriod: String?, date: String? = nil) {
        self.item = item
        self.countingPeriod = countingPeriod
        self.date = date
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = try Self.members(p)
        item = try m.string(.item)
        countingPeriod = try m.optionalString(.countingPeriod)
        date = try m.optionalString(.date)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.item, item)
        w.set(.countingPeriod, countingPeriod)
        w.set(.date, date)
        return w.json
    }
}

/// `itemTracking.setBlocked`.
public struct ItemTrackingSetBlockedParams: RPCParams {
    public static let method = "itemTracking.setBlocked"
    public enum Key: String, MemberKey { case item, lot, serial, blocked }
    public var item: String
    public var lot: String?
    public var serial: String?
    public var blocked: Bool

    public init(item: String, lot: String? = nil, serial: String? = nil, blocked: Bool) {
        self.item = item
        self.lot = lot
        self.serial = serial
        self.blocked = blocked
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = try Self.members(p)
        item = try m.string(.item)
        lot = try m.optionalString(.lot)
        serial = try m.optionalString(.serial)
        blocked = try m.bool(.blocked)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.item, item)
        w.set(.lot, lot)
        w.set(.serial, serial)
        w.set(.blocked, blocked)
        return w.json
    }
}

/// `countingPeriod.create`.
public struct CountingPeriodCreateParams: RPCParams {
    public static let method = "countingPeriod.create"
    public enum Key: String, MemberKey { case code, description, countFrequencyPerYear }
    public static let frequencies = 1...365
    public var code: String
    public var description: String?
    public var countFrequencyPerYear: Int?

    public init(code: String, description: String? = nil, countFrequencyPerYear: Int? = nil) {
        self.code = code
        self.description = description
        self.countFrequencyPerYear = countFrequencyPerYear
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = try Self.members(p)
        code = try m.string(.code)
        description = try m.optionalText(.description)
        countFrequencyPerYear = try m.optionalInt(.countFrequencyPerYear, range: Self.frequencies)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.code, code)
        w.set(.description, description)
        w.set(.countFrequencyPerYear, countFrequencyPerYear)
        return w.json
    }
}

/// `countingPeriod.list`.
public struct CountingPeriodListParams: NoParams {
    public static let method = "countingPeriod.list"
    public init() {}
}

/// `countingPeriod.due`.
public struct CountingPeriodDueParams: RPCParams {
    public static let method = "countingPeriod.due"
    public enum Key: String, MemberKey { case date, countingPeriod }
    public var date: String?
    public var countingPeriod: String?

    public init(date: String? = nil, countingPeriod: String? = nil) {
        self.date = date
        self.countingPeriod = countingPeriod
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = try Self.members(p)
        date = try m.optionalString(.date)
        countingPeriod = try m.optionalString(.countingPeriod)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.date, date)
        w.set(.countingPeriod, countingPeriod)
        return w.json
    }
}

extension ParamsCatalogue {
    static let masterData: [any RPCParams.Type] = [
        LocationCreateParams.self, LocationConvertToDirectedParams.self, LocationUpdateParams.self,
        LocationGetParams.self,
        LocationListParams.self, ZoneCreateParams.self, ZoneListParams.self, BinCreateParams.self, BinUpdateParams.self,
        BinListParams.self, BinContentSetupParams.self, ItemCreateParams.self, ItemGetParams.self, ItemListParams.self,
        ItemSetCountingPeriodParams.self, ItemTrackingSetBlockedParams.self, CountingPeriodCreateParams.self,
        CountingPeriodListParams.self, CountingPeriodDueParams.self
    ]
}
