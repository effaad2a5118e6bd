import Warehouse
import WhseProtocol

/// One line of whsed's `entries.follow` stream, decoded without a JSON tree: the entries of an `entries.committed`
/// and the rows of an `entries.availability` go from the line's bytes straight into a batch's columns (numbers as
/// their exact text, never a Double). Anything unexpected (not JSON, a member of the wrong type, an entry without
/// its number) is a FeedError: the sink drops the connection and follows again from its cursor, it never skips.
struct FeedLine {
    enum Method: Equatable {
        case committed, availability, heartbeat, followEnded
        /// A reply, or a notification this sink does not know.
        case other
    }

    /// The `method` member (`.other` when absent or unknown).
    let method: Method
    /// Where `params`' value starts, when the line has one.
    private let paramsOffset: Int?
    /// Where the top-level object goes on after `params` (nil: the whole line has been read and checked).
    private let resumeOffset: Int?

    /// Reads the line up to its `method` and `params` (whsed writes `method` first; in any other order the line is
    /// read to its end here).
    init(_ line: UnsafeRawBufferPointer) throws {
        var method = Method.other
        var sawMethod = false
        var params: Int? = nil
        var resume: Int? = nil
        try FeedLine.reading(line) { r in
            try r.beginObject()
            while try r.nextKey() {
                if r.key(is: "method") {
                    sawMethod = true
                    switch try r.text() {
                    case "entries.committed": method = .committed
                    case "entries.availability": method = .availability
                    case "entries.heartbeat": method = .heartbeat
                    case "entries.followEnded": method = .followEnded
                    default: method = .other
                    }
                } else if r.key(is: "params") {
                    _ = try r.peek()
                    params = r.offset
                    if sawMethod {
                        resume = r.offset
                        return
                    }
                    try r.skipValue()
                } else {
                    try r.skipValue()
                }
            }
            try r.end()
        }
        self.method = method
        self.paramsOffset = params
        self.resumeOffset = resume
    }

    /// Runs `body` with a reader over the line; its JSON errors become FeedErrors.
    static func reading<R>(_ line: UnsafeRawBufferPointer, _ body: (inout JSONReader) throws -> R) throws -> R {
        guard let base = line.baseAddress, line.count > 0 else {
            throw FeedError(description: "whsed sent an empty line")
        }
        var r = JSONReader(base.assumingMemoryBound(to: UInt8.self), count: line.count, maxDepth: 512)
        do {
            return try body(&r)
        } catch let e as JSONParseError {
            throw FeedError(description: "whsed sent a line the sink cannot read: \(e)")
        }
    }

    /// Reads `params` with `body` (its value is next), then checks the rest of the line.
    private func readParams(_ line: UnsafeRawBufferPointer, _ body: (inout JSONReader) throws -> Void) throws {
        guard let at = paramsOffset else { throw FeedError(description: "whsed sent a notification without params") }
        let resume = resumeOffset != nil
        try FeedLine.reading(line) { r in
            r.seek(at, afterValue: false)
            try body(&r)
            // The members after params (when init stopped there), to the end of the line.
            guard resume else { return }
            while try r.nextKey() { try r.skipValue() }
            try r.end()
        }
    }

    /// The record of an `entries.committed` line, added to `batch`: its log row and its entries' rows.
    func addCommitted(_ line: UnsafeRawBufferPointer, to batch: inout Batch) throws -> Committed {
        var out = Committed()
        try readParams(line) { r in out = try batch.add(committed: &r) }
        return out
    }

    struct Committed {
        var hasEntries = false
        var availabilityFollows = false
    }

    /// The rows of an `entries.availability` line, added to `batch`.
    func addAvailability(_ line: UnsafeRawBufferPointer, to batch: inout Batch) throws {
        try readParams(line) { r in try batch.add(availability: &r) }
    }

    /// The whole line as a JSON tree (for the rare lines: heartbeats, the end of the stream, replies).
    static func tree(_ line: UnsafeRawBufferPointer) throws -> JSON {
        do {
            return try JSONParser.parse(line, maxDepth: 512)
        } catch {
            throw FeedError(description: "whsed sent a line that is not JSON: \(error)")
        }
    }
}

extension Batch {
    static let paramsKeys: [StaticString] = [
        "availabilityFollows", "itemLedgerEntries", "logEpoch", "masterData", "method", "physInventoryLedgerEntries",
        "seq", "siteId", "warehouseEntries"
    ]
    static let warehouseKeys: [StaticString] = [
        "bin", "documentNo", "entryNo", "entryType", "expirationDate", "item", "location", "lot", "quantity",
        "quantityBase", "quantityPerUnitOfMeasure", "registerNo", "registeringDate", "serial", "source", "timestamp",
        "unitOfMeasure", "user", "zone"
    ]
    static let itemKeys: [StaticString] = [
        "documentNo", "entryNo", "entryType", "expirationDate", "item", "location", "lot", "postingDate", "quantity",
        "quantityPerUnitOfMeasure", "serial", "source", "timestamp", "unitOfMeasure", "user", "warehouseAdjustment"
    ]
    static let physKeys: [StaticString] = [
        "bin", "countingPeriod", "documentNo", "entryNo", "entryType", "item", "lastItemLedgerEntryNo", "location",
        "lot", "postingDate", "quantity", "quantityCalculated", "quantityPhysInventory", "serial", "timestamp",
        "unitOfMeasure", "user"
    ]
    static let availabilityKeys: [StaticString] = ["asOfSeq", "logEpoch", "rows", "seq", "siteId"]
    static let availabilityRowKeys: [StaticString] = [
        "availableToPick", "availableToReserve", "item", "location", "lot"
    ]

    /// A member seen twice in one object: whsed never writes one, and which one would win is not for the sink to
    /// guess.
    static func once(_ seen: inout UInt32, _ index: Int, _ r: JSONReader) throws(JSONParseError) {
        let bit: UInt32 = 1 << UInt32(index)
        if seen & bit != 0 { throw JSONParseError(offset: r.offset, message: "duplicate key \"\(r.keyString)\"") }
        seen |= bit
    }

    /// An entries.committed's params (the reader is at its '{'): the log row, then each entry into its columns.
    /// The members may come in any order (`seq` after some arrays, as whsed sorts them): the rows get their seq,
    /// and the bin contents their sums, once the object has been read.
    mutating func add(committed r: inout JSONReader) throws -> FeedLine.Committed {
        let from = (warehouse.entryNo.count, item.entryNo.count, phys.entryNo.count)
        let m = try readRecord(&r)
        guard let seq = m.seq else { throw FeedError(description: "whsed sent an entries.committed without its seq") }
        if records == 0 { firstSeq = seq }
        lastSeq = seq
        records += 1
        seqs.append(seq)
        methods.append(m.method)
        masterData.append(m.masterData)
        let hasEntries = try finishEntries(from: from, seq: seq)
        return FeedLine.Committed(hasEntries: hasEntries, availabilityFollows: m.availabilityFollows)
    }

    /// For --reseed: the entries of `p`'s `warehouseEntries`, `itemLedgerEntries` and `physInventoryLedgerEntries`,
    /// under `seq`, read as the stream's are.
    mutating func add(entries p: JSON, seq: Int64) throws {
        let from = (warehouse.entryNo.count, item.entryNo.count, phys.entryNo.count)
        let bytes = p.serialized()
        try bytes.withUnsafeBytes { raw in
            try FeedLine.reading(raw) { r in
                _ = try self.readRecord(&r)
                try r.end()
            }
        }
        _ = try finishEntries(from: from, seq: seq)
    }

    /// For --reseed: availability rows, given as an entries.availability's params.
    mutating func add(availability p: JSON) throws {
        let bytes = p.serialized()
        try bytes.withUnsafeBytes { raw in
            try FeedLine.reading(raw) { r in
                try self.add(availability: &r)
                try r.end()
            }
        }
    }

    struct RecordMembers {
        var seq: Int64? = nil
        var method = ""
        var masterData = ""
        var availabilityFollows = false
    }

    /// The members of a record's params; its entries go into the columns (without their seq).
    private mutating func readRecord(_ r: inout JSONReader) throws -> RecordMembers {
        var m = RecordMembers()
        var seen: UInt32 = 0
        var guess = 0
        try r.beginObject()
        while try r.nextKey() {
            guard let k = r.keyIndex(in: Batch.paramsKeys, guess: &guess) else {
                try r.skipValue()
                continue
            }
            try Batch.once(&seen, k, r)
            switch k {
            case 0: m.availabilityFollows = try r.bool()
            case 1: try Batch.entries(&r) { (r: inout JSONReader) throws in try self.addItemEntry(&r) }
            case 3:
                if try r.peek() == .null {
                    try r.skipValue()
                } else {
                    m.masterData = String(decoding: try r.rawValue(), as: UTF8.self)
                }
            case 4: m.method = try r.text()
            case 5: try Batch.entries(&r) { (r: inout JSONReader) throws in try self.addPhysEntry(&r) }
            case 6: m.seq = try r.int64()
            case 8: try Batch.entries(&r) { (r: inout JSONReader) throws in try self.addWarehouseEntry(&r) }
            default: try r.skipValue()
            }
        }
        return m
    }

    /// The rows added since `from` get `seq`, and the warehouse rows move their bin contents; whether there were any.
    private mutating func finishEntries(from: (Int, Int, Int), seq: Int64) throws -> Bool {
        let (w0, i0, p0) = from
        let (w1, i1, p1) = (warehouse.entryNo.count, item.entryNo.count, phys.entryNo.count)
        warehouse.seq.append(contentsOf: repeatElement(seq, count: w1 - w0))
        item.seq.append(contentsOf: repeatElement(seq, count: i1 - i0))
        phys.seq.append(contentsOf: repeatElement(seq, count: p1 - p0))
        for m in pendingBinContent {
            try sumBinContent(m.key, m.quantity, m.quantityBase, seq: seq)
        }
        pendingBinContent.removeAll(keepingCapacity: true)
        return w1 > w0 || i1 > i0 || p1 > p0
    }

    /// An array of entry objects (or null), each read by `one`.
    private static func entries(_ r: inout JSONReader, _ one: (inout JSONReader) throws -> Void) throws {
        if try r.peek() == .null {
            try r.skipValue()
            return
        }
        try r.beginArray()
        while try r.nextElement() { try one(&r) }
    }

    /// A warehouse entry of the record with `seq` moves its bin content by its quantities (exact decimals).
    private mutating func sumBinContent(_ key: BinContentKey, _ q: Quantity, _ qb: Quantity, seq: Int64) throws {
        if let old = binContent[key] {
            guard let sq = old.quantity.adding(q), let sqb = old.quantityBase.adding(qb) else {
                throw FeedError(description: "the batch's sum for a bin content overflows: \(key)")
            }
            binContent[key] = BinContentSum(quantity: sq, quantityBase: sqb, lastSeq: max(old.lastSeq, seq))
        } else {
            binContent[key] = BinContentSum(quantity: q, quantityBase: qb, lastSeq: seq)
        }
    }

    /// One warehouse entry into the columns: the members the bin content's sum needs as Strings, the others' bytes
    /// straight into their columns. A member not given is empty text (zero for the numbers); a missing entryNo is
    /// an error.
    private mutating func addWarehouseEntry(_ r: inout JSONReader) throws {
        var entryNo: Int64? = nil
        var registerNo: Int64 = 0
        var (bin, itemNo, location, lot, quantity, quantityBase, serial, unit) = ("", "", "", "", "", "", "", "")
        var seen: UInt32 = 0
        var guess = 0
        try r.beginObject()
        while try r.nextKey() {
            guard let k = r.keyIndex(in: Batch.warehouseKeys, guess: &guess) else {
                try r.skipValue()
                continue
            }
            try Batch.once(&seen, k, r)
            switch k {
            case 0: bin = try r.text()
            case 1: try r.withText { warehouse.documentNo.append(bytes: $0) }
            case 2: entryNo = try r.int64()
            case 3: try r.withText { warehouse.entryType.append(bytes: $0) }
            case 4: try r.withText { warehouse.expiration.append(bytes: $0) }
            case 5: itemNo = try r.text()
            case 6: location = try r.text()
            case 7: lot = try r.text()
            case 8: quantity = try r.text()
            case 9: quantityBase = try r.text()
            case 10: try Batch.typed(&r) { try warehouse.perUnit.append(bytes: $0) }
            case 11: registerNo = try r.int64() ?? 0
            case 12: try Batch.typed(&r) { try warehouse.date.append(bytes: $0) }
            case 13: serial = try r.text()
            case 14: try r.withText { warehouse.source.append(bytes: $0) }
            case 15: try Batch.typed(&r) { try warehouse.timestamp.append(bytes: $0) }
            case 16: unit = try r.text()
            case 17: try r.withText { warehouse.user.append(bytes: $0) }
            default: try r.withText { warehouse.zone.append(bytes: $0) }
            }
        }
        guard let entryNo else { throw FeedError(description: "whsed sent a warehouse entry without its entryNo") }
        try Batch.required(seen, Batch.warehouseTyped, "warehouse entry")
        if seen != Batch.all(Batch.warehouseKeys) {
            for (bit, column) in Batch.warehouseText where seen & (1 << bit) == 0 {
                warehouse[keyPath: column].append("")
            }
        }
        let key = BinContentKey(location: location, bin: bin, item: itemNo, unit: unit, lot: lot, serial: serial)
        pendingBinContent.append((key, try Batch.quantity(quantity), try Batch.quantity(quantityBase)))
        warehouse.entryNo.append(entryNo)
        warehouse.registerNo.append(registerNo)
        warehouse.location.append(location)
        warehouse.bin.append(bin)
        warehouse.item.append(itemNo)
        try warehouse.quantity.append(quantity)
        try warehouse.quantityBase.append(quantityBase)
        warehouse.unit.append(unit)
        warehouse.lot.append(lot)
        warehouse.serial.append(serial)
    }

    /// Every key of `keys` seen.
    static func all(_ keys: [StaticString]) -> UInt32 { (1 << UInt32(keys.count)) - 1 }

    /// The columns written straight from the bytes, by their key's index.
    static let warehouseText: [(UInt32, WritableKeyPath<WarehouseColumns, TextColumn> & Sendable)] = [
        (1, \.documentNo), (3, \.entryType), (4, \.expiration), (14, \.source), (17, \.user), (18, \.zone)
    ]
    static let itemText: [(UInt32, WritableKeyPath<ItemColumns, TextColumn> & Sendable)] = [
        (0, \.documentNo), (2, \.entryType), (3, \.expiration), (4, \.item), (5, \.location), (6, \.lot),
        (10, \.serial), (11, \.source), (13, \.unit), (14, \.user)
    ]
    static let physText: [(UInt32, WritableKeyPath<PhysColumns, TextColumn> & Sendable)] = [
        (0, \.bin), (1, \.countingPeriod), (2, \.documentNo), (4, \.entryType), (5, \.item), (7, \.location),
        (8, \.lot), (13, \.serial), (15, \.unit), (16, \.user)
    ]
    /// The members that go in binary columns (quantities, dates, timestamps), by their key's index: whsed sends
    /// every one of them (a missing one is a FeedError; as text it was an error of PostgreSQL's).
    static let warehouseTyped: UInt32 = 1 << 8 | 1 << 9 | 1 << 10 | 1 << 12 | 1 << 15
    static let itemTyped: UInt32 = 1 << 7 | 1 << 8 | 1 << 9 | 1 << 12
    static let physTyped: UInt32 = 1 << 9 | 1 << 10 | 1 << 11 | 1 << 12 | 1 << 14

    static func required(_ seen: UInt32, _ typed: UInt32, _ what: String) throws {
        guard seen & typed == typed else {
            throw FeedError(
                description: "whsed sent a \(what) without one of its quantities, its date or its timestamp")
        }
    }

    /// Appends the value's text (a string's contents, a number's literal) with `append`, whose error is thrown here.
    static func typed(_ r: inout JSONReader, _ append: (UnsafeRawBufferPointer) throws -> Void) throws {
        let failure: (any Error)? = try r.withText { bytes in
            do {
                try append(bytes)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    private mutating func addItemEntry(_ r: inout JSONReader) throws {
        var entryNo: Int64? = nil
        var adjustment = false
        var seen: UInt32 = 0
        var guess = 0
        try r.beginObject()
        while try r.nextKey() {
            guard let k = r.keyIndex(in: Batch.itemKeys, guess: &guess) else {
                try r.skipValue()
                continue
            }
            try Batch.once(&seen, k, r)
            switch k {
            case 0: try r.withText { item.documentNo.append(bytes: $0) }
            case 1: entryNo = try r.int64()
            case 2: try r.withText { item.entryType.append(bytes: $0) }
            case 3: try r.withText { item.expiration.append(bytes: $0) }
            case 4: try r.withText { item.item.append(bytes: $0) }
            case 5: try r.withText { item.location.append(bytes: $0) }
            case 6: try r.withText { item.lot.append(bytes: $0) }
            case 7: try Batch.typed(&r) { try item.date.append(bytes: $0) }
            case 8: try Batch.typed(&r) { try item.quantity.append(bytes: $0) }
            case 9: try Batch.typed(&r) { try item.perUnit.append(bytes: $0) }
            case 10: try r.withText { item.serial.append(bytes: $0) }
            case 11: try r.withText { item.source.append(bytes: $0) }
            case 12: try Batch.typed(&r) { try item.timestamp.append(bytes: $0) }
            case 13: try r.withText { item.unit.append(bytes: $0) }
            case 14: try r.withText { item.user.append(bytes: $0) }
            default:
                if try r.peek() == .null {
                    try r.skipValue()
                } else {
                    adjustment = try r.bool()
                }
            }
        }
        guard let entryNo else { throw FeedError(description: "whsed sent an item ledger entry without its entryNo") }
        try Batch.required(seen, Batch.itemTyped, "item ledger entry")
        if seen != Batch.all(Batch.itemKeys) {
            for (bit, column) in Batch.itemText where seen & (1 << bit) == 0 {
                item[keyPath: column].append("")
            }
        }
        item.entryNo.append(entryNo)
        item.adjustment.append(adjustment)
    }

    private mutating func addPhysEntry(_ r: inout JSONReader) throws {
        var entryNo: Int64? = nil
        var lastItemEntry: Int64 = 0
        var seen: UInt32 = 0
        var guess = 0
        try r.beginObject()
        while try r.nextKey() {
            guard let k = r.keyIndex(in: Batch.physKeys, guess: &guess) else {
                try r.skipValue()
                continue
            }
            try Batch.once(&seen, k, r)
            switch k {
            case 0: try r.withText { phys.bin.append(bytes: $0) }
            case 1: try r.withText { phys.countingPeriod.append(bytes: $0) }
            case 2: try r.withText { phys.documentNo.append(bytes: $0) }
            case 3: entryNo = try r.int64()
            case 4: try r.withText { phys.entryType.append(bytes: $0) }
            case 5: try r.withText { phys.item.append(bytes: $0) }
            case 6: lastItemEntry = try r.int64() ?? 0
            case 7: try r.withText { phys.location.append(bytes: $0) }
            case 8: try r.withText { phys.lot.append(bytes: $0) }
            case 9: try Batch.typed(&r) { try phys.date.append(bytes: $0) }
            case 10: try Batch.typed(&r) { try phys.quantity.append(bytes: $0) }
            case 11: try Batch.typed(&r) { try phys.calculated.append(bytes: $0) }
            case 12: try Batch.typed(&r) { try phys.counted.append(bytes: $0) }
            case 13: try r.withText { phys.serial.append(bytes: $0) }
            case 14: try Batch.typed(&r) { try phys.timestamp.append(bytes: $0) }
            case 15: try r.withText { phys.unit.append(bytes: $0) }
            default: try r.withText { phys.user.append(bytes: $0) }
            }
        }
        guard let entryNo else {
            throw FeedError(description: "whsed sent a phys. inventory ledger entry without its entryNo")
        }
        try Batch.required(seen, Batch.physTyped, "phys. inventory ledger entry")
        if seen != Batch.all(Batch.physKeys) {
            for (bit, column) in Batch.physText where seen & (1 << bit) == 0 {
                phys[keyPath: column].append("")
            }
        }
        phys.entryNo.append(entryNo)
        phys.lastItemEntry.append(lastItemEntry)
    }

    /// An entries.availability's params (the reader is at its '{'): the newest row per (location, item, lot).
    mutating func add(availability r: inout JSONReader) throws(JSONParseError) {
        var seq: Int64 = 0
        var asOf: Int64 = 0
        var rows: [(key: [String], pick: String, reserve: String)] = []
        var seen: UInt32 = 0
        var guess = 0
        try r.beginObject()
        while try r.nextKey() {
            guard let k = r.keyIndex(in: Batch.availabilityKeys, guess: &guess) else {
                try r.skipValue()
                continue
            }
            try Batch.once(&seen, k, r)
            switch k {
            case 0: asOf = try r.int64() ?? 0
            case 2:
                try r.beginArray()
                while try r.nextElement() {
                    var (pick, reserve, itemNo, location, lot) = ("", "", "", "", "")
                    var rowSeen: UInt32 = 0
                    var rowGuess = 0
                    try r.beginObject()
                    while try r.nextKey() {
                        guard let m = r.keyIndex(in: Batch.availabilityRowKeys, guess: &rowGuess) else {
                            try r.skipValue()
                            continue
                        }
                        try Batch.once(&rowSeen, m, r)
                        switch m {
                        case 0: pick = try r.text()
                        case 1: reserve = try r.text()
                        case 2: itemNo = try r.text()
                        case 3: location = try r.text()
                        default: lot = try r.text()
                        }
                    }
                    rows.append(([location, itemNo, lot], pick, reserve))
                }
            case 3: seq = try r.int64() ?? 0
            default: try r.skipValue()
            }
        }
        for row in rows {
            if let old = availability[row.key], old.seq > seq { continue }
            availability[row.key] = AvailabilityRow(pick: row.pick, reserve: row.reserve, seq: seq, asOf: asOf)
        }
    }
}
