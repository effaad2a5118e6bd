import PostgresNIO
import WhseProtocol

extension PgSink {
    /// `--reseed`: replaces the site's rows in PostgreSQL by whsed's books as of one committed sequence S, and sets
    /// the cursor to S under whsed's current log epoch; the sink then follows from S + 1. whsed's `server.status`
    /// gives S with the entry counts of the same committed view; entries are never changed or removed, so the
    /// entries up to those counts, read page by page while postings go on, are the books at S exactly. One
    /// transaction: a failed reseed leaves the database as it was. Records up to S get no `log_record` row, and
    /// their entries have `seq` 0. Refused while a sink holds the site.
    func reseed() async throws {
        let (site, epoch) = try await Feed.identity(socket: whsedSocket)
        let pg = try await connect()
        defer { PgSink.release(pg) }
        try await SiteWriter.lock(pg, site: site, logger: logger)
        let logger = self.logger
        let (seq, rows) = try await Feed.connect(socket: whsedSocket) { w in
            try await pg.query("BEGIN", logger: logger)
            do {
                let done = try await PgSink.reseed(site: site, epoch: epoch, from: w, into: pg, logger: logger)
                try await pg.query("COMMIT", logger: logger)
                return done
            } catch {
                _ = try? await pg.query("ROLLBACK", logger: logger)
                throw error
            }
        }
        PgSink.say("site \(site) reseeded at seq \(seq) (log epoch \(epoch)): \(rows) entries")
    }

    static func reseed(site: String, epoch: Int64, from w: Feed, into c: PostgresConnection, logger: Logger)
        async throws -> (Int64, Int)
    {
        for table in [
            "log_record", "warehouse_entry", "item_ledger_entry", "phys_inventory_ledger_entry",
            "bin_content", "availability"
        ] {
            try await c.query(
                PostgresQuery(
                    unsafeSQL: "DELETE FROM \(table) WHERE site_id = $1",
                    binds: {
                        var b = PostgresBindings()
                        b.append(site)
                        return b
                    }()), logger: logger)
        }
        let status = try await w.call(ServerStatusParams.method, ServerStatusParams().encoded())
        let seq = Batch.int(status["log"]?["lastSequence"])
        var total = 0
        // (method, count at S, the members of its entries, the key of the entries in the batch)
        let ledgers: [(String, Int, MemberDefaults, String)] = [
            (
                WarehouseEntriesParams.method, status["warehouseEntries"]?.intValue ?? 0, MemberDefaults.warehouseEntry,
                "warehouseEntries"
            ),
            (
                ItemEntriesParams.method, status["itemLedgerEntries"]?.intValue ?? 0, MemberDefaults.itemLedgerEntry,
                "itemLedgerEntries"
            ),
            (
                PhysInventoryEntriesParams.method, status["physInventoryEntries"]?.intValue ?? 0,
                MemberDefaults.physInventoryLedgerEntry, "physInventoryLedgerEntries"
            )
        ]
        for (method, count, members, key) in ledgers {
            var after = 0
            while after < count {
                let query = EntryQuery(after: after, limit: 1000)
                let params: JSON
                switch method {
                case WarehouseEntriesParams.method:
                    params = WarehouseEntriesParams(filter: query, fields: .only(members.members)).encoded()
                case ItemEntriesParams.method:
                    params = ItemEntriesParams(filter: query, fields: .only(members.members)).encoded()
                default:
                    params = PhysInventoryEntriesParams(filter: query, fields: .only(members.members)).encoded()
                }
                let page = try await w.call(method, params)
                let entries = (page["entries"]?.arrayValue ?? []).filter { ($0["entryNo"]?.intValue ?? 0) <= count }
                guard let last = entries.last?["entryNo"]?.intValue, last > after else { break }
                var batch = Batch()
                try batch.add(entries: .object([key: .array(entries)]), seq: 0)
                try await SiteWriter.insertRows(batch, c, site: site, epoch: epoch, logger: logger)
                total += entries.count
                after = last
            }
        }
        // Availability per item and location, and per lot there, now (levels: later postings replace them).
        var batch = Batch()
        let items = try await w.call(ItemListParams.method, ItemListParams().encoded())
        for item in items["items"]?.arrayValue ?? [] {
            guard let no = item["no"]?.stringValue else { continue }
            let a = try await w.call(
                ItemAvailabilityParams.method, ItemAvailabilityParams(item: no, lots: true).encoded())
            var rows: [JSON] = []
            for l in a["locations"]?.arrayValue ?? [] {
                let location = l["location"] ?? .null
                rows.append(
                    .object([
                        "location": location, "item": .string(no), "lot": .null,
                        "availableToPick": l["availableToPick"] ?? .number("0"),
                        "availableToReserve": l["availableToReserve"] ?? .number("0")
                    ]))
                // The lot rows, as the stream sends them for lot-tracked items.
                for lot in l["lots"]?.arrayValue ?? [] {
                    rows.append(
                        .object([
                            "location": location, "item": .string(no), "lot": lot["lot"] ?? .null,
                            "availableToPick": lot["availableToPick"] ?? .number("0"),
                            "availableToReserve": lot["availableToReserve"] ?? .number("0")
                        ]))
                }
            }
            try batch.add(
                availability: .object([
                    "seq": .number(String(seq)), "asOfSeq": .number(String(seq)),
                    "rows": .array(rows)
                ]))
        }
        try await SiteWriter.insertRows(batch, c, site: site, epoch: epoch, logger: logger)
        try await c.query(
            """
            INSERT INTO sink_cursor (site_id, log_epoch, last_seq, durable_seq, durable_at)
            VALUES (\(site), \(epoch), \(seq), \(seq), now())
            ON CONFLICT (site_id) DO UPDATE SET log_epoch = EXCLUDED.log_epoch, last_seq = EXCLUDED.last_seq,
                updated_at = now(), durable_seq = EXCLUDED.durable_seq, durable_at = now()
            """, logger: logger)
        return (seq, total)
    }
}
