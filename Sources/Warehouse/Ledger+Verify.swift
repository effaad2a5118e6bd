/// The invariants of DOMAIN.md §3.9, recomputed from the entries alone.
extension Ledger {
    /// Every violation found, as a sentence; empty when the books are consistent. The entries no longer in memory
    /// are read from the history files (docs/on-disk-format.md 11): the sums are those of what is on disk.
    public func verify() -> [String] {
        var problems: [String] = []
        do {
            try verify(&problems)
        } catch {
            problems.append("the ledger entries cannot be read: \(error)")
        }
        return problems
    }

    private func verify(_ problems: inout [String]) throws {
        // Recompute bin contents and totals from the entries.
        var contents: [ContentKey: (Quantity, Quantity, Int)] = [:]
        var weTracking: [TrackingKey: Quantity] = [:]
        var ileTracking: [TrackingKey: Quantity] = [:]
        var weTotals: [ItemLocationKey: Quantity] = [:]
        var i = 0
        try state.warehouseEntries.scan(from: 0) { e in
            defer { i += 1 }
            if e.entryNo != i + 1 { problems.append("warehouse entry at position \(i + 1) has number \(e.entryNo)") }
            let k = ContentKey(e.location, e.bin, e.item, e.unitOfMeasure, lot: e.lot, serial: e.serial)
            if !(e.lot.isEmpty && e.serial.isEmpty) {
                let tk = TrackingKey(e.item, e.location, lot: e.lot, serial: e.serial)
                weTracking[tk] = (weTracking[tk] ?? .zero).adding(e.quantityBase) ?? .zero
            }
            let old = contents[k] ?? (.zero, .zero, 0)
            contents[k] = (old.0.adding(e.quantity) ?? old.0, old.1.adding(e.quantityBase) ?? old.1, e.entryNo)
            let il = ItemLocationKey(e.item, e.location)
            weTotals[il] = (weTotals[il] ?? .zero).adding(e.quantityBase) ?? .zero
            if state.locations[e.location]?.kind == .plain {
                problems.append("warehouse entry \(e.entryNo) is at the plain location \(e.location)")
            }
            return true
        }
        var ileTotals: [ItemLocationKey: Quantity] = [:]
        i = 0
        try state.itemLedgerEntries.scan(from: 0) { e in
            defer { i += 1 }
            if e.entryNo != i + 1 { problems.append("item ledger entry at position \(i + 1) has number \(e.entryNo)") }
            let il = ItemLocationKey(e.item, e.location)
            ileTotals[il] = (ileTotals[il] ?? .zero).adding(e.quantity) ?? .zero
            if !(e.lot.isEmpty && e.serial.isEmpty) {
                let tk = TrackingKey(e.item, e.location, lot: e.lot, serial: e.serial)
                ileTracking[tk] = (ileTracking[tk] ?? .zero).adding(e.quantity) ?? .zero
            }
            return true
        }
        // Tracking: cached totals, Σ ILE = Σ WE per lot / serial at locations with bins, one unit per serial in bins.
        for (k, total) in ileTracking.sorted(by: { $0.key < $1.key }) where (state.trackingTotals[k] ?? .zero) != total
        {
            problems.append(
                "item \(k.item) at \(k.location) \(Tracking(lot: k.lot, serial: k.serial).label): cached inventory \(state.trackingTotals[k] ?? .zero) but entries sum to \(total)"
            )
        }
        for (k, v) in state.trackingTotals.sorted(by: { $0.key < $1.key }) where ileTracking[k] == nil && !v.isZero {
            problems.append(
                "item \(k.item) at \(k.location) \(Tracking(lot: k.lot, serial: k.serial).label): cached inventory \(v) without entries"
            )
        }
        for k in Set(ileTracking.keys).union(weTracking.keys).sorted() where state.locations[k.location]?.kind != .plain
        {
            let ile = ileTracking[k] ?? .zero
            let we = weTracking[k] ?? .zero
            if ile != we {
                problems.append(
                    "item \(k.item) at \(k.location) \(Tracking(lot: k.lot, serial: k.serial).label): item ledger \(ile) ≠ warehouse entries \(we)"
                )
            }
        }
        var rebuilt = state
        rebuilt.rebuildSerialIndexes()
        if rebuilt.serialsInBins != state.serialsInBins || rebuilt.serialLedger != state.serialLedger {
            problems.append("the serial indexes differ from the bin contents and the item ledger")
        }
        var serialsInBins: [TrackingKey: Quantity] = [:]
        for (k, c) in state.contents where !k.serial.isEmpty && state.locations[k.location]?.adjustmentBin != k.bin {
            let sk = TrackingKey(k.item, k.location, lot: "", serial: k.serial)
            serialsInBins[sk] = (serialsInBins[sk] ?? .zero).adding(c.quantityBase) ?? .zero
        }
        for (k, q) in serialsInBins.sorted(by: { $0.key < $1.key }) where q > Quantity(1) {
            problems.append("serial \(k.serial) of item \(k.item) is in the bins of \(k.location) \(q) times")
        }
        for (k, v) in contents.sorted(by: { $0.key < $1.key }) {
            let c = state.contents[k]
            if c?.quantity != v.0 || c?.quantityBase != v.1 || c?.lastEntryNo != v.2 {
                problems.append(
                    "bin content \(k.location)/\(k.bin)/\(k.item)/\(k.unitOfMeasure)\(k.tracking.isEmpty ? "" : " " + k.tracking.label) is \(c.map { "\($0.quantity)" } ?? "missing") but the entries sum to \(v.0)"
                )
            }
            let isAdj = state.locations[k.location]?.adjustmentBin == k.bin
            if !isAdj && (v.0.isNegative || v.1.isNegative) {
                problems.append(
                    "bin \(k.location)/\(k.bin) holds \(v.0) \(k.unitOfMeasure) of \(k.item)\(k.tracking.isEmpty ? "" : " " + k.tracking.label): below zero"
                )
            }
        }
        for k in state.contents.keys.sorted() where contents[k] == nil {
            problems.append("bin content \(k.location)/\(k.bin)/\(k.item) exists without entries")
        }
        for (k, total) in ileTotals.sorted(by: { $0.key < $1.key }) where (state.itemLedgerTotals[k] ?? .zero) != total
        {
            problems.append(
                "item \(k.item) at \(k.location): cached inventory \(state.itemLedgerTotals[k] ?? .zero) but entries sum to \(total)"
            )
        }
        // Σ ILE = Σ WE (adjustment bin included) at every location with bins.
        let keys = Set(ileTotals.keys).union(weTotals.keys)
        for k in keys.sorted() {
            guard let loc = state.locations[k.location] else {
                problems.append("entries name the unknown location \(k.location)")
                continue
            }
            if loc.kind == .plain { continue }
            let ile = ileTotals[k] ?? .zero
            let we = weTotals[k] ?? .zero
            if ile != we {
                problems.append("item \(k.item) at \(k.location): item ledger \(ile) ≠ warehouse entries \(we)")
            }
        }
    }
}
