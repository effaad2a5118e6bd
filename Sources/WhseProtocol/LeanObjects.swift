/// Which members of a result object go on the wire (protocol.md 11, "Lean objects").
public enum MemberSelection: Sendable, Hashable {
    /// Every member but those at their documented default.
    case lean
    /// Exactly these members, each written even at its default (the `fields` parameter).
    case only([String])
}

/// The documented defaults of one lean result type: what a client reads for a member that is absent.
///
/// The rows that come in numbers (bin content rows, ledger entries, reservations) leave out the members that carry
/// no information in most rows: `null` codes, `false` flags, a set-up of 0, a `""` document no. A client that
/// needs every member puts each missing one back from `constants` and `copies` (`restored(_:)` does it); whsectl
/// does so before it prints.
public struct MemberDefaults: Sendable {
    /// The type's name in protocol.md 11, for messages.
    public let type: String
    /// Every member the type has, sorted: the names `fields` accepts.
    public let members: [String]
    /// A member that is absent has this value.
    public let constants: [String: JSON]
    /// A member that is absent has the value of the other member named here: `quantityBase` is left out when it
    /// equals `quantity` (a unit of 1 base unit, or 0).
    public let copies: [String: String]
    let memberSet: Set<String>

    init(type: String, members: [String], constants: [String: JSON], copies: [String: String] = [:]) {
        self.type = type
        self.members = members.sorted()
        self.constants = constants
        self.copies = copies
        self.memberSet = Set(members)
        precondition(memberSet.count == members.count, "\(type): a member is listed twice")
        precondition(
            memberSet.isSuperset(of: constants.keys) && memberSet.isSuperset(of: copies.keys)
                && memberSet.isSuperset(of: copies.values) && Set(constants.keys).isDisjoint(with: copies.keys)
                && Set(constants.keys).isDisjoint(with: copies.values),
            "\(type): a default names a member the type does not have, one twice, or a copied member's source")
    }

    /// Whether `name` is one of the type's members.
    public func has(_ name: String) -> Bool { memberSet.contains(name) }

    /// The wire form of an object given with every member.
    public func encode(_ full: consuming [String: JSON], _ selection: MemberSelection = .lean) -> JSON {
        switch selection {
        case .lean:
            // Consumed, so the caller's object is trimmed in place rather than copied.
            for (k, v) in constants where full[k] == v { full.removeValue(forKey: k) }
            // A copied member goes only when its source stays: no source has a constant default (init).
            for (k, source) in copies where full[k] != nil && full[k] == full[source] { full.removeValue(forKey: k) }
            return .object(full)
        case .only(let names):
            var o: [String: JSON] = [:]
            o.reserveCapacity(names.count)
            for k in names { o[k] = full[k] }
            return .object(o)
        }
    }

    /// `object` with every absent member put back at its default; other values are returned as they are.
    public func restored(_ object: JSON) -> JSON {
        guard case .object(var o) = object else { return object }
        for (k, v) in constants where o[k] == nil { o[k] = v }
        for (k, source) in copies where o[k] == nil { if let v = o[source] { o[k] = v } }
        return .object(o)
    }

    /// `result` with each object of its array `key` restored.
    public func restored(_ result: JSON, in key: String) -> JSON {
        guard case .object(var o) = result, case .array(let rows)? = o[key] else { return result }
        o[key] = .array(rows.map(restored))
        return .object(o)
    }
}

extension MemberDefaults {
    static let zero = JSON.number("0"), one = JSON.number("1")
    /// `lot` and `serial` are `null` when none, in every lean type.
    static func untracked(_ more: [String: JSON]) -> [String: JSON] {
        more.merging(["lot": .null, "serial": .null]) { a, _ in a }
    }

    /// BinContentRow (`bin.contents`, `item.bins`).
    public static let binContentRow = MemberDefaults(
        type: "BinContentRow",
        members: [
            "adjustmentBin", "bin", "blocked", "default", "expirationDate", "fixed", "item", "location", "lot",
            "maxQuantity", "minQuantity", "quantity", "quantityBase", "serial", "unitOfMeasure", "zone"
        ],
        constants: untracked([
            "adjustmentBin": false, "blocked": false, "default": false, "expirationDate": .null,
            "fixed": false, "maxQuantity": zero, "minQuantity": zero, "zone": .null
        ]),
        copies: ["quantityBase": "quantity"])

    /// WarehouseEntry (`entries.warehouse`).
    public static let warehouseEntry = MemberDefaults(
        type: "WarehouseEntry",
        members: [
            "bin", "documentNo", "entryNo", "entryType", "expirationDate", "item", "location", "lot", "quantity",
            "quantityBase", "quantityPerUnitOfMeasure", "registerNo", "registeringDate", "serial", "source",
            "timestamp", "unitOfMeasure", "user", "zone"
        ],
        constants: untracked(["documentNo": "", "expirationDate": .null, "quantityPerUnitOfMeasure": one, "zone": .null]
        ),
        copies: ["quantityBase": "quantity"])

    /// ItemLedgerEntry (`entries.item`).
    public static let itemLedgerEntry = MemberDefaults(
        type: "ItemLedgerEntry",
        members: [
            "documentNo", "entryNo", "entryType", "expirationDate", "item", "location", "lot", "postingDate",
            "quantity", "quantityPerUnitOfMeasure", "serial", "source", "timestamp", "unitOfMeasure", "user",
            "warehouseAdjustment"
        ],
        constants: untracked([
            "documentNo": "", "expirationDate": .null, "quantityPerUnitOfMeasure": one,
            "warehouseAdjustment": false
        ]))

    /// PhysInventoryLedgerEntry (`entries.physInventory`).
    public static let physInventoryLedgerEntry = MemberDefaults(
        type: "PhysInventoryLedgerEntry",
        members: [
            "bin", "countingPeriod", "documentNo", "entryNo", "entryType", "item", "lastItemLedgerEntryNo",
            "location", "lot", "postingDate", "quantity", "quantityCalculated", "quantityPhysInventory", "serial",
            "timestamp", "unitOfMeasure", "user"
        ],
        constants: untracked(["bin": .null, "countingPeriod": .null, "documentNo": ""]))

    /// Reservation (`reservation.*`).
    public static let reservation = MemberDefaults(
        type: "Reservation",
        members: [
            "createdAt", "createdBy", "item", "location", "lot", "quantityBase", "reservation", "serial",
            "source"
        ],
        constants: untracked(["source": ""]))
}
