import Foundation
import Warehouse

/// The three ledgers the entry index covers, each a table of `entries.sqlite` (docs/on-disk-format.md 10).
enum IndexedLedger: Int, CaseIterable, Sendable {
    case warehouse, item, physInventory

    var table: String {
        switch self {
        case .warehouse: "warehouse_entries"
        case .item: "item_ledger_entries"
        case .physInventory: "phys_inventory_entries"
        }
    }

    /// The name in `server.status`.
    var name: String {
        switch self {
        case .warehouse: "warehouse"
        case .item: "item"
        case .physInventory: "physInventory"
        }
    }

    /// Entries of this ledger in a view.
    func count(_ state: LedgerState) -> Int {
        switch self {
        case .warehouse: state.warehouseEntries.count
        case .item: state.itemLedgerEntries.count
        case .physInventory: state.physInventoryEntries.count
        }
    }

    /// The index row of entry `no` (1-based) of this ledger in `state` (from the history files when it is no
    /// longer in memory).
    func row(_ state: LedgerState, _ no: Int) throws -> IndexRow {
        try rows(state, no...no)[0]
    }

    /// The index rows of entries `nos` (1-based).
    func rows(_ state: LedgerState, _ nos: ClosedRange<Int>) throws -> [IndexRow] {
        let r = (nos.lowerBound - 1)..<nos.upperBound
        switch self {
        case .warehouse: return try state.warehouseEntries.elements(r).map(\.indexRow)
        case .item: return try state.itemLedgerEntries.elements(r).map(\.indexRow)
        case .physInventory: return try state.physInventoryEntries.elements(r).map(\.indexRow)
        }
    }

    /// The fingerprint of entry `no` (1-based): computed only for a table's first and last entry (the identity
    /// check), never per inserted row (it formats the quantity and the timestamp).
    /// From the history files when the entry is no longer in memory.
    func fingerprint(_ state: LedgerState, _ no: Int) throws -> String {
        switch self {
        case .warehouse: try state.warehouseEntries.element(no - 1).fingerprint
        case .item: try state.itemLedgerEntries.element(no - 1).fingerprint
        case .physInventory: try state.physInventoryEntries.element(no - 1).fingerprint
        }
    }

    /// Which filter columns have posting lists, in the order a query picks the one that drives it (most selective
    /// first, as codes usually go): serial, lot, document no., bin, item, location, entry type; then the posting
    /// date, which never drives alone (a date range is many keys: EntryIndex+Dates.swift).
    var indexedColumns: [IndexColumn] {
        self == .item
            ? [.serial, .lot, .documentNo, .item, .location, .entryType, .postingDate]
            : [.serial, .lot, .documentNo, .bin, .item, .location, .entryType, .postingDate]
    }
}

/// A filter column of the index.
enum IndexColumn: String, CaseIterable, Sendable {
    case location, bin, item, documentNo = "document_no", lot, serial, entryType = "entry_type"
    case postingDate = "posting_date"

    /// Columns that are empty for most entries keep NULL and a partial index (untracked entries cost nothing there).
    var partial: Bool { self == .lot || self == .serial || self == .bin }

    /// The one key a filter asks of this column; nil when it asks none (the posting date: a range, see
    /// `EntryIndex.datedCandidates`).
    func value(_ f: EntryFilter) -> String? {
        switch self {
        case .location: f.location
        case .bin: f.bin
        case .item: f.item
        case .documentNo: f.documentNo
        case .lot: f.lot
        case .serial: f.serial
        case .entryType: f.entryType?.rawValue
        case .postingDate: nil
        }
    }
}

/// What the index keeps of one entry: the filter columns and the posting date.
struct IndexRow {
    var entryNo: Int
    var location: String
    var bin: String?
    var item: String
    var entryType: EntryType
    var documentNo: String
    var lot: String
    var serial: String
    var postingDate: String

    /// Entry types as stored: their place in `EntryType.allCases`.
    static let typeCodes: [EntryType: Int] = Dictionary(
        uniqueKeysWithValues: EntryType.allCases.enumerated().map { ($0.element, $0.offset) })

    /// A value as the index keeps and looks it up: NULL for an empty lot, serial or bin; Unicode NFC for text
    /// that is not ASCII, since Swift compares strings by canonical equivalence and SQLite by bytes.
    static func key(_ s: String?, nullIfEmpty: Bool) -> String? {
        guard let s else { return nil }
        if s.isEmpty && nullIfEmpty { return nil }
        if s.utf8.allSatisfy({ $0 < 0x80 }) { return s }
        return s.precomposedStringWithCanonicalMapping
    }
}

extension WarehouseEntry {
    var indexRow: IndexRow {
        IndexRow(
            entryNo: entryNo, location: location, bin: bin, item: item, entryType: entryType,
            documentNo: documentNo, lot: lot, serial: serial, postingDate: registeringDate)
    }

    /// Enough of the entry to tell it from another entry with the same number (the identity check).
    var fingerprint: String {
        "\(entryNo)|\(entryType.rawValue)|\(location)|\(bin)|\(item)|\(documentNo)|\(lot)|"
            + "\(serial)|\(quantityBase)|\(registerNo)|\(timestamp)"
    }
}

extension ItemLedgerEntry {
    var indexRow: IndexRow {
        IndexRow(
            entryNo: entryNo, location: location, bin: nil, item: item, entryType: entryType,
            documentNo: documentNo, lot: lot, serial: serial, postingDate: postingDate)
    }

    /// Enough of the entry to tell it from another entry with the same number (the identity check).
    var fingerprint: String {
        "\(entryNo)|\(entryType.rawValue)|\(location)|\(item)|\(documentNo)|\(lot)|"
            + "\(serial)|\(quantity)|\(timestamp)"
    }
}

extension PhysInventoryLedgerEntry {
    var indexRow: IndexRow {
        IndexRow(
            entryNo: entryNo, location: location, bin: bin, item: item, entryType: entryType,
            documentNo: documentNo, lot: lot, serial: serial, postingDate: postingDate)
    }

    /// Enough of the entry to tell it from another entry with the same number (the identity check).
    var fingerprint: String {
        "\(entryNo)|\(entryType.rawValue)|\(location)|\(bin ?? "")|\(item)|\(documentNo)|"
            + "\(lot)|\(serial)|\(quantity)|\(timestamp)"
    }
}

/// A posting list as stored: ascending entry numbers, each the difference to the one before (the first: to 0) as
/// an unsigned LEB128 varint.
enum PostingList {
    static func append(_ value: Int, to bytes: inout [UInt8]) {
        var v = UInt64(value)
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7f) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// Calls `body` with each entry number in order until it returns false; false when the list is damaged.
    static func forEach(_ bytes: UnsafeRawBufferPointer, _ body: (Int) -> Bool) -> Bool {
        var no = 0
        var v: UInt64 = 0
        var shift: UInt64 = 0
        for b in bytes {
            guard shift < 63 else { return false }
            v |= UInt64(b & 0x7f) << shift
            if b & 0x80 != 0 {
                shift += 7
                continue
            }
            no += Int(truncatingIfNeeded: v)
            if !body(no) { return true }
            v = 0
            shift = 0
        }
        return shift == 0
    }
}
