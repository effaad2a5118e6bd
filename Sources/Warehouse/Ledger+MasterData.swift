/// Master data: locations, zones, bins and items (DOMAIN.md §2.1–§2.5, §4.1).
extension Ledger {
    /// Longest code of a location, zone, bin, item, unit or journal.
    public static let maxCodeLength = 20
    /// Longest description or document number.
    public static let maxTextLength = 100

    static func checkCode(_ code: String, _ what: String) throws(DomainError) {
        guard !code.isEmpty else { throw DomainError(.validationFailed, "\(what) must not be empty") }
        guard code.utf8.count <= maxCodeLength else {
            throw DomainError(.validationFailed, "\(what) \"\(code)\" is longer than \(maxCodeLength) bytes")
        }
        for b in code.utf8 where b <= 0x20 || b == 0x7f {
            throw DomainError(.validationFailed, "\(what) \"\(code)\" must not contain spaces or control characters")
        }
    }

    static func checkText(_ text: String, _ what: String) throws(DomainError) {
        guard text.utf8.count <= maxTextLength else {
            throw DomainError(.validationFailed, "\(what) is longer than \(maxTextLength) bytes")
        }
    }

    /// Checks a YYYY-MM-DD date.
    static func checkDate(_ date: String, _ what: String) throws(DomainError) {
        let b = Array(date.utf8)
        func digits(_ r: Range<Int>) -> Int? {
            var v = 0
            for i in r {
                guard b[i] >= 48 && b[i] <= 57 else { return nil }
                v = v * 10 + Int(b[i] - 48)
            }
            return v
        }
        guard b.count == 10, b[4] == 45, b[7] == 45, let y = digits(0..<4), let m = digits(5..<7),
            let d = digits(8..<10),
            y >= 1900, (1...12).contains(m), d >= 1
        else { throw DomainError(.validationFailed, "\(what) \"\(date)\" is not a date (YYYY-MM-DD)") }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
        guard d <= days else { throw DomainError(.validationFailed, "\(what) \"\(date)\" is not a date (YYYY-MM-DD)") }
    }

    // MARK: lookups

    public func location(_ code: String) throws(DomainError) -> Location {
        guard let l = state.locations[code] else {
            throw DomainError(.notFound, "location \(code) does not exist", details: ["location": .text(code)])
        }
        return l
    }

    public func item(_ no: String) throws(DomainError) -> Item {
        guard let i = state.items[no] else {
            throw DomainError(.notFound, "item \(no) does not exist", details: ["item": .text(no)])
        }
        return i
    }

    public func bin(_ location: String, _ code: String) throws(DomainError) -> Bin {
        guard let b = state.bins[BinKey(location, code)] else {
            throw DomainError(
                .notFound, "bin \(code) does not exist at location \(location)",
                details: ["location": .text(location), "bin": .text(code)])
        }
        return b
    }

    /// The quantity per unit for `unit` (the base unit when nil).
    func unit(_ item: Item, _ unit: String?) throws(DomainError) -> (code: String, perUnit: Quantity) {
        let code = unit ?? item.baseUnitOfMeasure
        guard let per = item.quantityPerUnit(code) else {
            throw DomainError(
                .unitOfMeasure, "item \(item.no) has no unit of measure \(code)",
                details: ["item": .text(item.no), "unitOfMeasure": .text(code)])
        }
        return (code, per)
    }

    // MARK: commands

    /// Creates a location. A directed location gets its adjustment zone and bin (type QC) at once.
    @discardableResult
    public func createLocation(
        code: String, name: String = "", kind: LocationKind = .directed,
        adjustmentBin: String = "ADJ", adjustmentZone: String = "ADJUSTMENT",
        binCapacityPolicy: CapacityPolicy = .never, checkWarehouseClass: Bool = false,
        allowNegativeInventory: Bool = false
    ) throws(DomainError) -> Location {
        try atomically { () throws(DomainError) -> Location in
            try Ledger.checkCode(code, "location code")
            try Ledger.checkText(name, "location name")
            guard state.locations[code] == nil else {
                throw DomainError(.alreadyExists, "location \(code) already exists", details: ["location": .text(code)])
            }
            if kind == .plain && (binCapacityPolicy != .never || checkWarehouseClass) {
                throw DomainError(
                    .wrongLocationKind, "a plain location has no bins: no capacity policy, no warehouse class check",
                    details: ["location": .text(code)])
            }
            try Ledger.checkNegativeInventorySetting(kind, allowNegativeInventory, code)
            var location = Location(
                code: code, name: name, kind: kind, adjustmentBin: nil, binCapacityPolicy: binCapacityPolicy,
                checkWarehouseClass: checkWarehouseClass, allowNegativeInventory: allowNegativeInventory)
            if kind == .directed {
                try Ledger.checkCode(adjustmentBin, "adjustment bin code")
                try Ledger.checkCode(adjustmentZone, "adjustment zone code")
                location.adjustmentBin = adjustmentBin
                setLocation(location)
                setZone(Zone(location: code, code: adjustmentZone, description: "Adjustment", binType: "QC"))
                setBin(
                    Bin(
                        location: code, code: adjustmentBin, description: "Default adjustment bin",
                        zone: adjustmentZone, binType: "QC", blockMovement: .none))
            } else {
                setLocation(location)
            }
            return location
        }
    }

    /// A basic location's bins never go below zero, so its inventory cannot either: the setting does not apply.
    static func checkNegativeInventorySetting(_ kind: LocationKind, _ allow: Bool, _ code: String) throws(DomainError) {
        if kind == .basic && allow {
            throw DomainError(
                .wrongLocationKind,
                "allowNegativeInventory applies to directed and plain locations; the bins of basic location \(code) never go below zero",
                details: ["location": .text(code)])
        }
    }

    /// Changes a location's name, bin capacity policy, warehouse class check or negative-inventory setting.
    @discardableResult
    public func updateLocation(
        code: String, name: String? = nil, binCapacityPolicy: CapacityPolicy? = nil,
        checkWarehouseClass: Bool? = nil, allowNegativeInventory: Bool? = nil
    ) throws(DomainError) -> Location {
        try atomically { () throws(DomainError) -> Location in
            var location = try location(code)
            if let n = name {
                try Ledger.checkText(n, "location name")
                location.name = n
            }
            if location.kind == .plain && ((binCapacityPolicy ?? .never) != .never || checkWarehouseClass == true) {
                throw DomainError(
                    .wrongLocationKind, "a plain location has no bins: no capacity policy, no warehouse class check",
                    details: ["location": .text(code)])
            }
            if let p = binCapacityPolicy { location.binCapacityPolicy = p }
            if let c = checkWarehouseClass { location.checkWarehouseClass = c }
            if let a = allowNegativeInventory {
                try Ledger.checkNegativeInventorySetting(location.kind, a, code)
                location.allowNegativeInventory = a
            }
            setLocation(location)
            return location
        }
    }

    /// Creates a zone at a directed location.
    @discardableResult
    public func createZone(
        location code: String, code zoneCode: String, description: String = "", binType: String? = nil,
        warehouseClass: String? = nil
    )
        throws(DomainError) -> Zone
    {
        try atomically { () throws(DomainError) -> Zone in
            let location = try location(code)
            guard location.kind == .directed else {
                throw DomainError(
                    .wrongLocationKind, "zones exist only at directed locations; \(code) is \(location.kind.rawValue)")
            }
            try Ledger.checkCode(zoneCode, "zone code")
            try Ledger.checkText(description, "description")
            if let t = binType, BinType.standard[t] == nil {
                throw DomainError(
                    .notFound,
                    "bin type \(t) does not exist (known: \(BinType.standard.keys.sorted().joined(separator: ", ")))")
            }
            guard state.zones[BinKey(code, zoneCode)] == nil else {
                throw DomainError(
                    .alreadyExists, "zone \(zoneCode) already exists at \(code)",
                    details: ["location": .text(code), "zone": .text(zoneCode)])
            }
            if let c = warehouseClass { try Ledger.checkCode(c, "warehouse class") }
            let zone = Zone(
                location: code, code: zoneCode, description: description, binType: binType,
                warehouseClass: warehouseClass)
            setZone(zone)
            return zone
        }
    }

    /// Creates a bin. Directed: zone required, bin type from the zone unless given. Basic: no zone, no bin type.
    @discardableResult
    public func createBin(
        location code: String, code binCode: String, description: String = "", zone: String? = nil,
        binType: String? = nil, blockMovement: BlockMovement = .none, maximumCubage: Quantity = .zero,
        maximumWeight: Quantity = .zero, warehouseClass: String? = nil
    ) throws(DomainError) -> Bin {
        try atomically { () throws(DomainError) -> Bin in
            let location = try location(code)
            try Ledger.checkCode(binCode, "bin code")
            try Ledger.checkText(description, "description")
            guard state.bins[BinKey(code, binCode)] == nil else {
                throw DomainError(
                    .alreadyExists, "bin \(binCode) already exists at \(code)",
                    details: ["location": .text(code), "bin": .text(binCode)])
            }
            guard !maximumCubage.isNegative, !maximumWeight.isNegative else {
                throw DomainError(.validationFailed, "maximum cubage and weight must not be negative")
            }
            if let c = warehouseClass { try Ledger.checkCode(c, "warehouse class") }
            var bin = Bin(
                location: code, code: binCode, description: description, zone: nil, binType: nil,
                blockMovement: blockMovement, maximumCubage: maximumCubage, maximumWeight: maximumWeight,
                warehouseClass: warehouseClass)
            switch location.kind {
            case .plain:
                throw DomainError(.wrongLocationKind, "location \(code) is plain and has no bins")
            case .basic:
                guard zone == nil, binType == nil else {
                    throw DomainError(
                        .wrongLocationKind, "bins at the basic location \(code) take no zone and no bin type")
                }
            case .directed:
                guard let zoneCode = zone else {
                    throw DomainError(.validationFailed, "a bin at the directed location \(code) needs a zone")
                }
                guard let z = state.zones[BinKey(code, zoneCode)] else {
                    throw DomainError(.notFound, "zone \(zoneCode) does not exist at \(code)")
                }
                let type = binType ?? z.binType
                guard let t = type else {
                    throw DomainError(
                        .validationFailed,
                        "a bin at the directed location \(code) needs a bin type (none on zone \(zoneCode))")
                }
                guard BinType.standard[t] != nil else { throw DomainError(.notFound, "bin type \(t) does not exist") }
                bin.zone = zoneCode
                bin.binType = t
                if warehouseClass == nil { bin.warehouseClass = z.warehouseClass }
            }
            setBin(bin)
            return bin
        }
    }

    /// Changes a bin's description, block movement or bin type (the type only while it is empty).
    @discardableResult
    public func updateBin(
        location code: String, code binCode: String, description: String? = nil,
        blockMovement: BlockMovement? = nil, binType: String? = nil, maximumCubage: Quantity? = nil,
        maximumWeight: Quantity? = nil, warehouseClass: String?? = nil
    ) throws(DomainError) -> Bin {
        try atomically { () throws(DomainError) -> Bin in
            let location = try location(code)
            var bin = try bin(code, binCode)
            if let d = description {
                try Ledger.checkText(d, "description")
                bin.description = d
            }
            if let b = blockMovement { bin.blockMovement = b }
            if let t = binType {
                guard location.kind == .directed else {
                    throw DomainError(.wrongLocationKind, "bins at \(code) take no bin type")
                }
                guard BinType.standard[t] != nil else { throw DomainError(.notFound, "bin type \(t) does not exist") }
                guard location.adjustmentBin != binCode else {
                    throw DomainError(.adjustmentBin, "the adjustment bin keeps its bin type")
                }
                if t != bin.binType, !binIsEmpty(BinKey(code, binCode)) {
                    throw DomainError(
                        .notEmpty, "bin \(binCode) must be empty to change its bin type",
                        details: ["location": .text(code), "bin": .text(binCode)])
                }
                bin.binType = t
            }
            if let c = maximumCubage {
                guard !c.isNegative else { throw DomainError(.validationFailed, "maximum cubage must not be negative") }
                bin.maximumCubage = c
            }
            if let w = maximumWeight {
                guard !w.isNegative else { throw DomainError(.validationFailed, "maximum weight must not be negative") }
                bin.maximumWeight = w
            }
            if let c = warehouseClass, c != bin.warehouseClass {
                if let code = c { try Ledger.checkCode(code, "warehouse class") }
                guard binIsEmpty(BinKey(code, binCode)) else {
                    throw DomainError(
                        .notEmpty, "bin \(binCode) must be empty to change its warehouse class",
                        details: ["location": .text(code), "bin": .text(binCode)])
                }
                bin.warehouseClass = c
            }
            setBin(bin)
            return bin
        }
    }

    /// True when no content key of the bin holds anything.
    func binIsEmpty(_ key: BinKey) -> Bool {
        guard let keys = state.contentsByBin[key] else { return true }
        return keys.allSatisfy { state.contents[$0]?.quantityBase.isZero ?? true }
    }

    /// Creates an item with its base unit and further units of measure.
    @discardableResult
    public func createItem(
        no: String, description: String = "", baseUnitOfMeasure: String = "PCS",
        unitsOfMeasure: [(code: String, quantityPerUnit: Quantity)] = [], tracking: ItemTracking = .none,
        roundingPrecision: [String: Quantity] = [:], warehouseClass: String? = nil,
        unitMeasures: [String: UnitMeasure] = [:]
    ) throws(DomainError) -> Item {
        try atomically { () throws(DomainError) -> Item in
            try Ledger.checkCode(no, "item no.")
            try Ledger.checkText(description, "description")
            try Ledger.checkCode(baseUnitOfMeasure, "unit of measure")
            guard state.items[no] == nil else {
                throw DomainError(.alreadyExists, "item \(no) already exists", details: ["item": .text(no)])
            }
            var units: [String: Quantity] = [baseUnitOfMeasure: Quantity(1)]
            for u in unitsOfMeasure {
                try Ledger.checkCode(u.code, "unit of measure")
                guard units[u.code] == nil else {
                    if u.code == baseUnitOfMeasure && u.quantityPerUnit == Quantity(1) { continue }
                    throw DomainError(.unitOfMeasure, "unit of measure \(u.code) is given twice")
                }
                guard u.quantityPerUnit.isPositive else {
                    throw DomainError(.unitOfMeasure, "quantity per unit of \(u.code) must be positive")
                }
                units[u.code] = u.quantityPerUnit
            }
            guard units.count <= 50 else {
                throw DomainError(
                    .limitExceeded, "an item has at most 50 units of measure",
                    details: ["limit": .text("maxUnitsOfMeasure"), "max": .int(50)])
            }
            for (code, p) in roundingPrecision.sorted(by: { $0.key < $1.key }) {
                guard units[code] != nil else {
                    throw DomainError(
                        .unitOfMeasure, "rounding precision for \(code), which is not a unit of item \(no)")
                }
                guard p.isPositive, p <= Quantity(1) else {
                    throw DomainError(
                        .unitOfMeasure, "the rounding precision of \(code) must be more than 0 and at most 1, not \(p)")
                }
            }
            if tracking.expirationRequired && !tracking.isTracked {
                throw DomainError(.itemTracking, "an expiration date needs lot or serial tracking")
            }
            var item = Item(
                no: no, description: description, baseUnitOfMeasure: baseUnitOfMeasure,
                unitsOfMeasure: units, blocked: false)
            item.tracking = tracking
            if let c = warehouseClass { try Ledger.checkCode(c, "warehouse class") }
            item.warehouseClass = warehouseClass
            for (code, m) in unitMeasures.sorted(by: { $0.key < $1.key }) {
                guard units[code] != nil else {
                    throw DomainError(.unitOfMeasure, "cubage/weight for \(code), which is not a unit of item \(no)")
                }
                guard !m.cubage.isNegative, !m.weight.isNegative else {
                    throw DomainError(
                        .unitOfMeasure, "cubage and weight of \(code) must not be negative",
                        details: ["item": .text(no), "unitOfMeasure": .text(code)])
                }
            }
            item.unitMeasures = unitMeasures.filter { $0.value != UnitMeasure() }
            item.roundingPrecision = roundingPrecision.filter { $0.value != Quantity(units: 1) }
            setItem(item)
            return item
        }
    }
}

/// Converting a location to directed put-away and pick (DOMAIN.md E4, "Create Warehouse Location").
extension Ledger {
    /// Turns a plain location into a directed one: creates its adjustment zone and bin, and registers each item's
    /// item-ledger quantity into the adjustment bin (base unit), so Σ item ledger = Σ warehouse entries holds from the
    /// start. A warehouse count then moves the stock into real bins (counts entered by bin and item add the lines).
    @discardableResult
    public func convertToDirected(
        location code: String, adjustmentBin: String = "ADJ", adjustmentZone: String = "ADJUSTMENT",
        registeringDate: String? = nil, context: PostingContext
    ) throws(DomainError) -> PostingSummary {
        try atomically { () throws(DomainError) -> PostingSummary in
            var location = try location(code)
            guard location.kind == .plain else {
                throw DomainError(
                    .wrongLocationKind,
                    "only a plain location can be converted; \(code) is \(location.kind.rawValue)",
                    details: ["location": .text(code)])
            }
            let date = registeringDate ?? context.today
            try Ledger.checkDate(date, "registering date")
            try Ledger.checkCode(adjustmentBin, "adjustment bin code")
            try Ledger.checkCode(adjustmentZone, "adjustment zone code")
            guard state.whseCountJournals.values.allSatisfy({ $0.location != code }),
                state.physInventoryJournals.values.allSatisfy({ $0.location != code })
            else {
                throw DomainError(.validationFailed, "post or delete the open count journals of \(code) first")
            }
            let start = savepoint()
            defer { release(start) }
            location.kind = .directed
            location.adjustmentBin = adjustmentBin
            setLocation(location)
            setZone(Zone(location: code, code: adjustmentZone, description: "Adjustment", binType: "QC"))
            let adj = Bin(
                location: code, code: adjustmentBin, description: "Default adjustment bin", zone: adjustmentZone,
                binType: "QC", blockMovement: .none)
            setBin(adj)
            let register = nextRegister()
            let items = state.itemLedgerTotals.filter { $0.key.location == code && !$0.value.isZero }.sorted {
                $0.key < $1.key
            }
            for (key, total) in items {
                let item = try item(key.item)
                // Per lot / serial for tracked items, so each tracking number's ledger equals its warehouse entries.
                let parts: [(Tracking, Quantity)] =
                    item.tracking.isTracked
                    ? state.trackingTotals.filter {
                        $0.key.item == key.item && $0.key.location == code && !$0.value.isZero
                    }
                    .sorted { $0.key < $1.key }.map { (Tracking(lot: $0.key.lot, serial: $0.key.serial), $0.value) }
                    : [(.none, total)]
                for (t, q) in parts {
                    try writeWarehouseEntry(
                        type: q.isNegative ? .negativeAdjmt : .positiveAdjmt, date: date, location: location,
                        bin: adj, item: item, quantity: q, quantityBase: q, unit: item.baseUnitOfMeasure,
                        perUnit: Quantity(1), documentNo: "", source: "createWarehouseLocation",
                        register: register, context: context, tracking: t)
                }
            }
            return summary(since: start, register: register, lines: items.count)
        }
    }
}
