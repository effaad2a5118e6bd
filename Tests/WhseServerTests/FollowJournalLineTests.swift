import Testing
import Warehouse
import WhseProtocol

@testable import WhseServer

/// A line of the change feed's index (`follow-*.jsonl`, docs/on-disk-format.md 11) reads back as the record it was
/// written from, whichever members it has: the common line is written member by member, the others as a JSON object,
/// and both must keep everything (a line that lost its availability keys lost the events sent again after a restart).
@Suite struct FollowJournalLine {
    static let records: [FollowRecord] = [
        FollowRecord(
            seq: 7, warehouse: 3..<5, itemLedger: 0..<0, physInventory: 0..<0, method: "whseItemJournal.register"),
        FollowRecord(
            seq: 8, warehouse: 5..<5, itemLedger: 2..<2, physInventory: 0..<0, method: "reservation.create",
            availability: [FollowAvailabilityKey(location: "WH1", item: "LOT1", lot: "L1")]),
        FollowRecord(
            seq: 9, warehouse: 5..<5, itemLedger: 2..<2, physInventory: 0..<0, method: "item.create",
            masterData: FollowMasterData(
                user: "root", timestamp: "2026-12-07T10:00:00Z", params: .object(["no": .string("A\"1")]))),
        FollowRecord(
            seq: 10, warehouse: 5..<9, itemLedger: 2..<6, physInventory: 1..<3, method: "x",
            masterData: FollowMasterData(user: "u", timestamp: "t", params: .object([:])),
            availability: [
                FollowAvailabilityKey(location: "WH1", item: "I", lot: ""),
                FollowAvailabilityKey(location: "WH2", item: "I", lot: "L")
            ])
    ]

    @Test(arguments: records)
    func lineReadsBackAsItsRecord(_ r: FollowRecord) throws {
        var line = FollowJournal.line(r)
        #expect(line.last == UInt8(ascii: "\n"))
        line.removeLast()
        #expect(FollowJournal.parse(line: line[...]) == r)
    }

    @Test func theCommonLineIsTheSerializedObject() throws {
        let r = FollowJournalLine.records[0]
        let expected = JSON.object([
            "s": .number("7"), "m": .string(r.method), "w": .array([JSON(3), JSON(5)]),
            "i": .array([JSON(0), JSON(0)]), "p": .array([JSON(0), JSON(0)])
        ]).serialized()
        #expect(Array(FollowJournal.line(r).dropLast()) == expected)
    }

    /// Every kind of line is the serialized object of its members (what the lines were before they were written
    /// member by member).
    @Test(arguments: records)
    func everyLineIsTheSerializedObject(_ r: FollowRecord) throws {
        func pair(_ range: Range<Int>) -> JSON { .array([JSON(range.lowerBound), JSON(range.upperBound)]) }
        var o: [String: JSON] = [
            "s": .number(String(r.seq)), "m": .string(r.method), "w": pair(r.warehouse), "i": pair(r.itemLedger),
            "p": pair(r.physInventory)
        ]
        if let m = r.masterData {
            o["u"] = .string(m.user)
            o["t"] = .string(m.timestamp)
            o["c"] = m.params
        }
        if !r.availability.isEmpty {
            o["a"] = .array(r.availability.map { .array([.string($0.location), .string($0.item), .string($0.lot)]) })
        }
        #expect(Array(FollowJournal.line(r).dropLast()) == JSON.object(o).serialized())
    }
}
