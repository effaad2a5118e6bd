import Testing

@testable import Warehouse

let ctx = PostingContext(user: "tester", timestamp: "2026-11-26T00:00:00Z", today: "2026-11-26")

func q(_ s: String) -> Quantity { try! Quantity(parsing: s) }

extension Ledger {
    /// Quantity of (bin, item, unit) in the bin's unit.
    func content(_ location: String, _ bin: String, _ item: String, _ unit: String = "PCS") -> Quantity {
        state.contents[ContentKey(location, bin, item, unit)]?.quantity ?? .zero
    }
    func inventory(_ item: String, _ location: String) -> Quantity {
        state.itemLedgerTotals[ItemLocationKey(item, location)] ?? .zero
    }
    /// The warehouse entries written since entry number `after`, as (bin, type, quantity).
    func weSince(_ after: Int) -> [(String, EntryType, Quantity)] {
        state.warehouseEntries.dropFirst(after).map { ($0.bin, $0.entryType, $0.quantity) }
    }
}

/// DOMAIN.md §5.2 set-up for E6–E9: WH1 with ADJ, A-01 and A-02; ITEM1 with Σ ILE 100, A-01 60, A-02 40, ADJ 0.
func e6Setup() throws -> Ledger {
    let l = Ledger()
    try l.createLocation(code: "WH1", kind: .directed)
    try l.createZone(location: "WH1", code: "PICK", binType: "PICK")
    try l.createBin(location: "WH1", code: "A-01", zone: "PICK")
    try l.createBin(location: "WH1", code: "A-02", zone: "PICK")
    try l.createItem(no: "ITEM1", baseUnitOfMeasure: "PCS")
    // Stock arrives through the item journal (into ADJ) and a warehouse item journal moves it into the bins.
    try l.postItemJournal(
        lines: [ItemJournalLine(entryType: .purchase, location: "WH1", item: "ITEM1", quantity: Quantity(100))],
        context: ctx)
    try l.registerWhseItemJournal(
        location: "WH1",
        lines: [
            WhseItemJournalLine(item: "ITEM1", bin: "A-01", quantity: Quantity(60)),
            WhseItemJournalLine(item: "ITEM1", bin: "A-02", quantity: Quantity(40))
        ], context: ctx)
    #expect(l.content("WH1", "ADJ", "ITEM1") == .zero)
    #expect(l.inventory("ITEM1", "WH1") == Quantity(100))
    #expect(l.verify() == [])
    return l
}
