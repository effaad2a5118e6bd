import CSQLite
import Foundation
import Warehouse

extension EntryIndex {
    /// A page of `entries.*` from the index, or nil when the index cannot answer it (not ready, a filter it does not
    /// serve, an error): the caller scans the ledger then. Same entries and `nextAfter` as `Ledger.page`: entries up
    /// to the index's watermark come from the index (looked up in `all` by number and checked by `matches`), the
    /// rest of `all` (the committed entries the index has not reached yet) is scanned in memory.
    func page<E>(
        _ ledger: IndexedLedger, _ all: ChunkedArray<E>, _ f: EntryFilter, entryNo: (E) -> Int,
        matches: (E) -> Bool
    ) -> EntryPage<E>? {
        // Only filters with an index drive a query; an empty value (an untracked entry's lot) scans.
        let columns = ledger.indexedColumns.filter { $0.value(f) != nil }
        guard let driver = columns.first, !columns.contains(where: { $0.value(f)!.isEmpty }) else { return nil }
        guard let (conn, generation, watermark) = takeReader(ledger) else { return nil }
        var healthy = true
        defer { giveBack(conn, generation: generation, healthy: healthy) }
        let limit = max(1, min(f.limit, EntryFilter.maxLimit))
        let after = max(0, f.after)
        let bound = min(watermark, all.count)
        var out: [E] = []
        out.reserveCapacity(min(limit, 128))
        if after < bound {
            var sql =
                "SELECT entry_no FROM \(ledger.table) INDEXED BY \(EntryIndex.indexName(ledger, driver)) "
                + "WHERE \(driver.rawValue) = ?1 AND entry_no > ?2 AND entry_no <= ?3"
            var binds: [String] = []
            for c in columns.dropFirst() {
                binds.append(IndexRow.key(c.value(f), nullIfEmpty: false)!)
                sql += " AND \(c.rawValue) = ?\(binds.count + 3)"
            }
            if let t = f.entryType { sql += " AND entry_type = \(IndexRow.typeCodes[t] ?? 0)" }
            sql += " ORDER BY entry_no"
            do {
                let s = try conn.statement(sql)
                defer { s.reset() }
                s.bind(1, IndexRow.key(driver.value(f), nullIfEmpty: false))
                s.bind(2, after)
                s.bind(3, bound)
                for (i, v) in binds.enumerated() { s.bind(Int32(i + 4), v) }
                while try s.step() {
                    let no = s.int(0)
                    guard no > after, no <= bound else {
                        healthy = false
                        return nil
                    }
                    let e = try all.element(no - 1)
                    // The index is a prefilter: what it returns is checked with the ledger's own test.
                    guard matches(e) else { continue }
                    if out.count == limit { return EntryPage(entries: out, nextAfter: entryNo(out[out.count - 1])) }
                    out.append(e)
                }
            } catch {
                healthy = false
                Log.warning("an entries query on the index failed: \(error); scanning instead", ["file": path])
                return nil
            }
        }
        // The lag (in memory, or in the history files while the index catches up with them).
        var next: Int?
        do {
            try all.scan(from: max(after, bound)) { e in
                guard matches(e) else { return true }
                if out.count == limit {
                    next = entryNo(out[out.count - 1])
                    return false
                }
                out.append(e)
                return true
            }
        } catch {
            Log.warning("an entries query could not read the history files: \(error)", ["file": path])
            return nil
        }
        return EntryPage(entries: out, nextAfter: next)
    }

    /// A reader connection (opened when the pool has none) and the watermark it may read up to; nil when the index
    /// is not ready. The watermark is read before the connection's first statement, so the snapshot SQLite takes
    /// holds every row up to it.
    private func takeReader(_ ledger: IndexedLedger) -> (SQLiteConnection, Int, Int)? {
        let taken = shared.withLockedValue { s -> (SQLiteConnection?, Int, Int)? in
            guard s.ready else { return nil }
            s.queries += 1
            while let r = s.readers.popLast() {
                if r.generation == s.generation { return (r.connection, s.generation, s.watermarks[ledger.rawValue]) }
            }
            return (nil, s.generation, s.watermarks[ledger.rawValue])
        }
        guard let (pooled, generation, watermark) = taken else { return nil }
        if let pooled { return (pooled, generation, watermark) }
        do {
            let conn = try SQLiteConnection(path: path, readOnly: true)
            try conn.exec("PRAGMA cache_size=-2048")
            return (conn, generation, watermark)
        } catch {
            Log.warning("cannot open the entry index for reading: \(error); scanning instead", ["file": path])
            return nil
        }
    }

    private func giveBack(_ conn: SQLiteConnection, generation: Int, healthy: Bool) {
        shared.withLockedValue { s in
            if healthy && s.generation == generation && s.readers.count < 8 {
                s.readers.append((generation, conn))
            }
        }
    }
}
