import CSQLite
import Foundation
import Warehouse

extension EntryIndex {
    /// A page of `entries.*` from the index, or nil when the index cannot answer it (not ready, a filter it does not
    /// serve, an error): the caller scans the ledger then. Same entries and `nextAfter` as `Ledger.page`: the posting
    /// list of the most selective filter column gives the candidates up to the index's watermark (each looked up in
    /// `all` by number and checked by `matches`, which also applies the other filters and the date range), or for a
    /// date range without a code the lists of its dates (`datedCandidates`); the rest of `all` (the committed
    /// entries the index has not reached yet) is scanned in memory.
    func page<E>(
        _ ledger: IndexedLedger, _ all: ChunkedArray<E>, _ f: EntryFilter, entryNo: (E) -> Int,
        matches: (E) -> Bool
    ) -> EntryPage<E>? {
        // Only filters with a posting list drive a query; an empty value (an untracked entry's lot) scans. A
        // posting-date range without a code (perhaps with an entry type) reads the lists of its dates.
        let columns = ledger.indexedColumns.filter { $0.value(f) != nil }
        let dated = EntryIndex.isDated(f, columns: columns)
        guard let driver = columns.first ?? (dated ? .postingDate : nil),
            !columns.contains(where: { $0.value(f)!.isEmpty })
        else { return nil }
        guard let (conn, generation, watermark) = takeReader(ledger) else { return nil }
        var healthy = true
        defer { giveBack(conn, generation: generation, healthy: healthy) }
        let limit = max(1, min(f.limit, EntryFilter.maxLimit))
        let start = f.start
        let end = f.end(all.count)
        let bound = min(watermark, end)
        var out: [E] = []
        out.reserveCapacity(min(limit, 128))
        var next: Int? = nil
        var historyError: String? = nil
        var done = false
        /// One candidate of the posting lists: false once the page is full or past `bound`.
        func visit(_ no: Int) -> Bool {
            if no <= start { return true }
            // A list may hold entries above the watermark read before the query (the indexer committed since):
            // they are past `bound`, where the scan of memory takes over.
            if no > bound {
                done = true
                return false
            }
            // From memory, or from the history files (docs/on-disk-format.md 12).
            let e: E
            do {
                e = try all.element(no - 1)
            } catch {
                historyError = "\(error)"
                done = true
                return false
            }
            // The index is a prefilter: what it returns is checked with the ledger's own test.
            guard matches(e) else { return true }
            if out.count == limit {
                next = entryNo(out[out.count - 1])
                done = true
                return false
            }
            out.append(e)
            return true
        }
        if start < bound {
            do {
                if dated {
                    try EntryIndex.datedCandidates(conn, ledger, f, after: start, through: bound, visit)
                } else {
                    let s = try conn.statement(
                        "SELECT nos FROM \(EntryIndex.postingTable(ledger, driver)) WHERE key = ?1 AND last > ?2 "
                            + "ORDER BY last")
                    defer { s.reset() }
                    s.bind(1, IndexRow.key(driver.value(f), nullIfEmpty: false))
                    s.bind(2, start)
                    while !done, try s.step() {
                        guard PostingList.forEach(s.blob(0), visit) else {
                            healthy = false
                            Log.warning(
                                "a posting list of the entry index is damaged; scanning instead", ["file": path])
                            return nil
                        }
                    }
                }
            } catch let damaged as PostingCursor.Damaged {
                healthy = false
                Log.warning("\(damaged) in the entry index; scanning instead", ["file": path])
                return nil
            } catch {
                healthy = false
                Log.warning("an entries query on the index failed: \(error); scanning instead", ["file": path])
                return nil
            }
            if let historyError {
                Log.warning("an entries query could not read the history files: \(historyError)")
                return nil
            }
            if let next { return EntryPage(entries: out, nextAfter: next) }
        }
        // The lag (in memory, or in the history files while the index catches up with them).
        do {
            next = try Ledger.scan(
                all, from: max(start, bound), to: end, limit: limit, into: &out, entryNo: entryNo, matches: matches)
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
