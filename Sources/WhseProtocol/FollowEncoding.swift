import Warehouse

/// The `entries.committed` notification of the change feed (protocol.md 13.9), written straight to bytes: what
/// `JSON.object(["jsonrpc": "2.0", "method": "entries.committed", "params": …]).serialized()` gives for the params
/// built as a tree with every entry member (`json(.only(members))`), without a dictionary built and sorted per entry.
/// Members in the order of their keys' UTF-8 bytes, as the serializer sorts them.
public enum FollowCommitted {
    /// The notification's line (without its newline). `masterData` nil: no member; `availabilityFollows` false: no
    /// member.
    public static func line(
        siteId: JSON, logEpoch: JSON, seq: UInt64, method: String, warehouseEntries: [WarehouseEntry],
        itemLedgerEntries: [ItemLedgerEntry], physInventoryLedgerEntries: [PhysInventoryLedgerEntry],
        masterData: JSON?, availabilityFollows: Bool
    ) -> [UInt8] {
        let capacity =
            256 + warehouseEntries.count * 400 + itemLedgerEntries.count * 380 + physInventoryLedgerEntries.count * 400
        var sink = JSONByteSink(capacity: capacity)
        defer { sink.free() }
        sink.append(ascii: "{\"jsonrpc\":\"2.0\",\"method\":\"entries.committed\",\"params\":{")
        if availabilityFollows { sink.append(ascii: "\"availabilityFollows\":true,") }
        sink.append(ascii: "\"itemLedgerEntries\":")
        array(itemLedgerEntries, into: &sink) { $0.writeFull(into: &$1) }
        sink.append(ascii: ",\"logEpoch\":")
        logEpoch.write(into: &sink)
        if let masterData {
            sink.append(ascii: ",\"masterData\":")
            masterData.write(into: &sink)
        }
        sink.append(ascii: ",\"method\":")
        JSON.writeString(method, into: &sink)
        sink.append(ascii: ",\"physInventoryLedgerEntries\":")
        array(physInventoryLedgerEntries, into: &sink) { $0.writeFull(into: &$1) }
        sink.append(ascii: ",\"seq\":")
        JSON.number(String(seq)).write(into: &sink)
        sink.append(ascii: ",\"siteId\":")
        siteId.write(into: &sink)
        sink.append(ascii: ",\"warehouseEntries\":")
        array(warehouseEntries, into: &sink) { $0.writeFull(into: &$1) }
        sink.append(ascii: "}}")
        return sink.array()
    }

    private static func array<E>(
        _ elements: [E], into sink: inout JSONByteSink, _ write: (E, inout JSONByteSink) -> Void
    ) {
        sink.append(JSONBytes.openBracket)
        sink.append(elements, write)
        sink.append(JSONBytes.closeBracket)
    }
}

/// The `entries.availability` notification of the change feed (protocol.md 13.9), written straight to bytes: what
/// `JSON.object(["jsonrpc": "2.0", "method": "entries.availability", "params": …]).serialized()` gives for the params
/// and rows built as a tree, without a dictionary built and sorted per row. Members in the order of their keys' UTF-8
/// bytes, as the serializer sorts them.
public enum FollowAvailabilityLine {
    /// The notification's line (without its newline); `rows` in the order given, a row's `lot` null when "".
    public static func line(
        siteId: JSON, logEpoch: JSON, seq: UInt64, asOfSeq: UInt64, rows: [FollowAvailability]
    ) -> [UInt8] {
        var sink = JSONByteSink(capacity: 160 + rows.count * 120)
        defer { sink.free() }
        sink.append(ascii: "{\"jsonrpc\":\"2.0\",\"method\":\"entries.availability\",\"params\":{\"asOfSeq\":")
        JSON.number(String(asOfSeq)).write(into: &sink)
        sink.append(ascii: ",\"logEpoch\":")
        logEpoch.write(into: &sink)
        sink.append(ascii: ",\"rows\":")
        sink.append(JSONBytes.openBracket)
        sink.append(rows) { row, sink in
            sink.member("{\"availableToPick\":", row.availableToPick)
            sink.member(",\"availableToReserve\":", row.availableToReserve)
            sink.member(",\"item\":", row.item)
            sink.member(",\"location\":", row.location)
            sink.member(",\"lot\":", row.lot.isEmpty ? nil : row.lot)
            sink.append(JSONBytes.closeBrace)
        }
        sink.append(JSONBytes.closeBracket)
        sink.append(ascii: ",\"seq\":")
        JSON.number(String(seq)).write(into: &sink)
        sink.append(ascii: ",\"siteId\":")
        siteId.write(into: &sink)
        sink.append(ascii: "}}")
        return sink.array()
    }
}

extension JSONByteSink {
    /// `,"key":` and the string, or `null` for nil.
    fileprivate mutating func member(_ key: StaticString, _ value: String?) {
        append(ascii: key)
        if let value { JSON.writeString(value, into: &self) } else { append(ascii: "null") }
    }

    /// `,"key":` and the exact decimal.
    fileprivate mutating func member(_ key: StaticString, _ value: Quantity) {
        append(ascii: key)
        value.json.write(into: &self)
    }

    fileprivate mutating func member(_ key: StaticString, _ value: Int) {
        append(ascii: key)
        append(decimal: value)
    }
}

extension WarehouseEntry {
    /// Every member, defaults written out: the bytes of `json(.only(MemberDefaults.warehouseEntry.members))`.
    func writeFull(into sink: inout JSONByteSink) {
        sink.member("{\"bin\":", bin)
        sink.member(",\"documentNo\":", documentNo)
        sink.member(",\"entryNo\":", entryNo)
        sink.member(",\"entryType\":", entryType.rawValue)
        sink.member(",\"expirationDate\":", expirationDate)
        sink.member(",\"item\":", item)
        sink.member(",\"location\":", location)
        sink.member(",\"lot\":", lot.isEmpty ? nil : lot)
        sink.member(",\"quantity\":", quantity)
        sink.member(",\"quantityBase\":", quantityBase)
        sink.member(",\"quantityPerUnitOfMeasure\":", quantityPerUnit)
        sink.member(",\"registerNo\":", registerNo)
        sink.member(",\"registeringDate\":", registeringDate)
        sink.member(",\"serial\":", serial.isEmpty ? nil : serial)
        sink.member(",\"source\":", source)
        sink.member(",\"timestamp\":", timestamp)
        sink.member(",\"unitOfMeasure\":", unitOfMeasure)
        sink.member(",\"user\":", user)
        sink.member(",\"zone\":", zone)
        sink.append(JSONBytes.closeBrace)
    }
}

extension ItemLedgerEntry {
    /// Every member, defaults written out: the bytes of `json(.only(MemberDefaults.itemLedgerEntry.members))`.
    func writeFull(into sink: inout JSONByteSink) {
        sink.member("{\"documentNo\":", documentNo)
        sink.member(",\"entryNo\":", entryNo)
        sink.member(",\"entryType\":", entryType.rawValue)
        sink.member(",\"expirationDate\":", expirationDate)
        sink.member(",\"item\":", item)
        sink.member(",\"location\":", location)
        sink.member(",\"lot\":", lot.isEmpty ? nil : lot)
        sink.member(",\"postingDate\":", postingDate)
        sink.member(",\"quantity\":", quantity)
        sink.member(",\"quantityPerUnitOfMeasure\":", quantityPerUnit)
        sink.member(",\"serial\":", serial.isEmpty ? nil : serial)
        sink.member(",\"source\":", source)
        sink.member(",\"timestamp\":", timestamp)
        sink.member(",\"unitOfMeasure\":", unitOfMeasure)
        sink.member(",\"user\":", user)
        sink.append(ascii: warehouseAdjustment ? ",\"warehouseAdjustment\":true}" : ",\"warehouseAdjustment\":false}")
    }
}

extension PhysInventoryLedgerEntry {
    /// Every member, defaults written out: the bytes of `json(.only(MemberDefaults.physInventoryLedgerEntry.members))`.
    func writeFull(into sink: inout JSONByteSink) {
        sink.member("{\"bin\":", bin)
        sink.member(",\"countingPeriod\":", countingPeriod)
        sink.member(",\"documentNo\":", documentNo)
        sink.member(",\"entryNo\":", entryNo)
        sink.member(",\"entryType\":", entryType.rawValue)
        sink.member(",\"item\":", item)
        sink.member(",\"lastItemLedgerEntryNo\":", lastItemLedgerEntryNo)
        sink.member(",\"location\":", location)
        sink.member(",\"lot\":", lot.isEmpty ? nil : lot)
        sink.member(",\"postingDate\":", postingDate)
        sink.member(",\"quantity\":", quantity)
        sink.member(",\"quantityCalculated\":", quantityCalculated)
        sink.member(",\"quantityPhysInventory\":", quantityPhysInventory)
        sink.member(",\"serial\":", serial.isEmpty ? nil : serial)
        sink.member(",\"timestamp\":", timestamp)
        sink.member(",\"unitOfMeasure\":", unitOfMeasure)
        sink.member(",\"user\":", user)
        sink.append(JSONBytes.closeBrace)
    }
}
