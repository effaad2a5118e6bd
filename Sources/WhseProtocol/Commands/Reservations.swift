import Warehouse

// Params of the reservation methods (protocol.md 13.8).

/// `reservation.create`.
public struct ReservationCreateParams: RPCParams {
    public static let method = "reservation.create"
    public enum Key: String, MemberKey { case location, item, quantity, unitOfMeasure, lot, serial, source }
    public var location: String
    public var item: String
    public var quantity: Quantity
    public var unitOfMeasure: String?
    public var lot: String?
    public var serial: String?
    /// The document the stock is reserved for.
    public var source: String?

    public init(
        location: String, item: String, quantity: Quantity, unitOfMeasure: String? = nil, lot: String? = nil,
        serial: String? = nil, source: String? = nil
    ) {
        self.location = location
        self.item = item
        self.quantity = quantity
        self.unitOfMeasure = unitOfMeasure
        self.lot = lot
        self.serial = serial
        self.source = source
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = try Self.members(p)
        location = try m.string(.location)
        item = try m.string(.item)
        quantity = try m.quantity(.quantity)
        unitOfMeasure = try m.optionalString(.unitOfMeasure)
        lot = try m.optionalString(.lot)
        serial = try m.optionalString(.serial)
        source = try m.optionalString(.source)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.location, location)
        w.set(.item, item)
        w.set(.quantity, quantity)
        w.set(.unitOfMeasure, unitOfMeasure)
        w.set(.lot, lot)
        w.set(.serial, serial)
        w.set(.source, source)
        return w.json
    }
}

/// `reservation.cancel`.
public struct ReservationCancelParams: RPCParams {
    public static let method = "reservation.cancel"
    public enum Key: String, MemberKey { case reservation }
    public var reservation: Int

    public init(reservation: Int) { self.reservation = reservation }

    public init(decoding p: Params) throws(RPCError) {
        reservation = try Self.members(p).int(.reservation, range: 1...Int.max)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.reservation, reservation)
        return w.json
    }
}

/// `reservation.list`.
public struct ReservationListParams: RPCParams {
    public static let method = "reservation.list"
    public enum Key: String, MemberKey { case location, item }
    public var location: String?
    public var item: String?

    public init(location: String? = nil, item: String? = nil) {
        self.location = location
        self.item = item
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = try Self.members(p)
        location = try m.optionalString(.location)
        item = try m.optionalString(.item)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.location, location)
        w.set(.item, item)
        return w.json
    }
}

extension ParamsCatalogue {
    static let reservations: [any RPCParams.Type] = [
        ReservationCreateParams.self, ReservationCancelParams.self, ReservationListParams.self
    ]
}
