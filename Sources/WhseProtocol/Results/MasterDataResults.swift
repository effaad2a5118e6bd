import Warehouse

/// The answer of `itemTracking.setBlocked`.
public struct TrackingBlockedResult: RPCResult {
    public enum Key: String, MemberKey { case item, lot, serial, blocked }
    public var item: String
    public var lot: String?
    public var serial: String?
    public var blocked: Bool

    public init(item: String, lot: String?, serial: String?, blocked: Bool) {
        self.item = item
        self.lot = lot
        self.serial = serial
        self.blocked = blocked
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = p.resultMembers(Key.self)
        item = try m.text(.item)
        lot = try m.optionalText(.lot)
        serial = try m.optionalText(.serial)
        blocked = try m.bool(.blocked)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.item, item)
        w.setOrNull(.lot, lot)
        w.setOrNull(.serial, serial)
        w.set(.blocked, blocked)
        return w.json
    }
}

/// The answer of `binContent.setup`: the bin content's set-up after the change.
public struct BinContentSetupResult: RPCResult {
    public enum Key: String, MemberKey {
        case location, bin, item, unitOfMeasure, minQuantity, maxQuantity, fixed, `default`
    }
    public var location: String
    public var bin: String
    public var item: String
    public var unitOfMeasure: String
    public var minQuantity: Quantity
    public var maxQuantity: Quantity
    public var fixed: Bool
    /// The wire member `default`.
    public var isDefault: Bool

    public init(
        location: String, bin: String, item: String, unitOfMeasure: String, minQuantity: Quantity,
        maxQuantity: Quantity, fixed: Bool, isDefault: Bool
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
        let m = p.resultMembers(Key.self)
        location = try m.text(.location)
        bin = try m.text(.bin)
        item = try m.text(.item)
        unitOfMeasure = try m.text(.unitOfMeasure)
        minQuantity = try m.quantity(.minQuantity)
        maxQuantity = try m.quantity(.maxQuantity)
        fixed = try m.bool(.fixed)
        isDefault = try m.bool(.default)
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
