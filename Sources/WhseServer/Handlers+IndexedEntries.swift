import Warehouse
import WhseProtocol

extension Handlers {
    /// `indexedEntries` for `entries.warehouse` with lean entries (no `fields`), as the bytes of the result: the page
    /// written straight to bytes (`WarehouseEntry.leanPageResult`). nil where `indexedEntries` would be nil, and for
    /// other methods or a `fields` selection.
    static func indexedEntriesSerialized(_ method: String, params: JSON?, view: CommittedView, index: EntryIndex)
        -> Result<[UInt8], RPCError>?
    {
        guard method == WarehouseEntriesParams.method,
            let p = try? WarehouseEntriesParams(decoding: Params(params)), case .lean = p.fields
        else { return nil }
        let f = p.filter.entryFilter
        return index.page(.warehouse, view.state.warehouseEntries, f, entryNo: \.entryNo, matches: f.matches)
            .map { .success(WarehouseEntry.leanPageResult($0.entries, nextAfter: $0.nextAfter)) }
    }

    /// `entries.*` answered through the entry index (EntryIndex+Query.swift), or nil when the index cannot answer:
    /// params it does not take (the handler reports their error), a filter without an indexed column, an index not
    /// ready. The reply is the one the handler would give for the same view.
    static func indexedEntries(_ method: String, params: JSON?, view: CommittedView, index: EntryIndex)
        -> Result<JSON, RPCError>?
    {
        do {
            switch method {
            case WarehouseEntriesParams.method:
                let p = try WarehouseEntriesParams(decoding: Params(params))
                let f = p.filter.entryFilter
                return index.page(.warehouse, view.state.warehouseEntries, f, entryNo: \.entryNo, matches: f.matches)
                    .map { .success(page($0) { $0.json(p.fields) }) }
            case ItemEntriesParams.method:
                let p = try ItemEntriesParams(decoding: Params(params))
                let f = p.filter.entryFilter
                return index.page(.item, view.state.itemLedgerEntries, f, entryNo: \.entryNo, matches: f.matches)
                    .map { .success(page($0) { $0.json(p.fields) }) }
            case PhysInventoryEntriesParams.method:
                let p = try PhysInventoryEntriesParams(decoding: Params(params))
                let f = p.filter.entryFilter
                return index.page(
                    .physInventory, view.state.physInventoryEntries, f, entryNo: \.entryNo,
                    matches: f.matches
                )
                .map { .success(page($0) { $0.json(p.fields) }) }
            default:
                return nil
            }
        } catch {
            return nil
        }
    }
}
