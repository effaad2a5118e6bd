/// An (item) Phys. Inventory journal (DOMAIN.md §3.6–§3.8). Quantities are in the base unit.
public struct PhysInventoryJournal: Sendable, Hashable {
    public var name: String
    public var location: String
    public var documentNo: String
    public var postingDate: String
    public var lines: [PhysInventoryLine]
    public var createdBy: String
    public var createdAt: String
}

/// One phys. inventory line: per item (directed, plain) or per bin and item (basic).
public struct PhysInventoryLine: Sendable, Hashable {
    public var lineNo: Int
    public var item: String
    public var bin: String?
    public var unitOfMeasure: String
    /// Item ledger (directed, plain) or bin content (basic) quantity when calculated.
    public var quantityCalculated: Quantity
    /// Counted: derived from the warehouse at directed locations, entered elsewhere.
    public var quantityPhysInventory: Quantity
    public var counted: Bool
    public var lastItemLedgerEntryNo: Int
    /// Basic: last warehouse entry of the bin content; directed: newest entry of the adjustment bin content keys.
    public var lastWarehouseEntryNo: Int
    public var lot: String = ""
    public var serial: String = ""
    /// Set when calculated for the items due in their counting period (§2.12).
    public var countingPeriod: String? = nil
    /// The expiration date of a lot found by the count (one the books do not know yet).
    public var expirationDate: String? = nil

    /// Quantity = Phys − Calc, signed.
    public var difference: Quantity { quantityPhysInventory.subtracting(quantityCalculated) ?? .zero }
}

extension Ledger {
    public func physInventoryJournal(_ name: String) throws(DomainError) -> PhysInventoryJournal {
        guard let j = state.physInventoryJournals[name] else {
            throw DomainError(
                .notFound, "physical inventory journal \(name) does not exist", details: ["journal": .text(name)])
        }
        return j
    }

    /// The adjustment bin's content of an item over all units (of one lot / serial when given): (Σ base, newest entry no.).
    func adjustmentContent(_ location: Location, item: String, lot: String? = nil, serial: String? = nil)
        -> (base: Quantity, lastEntryNo: Int, keys: [ContentKey])
    {
        guard let adj = location.adjustmentBin else { return (.zero, 0, []) }
        let keys = (state.contentsByBin[BinKey(location.code, adj)] ?? [])
            .filter { $0.item == item && (lot == nil || $0.lot == lot) && (serial == nil || $0.serial == serial) }
            .sorted()
        var total = Quantity.zero
        var last = 0
        for k in keys {
            if let c = state.contents[k] {
                total = total.adding(c.quantityBase) ?? total
                last = max(last, c.lastEntryNo)
            }
        }
        return (total, last, keys)
    }

    /// Σ item ledger of an item at a location, of one lot / serial when the item is tracked.
    func ledgerQuantity(_ location: String, item: String, lot: String, serial: String) -> Quantity {
        if lot.isEmpty && serial.isEmpty { return state.itemLedgerTotals[ItemLocationKey(item, location)] ?? .zero }
        return state.trackingTotals[TrackingKey(item, location, lot: lot, serial: serial)] ?? .zero
    }

    /// The current calculation of one line: (calculated, phys or nil when entered by people, ILE marker, WE marker).
    func physLineNow(_ location: Location, item: String, bin: String?, lot: String = "", serial: String = "")
        -> (Quantity, Quantity?, Int, Int)
    {
        let il = ItemLocationKey(item, location.code)
        let ile = ledgerQuantity(location.code, item: item, lot: lot, serial: serial)
        let lastILE = state.itemLedgerLastEntry[il] ?? 0
        switch location.kind {
        case .directed:
            let tracked = !(lot.isEmpty && serial.isEmpty)
            let adj = adjustmentContent(location, item: item, lot: tracked ? lot : nil, serial: tracked ? serial : nil)
            return (ile, ile.subtracting(adj.base) ?? ile, lastILE, adj.lastEntryNo)
        case .basic:
            let base = state.items[item]?.baseUnitOfMeasure ?? ""
            let c = state.contents[ContentKey(location.code, bin ?? "", item, base, lot: lot, serial: serial)]
            return (c?.quantityBase ?? .zero, nil, lastILE, c?.lastEntryNo ?? 0)
        case .plain:
            return (ile, nil, lastILE, 0)
        }
    }

    /// Calculate Inventory (report 790): directed — one line per item (per lot / serial for tracked items),
    /// Calc = Σ item ledger, Phys = Calc − adjustment bin; basic — one line per bin content (base unit), Phys to be
    /// counted; plain — one line per item (per lot / serial), Phys to be counted. `countingPeriodDue` limits the lines to
    /// the items due in their counting period on the posting date and marks them.
    @discardableResult
    public func calculatePhysInventory(
        location code: String, journal: String? = nil, documentNo: String = "", postingDate: String? = nil,
        item itemFilter: String? = nil, bin binFilter: String? = nil, includeZero: Bool = false,
        countingPeriodDue: Bool = false, context: PostingContext
    ) throws(DomainError) -> PhysInventoryJournal {
        try atomically { () throws(DomainError) -> PhysInventoryJournal in
            let location = try location(code)
            let date = postingDate ?? context.today
            try Ledger.checkDate(date, "posting date")
            try Ledger.checkText(documentNo, "document no.")
            if let i = itemFilter { _ = try item(i) }
            if let b = binFilter {
                guard location.kind == .basic else {
                    throw DomainError(.wrongLocationKind, "a bin filter applies only at basic locations")
                }
                _ = try bin(code, b)
            }
            let due: [String: String]? =
                countingPeriodDue
                ? Dictionary(
                    uniqueKeysWithValues: try itemsDueForCounting(on: date).map { ($0.no, $0.countingPeriod ?? "") })
                : nil
            let name = try checkNewJournalName(journal, prefix: "PHYS")
            var lines: [PhysInventoryLine] = []
            func add(item: String, bin: String?, lot: String, serial: String) {
                let (calc, phys, lastILE, lastWE) = physLineNow(
                    location, item: item, bin: bin, lot: lot, serial: serial)
                let base = state.items[item]?.baseUnitOfMeasure ?? ""
                lines.append(
                    PhysInventoryLine(
                        lineNo: (lines.count + 1) * 10000, item: item, bin: bin, unitOfMeasure: base,
                        quantityCalculated: calc, quantityPhysInventory: phys ?? calc, counted: phys != nil,
                        lastItemLedgerEntryNo: lastILE, lastWarehouseEntryNo: lastWE, lot: lot, serial: serial,
                        countingPeriod: due?[item]))
            }
            func wanted(_ item: String) -> Bool {
                (itemFilter == nil || item == itemFilter) && (due == nil || due![item] != nil)
            }
            switch location.kind {
            case .directed, .plain:
                var items = Set(state.itemLedgerTotals.keys.filter { $0.location == code }.map(\.item))
                // Per tracked item: the lots / serials in its ledger and in the adjustment bin.
                var tracked: [String: Set<Tracking>] = [:]
                for k in state.trackingTotals.keys where k.location == code {
                    tracked[k.item, default: []].insert(Tracking(lot: k.lot, serial: k.serial))
                }
                if location.kind == .directed, let adj = location.adjustmentBin {
                    for k in state.contentsByBin[BinKey(code, adj)] ?? [] {
                        items.insert(k.item)
                        if !k.tracking.isEmpty { tracked[k.item, default: []].insert(k.tracking) }
                    }
                }
                for it in items.sorted() where wanted(it) {
                    let numbers: [Tracking] =
                        state.items[it]?.tracking.isTracked == true
                        ? (tracked[it] ?? []).sorted() : [.none]
                    for t in numbers {
                        let (calc, phys, _, _) = physLineNow(location, item: it, bin: nil, lot: t.lot, serial: t.serial)
                        if includeZero || !calc.isZero || (phys.map { !$0.isZero } ?? false) {
                            add(item: it, bin: nil, lot: t.lot, serial: t.serial)
                        }
                    }
                }
            case .basic:
                let keys = state.contents.keys.filter {
                    $0.location == code && (binFilter == nil || $0.bin == binFilter) && wanted($0.item)
                }
                for k in keys.sorted() {
                    guard let c = state.contents[k], includeZero || !c.quantityBase.isZero else { continue }
                    add(item: k.item, bin: k.bin, lot: k.lot, serial: k.serial)
                }
            }
            guard lines.count <= Ledger.maxCountJournalLines else {
                throw DomainError(
                    .limitExceeded,
                    "the journal would have \(lines.count) lines; at most \(Ledger.maxCountJournalLines)",
                    details: ["limit": .text("maxCountJournalLines"), "max": .int(Ledger.maxCountJournalLines)])
            }
            let j = PhysInventoryJournal(
                name: name, location: code, documentNo: documentNo, postingDate: date, lines: lines,
                createdBy: context.user, createdAt: context.timestamp)
            setPhysJournal(name, j)
            return j
        }
    }

    /// Enters counts on a basic or plain location's phys. inventory journal, by line or by item (+ bin, lot, serial).
    /// A lot / serial counted that has no line gets one (calculated 0 when the ledger does not know it: E1's LOT1002).
    /// Directed locations derive the counted quantity from the warehouse: changes there belong in a warehouse count (§3.6).
    @discardableResult
    public func recordPhysInventoryCounts(journal name: String, counts: [CountInput]) throws(DomainError)
        -> PhysInventoryJournal
    {
        try atomically { () throws(DomainError) -> PhysInventoryJournal in
            var j = try physInventoryJournal(name)
            let location = try location(j.location)
            guard location.kind != .directed else {
                throw DomainError(
                    .wrongLocationKind,
                    "at the directed location \(location.code) the counted quantity comes from the warehouse; changes must be made in a warehouse count (whsePhysInventory)"
                )
            }
            guard !counts.isEmpty else { throw DomainError(.validationFailed, "no counts given") }
            for (i, c) in counts.enumerated() {
                do throws(DomainError) {
                    guard !c.quantity.isNegative else {
                        throw DomainError(.validationFailed, "a counted quantity must not be negative")
                    }
                    guard c.quantity <= Quantity.maxLineMagnitude else {
                        throw DomainError(.validationFailed, "counted quantity too large")
                    }
                    let index: Int
                    if let n = c.lineNo {
                        guard let x = j.lines.firstIndex(where: { $0.lineNo == n }) else {
                            throw DomainError(
                                .notFound, "journal \(name) has no line \(n)", details: ["lineNo": .int(n)])
                        }
                        index = x
                    } else {
                        guard let itemNo = c.item else {
                            throw DomainError(.validationFailed, "a count needs lineNo, or item (and bin)")
                        }
                        let matches = j.lines.indices.filter {
                            j.lines[$0].item == itemNo && j.lines[$0].bin == c.bin
                                && (c.lot == nil || j.lines[$0].lot == c.lot)
                                && (c.serial == nil || j.lines[$0].serial == c.serial)
                        }
                        if matches.count > 1 {
                            throw DomainError(
                                .validationFailed,
                                "item \(itemNo) has several lines (lots or serial nos.); name lot, serial or lineNo")
                        }
                        if let x = matches.first {
                            index = x
                        } else {
                            index = try addPhysLine(&j, location: location, c, itemNo: itemNo)
                        }
                    }
                    var q = c.quantity
                    let item = try item(j.lines[index].item)
                    if let u = c.unitOfMeasure {
                        let (_, per) = try unit(item, u)
                        q = try base(q, per, item, unit: u)
                    } else {
                        _ = try base(q, Quantity(1), item, unit: item.baseUnitOfMeasure)
                    }
                    if item.tracking.serial && !(q.isZero || q == Quantity(1)) {
                        throw DomainError(
                            .itemTracking,
                            "serial \(j.lines[index].serial) of item \(item.no) is counted as 0 or 1, not \(q)")
                    }
                    j.lines[index].quantityPhysInventory = q
                    j.lines[index].counted = true
                } catch {
                    throw error.atLine(i + 1)
                }
            }
            setPhysJournal(name, j)
            return j
        }
    }

    /// A line for an item (bin, lot, serial) counted that the calculation did not list.
    private func addPhysLine(_ j: inout PhysInventoryJournal, location: Location, _ c: CountInput, itemNo: String)
        throws(DomainError) -> Int
    {
        let item = try item(itemNo)
        if location.kind == .basic {
            guard let b = c.bin else {
                throw DomainError(.validationFailed, "a count at the basic location \(location.code) needs a bin")
            }
            _ = try bin(location.code, b)
        } else if let b = c.bin {
            throw DomainError(.wrongLocationKind, "location \(location.code) has no bins; remove bin \(b)")
        }
        if !item.tracking.isTracked {
            throw DomainError(
                .notFound, "journal \(j.name) has no line for item \(itemNo)\(c.bin.map { " in bin \($0)" } ?? "")")
        }
        let t = try resolveTracking(
            item, lot: c.lot, serial: c.serial, expirationDate: c.expirationDate,
            inbound: c.quantity.isPositive, perUnit: Quantity(1), quantity: .zero, record: false)
        guard j.lines.count < Ledger.maxCountJournalLines else {
            throw DomainError(.limitExceeded, "journal \(j.name) holds \(Ledger.maxCountJournalLines) lines")
        }
        let (calc, _, lastILE, lastWE) = physLineNow(location, item: itemNo, bin: c.bin, lot: t.lot, serial: t.serial)
        j.lines.append(
            PhysInventoryLine(
                lineNo: (j.lines.map(\.lineNo).max() ?? 0) + 10000, item: itemNo, bin: c.bin,
                unitOfMeasure: item.baseUnitOfMeasure,
                quantityCalculated: calc, quantityPhysInventory: calc, counted: false, lastItemLedgerEntryNo: lastILE,
                lastWarehouseEntryNo: lastWE, lot: t.lot, serial: t.serial, expirationDate: t.expirationDate))
        return j.lines.count - 1
    }

    /// Lines whose basis moved since calculation (a later item ledger or relevant warehouse entry).
    public func stalePhysInventoryLines(_ j: PhysInventoryJournal) -> [Int] {
        guard let location = state.locations[j.location] else { return j.lines.map(\.lineNo) }
        return j.lines.filter { line in
            let (_, _, lastILE, lastWE) = physLineNow(
                location, item: line.item, bin: line.bin, lot: line.lot, serial: line.serial)
            return lastILE != line.lastItemLedgerEntryNo || lastWE != line.lastWarehouseEntryNo
        }.map(\.lineNo)
    }

    /// Recalculates lines (all when nil). At basic/plain locations the entered count is reset.
    @discardableResult
    public func recalculatePhysInventory(journal name: String, lines wanted: [Int]? = nil) throws(DomainError)
        -> PhysInventoryJournal
    {
        try atomically { () throws(DomainError) -> PhysInventoryJournal in
            var j = try physInventoryJournal(name)
            let location = try location(j.location)
            for n in wanted ?? [] where !j.lines.contains(where: { $0.lineNo == n }) {
                throw DomainError(.notFound, "journal \(name) has no line \(n)", details: ["lineNo": .int(n)])
            }
            for i in j.lines.indices where wanted == nil || wanted!.contains(j.lines[i].lineNo) {
                let (calc, phys, lastILE, lastWE) = physLineNow(
                    location, item: j.lines[i].item, bin: j.lines[i].bin,
                    lot: j.lines[i].lot, serial: j.lines[i].serial)
                j.lines[i].quantityCalculated = calc
                j.lines[i].quantityPhysInventory = phys ?? calc
                j.lines[i].counted = phys != nil
                j.lines[i].lastItemLedgerEntryNo = lastILE
                j.lines[i].lastWarehouseEntryNo = lastWE
            }
            setPhysJournal(name, j)
            return j
        }
    }

    /// Deletes an open phys. inventory journal without posting it.
    public func deletePhysInventory(journal name: String) throws(DomainError) {
        try atomically { () throws(DomainError) in
            _ = try physInventoryJournal(name)
            setPhysJournal(name, nil)
        }
    }

    /// Posts the journal (§3.6, §3.7, §3.8): per line a phys. inventory ledger entry, an item ledger entry for a
    /// non-zero difference, and the warehouse side — directed: the adjustment bin back to zero per unit; basic: the bin.
    @discardableResult
    public func postPhysInventory(journal name: String, context: PostingContext) throws(DomainError) -> PostingSummary {
        try atomically { () throws(DomainError) -> PostingSummary in
            let j = try physInventoryJournal(name)
            let location = try location(j.location)
            guard !j.lines.isEmpty else { throw DomainError(.validationFailed, "journal \(name) has no lines") }
            let stale = stalePhysInventoryLines(j)
            if !stale.isEmpty {
                throw DomainError(
                    .countStale,
                    "lines \(stale.map(String.init).joined(separator: ", ")) of journal \(name) moved after they were calculated; recalculate them",
                    details: ["journal": .text(name), "staleLines": .ints(stale)])
            }
            let posted = try postLines(j.lines, number: { _, line in line.lineNo }) {
                (line, register) throws(DomainError) in
                let item = try item(line.item)
                let d = line.difference
                let tracked = !(line.lot.isEmpty && line.serial.isEmpty)
                let tracking =
                    tracked
                    ? try resolveTracking(
                        item, lot: line.lot, serial: line.serial, expirationDate: line.expirationDate,
                        inbound: d.isPositive, perUnit: Quantity(1), quantity: line.quantityPhysInventory)
                    : Tracking.none
                _ = writePhysInventoryEntry(
                    PhysInventoryLedgerEntry(
                        entryNo: 0, entryType: d.isNegative ? .negativeAdjmt : .positiveAdjmt,
                        postingDate: j.postingDate,
                        documentNo: j.documentNo, location: location.code, bin: line.bin, item: item.no,
                        quantity: d.magnitude, quantityCalculated: line.quantityCalculated,
                        quantityPhysInventory: line.quantityPhysInventory, unitOfMeasure: line.unitOfMeasure,
                        lastItemLedgerEntryNo: line.lastItemLedgerEntryNo, user: context.user,
                        timestamp: context.timestamp,
                        lot: line.lot, serial: line.serial, countingPeriod: line.countingPeriod))
                if !d.isZero {
                    try writeItemLedgerEntry(
                        type: d.isNegative ? .negativeAdjmt : .positiveAdjmt, date: j.postingDate,
                        documentNo: j.documentNo, location: location, item: item, quantity: d,
                        unit: item.baseUnitOfMeasure, perUnit: Quantity(1),
                        warehouseAdjustment: location.kind == .directed, source: "physInventory",
                        context: context, tracking: tracking)
                }
                switch location.kind {
                case .plain:
                    break
                case .basic:
                    let bin = try bin(location.code, line.bin ?? "")
                    try writeWarehouseEntry(
                        type: d.isNegative ? .negativeAdjmt : .positiveAdjmt, date: j.postingDate,
                        location: location, bin: bin, item: item, quantity: d, quantityBase: d,
                        unit: item.baseUnitOfMeasure, perUnit: Quantity(1), documentNo: j.documentNo,
                        source: "physInventory", register: register, context: context, tracking: tracking)
                case .directed:
                    let adj = try bin(location.code, location.adjustmentBin ?? "")
                    let content = adjustmentContent(
                        location, item: item.no, lot: tracked ? line.lot : nil,
                        serial: tracked ? line.serial : nil)
                    var wrote = false
                    // Clear the adjustment bin per unit of measure so it ends at zero in every unit.
                    for key in content.keys {
                        guard let c = state.contents[key], !(c.quantity.isZero && c.quantityBase.isZero) else {
                            continue
                        }
                        try writeWarehouseEntry(
                            type: c.quantityBase.isPositive ? .negativeAdjmt : .positiveAdjmt,
                            date: j.postingDate, location: location, bin: adj, item: item,
                            quantity: c.quantity.negated, quantityBase: c.quantityBase.negated,
                            unit: key.unitOfMeasure, perUnit: item.quantityPerUnit(key.unitOfMeasure) ?? Quantity(1),
                            documentNo: j.documentNo, source: "physInventory", register: register,
                            context: context, tracking: key.tracking)
                        wrote = true
                    }
                    if !wrote {
                        try writeWarehouseEntry(
                            type: .positiveAdjmt, date: j.postingDate, location: location, bin: adj,
                            item: item, quantity: .zero, quantityBase: .zero, unit: item.baseUnitOfMeasure,
                            perUnit: Quantity(1), documentNo: j.documentNo, source: "physInventory",
                            register: register, context: context, tracking: tracking)
                    }
                }
            }
            for line in j.lines {
                if var item = state.items[line.item], (item.lastPhysInventoryDate ?? "") < j.postingDate {
                    item.lastPhysInventoryDate = j.postingDate
                    setItem(item)
                }
                if let p = line.countingPeriod { itemCounted(line.item, period: p, on: j.postingDate) }
            }
            setPhysJournal(name, nil)
            return posted
        }
    }
}
