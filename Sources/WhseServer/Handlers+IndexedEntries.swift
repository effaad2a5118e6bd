import Warehouse
import WhseProtocol

extension Handlers {
    /// `indexedEntries` for `entries.warehouse` with lean entries (no `fields`), as the bytes of the result: the page
    /// written straight to bytes (`WarehouseEntry.leanPageResult`). nil where `indexedEntries` would be nil, and for
    /// other methods or a `fields` selection.
    static func indexedEntriesSerialized(_ method: String, params: JSON?, view: CommittedView, index: EntryIndex)
        -> Result<[UInt8], RPCError>?
    {
        guard method == WarehouseEntriesParams.method, let (p, page) = warehousePage(params, view, index),
            case .lean = p.fields
        else { return nil }
        return .success(WarehouseEntry.leanPageResult(page.entries, nextAfter: page.nextAfter))
    }

    /// An `entries.warehouse` page from the index, with the params it was read for (nil as for `indexedEntries`).
    private static func warehousePage(_ params: JSON?, _ view: CommittedView, _ index: EntryIndex)
        -> (WarehouseEntriesParams, EntryPage<WarehouseEntry>)?
    {
        guard let p = try? WarehouseEntriesParams(decoding: Params(params)) else { return nil }
        let f = p.filter.entryFilter
        return index.page(.warehouse, view.state.warehouseEntries, f, entryNo: \.entryNo, matches: f.matches)
            .map { (p, $0) }
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
                return warehousePage(params, view, index).map { p, entries in
                    .success(page(entries) { $0.json(p.fields) })
                }
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
