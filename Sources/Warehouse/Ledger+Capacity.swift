/// Bin capacity, warehouse classes and bin content set-ups (DOMAIN.md §2.1, §2.4, §2.6, §4.2).
extension Ledger {
    /// Sources whose place entries record what a count found: capacity there only warns.
    static let countSources: Set<String> = ["whsePhysInventory", "physInventory"]

    /// Checks a place entry just applied to a bin (never the adjustment bin): the item's warehouse class must be the
    /// bin's when the location checks classes; under a capacity policy, the bin content's max. quantity and the bin's
    /// maximum cubage and weight. Prohibit refuses (`capacity_exceeded`), Allow More (and any count) warns.
    func checkPlacement(location: Location, bin: Bin, item: Item, unit: String, source: String) throws(DomainError) {
        let isCount = Ledger.countSources.contains(source)
        if location.checkWarehouseClass && (item.warehouseClass ?? "") != (bin.warehouseClass ?? "") {
            let message =
                "item \(item.no) (warehouse class \(item.warehouseClass ?? "none")) cannot go into bin \(bin.code) (warehouse class \(bin.warehouseClass ?? "none"))"
            // A count records what is there, even in the wrong bin: it warns.
            guard isCount else {
                throw DomainError(.warehouseClass, message, details: ["item": .text(item.no), "bin": .text(bin.code)])
            }
            warnings.append(message)
        }
        guard location.binCapacityPolicy != .never else { return }
        var over: [(String, DomainError.DetailValue, DomainError.DetailValue)] = []
        let binKey = BinKey(location.code, bin.code)
        if let setup = state.binContentSetups[ContentKey(location.code, bin.code, item.no, unit)],
            setup.maxQuantity.isPositive
        {
            var q = Quantity.zero
            for k in state.contentsByBin[binKey] ?? [] where k.item == item.no && k.unitOfMeasure == unit {
                q = q.adding(state.contents[k]?.quantity ?? .zero) ?? q
            }
            if q > setup.maxQuantity { over.append(("maximum quantity", .quantity(setup.maxQuantity), .quantity(q))) }
        }
        // Cubage and weight: only what this placement adds can exceed them (an item without cubage goes anywhere).
        let placed = item.unitMeasures[unit] ?? UnitMeasure()
        let checkCubage = bin.maximumCubage.isPositive && placed.cubage.isPositive
        let checkWeight = bin.maximumWeight.isPositive && placed.weight.isPositive
        if checkCubage || checkWeight {
            let huge = Quantity(units: .max)
            var cubage = Quantity.zero
            var weight = Quantity.zero
            for k in state.contentsByBin[binKey] ?? [] {
                guard let c = state.contents[k], c.quantity.isPositive,
                    let m = state.items[k.item]?.unitMeasures[k.unitOfMeasure]
                else { continue }
                // An overflow counts as over any maximum, never as nothing.
                cubage = cubage.adding(c.quantity.multiplied(by: m.cubage) ?? huge) ?? huge
                weight = weight.adding(c.quantity.multiplied(by: m.weight) ?? huge) ?? huge
            }
            if checkCubage && cubage > bin.maximumCubage {
                over.append(("maximum cubage", .quantity(bin.maximumCubage), .quantity(cubage)))
            }
            if checkWeight && weight > bin.maximumWeight {
                over.append(("maximum weight", .quantity(bin.maximumWeight), .quantity(weight)))
            }
        }
        guard let first = over.first else { return }
        let text = over.map { "\($0.0) \(Ledger.detailText($0.1)) (would hold \(Ledger.detailText($0.2)))" }.joined(
            separator: ", ")
        let message = "placing item \(item.no) exceeds the capacity of bin \(bin.code): \(text)"
        if location.binCapacityPolicy == .prohibitMore && !isCount {
            throw DomainError(
                .capacityExceeded, message,
                details: [
                    "bin": .text(bin.code), "item": .text(item.no), "limit": .text(first.0),
                    "max": first.1, "wouldHold": first.2
                ])
        }
        warnings.append(message)
    }

    static func detailText(_ v: DomainError.DetailValue) -> String {
        switch v {
        case .quantity(let q): return q.description
        case .text(let t): return t
        case .int(let i): return String(i)
        case .ints(let a): return a.map(String.init).joined(separator: ", ")
        }
    }

    /// Sets up a bin content: min./max. quantity (in its unit), Fixed and Default. At most one default bin content per
    /// (location, item); at a basic location an item journal line without a bin goes to the default bin.
    @discardableResult
    public func setupBinContent(
        location code: String, bin binCode: String, item no: String, unitOfMeasure: String? = nil,
        minQuantity: Quantity? = nil, maxQuantity: Quantity? = nil, fixed: Bool? = nil, isDefault: Bool? = nil
    ) throws(DomainError) -> BinContentSetup {
        try atomically { () throws(DomainError) -> BinContentSetup in
            let location = try location(code)
            guard location.kind != .plain else { throw DomainError(.wrongLocationKind, "location \(code) has no bins") }
            let bin = try bin(code, binCode)
            guard location.adjustmentBin != bin.code else {
                throw DomainError(.adjustmentBin, "the adjustment bin \(bin.code) has no bin content set-up")
            }
            let item = try item(no)
            let (unit, _) = try unit(item, unitOfMeasure)
            let key = ContentKey(code, bin.code, item.no, unit)
            var s = state.binContentSetups[key] ?? BinContentSetup()
            if let m = minQuantity { s.minQuantity = m }
            if let m = maxQuantity { s.maxQuantity = m }
            if let f = fixed { s.fixed = f }
            if let d = isDefault { s.isDefault = d }
            guard !s.minQuantity.isNegative, !s.maxQuantity.isNegative else {
                throw DomainError(.validationFailed, "min. and max. quantity must not be negative")
            }
            guard s.maxQuantity.isZero || s.minQuantity <= s.maxQuantity else {
                throw DomainError(
                    .validationFailed, "min. quantity \(s.minQuantity) is more than max. quantity \(s.maxQuantity)")
            }
            if s.isDefault {
                let other = state.binContentSetups.filter {
                    $0.key != key && $0.key.location == code && $0.key.item == no && $0.value.isDefault
                }
                .keys.sorted().first
                if let other {
                    throw DomainError(
                        .alreadyExists,
                        "there is already a default bin content for item \(no) at \(code): bin \(other.bin)",
                        details: ["bin": .text(other.bin), "item": .text(no)])
                }
            }
            setBinContentSetup(key, s == BinContentSetup() ? nil : s)
            return s
        }
    }

    /// The default bin of an item at a location, if a bin content is set up as default.
    public func defaultBin(location: String, item: String) -> String? {
        state.binContentSetups.filter { $0.key.location == location && $0.key.item == item && $0.value.isDefault }
            .keys.sorted().first?.bin
    }
}
