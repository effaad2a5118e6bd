import Warehouse

/// Wire forms of the domain's values. Field names are the protocol's (camelCase, see protocol.md).
extension JSON {
    static func opt(_ s: String?) -> JSON { s.map { .string($0) } ?? .null }
    /// "" (no lot / serial) goes on the wire as null.
    static func code(_ s: String) -> JSON { s.isEmpty ? .null : .string(s) }
}

extension ItemTracking {
    public var json: JSON { encoded() }
}

extension CountingPeriod {
    public var json: JSON { CountingPeriodResult(self).encoded() }
}

extension Reservation {
    /// Lean (protocol.md 11): see `MemberDefaults.reservation`.
    public var json: JSON { ReservationResult(self).encoded() }
}

extension Location {
    public var json: JSON { LocationResult(self).encoded() }
}

extension Zone {
    public var json: JSON { ZoneResult(self).encoded() }
}

extension Bin {
    public var json: JSON { BinResult(self).encoded() }
}

extension Item {
    public var json: JSON { ItemResult(self).encoded() }
}

extension WarehouseEntry {
    /// `{"entries":[…],"nextAfter":…}` of lean entries, written straight to bytes: what
    /// `EntriesPageResult(entries: entries.map { $0.json() }, nextAfter: nextAfter).encoded().serialized()` gives,
    /// without a dictionary built and sorted per entry (entries.warehouse pages). Members in the order of their keys'
    /// UTF-8 bytes, as the serializer sorts them.
    public static func leanPageResult(_ entries: [WarehouseEntry], nextAfter: Int?) -> [UInt8] {
        JSONByteSink.bytes(
            "{\"entries\":[", entries, bytesEach: 256, write: { $0.writeLean(into: &$1) },
            then: { sink in
                sink.append(ascii: "],\"nextAfter\":")
                if let nextAfter { JSON(nextAfter).write(into: &sink) } else { sink.append(ascii: "null") }
                sink.append(JSONBytes.closeBrace)
            })
    }

    func writeLean(into sink: inout JSONByteSink) {
        func string(_ key: StaticString, _ value: String) {
            sink.append(ascii: key)
            JSON.writeString(value, into: &sink)
        }
        let q = quantity.json
        let qb = quantityBase.json
        let perUnit = quantityPerUnit.json
        sink.append(ascii: "{\"bin\":")
        JSON.writeString(bin, into: &sink)
        if !documentNo.isEmpty { string(",\"documentNo\":", documentNo) }
        sink.append(ascii: ",\"entryNo\":")
        JSON(entryNo).write(into: &sink)
        string(",\"entryType\":", entryType.rawValue)
        if let d = expirationDate { string(",\"expirationDate\":", d) }
        string(",\"item\":", item)
        string(",\"location\":", location)
        let lot = lot
        if !lot.isEmpty { string(",\"lot\":", lot) }
        sink.append(ascii: ",\"quantity\":")
        q.write(into: &sink)
        if qb != q {
            sink.append(ascii: ",\"quantityBase\":")
            qb.write(into: &sink)
        }
        if perUnit != MemberDefaults.one {
            sink.append(ascii: ",\"quantityPerUnitOfMeasure\":")
            perUnit.write(into: &sink)
        }
        sink.append(ascii: ",\"registerNo\":")
        JSON(registerNo).write(into: &sink)
        string(",\"registeringDate\":", registeringDate)
        let serial = serial
        if !serial.isEmpty { string(",\"serial\":", serial) }
        string(",\"source\":", source)
        string(",\"timestamp\":", timestamp)
        string(",\"unitOfMeasure\":", unitOfMeasure)
        string(",\"user\":", user)
        if let zone { string(",\"zone\":", zone) }
        sink.append(JSONBytes.closeBrace)
    }

    /// Lean (protocol.md 11) unless `fields` chose the members: see `MemberDefaults.warehouseEntry`.
    public func json(_ selection: MemberSelection = .lean) -> JSON {
        MemberDefaults.warehouseEntry.encode(
            [
                "entryNo": JSON(entryNo), "entryType": .string(entryType.rawValue),
                "registeringDate": .string(registeringDate), "location": .string(location), "zone": .opt(zone),
                "bin": .string(bin), "item": .string(item),
                "quantity": quantity.json, "quantityBase": quantityBase.json, "unitOfMeasure": .string(unitOfMeasure),
                "quantityPerUnitOfMeasure": quantityPerUnit.json, "documentNo": .string(documentNo),
                "source": .string(source), "registerNo": JSON(registerNo), "user": .string(user),
                "timestamp": .string(timestamp), "lot": .code(lot), "serial": .code(serial),
                "expirationDate": .opt(expirationDate)
            ], selection)
    }
}

extension ItemLedgerEntry {
    /// Lean (protocol.md 11) unless `fields` chose the members: see `MemberDefaults.itemLedgerEntry`.
    public func json(_ selection: MemberSelection = .lean) -> JSON {
        MemberDefaults.itemLedgerEntry.encode(
            [
                "entryNo": JSON(entryNo), "entryType": .string(entryType.rawValue), "postingDate": .string(postingDate),
                "documentNo": .string(documentNo), "location": .string(location), "item": .string(item),
                "quantity": quantity.json, "unitOfMeasure": .string(unitOfMeasure),
                "quantityPerUnitOfMeasure": quantityPerUnit.json, "warehouseAdjustment": .bool(warehouseAdjustment),
                "source": .string(source), "user": .string(user), "timestamp": .string(timestamp),
                "lot": .code(lot), "serial": .code(serial), "expirationDate": .opt(expirationDate)
            ], selection)
    }
}

extension PhysInventoryLedgerEntry {
    /// Lean (protocol.md 11) unless `fields` chose the members: see `MemberDefaults.physInventoryLedgerEntry`.
    public func json(_ selection: MemberSelection = .lean) -> JSON {
        MemberDefaults.physInventoryLedgerEntry.encode(
            [
                "entryNo": JSON(entryNo), "entryType": .string(entryType.rawValue), "postingDate": .string(postingDate),
                "documentNo": .string(documentNo), "location": .string(location), "bin": .opt(bin),
                "item": .string(item),
                "quantity": quantity.json, "quantityCalculated": quantityCalculated.json,
                "quantityPhysInventory": quantityPhysInventory.json, "unitOfMeasure": .string(unitOfMeasure),
                "lastItemLedgerEntryNo": JSON(lastItemLedgerEntryNo), "user": .string(user),
                "timestamp": .string(timestamp), "lot": .code(lot), "serial": .code(serial),
                "countingPeriod": .opt(countingPeriod)
            ], selection)
    }
}

extension PostingSummary {
    public var json: JSON { PostingResult(self).encoded() }
}

extension BinContentRow {
    /// Lean (protocol.md 11) unless `fields` chose the members: see `MemberDefaults.binContentRow`.
    public func json(_ selection: MemberSelection = .lean) -> JSON {
        MemberDefaults.binContentRow.encode(fullObject, selection)
    }

    /// `{"rows":[…]}` of lean rows, written straight to bytes: what `BinContentRowsResult(rows: rows.map { $0.json() })
    /// .encoded().serialized()` gives, without building and sorting a dictionary per row (bin.contents and item.bins
    /// are the reads that come by the thousand). Members in the order of their keys' UTF-8 bytes, as the serializer
    /// sorts them.
    public static func leanRowsResult(_ rows: [BinContentRow]) -> [UInt8] {
        JSONByteSink.bytes(
            "{\"rows\":[", rows, bytesEach: 128, write: { $0.writeLean(into: &$1) }, then: { $0.append(ascii: "]}") })
    }

    func writeLean(into sink: inout JSONByteSink) {
        let zero = MemberDefaults.zero
        let q = quantity.json
        let qb = quantityBase.json
        let minimum = setup.map { $0.minQuantity.json } ?? zero
        let maximum = setup.map { $0.maxQuantity.json } ?? zero
        sink.append(JSONBytes.openBrace)
        if adjustmentBin { sink.append(ascii: "\"adjustmentBin\":true,") }
        sink.append(ascii: "\"bin\":")
        JSON.writeString(bin, into: &sink)
        if blocked { sink.append(ascii: ",\"blocked\":true") }
        if setup?.isDefault == true { sink.append(ascii: ",\"default\":true") }
        if let expirationDate {
            sink.append(ascii: ",\"expirationDate\":")
            JSON.writeString(expirationDate, into: &sink)
        }
        if setup?.fixed == true { sink.append(ascii: ",\"fixed\":true") }
        sink.append(ascii: ",\"item\":")
        JSON.writeString(item, into: &sink)
        sink.append(ascii: ",\"location\":")
        JSON.writeString(location, into: &sink)
        if !lot.isEmpty {
            sink.append(ascii: ",\"lot\":")
            JSON.writeString(lot, into: &sink)
        }
        if maximum != zero {
            sink.append(ascii: ",\"maxQuantity\":")
            maximum.write(into: &sink)
        }
        if minimum != zero {
            sink.append(ascii: ",\"minQuantity\":")
            minimum.write(into: &sink)
        }
        sink.append(ascii: ",\"quantity\":")
        q.write(into: &sink)
        if qb != q {
            sink.append(ascii: ",\"quantityBase\":")
            qb.write(into: &sink)
        }
        if !serial.isEmpty {
            sink.append(ascii: ",\"serial\":")
            JSON.writeString(serial, into: &sink)
        }
        sink.append(ascii: ",\"unitOfMeasure\":")
        JSON.writeString(unitOfMeasure, into: &sink)
        if let zone {
            sink.append(ascii: ",\"zone\":")
            JSON.writeString(zone, into: &sink)
        }
        sink.append(JSONBytes.closeBrace)
    }

    /// Every member, as `MemberDefaults.binContentRow` names them (what `fields` chooses from).
    public var fullObject: [String: JSON] {
        [
            "location": .string(location), "zone": .opt(zone), "bin": .string(bin), "item": .string(item),
            "unitOfMeasure": .string(unitOfMeasure), "quantity": quantity.json, "quantityBase": quantityBase.json,
            "adjustmentBin": .bool(adjustmentBin), "lot": .code(lot), "serial": .code(serial),
            "expirationDate": .opt(expirationDate), "blocked": .bool(blocked),
            "default": .bool(setup?.isDefault ?? false), "fixed": .bool(setup?.fixed ?? false),
            "minQuantity": (setup?.minQuantity ?? .zero).json, "maxQuantity": (setup?.maxQuantity ?? .zero).json
        ]
    }
}

extension Availability {
    public var json: JSON { AvailabilityResult(self).encoded() }
}

extension ItemJournalLine {
    public var json: JSON { ItemJournalLineResult(self).encoded() }
}

extension WhseCountJournal {
    /// The count list; `blind` (or a journal calculated blind) hides the calculated quantities and the preset counts.
    public func json(blind: Bool, stale: [Int] = []) -> JSON {
        WhseCountJournalResult(self, blind: blind, stale: stale).encoded()
    }
}

extension PhysInventoryJournal {
    public func json(stale: [Int] = []) -> JSON { PhysInventoryJournalResult(self, stale: stale).encoded() }
}

extension JSONByteSink {
    /// The bytes of `prefix`, then each element as `write` writes it, separated by commas, then what `suffix` writes
    /// (a result object whose member is an array of rows).
    static func bytes<E>(
        _ prefix: StaticString, _ elements: [E], bytesEach: Int, write: (E, inout JSONByteSink) -> Void,
        then suffix: (inout JSONByteSink) -> Void
    ) -> [UInt8] {
        var sink = JSONByteSink(capacity: 32 + elements.count * bytesEach)
        defer { sink.free() }
        sink.append(ascii: prefix)
        sink.append(elements, write)
        suffix(&sink)
        return sink.array()
    }

    /// Each element as `write` writes it, separated by commas (no brackets).
    mutating func append<E>(_ elements: [E], _ write: (E, inout JSONByteSink) -> Void) {
        var first = true
        for e in elements {
            if !first { append(JSONBytes.comma) }
            first = false
            write(e, &self)
        }
    }
}
