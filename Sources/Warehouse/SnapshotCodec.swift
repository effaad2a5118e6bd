/// A compact binary form of the whole ledger state, for snapshots (checkpoints): varints, zigzag quantities and a
/// string table, so a million entries encode and decode in a fraction of a second. Pure: bytes in, bytes out.
public struct SnapshotWriter {
    public private(set) var body: [UInt8] = []
    /// By bytes, not by String equality: canonically equivalent spellings are distinct texts (ExactText).
    var strings: [ExactText: Int] = [:]
    var table: [String] = []
    /// The state version whose layout `LedgerState.encode` writes (tests write older releases' snapshots; before 5
    /// the ledgers carry no history count).
    public var layoutVersion = LedgerState.snapshotVersion

    public init() { body.reserveCapacity(1 << 20) }

    public mutating func uint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            body.append(UInt8(v & 0x7f) | 0x80)
            v >>= 7
        }
        body.append(UInt8(v))
    }
    public mutating func int(_ v: Int) { uint(UInt64(bitPattern: Int64((v << 1) ^ (v >> 63)))) }
    public mutating func quantity(_ q: Quantity) { int(Int(q.units)) }
    public mutating func bool(_ b: Bool) { body.append(b ? 1 : 0) }
    public mutating func string(_ s: String) {
        let key = ExactText(s)
        if let i = strings[key] {
            uint(UInt64(i))
            return
        }
        let i = table.count
        strings[key] = i
        table.append(s)
        uint(UInt64(i))
    }
    public mutating func optString(_ s: String?) {
        if let s {
            bool(true)
            string(s)
        } else {
            bool(false)
        }
    }
    public mutating func bytes(_ b: [UInt8]) {
        uint(UInt64(b.count))
        body.append(contentsOf: b)
    }

    /// Header, string table, body. `version` other than the current one is for tests that write an older
    /// release's snapshot.
    public func finish(version: Int = LedgerState.snapshotVersion) -> [UInt8] {
        var out = SnapshotWriter()
        out.body = Array("WHSEDSTATE".utf8)
        out.uint(UInt64(version))
        out.uint(UInt64(table.count))
        for s in table { out.bytes(Array(s.utf8)) }
        out.body.append(contentsOf: body)
        return out.body
    }
}

/// Why a snapshot could not be read.
public struct SnapshotError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ d: String) { description = d }
}

public struct SnapshotReader {
    let data: [UInt8]
    var offset = 0
    var table: [String] = []
    /// A reader made with `init(lazyBlock:)` keeps where each string of the table lies (start and end offsets in
    /// `data`) instead of `table`, and decodes a string when an entry reads it.
    var spans: [Int32] = []
    var lazy = false
    /// The state version the snapshot was written with (1 or 2).
    public private(set) var version = 0

    public init(_ bytes: [UInt8]) throws {
        self.data = bytes
        let magic = Array("WHSEDSTATE".utf8)
        guard data.count >= magic.count, Array(data[0..<magic.count]) == magic else {
            throw SnapshotError("not a whsed state snapshot")
        }
        offset = magic.count
        let version = try uint()
        guard version >= 1 && version <= UInt64(LedgerState.snapshotVersion) else {
            throw SnapshotError("snapshot state version \(version) is not supported")
        }
        self.version = Int(version)
        let n = try count()
        table.reserveCapacity(n)
        for _ in 0..<n {
            let len = try count()
            guard offset + len <= data.count else { throw SnapshotError("truncated string table") }
            table.append(String(decoding: data[offset..<offset + len], as: UTF8.self))
            offset += len
        }
    }

    public var atEnd: Bool { offset == data.count }

    public mutating func uint() throws -> UInt64 {
        var v: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < data.count, shift < 64 else {
                throw SnapshotError("truncated or malformed varint at \(offset)")
            }
            let b = data[offset]
            offset += 1
            v |= UInt64(b & 0x7f) << shift
            if b < 0x80 { return v }
            shift += 7
        }
    }
    public mutating func count() throws -> Int {
        let v = try uint()
        guard v <= UInt64(data.count - offset) + 1 << 32 else { throw SnapshotError("implausible count \(v)") }
        return Int(v)
    }
    public mutating func int() throws -> Int {
        let u = try uint()
        return Int(Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1))))
    }
    public mutating func quantity() throws -> Quantity { Quantity(units: Int64(try int())) }
    public mutating func bool() throws -> Bool {
        guard offset < data.count else { throw SnapshotError("truncated") }
        offset += 1
        return data[offset - 1] != 0
    }
    public mutating func string() throws -> String {
        let i = try count()
        if lazy { return try lazyString(i) }
        guard i < table.count else { throw SnapshotError("string index \(i) out of range") }
        return table[i]
    }
    public mutating func optString() throws -> String? { try bool() ? try string() : nil }
    public mutating func bytes() throws -> [UInt8] {
        let n = try count()
        guard offset + n <= data.count else { throw SnapshotError("truncated bytes") }
        defer { offset += n }
        return Array(data[offset..<offset + n])
    }
    mutating func entryType() throws -> EntryType {
        let i = try count()
        guard i < EntryType.allCases.count else { throw SnapshotError("bad entry type \(i)") }
        return EntryType.allCases[i]
    }
}

extension EntryType {
    var code: UInt64 { UInt64(EntryType.allCases.firstIndex(of: self)!) }
}

extension LedgerState {
    /// Recomputes the derived serial indexes from the bin contents and the item-ledger tracking totals.
    mutating func rebuildSerialIndexes() {
        serialsInBins = [:]
        serialLedger = [:]
        for (k, c) in contents
        where !k.serial.isEmpty && locations[k.location]?.adjustmentBin != k.bin && !c.quantityBase.isZero {
            let sk = TrackingKey(k.item, k.location, lot: "", serial: k.serial)
            serialsInBins[sk] = (serialsInBins[sk] ?? .zero).adding(c.quantityBase) ?? .zero
        }
        for (k, q) in trackingTotals where !k.serial.isEmpty {
            let sk = TrackingKey(k.item, "", lot: "", serial: k.serial)
            serialLedger[sk] = (serialLedger[sk] ?? .zero).adding(q) ?? .zero
        }
        serialsInBins = serialsInBins.filter { !$0.value.isZero }
        serialLedger = serialLedger.filter { !$0.value.isZero }
    }

    /// Version of the state encoding inside a snapshot.
    /// 2 added item tracking, rounding precision, counting periods and reservations; 3 added each location's
    /// allowNegativeInventory and the basis of item journal batches (the entry no. each warehouse-adjustment line was
    /// calculated against). 1 and 2 are still read. 4: idempotency keys keep a digest. 5: the entries the history
    /// files hold are left out (docs/on-disk-format.md 11); versions 1 to 4 are still read.
    public static let snapshotVersion = 5

    /// Writes the whole state with every entry (entries not in memory are read through their `load`; tests and
    /// the states of a build without history files: nothing dropped).
    public func encode(into w: inout SnapshotWriter) {
        try! encode(into: &w, history: HistoryCounts())
    }

    /// Writes the state; the entries the history files hold (`history`) are left out, those above them are written
    /// (read through `load` when they are not in memory: a backup).
    public func encode(into w: inout SnapshotWriter, history: HistoryCounts) throws {
        w.uint(UInt64(locations.count))
        for l in locations.values.sorted(by: { $0.code < $1.code }) {
            w.string(l.code)
            w.string(l.name)
            w.uint(UInt64(LocationKind.allCases.firstIndex(of: l.kind)!))
            w.optString(l.adjustmentBin)
            w.uint(UInt64(CapacityPolicy.allCases.firstIndex(of: l.binCapacityPolicy)!))
            w.bool(l.checkWarehouseClass)
            w.bool(l.allowNegativeInventory)
        }
        w.uint(UInt64(zones.count))
        for z in zones.values.sorted(by: { ($0.location, $0.code) < ($1.location, $1.code) }) {
            w.string(z.location)
            w.string(z.code)
            w.string(z.description)
            w.optString(z.binType)
            w.optString(z.warehouseClass)
        }
        w.uint(UInt64(bins.count))
        for b in bins.values.sorted(by: { ($0.location, $0.code) < ($1.location, $1.code) }) {
            w.string(b.location)
            w.string(b.code)
            w.string(b.description)
            w.optString(b.zone)
            w.optString(b.binType)
            w.uint(UInt64(BlockMovement.allCases.firstIndex(of: b.blockMovement)!))
            w.quantity(b.maximumCubage)
            w.quantity(b.maximumWeight)
            w.optString(b.warehouseClass)
        }
        w.uint(UInt64(items.count))
        for i in items.values.sorted(by: { $0.no < $1.no }) {
            w.string(i.no)
            w.string(i.description)
            w.string(i.baseUnitOfMeasure)
            w.bool(i.blocked)
            w.uint(UInt64(i.unitsOfMeasure.count))
            for (code, per) in i.unitsOfMeasure.sorted(by: { $0.key < $1.key }) {
                w.string(code)
                w.quantity(per)
            }
            w.bool(i.tracking.lot)
            w.bool(i.tracking.serial)
            w.bool(i.tracking.expirationRequired)
            w.uint(UInt64(i.roundingPrecision.count))
            for (code, p) in i.roundingPrecision.sorted(by: { $0.key < $1.key }) {
                w.string(code)
                w.quantity(p)
            }
            w.optString(i.countingPeriod)
            w.optString(i.lastCountingPeriodUpdate)
            w.optString(i.nextCountingStart)
            w.optString(i.nextCountingEnd)
            w.optString(i.lastPhysInventoryDate)
            w.optString(i.warehouseClass)
            w.uint(UInt64(i.unitMeasures.count))
            for (code, m) in i.unitMeasures.sorted(by: { $0.key < $1.key }) {
                w.string(code)
                w.quantity(m.cubage)
                w.quantity(m.weight)
            }
        }
        // Version 5: per ledger the entries held by the history files (1...n, not here), then the rest.
        func ledger<E>(_ all: ChunkedArray<E>, _ inHistory: Int, _ one: (E, inout SnapshotWriter) -> Void) throws {
            if w.layoutVersion >= 5 { w.uint(UInt64(inHistory)) } else { precondition(inHistory == 0) }
            w.uint(UInt64(all.count - inHistory))
            try all.scan(from: inHistory) { e in
                one(e, &w)
                return true
            }
        }
        try ledger(warehouseEntries, history.warehouse) { e, w in w.warehouseEntry(e) }
        try ledger(itemLedgerEntries, history.item) { e, w in w.itemLedgerEntry(e) }
        try ledger(physInventoryEntries, history.physInventory) { e, w in w.physInventoryEntry(e) }
        w.uint(UInt64(lastRegisterNo))
        w.uint(UInt64(contents.count))
        for (k, c) in contents.sorted(by: { $0.key < $1.key }) {
            w.string(k.location)
            w.string(k.bin)
            w.string(k.item)
            w.string(k.unitOfMeasure)
            w.string(k.lot)
            w.string(k.serial)
            w.quantity(c.quantity)
            w.quantity(c.quantityBase)
            w.uint(UInt64(c.lastEntryNo))
        }
        w.uint(UInt64(itemLedgerTotals.count))
        for (k, q) in itemLedgerTotals.sorted(by: { $0.key < $1.key }) {
            w.string(k.item)
            w.string(k.location)
            w.quantity(q)
            w.uint(UInt64(itemLedgerLastEntry[k] ?? 0))
        }
        w.uint(UInt64(whseCountJournals.count))
        for j in whseCountJournals.values.sorted(by: { $0.name < $1.name }) {
            w.string(j.name)
            w.string(j.location)
            w.string(j.documentNo)
            w.string(j.registeringDate)
            w.string(j.createdBy)
            w.string(j.createdAt)
            w.bool(j.blind)
            w.uint(UInt64(j.lines.count))
            for l in j.lines {
                w.uint(UInt64(l.lineNo))
                w.optString(l.zone)
                w.string(l.bin)
                w.string(l.item)
                w.string(l.unitOfMeasure)
                w.quantity(l.quantityPerUnit)
                w.quantity(l.quantityCalculated)
                w.quantity(l.quantityCalculatedBase)
                w.quantity(l.quantityPhysInventory)
                w.bool(l.counted)
                w.uint(UInt64(l.lastEntryNo))
                w.string(l.lot)
                w.string(l.serial)
                w.optString(l.expirationDate)
                w.optString(l.countingPeriod)
            }
        }
        w.uint(UInt64(physInventoryJournals.count))
        for j in physInventoryJournals.values.sorted(by: { $0.name < $1.name }) {
            w.string(j.name)
            w.string(j.location)
            w.string(j.documentNo)
            w.string(j.postingDate)
            w.string(j.createdBy)
            w.string(j.createdAt)
            w.uint(UInt64(j.lines.count))
            for l in j.lines {
                w.uint(UInt64(l.lineNo))
                w.string(l.item)
                w.optString(l.bin)
                w.string(l.unitOfMeasure)
                w.quantity(l.quantityCalculated)
                w.quantity(l.quantityPhysInventory)
                w.bool(l.counted)
                w.uint(UInt64(l.lastItemLedgerEntryNo))
                w.uint(UInt64(l.lastWarehouseEntryNo))
                w.string(l.lot)
                w.string(l.serial)
                w.optString(l.countingPeriod)
                w.optString(l.expirationDate)
            }
        }
        w.uint(UInt64(itemJournalBatches.count))
        for b in itemJournalBatches.values.sorted(by: { $0.name < $1.name }) {
            w.string(b.name)
            w.uint(UInt64(b.lines.count))
            for l in b.lines {
                w.uint(l.entryType.code)
                w.string(l.location)
                w.optString(l.bin)
                w.string(l.item)
                w.quantity(l.quantity)
                w.bool(l.quantityBase != nil)
                if let qb = l.quantityBase { w.quantity(qb) }
                w.optString(l.unitOfMeasure)
                w.string(l.documentNo)
                w.optString(l.postingDate)
                w.bool(l.warehouseAdjustment)
                w.optString(l.lot)
                w.optString(l.serial)
                w.optString(l.expirationDate)
                w.uint(UInt64(l.tracking.count))
                for t in l.tracking {
                    w.optString(t.lot)
                    w.optString(t.serial)
                    w.optString(t.expirationDate)
                    w.quantity(t.quantity)
                    w.bool(t.quantityBase != nil)
                    if let qb = t.quantityBase { w.quantity(qb) }
                }
            }
            w.uint(UInt64(b.basis.count))
            for (k, n) in b.basis.sorted(by: { $0.key < $1.key }) {
                w.string(k.location)
                w.string(k.bin)
                w.string(k.item)
                w.string(k.unitOfMeasure)
                w.string(k.lot)
                w.string(k.serial)
                w.uint(UInt64(n))
            }
        }
        w.uint(UInt64(lastJournalSerial))
        w.uint(UInt64(trackingTotals.count))
        for (k, q) in trackingTotals.sorted(by: { $0.key < $1.key }) {
            w.string(k.item)
            w.string(k.location)
            w.string(k.lot)
            w.string(k.serial)
            w.quantity(q)
        }
        w.uint(UInt64(expirations.count))
        for (k, d) in expirations.sorted(by: { $0.key < $1.key }) {
            w.string(k.item)
            w.string(k.lot)
            w.string(k.serial)
            w.string(d)
        }
        w.uint(UInt64(countingPeriods.count))
        for p in countingPeriods.values.sorted(by: { $0.code < $1.code }) {
            w.string(p.code)
            w.string(p.description)
            w.uint(UInt64(p.frequency))
        }
        w.uint(UInt64(reservations.count))
        for r in reservations.values.sorted(by: { $0.no < $1.no }) {
            w.uint(UInt64(r.no))
            w.string(r.location)
            w.string(r.item)
            w.string(r.lot)
            w.string(r.serial)
            w.quantity(r.quantityBase)
            w.string(r.source)
            w.string(r.createdBy)
            w.string(r.createdAt)
        }
        w.uint(UInt64(lastReservationNo))
        w.uint(UInt64(blockedTracking.count))
        for k in blockedTracking.sorted() {
            w.string(k.item)
            w.string(k.lot)
            w.string(k.serial)
        }
        w.uint(UInt64(binContentSetups.count))
        for (k, s) in binContentSetups.sorted(by: { $0.key < $1.key }) {
            w.string(k.location)
            w.string(k.bin)
            w.string(k.item)
            w.string(k.unitOfMeasure)
            w.quantity(s.minQuantity)
            w.quantity(s.maxQuantity)
            w.bool(s.fixed)
            w.bool(s.isDefault)
        }
    }

    /// Reads what `encode` wrote.
    public static func decode(from r: inout SnapshotReader) throws -> LedgerState {
        var history = HistoryCounts()
        return try decode(from: &r, history: &history)
    }

    /// Reads what `encode` wrote; `history` gets the entries the snapshot leaves to the history files (their
    /// arrays start with that many entries dropped, to be attached to the files by the caller).
    public static func decode(from r: inout SnapshotReader, history: inout HistoryCounts) throws -> LedgerState {
        var s = LedgerState()
        let v2 = r.version >= 2
        func enumIndex<E: CaseIterable>(_ type: E.Type, _ r: inout SnapshotReader) throws -> E {
            let i = try r.count()
            let all = Array(E.allCases)
            guard i < all.count else { throw SnapshotError("bad enum value \(i)") }
            return all[i]
        }
        for _ in 0..<(try r.count()) {
            var l = Location(
                code: try r.string(), name: try r.string(), kind: try enumIndex(LocationKind.self, &r),
                adjustmentBin: try r.optString())
            if v2 {
                l.binCapacityPolicy = try enumIndex(CapacityPolicy.self, &r)
                l.checkWarehouseClass = try r.bool()
            }
            if r.version >= 3 { l.allowNegativeInventory = try r.bool() }
            s.locations[l.code] = l
        }
        for _ in 0..<(try r.count()) {
            var z = Zone(
                location: try r.string(), code: try r.string(), description: try r.string(), binType: try r.optString())
            if v2 { z.warehouseClass = try r.optString() }
            s.zones[BinKey(z.location, z.code)] = z
        }
        for _ in 0..<(try r.count()) {
            var b = Bin(
                location: try r.string(), code: try r.string(), description: try r.string(), zone: try r.optString(),
                binType: try r.optString(), blockMovement: try enumIndex(BlockMovement.self, &r))
            if v2 {
                b.maximumCubage = try r.quantity()
                b.maximumWeight = try r.quantity()
                b.warehouseClass = try r.optString()
            }
            s.bins[BinKey(b.location, b.code)] = b
        }
        for _ in 0..<(try r.count()) {
            var i = Item(
                no: try r.string(), description: try r.string(), baseUnitOfMeasure: try r.string(), unitsOfMeasure: [:],
                blocked: try r.bool())
            for _ in 0..<(try r.count()) { i.unitsOfMeasure[try r.string()] = try r.quantity() }
            if v2 {
                i.tracking = ItemTracking(lot: try r.bool(), serial: try r.bool(), expirationRequired: try r.bool())
                for _ in 0..<(try r.count()) { i.roundingPrecision[try r.string()] = try r.quantity() }
                i.countingPeriod = try r.optString()
                i.lastCountingPeriodUpdate = try r.optString()
                i.nextCountingStart = try r.optString()
                i.nextCountingEnd = try r.optString()
                i.lastPhysInventoryDate = try r.optString()
                i.warehouseClass = try r.optString()
                for _ in 0..<(try r.count()) {
                    i.unitMeasures[try r.string()] = UnitMeasure(cubage: try r.quantity(), weight: try r.quantity())
                }
            }
            s.items[i.no] = i
        }
        // Before version 5 every entry is here; from 5 on the first n of each ledger are in the history files.
        func ledger<E>(_ all: inout ChunkedArray<E>, _ one: (Int, inout SnapshotReader) throws -> E) throws -> Int {
            let inHistory = r.version >= 5 ? try r.count() : 0
            guard inHistory % ChunkedArray<E>.chunkSize == 0 else {
                throw SnapshotError("history count \(inHistory) is not a multiple of \(ChunkedArray<E>.chunkSize)")
            }
            all = ChunkedArray(dropped: inHistory)
            let n = try r.count()
            all.reserveCapacity(inHistory + n)
            for i in 0..<n { all.append(try one(inHistory + i + 1, &r)) }
            return inHistory
        }
        history.warehouse = try ledger(&s.warehouseEntries) { no, r in try r.warehouseEntry(no) }
        history.item = try ledger(&s.itemLedgerEntries) { no, r in try r.itemLedgerEntry(no) }
        history.physInventory = try ledger(&s.physInventoryEntries) { no, r in try r.physInventoryEntry(no) }
        s.lastRegisterNo = try r.count()
        for _ in 0..<(try r.count()) {
            let k =
                v2
                ? ContentKey(
                    try r.string(), try r.string(), try r.string(), try r.string(), lot: try r.string(),
                    serial: try r.string())
                : ContentKey(try r.string(), try r.string(), try r.string(), try r.string())
            s.contents[k] = BinContent(
                quantity: try r.quantity(), quantityBase: try r.quantity(), lastEntryNo: try r.count())
            s.contentsByBin[k.binKey, default: []].insert(k)
            s.contentsByItem[k.item, default: []].insert(k)
        }
        for _ in 0..<(try r.count()) {
            let k = ItemLocationKey(try r.string(), try r.string())
            s.itemLedgerTotals[k] = try r.quantity()
            let last = try r.count()
            if last > 0 { s.itemLedgerLastEntry[k] = last }
        }
        for _ in 0..<(try r.count()) {
            var j = WhseCountJournal(
                name: try r.string(), location: try r.string(), documentNo: try r.string(),
                registeringDate: try r.string(), lines: [], createdBy: try r.string(), createdAt: try r.string(),
                blind: try r.bool())
            for _ in 0..<(try r.count()) {
                var l = WhseCountLine(
                    lineNo: try r.count(), zone: try r.optString(), bin: try r.string(), item: try r.string(),
                    unitOfMeasure: try r.string(), quantityPerUnit: try r.quantity(),
                    quantityCalculated: try r.quantity(),
                    quantityCalculatedBase: try r.quantity(), quantityPhysInventory: try r.quantity(),
                    counted: try r.bool(),
                    lastEntryNo: try r.count())
                if v2 {
                    l.lot = try r.string()
                    l.serial = try r.string()
                    l.expirationDate = try r.optString()
                    l.countingPeriod = try r.optString()
                }
                j.lines.append(l)
            }
            s.whseCountJournals[j.name] = j
        }
        for _ in 0..<(try r.count()) {
            var j = PhysInventoryJournal(
                name: try r.string(), location: try r.string(), documentNo: try r.string(),
                postingDate: try r.string(), lines: [], createdBy: try r.string(), createdAt: try r.string())
            for _ in 0..<(try r.count()) {
                var l = PhysInventoryLine(
                    lineNo: try r.count(), item: try r.string(), bin: try r.optString(), unitOfMeasure: try r.string(),
                    quantityCalculated: try r.quantity(), quantityPhysInventory: try r.quantity(),
                    counted: try r.bool(),
                    lastItemLedgerEntryNo: try r.count(), lastWarehouseEntryNo: try r.count())
                if v2 {
                    l.lot = try r.string()
                    l.serial = try r.string()
                    l.countingPeriod = try r.optString()
                    l.expirationDate = try r.optString()
                }
                j.lines.append(l)
            }
            s.physInventoryJournals[j.name] = j
        }
        for _ in 0..<(try r.count()) {
            var b = ItemJournalBatch(name: try r.string(), lines: [])
            for _ in 0..<(try r.count()) {
                let type = try r.entryType()
                let location = try r.string()
                let bin = try r.optString()
                let item = try r.string()
                let quantity = try r.quantity()
                let qb: Quantity? = try r.bool() ? try r.quantity() : nil
                var l = ItemJournalLine(
                    entryType: type, location: location, bin: bin, item: item, quantity: quantity,
                    quantityBase: qb, unitOfMeasure: try r.optString(), documentNo: try r.string(),
                    postingDate: try r.optString(), warehouseAdjustment: try r.bool())
                if v2 {
                    l.lot = try r.optString()
                    l.serial = try r.optString()
                    l.expirationDate = try r.optString()
                    for _ in 0..<(try r.count()) {
                        let lot = try r.optString()
                        let serial = try r.optString()
                        let exp = try r.optString()
                        let q = try r.quantity()
                        let tb: Quantity? = try r.bool() ? try r.quantity() : nil
                        l.tracking.append(
                            TrackingLine(lot: lot, serial: serial, expirationDate: exp, quantity: q, quantityBase: tb))
                    }
                }
                b.lines.append(l)
            }
            if r.version >= 3 {
                for _ in 0..<(try r.count()) {
                    let k = ContentKey(
                        try r.string(), try r.string(), try r.string(), try r.string(), lot: try r.string(),
                        serial: try r.string())
                    b.basis[k] = try r.count()
                }
            }
            s.itemJournalBatches[b.name] = b
        }
        s.lastJournalSerial = try r.count()
        if v2 {
            for _ in 0..<(try r.count()) {
                let k = TrackingKey(try r.string(), try r.string(), lot: try r.string(), serial: try r.string())
                s.trackingTotals[k] = try r.quantity()
            }
            for _ in 0..<(try r.count()) {
                let k = TrackingNo(try r.string(), lot: try r.string(), serial: try r.string())
                s.expirations[k] = try r.string()
            }
            for _ in 0..<(try r.count()) {
                let p = CountingPeriod(code: try r.string(), description: try r.string(), frequency: try r.count())
                s.countingPeriods[p.code] = p
            }
            for _ in 0..<(try r.count()) {
                let res = Reservation(
                    no: try r.count(), location: try r.string(), item: try r.string(), lot: try r.string(),
                    serial: try r.string(), quantityBase: try r.quantity(), source: try r.string(),
                    createdBy: try r.string(), createdAt: try r.string())
                s.reservations[res.no] = res
            }
            s.lastReservationNo = try r.count()
            for _ in 0..<(try r.count()) {
                s.blockedTracking.insert(TrackingNo(try r.string(), lot: try r.string(), serial: try r.string()))
            }
            for _ in 0..<(try r.count()) {
                let k = ContentKey(try r.string(), try r.string(), try r.string(), try r.string())
                s.binContentSetups[k] = BinContentSetup(
                    minQuantity: try r.quantity(), maxQuantity: try r.quantity(),
                    fixed: try r.bool(), isDefault: try r.bool())
            }
        }
        s.rebuildSerialIndexes()
        return s
    }
}

/// How many entries of each ledger the history files hold (entries 1...n): what a version 5 snapshot leaves out.
public struct HistoryCounts: Sendable, Hashable {
    public var warehouse = 0
    public var item = 0
    public var physInventory = 0
    public init(warehouse: Int = 0, item: Int = 0, physInventory: Int = 0) {
        self.warehouse = warehouse
        self.item = item
        self.physInventory = physInventory
    }
}

// MARK: - Entries (snapshots and history blocks)

extension SnapshotWriter {
    public mutating func warehouseEntry(_ e: WarehouseEntry) {
        uint(e.entryType.code)
        string(e.registeringDate)
        string(e.location)
        optString(e.zone)
        string(e.bin)
        string(e.item)
        quantity(e.quantity)
        quantity(e.quantityBase)
        string(e.unitOfMeasure)
        quantity(e.quantityPerUnit)
        string(e.documentNo)
        string(e.source)
        uint(UInt64(e.registerNo))
        string(e.user)
        string(e.timestamp)
        string(e.lot)
        string(e.serial)
        optString(e.expirationDate)
    }

    public mutating func itemLedgerEntry(_ e: ItemLedgerEntry) {
        uint(e.entryType.code)
        string(e.postingDate)
        string(e.documentNo)
        string(e.location)
        string(e.item)
        quantity(e.quantity)
        string(e.unitOfMeasure)
        quantity(e.quantityPerUnit)
        bool(e.warehouseAdjustment)
        string(e.source)
        string(e.user)
        string(e.timestamp)
        string(e.lot)
        string(e.serial)
        optString(e.expirationDate)
    }

    public mutating func physInventoryEntry(_ e: PhysInventoryLedgerEntry) {
        uint(e.entryType.code)
        string(e.postingDate)
        string(e.documentNo)
        string(e.location)
        optString(e.bin)
        string(e.item)
        quantity(e.quantity)
        quantity(e.quantityCalculated)
        quantity(e.quantityPhysInventory)
        string(e.unitOfMeasure)
        uint(UInt64(e.lastItemLedgerEntryNo))
        string(e.user)
        string(e.timestamp)
        string(e.lot)
        string(e.serial)
        optString(e.countingPeriod)
    }

    /// A history block's bytes (docs/on-disk-format.md 11.3): the string table, then the body; no magic, no
    /// version (the file header has them).
    public func finishBlock() -> [UInt8] {
        var out = SnapshotWriter()
        out.body.reserveCapacity(body.count + 64 * table.count)
        out.uint(UInt64(table.count))
        for s in table { out.bytes(Array(s.utf8)) }
        out.body.append(contentsOf: body)
        return out.body
    }
}

extension SnapshotReader {
    /// Reads a block written by `finishBlock`, with the entry layout of state version `version`.
    public init(block bytes: [UInt8], version: Int = LedgerState.snapshotVersion) throws {
        self.data = bytes
        self.version = version
        let n = try count()
        table.reserveCapacity(n)
        for _ in 0..<n {
            let len = try count()
            guard offset + len <= data.count else { throw SnapshotError("truncated string table") }
            table.append(String(decoding: data[offset..<offset + len], as: UTF8.self))
            offset += len
        }
    }

    /// Reads a block written by `finishBlock` like `init(block:)`, but decodes none of its strings: an entry read
    /// decodes the ones it references (the history files' reads of a few entries of a block).
    public init(lazyBlock bytes: [UInt8], version: Int = LedgerState.snapshotVersion) throws {
        self.data = bytes
        self.version = version
        lazy = true
        let n = try count()
        guard n <= data.count, data.count < Int(Int32.max) else { throw SnapshotError("implausible string table") }
        spans.reserveCapacity(2 * n)
        for _ in 0..<n {
            let len = try count()
            guard offset + len <= data.count else { throw SnapshotError("truncated string table") }
            spans.append(Int32(offset))
            offset += len
            spans.append(Int32(offset))
        }
    }

    /// Where the next read starts (an offset in the bytes).
    public var position: Int {
        get { offset }
        set { offset = newValue }
    }

    private func lazyString(_ i: Int) throws -> String {
        guard i < spans.count / 2 else { throw SnapshotError("string index \(i) out of range") }
        let from = Int(spans[2 * i])
        let to = Int(spans[2 * i + 1])
        return data.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[from..<to]), as: UTF8.self)
        }
    }

    /// The fields of an entry's layout, for `skip`.
    enum Field { case type, string, optString, number, count, bool }
    static let warehouseLayout: [Field] = [
        .type, .string, .string, .optString, .string, .string, .number, .number, .string, .number, .string, .string,
        .count, .string, .string
    ]
    static let itemLedgerLayout: [Field] = [
        .type, .string, .string, .string, .string, .number, .string, .number, .bool, .string, .string, .string
    ]
    static let physInventoryLayout: [Field] = [
        .type, .string, .string, .string, .optString, .string, .number, .number, .number, .string, .count, .string,
        .string
    ]
    /// What state version 2 added to each: lot, serial no. and an optional string.
    static let trackingLayout: [Field] = [.string, .string, .optString]

    /// Moves past one entry without decoding it (the walk that finds where each entry of a history block starts),
    /// checking what decoding it checks but the contents of its strings. The layouts are the ones
    /// `warehouseEntry(_:)`, `itemLedgerEntry(_:)` and `physInventoryEntry(_:)` read.
    public mutating func skipWarehouseEntry() throws { try skip(SnapshotReader.warehouseLayout) }
    public mutating func skipItemLedgerEntry() throws { try skip(SnapshotReader.itemLedgerLayout) }
    public mutating func skipPhysInventoryEntry() throws { try skip(SnapshotReader.physInventoryLayout) }

    private mutating func skip(_ layout: [Field]) throws {
        try skipFields(layout)
        if version >= 2 { try skipFields(SnapshotReader.trackingLayout) }
    }

    private mutating func skipFields(_ layout: [Field]) throws {
        let strings = lazy ? spans.count / 2 : table.count
        for field in layout {
            switch field {
            case .type:
                guard try count() < EntryType.allCases.count else { throw SnapshotError("bad entry type") }
            case .string:
                guard try count() < strings else { throw SnapshotError("string index out of range") }
            case .optString:
                if try bool() { guard try count() < strings else { throw SnapshotError("string index out of range") } }
            case .number: _ = try uint()
            case .count: _ = try count()
            case .bool: _ = try bool()
            }
        }
    }

    public mutating func warehouseEntry(_ no: Int) throws -> WarehouseEntry {
        var e = WarehouseEntry(
            entryNo: no, entryType: try entryType(), registeringDate: try string(), location: try string(),
            zone: try optString(), bin: try string(), item: try string(), quantity: try quantity(),
            quantityBase: try quantity(), unitOfMeasure: try string(), quantityPerUnit: try quantity(),
            documentNo: try string(), source: try string(), registerNo: try count(), user: try string(),
            timestamp: try string())
        if version >= 2 {
            e.trackingBox = TrackingBox.make(lot: try string(), serial: try string(), expirationDate: try optString())
        }
        return e
    }

    public mutating func itemLedgerEntry(_ no: Int) throws -> ItemLedgerEntry {
        var e = ItemLedgerEntry(
            entryNo: no, entryType: try entryType(), postingDate: try string(), documentNo: try string(),
            location: try string(), item: try string(), quantity: try quantity(), unitOfMeasure: try string(),
            quantityPerUnit: try quantity(), warehouseAdjustment: try bool(), source: try string(),
            user: try string(), timestamp: try string())
        if version >= 2 {
            e.trackingBox = TrackingBox.make(lot: try string(), serial: try string(), expirationDate: try optString())
        }
        return e
    }

    public mutating func physInventoryEntry(_ no: Int) throws -> PhysInventoryLedgerEntry {
        var e = PhysInventoryLedgerEntry(
            entryNo: no, entryType: try entryType(), postingDate: try string(), documentNo: try string(),
            location: try string(), bin: try optString(), item: try string(), quantity: try quantity(),
            quantityCalculated: try quantity(), quantityPhysInventory: try quantity(), unitOfMeasure: try string(),
            lastItemLedgerEntryNo: try count(), user: try string(), timestamp: try string())
        if version >= 2 {
            e.lot = try string()
            e.serial = try string()
            e.countingPeriod = try optString()
        }
        return e
    }
}
