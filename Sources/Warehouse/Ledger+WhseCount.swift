/// A Whse. Phys. Inventory journal: the count of some bins at a directed location (DOMAIN.md §3.4).
public struct WhseCountJournal: Sendable, Hashable {
    public var name: String
    public var location: String
    public var documentNo: String
    public var registeringDate: String
    public var lines: [WhseCountLine]
    public var createdBy: String
    public var createdAt: String
    /// A blind count: answers about this journal never show the calculated quantities.
    public var blind: Bool = false
}

/// One count line: a (bin, item, unit) whose calculated quantity was frozen at calculation.
public struct WhseCountLine: Sendable, Hashable {
    public var lineNo: Int
    public var zone: String?
    public var bin: String
    public var item: String
    public var unitOfMeasure: String
    public var quantityPerUnit: Quantity
    /// Frozen at calculation, in the line's unit and in base.
    public var quantityCalculated: Quantity
    public var quantityCalculatedBase: Quantity
    /// Counted quantity; preset to the calculated quantity as Business Central does.
    public var quantityPhysInventory: Quantity
    /// True once a count was entered for the line.
    public var counted: Bool
    /// The bin content's last warehouse entry when calculated: a later entry on the key makes the line stale.
    public var lastEntryNo: Int
    public var lot: String = ""
    public var serial: String = ""
    public var expirationDate: String? = nil
    /// Set when calculated for the items due in their counting period (§2.12).
    public var countingPeriod: String? = nil

    var tracking: Tracking { Tracking(lot: lot, serial: serial, expirationDate: expirationDate) }
}

/// What a caller enters for one count: a line by number, or a bin + item (+ unit).
public struct CountInput: Sendable, Hashable {
    public var lineNo: Int?
    public var bin: String?
    public var item: String?
    public var unitOfMeasure: String?
    public var quantity: Quantity
    public var lot: String?
    public var serial: String?
    /// For a lot found that has no expiration date yet.
    public var expirationDate: String?
    public init(
        lineNo: Int? = nil, bin: String? = nil, item: String? = nil, unitOfMeasure: String? = nil, quantity: Quantity,
        lot: String? = nil, serial: String? = nil, expirationDate: String? = nil
    ) {
        self.lineNo = lineNo
        self.bin = bin
        self.item = item
        self.unitOfMeasure = unitOfMeasure
        self.quantity = quantity
        self.lot = lot
        self.serial = serial
        self.expirationDate = expirationDate
    }
}

extension Ledger {
    /// Hard cap on open count journals (warehouse and item phys. inventory together). The daemon's configurable
    /// `maxOpenCountJournals` (default 64) is checked before a calculation is applied; this cap is part of the
    /// replayed rules, so it never changes between versions.
    public static let maxOpenCountJournals = 4096
    /// Most lines in one count journal.
    public static let maxCountJournalLines = 100_000

    func checkNewJournalName(_ name: String?, prefix: String) throws(DomainError) -> String {
        guard state.whseCountJournals.count + state.physInventoryJournals.count < Ledger.maxOpenCountJournals else {
            throw DomainError(
                .limitExceeded,
                "at most \(Ledger.maxOpenCountJournals) count journals may be open; register or delete one first",
                details: ["limit": .text("maxOpenCountJournals"), "max": .int(Ledger.maxOpenCountJournals)])
        }
        let n: String
        if let name {
            try Ledger.checkCode(name, "journal name")
            n = name
        } else {
            n = nextJournalName(prefix)
        }
        guard state.whseCountJournals[n] == nil, state.physInventoryJournals[n] == nil else {
            throw DomainError(.alreadyExists, "journal \(n) is already open", details: ["journal": .text(n)])
        }
        return n
    }

    public func whseCountJournal(_ name: String) throws(DomainError) -> WhseCountJournal {
        guard let j = state.whseCountJournals[name] else {
            throw DomainError(
                .notFound, "warehouse count journal \(name) does not exist", details: ["journal": .text(name)])
        }
        return j
    }

    /// Whse. Calculate Inventory: one line per bin content of the location (never the adjustment bin) with a non-zero
    /// quantity, or every known key when `includeZero`; filters on zone, bin and item.
    @discardableResult
    public func calculateWhseCount(
        location code: String, journal: String? = nil, documentNo: String = "", registeringDate: String? = nil,
        zone: String? = nil, bin binFilter: String? = nil, item itemFilter: String? = nil, includeZero: Bool = false,
        blind: Bool = false, countingPeriodDue: Bool = false, context: PostingContext
    ) throws(DomainError) -> WhseCountJournal {
        try atomically { () throws(DomainError) -> WhseCountJournal in
            let (location, adj) = try directedLocation(code, "the warehouse physical inventory journal")
            let date = registeringDate ?? context.today
            try Ledger.checkDate(date, "registering date")
            try Ledger.checkText(documentNo, "document no.")
            if let z = zone, state.zones[BinKey(code, z)] == nil {
                throw DomainError(.notFound, "zone \(z) does not exist at \(code)")
            }
            if let b = binFilter { _ = try bin(code, b) }
            if let i = itemFilter { _ = try item(i) }
            let due: [String: String]? =
                countingPeriodDue
                ? Dictionary(
                    uniqueKeysWithValues: try itemsDueForCounting(on: date).map { ($0.no, $0.countingPeriod ?? "") })
                : nil
            let name = try checkNewJournalName(journal, prefix: "WPI")
            var lines: [WhseCountLine] = []
            let binKeys = state.bins.keys.filter { $0.location == code && $0.bin != adj.code }
                .filter { binFilter == nil || $0.bin == binFilter }
            for bk in binKeys.sorted() {
                guard let bin = state.bins[bk], zone == nil || bin.zone == zone else { continue }
                for key in (state.contentsByBin[bk] ?? []).sorted() where itemFilter == nil || key.item == itemFilter {
                    guard let c = state.contents[key], includeZero || !c.quantityBase.isZero,
                        let item = state.items[key.item]
                    else { continue }
                    if let due, due[key.item] == nil { continue }
                    lines.append(
                        WhseCountLine(
                            lineNo: (lines.count + 1) * 10000, zone: bin.zone, bin: bin.code, item: key.item,
                            unitOfMeasure: key.unitOfMeasure,
                            quantityPerUnit: item.quantityPerUnit(key.unitOfMeasure) ?? Quantity(1),
                            quantityCalculated: c.quantity, quantityCalculatedBase: c.quantityBase,
                            quantityPhysInventory: c.quantity, counted: false, lastEntryNo: c.lastEntryNo,
                            lot: key.lot, serial: key.serial,
                            expirationDate: key.lot.isEmpty && key.serial.isEmpty
                                ? nil
                                : state.expirations[TrackingNo(key.item, lot: key.lot, serial: key.serial)],
                            countingPeriod: due?[key.item]))
                }
            }
            guard lines.count <= Ledger.maxCountJournalLines else {
                throw DomainError(
                    .limitExceeded,
                    "the count would have \(lines.count) lines; at most \(Ledger.maxCountJournalLines) (narrow the filters)",
                    details: ["limit": .text("maxCountJournalLines"), "max": .int(Ledger.maxCountJournalLines)])
            }
            let j = WhseCountJournal(
                name: name, location: location.code, documentNo: documentNo, registeringDate: date,
                lines: lines, createdBy: context.user, createdAt: context.timestamp, blind: blind)
            setWhseCountJournal(name, j)
            return j
        }
    }

    /// Enters counted quantities, by line number or by bin + item (+ unit). May be called any number of times; the
    /// last count entered for a line wins. A bin + item without a line adds one (calculated = current content).
    @discardableResult
    public func recordWhseCounts(journal name: String, counts: [CountInput], context: PostingContext)
        throws(DomainError) -> WhseCountJournal
    {
        try atomically { () throws(DomainError) -> WhseCountJournal in
            var j = try whseCountJournal(name)
            guard !counts.isEmpty else { throw DomainError(.validationFailed, "no counts given") }
            let location = try location(j.location)
            for (i, c) in counts.enumerated() {
                do throws(DomainError) {
                    guard !c.quantity.isNegative else {
                        throw DomainError(.validationFailed, "a counted quantity must not be negative")
                    }
                    guard c.quantity <= Quantity.maxLineMagnitude else {
                        throw DomainError(.validationFailed, "counted quantity too large")
                    }
                    let index = try findCountLine(&j, location: location, c)
                    if let item = state.items[j.lines[index].item] {
                        _ = try base(
                            c.quantity, j.lines[index].quantityPerUnit, item, unit: j.lines[index].unitOfMeasure)
                        if item.tracking.serial && !(c.quantity.isZero || c.quantity == Quantity(1)) {
                            throw DomainError(
                                .itemTracking,
                                "serial \(j.lines[index].serial) of item \(item.no) is counted as 0 or 1, not \(c.quantity)"
                            )
                        }
                    }
                    j.lines[index].quantityPhysInventory = c.quantity
                    j.lines[index].counted = true
                } catch {
                    throw error.atLine(i + 1)
                }
            }
            setWhseCountJournal(name, j)
            return j
        }
    }

    private func findCountLine(_ j: inout WhseCountJournal, location: Location, _ c: CountInput) throws(DomainError)
        -> Int
    {
        if let n = c.lineNo {
            guard let index = j.lines.firstIndex(where: { $0.lineNo == n }) else {
                throw DomainError(.notFound, "journal \(j.name) has no line \(n)", details: ["lineNo": .int(n)])
            }
            return index
        }
        guard let binCode = c.bin, let itemNo = c.item else {
            throw DomainError(.validationFailed, "a count needs lineNo, or bin and item")
        }
        let matches = j.lines.indices.filter {
            j.lines[$0].bin == binCode && j.lines[$0].item == itemNo
                && (c.unitOfMeasure == nil || j.lines[$0].unitOfMeasure == c.unitOfMeasure)
                && (c.lot == nil || j.lines[$0].lot == c.lot) && (c.serial == nil || j.lines[$0].serial == c.serial)
        }
        if matches.count == 1 { return matches[0] }
        if matches.count > 1 {
            throw DomainError(
                .validationFailed,
                "bin \(binCode) item \(itemNo) has several lines (units or lots); name unitOfMeasure, lot, serial or lineNo"
            )
        }
        // Found where nobody expected it: add a line.
        let bin = try userBin(location, binCode, zone: nil)
        let item = try item(itemNo)
        let (unit, perUnit) = try unit(item, c.unitOfMeasure)
        guard j.lines.count < Ledger.maxCountJournalLines else {
            throw DomainError(.limitExceeded, "journal \(j.name) holds \(Ledger.maxCountJournalLines) lines")
        }
        // A lot / serial found must be named, and an incoming lot of an item that needs one must have its expiration date.
        let tracking = try resolveTracking(
            item, lot: c.lot, serial: c.serial, expirationDate: c.expirationDate,
            inbound: c.quantity.isPositive, perUnit: perUnit, quantity: c.quantity, record: false)
        let key = ContentKey(location.code, bin.code, item.no, unit, tracking)
        let content = state.contents[key] ?? BinContent(quantity: .zero, quantityBase: .zero, lastEntryNo: 0)
        let lineNo = (j.lines.map(\.lineNo).max() ?? 0) + 10000
        j.lines.append(
            WhseCountLine(
                lineNo: lineNo, zone: bin.zone, bin: bin.code, item: item.no, unitOfMeasure: unit,
                quantityPerUnit: perUnit,
                quantityCalculated: content.quantity, quantityCalculatedBase: content.quantityBase,
                quantityPhysInventory: content.quantity, counted: false, lastEntryNo: content.lastEntryNo,
                lot: tracking.lot, serial: tracking.serial, expirationDate: tracking.expirationDate))
        return j.lines.count - 1
    }

    /// Lines whose bin content moved since they were calculated.
    public func staleWhseCountLines(_ j: WhseCountJournal) -> [Int] {
        j.lines.filter { line in
            let key = ContentKey(j.location, line.bin, line.item, line.unitOfMeasure, line.tracking)
            return (state.contents[key]?.lastEntryNo ?? 0) != line.lastEntryNo
        }.map(\.lineNo)
    }

    /// Recalculates lines (all when `lines` is nil): the calculated quantity is read again and the count is reset.
    @discardableResult
    public func recalculateWhseCount(journal name: String, lines: [Int]? = nil) throws(DomainError) -> WhseCountJournal
    {
        try atomically { () throws(DomainError) -> WhseCountJournal in
            var j = try whseCountJournal(name)
            let wanted = lines.map(Set.init)
            if let wanted {
                for n in wanted where !j.lines.contains(where: { $0.lineNo == n }) {
                    throw DomainError(.notFound, "journal \(name) has no line \(n)", details: ["lineNo": .int(n)])
                }
            }
            for i in j.lines.indices where wanted == nil || wanted!.contains(j.lines[i].lineNo) {
                let key = ContentKey(
                    j.location, j.lines[i].bin, j.lines[i].item, j.lines[i].unitOfMeasure, j.lines[i].tracking)
                let c = state.contents[key] ?? BinContent(quantity: .zero, quantityBase: .zero, lastEntryNo: 0)
                j.lines[i].quantityCalculated = c.quantity
                j.lines[i].quantityCalculatedBase = c.quantityBase
                j.lines[i].quantityPhysInventory = c.quantity
                j.lines[i].counted = false
                j.lines[i].lastEntryNo = c.lastEntryNo
            }
            setWhseCountJournal(name, j)
            return j
        }
    }

    /// Deletes an open count journal without registering it.
    public func deleteWhseCount(journal name: String) throws(DomainError) {
        try atomically { () throws(DomainError) in
            _ = try whseCountJournal(name)
            setWhseCountJournal(name, nil)
        }
    }

    /// Registers the count (§3.4): per line two warehouse entries between the bin and the adjustment bin for
    /// d = counted − calculated, zero-difference lines included. Refuses with `count_stale` if any line's bin content
    /// moved since calculation. The journal is closed afterwards.
    @discardableResult
    public func registerWhseCount(journal name: String, context: PostingContext) throws(DomainError) -> PostingSummary {
        try atomically { () throws(DomainError) -> PostingSummary in
            let j = try whseCountJournal(name)
            let (location, adj) = try directedLocation(j.location, "the warehouse physical inventory journal")
            guard !j.lines.isEmpty else { throw DomainError(.validationFailed, "journal \(name) has no lines") }
            let stale = staleWhseCountLines(j)
            if !stale.isEmpty {
                throw DomainError(
                    .countStale,
                    "lines \(stale.map(String.init).joined(separator: ", ")) of journal \(name) moved after they were calculated; recalculate them and count again",
                    details: ["journal": .text(name), "staleLines": .ints(stale)])
            }
            let posted = try postLines(j.lines, number: { _, line in line.lineNo }) {
                (line, register) throws(DomainError) in
                let item = try item(line.item)
                let bin = try bin(location.code, line.bin)
                guard let d = line.quantityPhysInventory.subtracting(line.quantityCalculated) else {
                    throw DomainError(.overflow, "difference out of range")
                }
                let physBase = try base(
                    line.quantityPhysInventory, line.quantityPerUnit, item, unit: line.unitOfMeasure)
                guard var db = physBase.subtracting(line.quantityCalculatedBase) else {
                    throw DomainError(.overflow, "difference out of range")
                }
                // The base difference follows the counted difference: none when the count equals the calculation in the
                // line's unit, everything when the bin is counted empty, and never against the direction of d (a
                // rounding residue of the unit stays where it is rather than move the wrong way).
                if d.isZero || (!db.isZero && db.isNegative != d.isNegative) { db = .zero }
                if line.quantityPhysInventory.isZero { db = line.quantityCalculatedBase.negated }
                let tracking = try resolveTracking(
                    item, lot: line.lot.isEmpty ? nil : line.lot, serial: line.serial.isEmpty ? nil : line.serial,
                    expirationDate: line.expirationDate, inbound: db.isPositive, perUnit: line.quantityPerUnit,
                    quantity: line.quantityPhysInventory)
                let (from, to) = d.isNegative ? (bin, adj) : (adj, bin)
                try writeWarehouseEntry(
                    type: .negativeAdjmt, date: j.registeringDate, location: location, bin: from,
                    item: item, quantity: d.magnitude.negated, quantityBase: db.magnitude.negated,
                    unit: line.unitOfMeasure, perUnit: line.quantityPerUnit, documentNo: j.documentNo,
                    source: "whsePhysInventory", register: register, context: context, tracking: tracking)
                try writeWarehouseEntry(
                    type: .positiveAdjmt, date: j.registeringDate, location: location, bin: to,
                    item: item, quantity: d.magnitude, quantityBase: db.magnitude,
                    unit: line.unitOfMeasure, perUnit: line.quantityPerUnit, documentNo: j.documentNo,
                    source: "whsePhysInventory", register: register, context: context, tracking: tracking)
            }
            for line in j.lines {
                if let p = line.countingPeriod { itemCounted(line.item, period: p, on: j.registeringDate) }
            }
            setWhseCountJournal(name, nil)
            return posted
        }
    }
}
