import Foundation
import PostgresNIO
import Warehouse
import WhseProtocol

#if canImport(Glibc)
    import Glibc
#endif

/// A refusal that retrying cannot cure: another sink holds the site, the log epoch changed, the cursor is too old.
struct Refusal: Error, CustomStringConvertible {
    var description: String
}

/// The records of one PostgreSQL transaction, as columns for `unnest`.
struct Batch: Sendable {
    var firstSeq: Int64 = 0
    var lastSeq: Int64 = 0
    var records = 0
    var seqs: [Int64] = [], methods: [String] = [], masterData: [String] = []

    struct WarehouseColumns: Sendable {
        var entryNo: [Int64] = [], seq: [Int64] = [], entryType: [String] = [], date: [String] = []
        var location: [String] = [], zone: [String] = [], bin: [String] = [], item: [String] = []
        var quantity: [String] = [], quantityBase: [String] = [], unit: [String] = [], perUnit: [String] = []
        var documentNo: [String] = [], source: [String] = [], registerNo: [Int64] = [], user: [String] = []
        var timestamp: [String] = [], lot: [String] = [], serial: [String] = [], expiration: [String] = []
    }
    struct ItemColumns: Sendable {
        var entryNo: [Int64] = [], seq: [Int64] = [], entryType: [String] = [], date: [String] = []
        var documentNo: [String] = [], location: [String] = [], item: [String] = [], quantity: [String] = []
        var unit: [String] = [], perUnit: [String] = [], adjustment: [Bool] = [], source: [String] = []
        var user: [String] = [], timestamp: [String] = [], lot: [String] = [], serial: [String] = []
        var expiration: [String] = []
    }
    struct PhysColumns: Sendable {
        var entryNo: [Int64] = [], seq: [Int64] = [], entryType: [String] = [], date: [String] = []
        var documentNo: [String] = [], location: [String] = [], bin: [String] = [], item: [String] = []
        var quantity: [String] = [], calculated: [String] = [], counted: [String] = [], unit: [String] = []
        var lastItemEntry: [Int64] = [], user: [String] = [], timestamp: [String] = [], lot: [String] = []
        var serial: [String] = [], countingPeriod: [String] = []
    }
    struct AvailabilityRow: Sendable {
        var pick: String, reserve: String, seq: Int64, asOf: Int64
    }
    /// One bin content's movement in the batch: its entries summed here (exact decimals), so the upsert touches each
    /// content once with one row, however many entries moved it.
    struct BinContentKey: Hashable, Sendable {
        var location: String, bin: String, item: String, unit: String, lot: String, serial: String
    }
    struct BinContentSum: Sendable {
        var quantity: Quantity, quantityBase: Quantity, lastSeq: Int64
    }
    var warehouse = WarehouseColumns()
    var item = ItemColumns()
    var phys = PhysColumns()
    var binContent: [BinContentKey: BinContentSum] = [:]
    /// The bytes of the lines the batch was read from (a bound next to records and rows).
    var bytes = 0
    /// The newest row per (location, item, lot): one upsert may not touch a row twice.
    var availability: [[String]: AvailabilityRow] = [:]
    var rows: Int { warehouse.entryNo.count + item.entryNo.count + phys.entryNo.count }

    /// A number's exact decimal text, a string's text, "" for null or absent.
    static func text(_ v: JSON?) -> String {
        switch v {
        case .number(let s)?: return s
        case .string(let s)?: return s
        default: return ""
        }
    }
    static func int(_ v: JSON?) -> Int64 { Int64(text(v)) ?? 0 }

    mutating func add(committed p: JSON) throws {
        let seq = Batch.int(p["seq"])
        if records == 0 { firstSeq = seq }
        lastSeq = seq
        records += 1
        seqs.append(seq)
        methods.append(Batch.text(p["method"]))
        masterData.append(p["masterData"].map { String(decoding: $0.serialized(), as: UTF8.self) } ?? "")
        try add(entries: p, seq: seq)
    }

    /// An entry's quantity as an exact decimal (whsed's quantities have at most 5 decimal places).
    static func quantity(_ text: String) throws -> Quantity {
        do {
            return try Quantity(parsing: text)
        } catch {
            throw FeedError(description: "whsed sent a quantity that is not a decimal of 5 places at most: \(text)")
        }
    }

    /// The entries of `p`'s `warehouseEntries`, `itemLedgerEntries` and `physInventoryLedgerEntries`, under `seq`.
    mutating func add(entries p: JSON, seq: Int64) throws {
        for e in p["warehouseEntries"]?.arrayValue ?? [] {
            let t = Batch.text
            let (location, bin, itemNo, unit) = (t(e["location"]), t(e["bin"]), t(e["item"]), t(e["unitOfMeasure"]))
            let (lot, serial, quantity, quantityBase) = (
                t(e["lot"]), t(e["serial"]), t(e["quantity"]), t(e["quantityBase"])
            )
            let key = BinContentKey(location: location, bin: bin, item: itemNo, unit: unit, lot: lot, serial: serial)
            let q = try Batch.quantity(quantity)
            let qb = try Batch.quantity(quantityBase)
            if let old = binContent[key] {
                guard let sq = old.quantity.adding(q), let sqb = old.quantityBase.adding(qb) else {
                    throw FeedError(description: "the batch's sum for a bin content overflows: \(key)")
                }
                binContent[key] = BinContentSum(quantity: sq, quantityBase: sqb, lastSeq: max(old.lastSeq, seq))
            } else {
                binContent[key] = BinContentSum(quantity: q, quantityBase: qb, lastSeq: seq)
            }
            warehouse.entryNo.append(Batch.int(e["entryNo"]))
            warehouse.seq.append(seq)
            warehouse.entryType.append(t(e["entryType"]))
            warehouse.date.append(t(e["registeringDate"]))
            warehouse.location.append(location)
            warehouse.zone.append(t(e["zone"]))
            warehouse.bin.append(bin)
            warehouse.item.append(itemNo)
            warehouse.quantity.append(quantity)
            warehouse.quantityBase.append(quantityBase)
            warehouse.unit.append(unit)
            warehouse.perUnit.append(t(e["quantityPerUnitOfMeasure"]))
            warehouse.documentNo.append(t(e["documentNo"]))
            warehouse.source.append(t(e["source"]))
            warehouse.registerNo.append(Batch.int(e["registerNo"]))
            warehouse.user.append(t(e["user"]))
            warehouse.timestamp.append(t(e["timestamp"]))
            warehouse.lot.append(lot)
            warehouse.serial.append(serial)
            warehouse.expiration.append(t(e["expirationDate"]))
        }
        for e in p["itemLedgerEntries"]?.arrayValue ?? [] {
            let t = Batch.text
            item.entryNo.append(Batch.int(e["entryNo"]))
            item.seq.append(seq)
            item.entryType.append(t(e["entryType"]))
            item.date.append(t(e["postingDate"]))
            item.documentNo.append(t(e["documentNo"]))
            item.location.append(t(e["location"]))
            item.item.append(t(e["item"]))
            item.quantity.append(t(e["quantity"]))
            item.unit.append(t(e["unitOfMeasure"]))
            item.perUnit.append(t(e["quantityPerUnitOfMeasure"]))
            item.adjustment.append(e["warehouseAdjustment"] == .bool(true))
            item.source.append(t(e["source"]))
            item.user.append(t(e["user"]))
            item.timestamp.append(t(e["timestamp"]))
            item.lot.append(t(e["lot"]))
            item.serial.append(t(e["serial"]))
            item.expiration.append(t(e["expirationDate"]))
        }
        for e in p["physInventoryLedgerEntries"]?.arrayValue ?? [] {
            let t = Batch.text
            phys.entryNo.append(Batch.int(e["entryNo"]))
            phys.seq.append(seq)
            phys.entryType.append(t(e["entryType"]))
            phys.date.append(t(e["postingDate"]))
            phys.documentNo.append(t(e["documentNo"]))
            phys.location.append(t(e["location"]))
            phys.bin.append(t(e["bin"]))
            phys.item.append(t(e["item"]))
            phys.quantity.append(t(e["quantity"]))
            phys.calculated.append(t(e["quantityCalculated"]))
            phys.counted.append(t(e["quantityPhysInventory"]))
            phys.unit.append(t(e["unitOfMeasure"]))
            phys.lastItemEntry.append(Batch.int(e["lastItemLedgerEntryNo"]))
            phys.user.append(t(e["user"]))
            phys.timestamp.append(t(e["timestamp"]))
            phys.lot.append(t(e["lot"]))
            phys.serial.append(t(e["serial"]))
            phys.countingPeriod.append(t(e["countingPeriod"]))
        }
    }

    mutating func add(availability p: JSON) {
        let seq = Batch.int(p["seq"])
        let asOf = Batch.int(p["asOfSeq"])
        for r in p["rows"]?.arrayValue ?? [] {
            let key = [Batch.text(r["location"]), Batch.text(r["item"]), Batch.text(r["lot"])]
            if let old = availability[key], old.seq > seq { continue }
            availability[key] = AvailabilityRow(
                pick: Batch.text(r["availableToPick"]),
                reserve: Batch.text(r["availableToReserve"]), seq: seq, asOf: asOf)
        }
    }
}

extension JSON {
    var arrayValue: [JSON]? {
        if case .array(let a) = self { return a }
        return nil
    }
}

/// Writes batches for one site over one PostgreSQL connection that holds the site's advisory lock. Used by one task
/// at a time (a write that outlives its deadline is abandoned with its connection).
final class SiteWriter: @unchecked Sendable {
    let connection: PostgresConnection
    let logger: Logger
    let site: String
    let epoch: Int64
    /// The site's cursor as committed: the last seq in PostgreSQL.
    private(set) var cursor: Int64
    private var storedDurable: Int64 = 0

    init(connection: PostgresConnection, logger: Logger, site: String, epoch: Int64, cursor: Int64) {
        self.connection = connection
        self.logger = logger
        self.site = site
        self.epoch = epoch
        self.cursor = cursor
    }

    /// Takes the site: its advisory lock (held by this connection's session; released when it ends, a crash
    /// included), then its cursor row, created at 0 for a new site.
    static func take(_ connection: PostgresConnection, site: String, epoch: Int64, logger: Logger) async throws
        -> SiteWriter
    {
        try await lock(connection, site: site, logger: logger)
        try await connection.query(
            """
            INSERT INTO sink_cursor (site_id, log_epoch, last_seq) VALUES (\(site), \(epoch), 0)
            ON CONFLICT DO NOTHING
            """,
            logger: logger)
        var stored: (Int64, Int64)? = nil
        for try await row in try await connection.query(
            "SELECT log_epoch, last_seq FROM sink_cursor WHERE site_id = \(site)", logger: logger
        ).decode((Int64, Int64).self) {
            stored = row
        }
        guard let (storedEpoch, last) = stored else { throw Refusal(description: "no cursor row for site \(site)") }
        if storedEpoch != epoch {
            guard last == 0 else {
                throw Refusal(
                    description: "whsed's log epoch for site \(site) is \(epoch), but this database holds "
                        + "records up to seq \(last) of epoch \(storedEpoch): sequence numbers may be reused. "
                        + "Reseed the site (docs/pgsink.md)")
            }
            try await connection.query(
                "UPDATE sink_cursor SET log_epoch = \(epoch) WHERE site_id = \(site) AND last_seq = 0", logger: logger)
        }
        return SiteWriter(connection: connection, logger: logger, site: site, epoch: epoch, cursor: last)
    }

    /// The site's advisory lock, for this session; refused while another session (sink) holds it. Tried for a few
    /// seconds first: the session of this sink's previous connection may still be ending.
    static func lock(_ connection: PostgresConnection, site: String, logger: Logger) async throws {
        var locked = false
        for attempt in 0..<6 {
            if attempt > 0 { try await Task.sleep(nanoseconds: 500_000_000) }
            let rows = try await connection.query(
                "SELECT pg_try_advisory_lock(\(SiteWriter.lockClass), hashtext(\(site)))", logger: logger)
            for try await l in rows.decode(Bool.self) { locked = l }
            if locked { break }
        }
        guard locked else {
            throw Refusal(
                description: "another whsed-pgsink is writing site \(site) to this database (it holds the "
                    + "site's advisory lock); this one is refused")
        }
    }

    /// The advisory lock's first key: whsed-pgsink's own class, so it never collides with an application's locks.
    static let lockClass: Int32 = 0x5748_5345  // "WHSE"

    /// One transaction: the cursor moves from `cursor` to the batch's last seq by compare-and-set, and the rows go
    /// in, or nothing does.
    func write(_ b: Batch, durable: Int64) async throws {
        // A connection PostgreSQL dropped while the sink was reading whsed: fail at once, reconnect.
        guard !connection.isClosed else { throw FeedError(description: "the PostgreSQL connection is closed") }
        guard b.records > 0 else { return }
        guard b.firstSeq == cursor + 1 else {
            throw FeedError(description: "the stream jumped from seq \(cursor) to \(b.firstSeq)")
        }
        let (site, epoch, prev, last) = (self.site, self.epoch, self.cursor, b.lastSeq)
        let logger = self.logger
        try await connection.withTransaction(logger: logger) { c in
            let moved = try await c.query(
                """
                UPDATE sink_cursor SET last_seq = \(last), updated_at = now(),
                       durable_seq = GREATEST(durable_seq, \(durable), \(last)), durable_at = now()
                WHERE site_id = \(site) AND last_seq = \(prev) AND log_epoch = \(epoch)
                RETURNING last_seq
                """, logger: logger)
            var n = 0
            for try await _ in moved.decode(Int64.self) { n += 1 }
            guard n == 1 else {
                throw Refusal(
                    description: "the cursor of site \(site) is no longer at seq \(prev): another "
                        + "whsed-pgsink wrote it; this one stops")
            }
            try await SiteWriter.insertRows(b, c, site: site, epoch: epoch, logger: logger)
        }
        cursor = last
        storedDurable = max(storedDurable, durable, last)
    }

    /// The batch's rows, inside the caller's transaction.
    static func insertRows(_ b: Batch, _ c: PostgresConnection, site: String, epoch: Int64, logger: Logger)
        async throws
    {
        if !b.seqs.isEmpty {
            try await c.query(
                """
                INSERT INTO log_record (site_id, seq, log_epoch, method, master_data)
                SELECT \(site), u.seq, \(epoch), u.method, NULLIF(u.md, '')::jsonb
                FROM unnest(\(b.seqs)::bigint[], \(b.methods)::text[], \(b.masterData)::text[]) AS u(seq, method, md)
                ON CONFLICT (site_id, seq) DO NOTHING
                """, logger: logger)
        }
        let w = b.warehouse
        if !w.entryNo.isEmpty {
            try await c.query(
                """
                INSERT INTO warehouse_entry (site_id, entry_no, seq, entry_type, registering_date, location, zone,
                    bin, item, quantity, quantity_base, unit_of_measure, quantity_per_unit_of_measure, document_no,
                    source, register_no, user_name, posted_at, lot, serial, expiration_date)
                SELECT \(site), u.n, u.s, u.t, u.d::date, u.loc, NULLIF(u.z, ''), u.b, u.i, u.q::numeric,
                    u.qb::numeric, u.uom, u.qpu::numeric, u.doc, u.src, u.reg, u.usr, u.ts::timestamptz, u.lot,
                    u.ser, NULLIF(u.exp, '')::date
                FROM unnest(\(w.entryNo)::bigint[], \(w.seq)::bigint[], \(w.entryType)::text[], \(w.date)::text[],
                    \(w.location)::text[], \(w.zone)::text[], \(w.bin)::text[], \(w.item)::text[],
                    \(w.quantity)::text[], \(w.quantityBase)::text[], \(w.unit)::text[], \(w.perUnit)::text[],
                    \(w.documentNo)::text[], \(w.source)::text[], \(w.registerNo)::bigint[], \(w.user)::text[],
                    \(w.timestamp)::text[], \(w.lot)::text[], \(w.serial)::text[], \(w.expiration)::text[])
                    AS u(n, s, t, d, loc, z, b, i, q, qb, uom, qpu, doc, src, reg, usr, ts, lot, ser, exp)
                ON CONFLICT (site_id, entry_no) DO NOTHING
                """, logger: logger)
        }
        if !b.binContent.isEmpty {
            // Bin contents move by the batch's entries, summed per content in Swift (Batch.add): exactly once, since
            // the cursor moved in this same transaction.
            var loc: [String] = []
            var bin: [String] = []
            var item: [String] = []
            var uom: [String] = []
            var lot: [String] = []
            var serial: [String] = []
            var q: [String] = []
            var qb: [String] = []
            var last: [Int64] = []
            for (k, v) in b.binContent {
                loc.append(k.location)
                bin.append(k.bin)
                item.append(k.item)
                uom.append(k.unit)
                lot.append(k.lot)
                serial.append(k.serial)
                q.append(v.quantity.description)
                qb.append(v.quantityBase.description)
                last.append(v.lastSeq)
            }
            try await c.query(
                """
                INSERT INTO bin_content AS bc (site_id, location, bin, item, unit_of_measure, lot, serial,
                    quantity, quantity_base, last_seq)
                SELECT \(site), u.loc, u.b, u.i, u.uom, u.lot, u.ser, u.q::numeric, u.qb::numeric, u.s
                FROM unnest(\(loc)::text[], \(bin)::text[], \(item)::text[], \(uom)::text[], \(lot)::text[],
                    \(serial)::text[], \(q)::text[], \(qb)::text[], \(last)::bigint[])
                    AS u(loc, b, i, uom, lot, ser, q, qb, s)
                ON CONFLICT (site_id, location, bin, item, unit_of_measure, lot, serial) DO UPDATE
                SET quantity = bc.quantity + EXCLUDED.quantity,
                    quantity_base = bc.quantity_base + EXCLUDED.quantity_base, last_seq = EXCLUDED.last_seq
                """, logger: logger)
        }
        let it = b.item
        if !it.entryNo.isEmpty {
            try await c.query(
                """
                INSERT INTO item_ledger_entry (site_id, entry_no, seq, entry_type, posting_date, document_no,
                    location, item, quantity, unit_of_measure, quantity_per_unit_of_measure, warehouse_adjustment,
                    source, user_name, posted_at, lot, serial, expiration_date)
                SELECT \(site), u.n, u.s, u.t, u.d::date, u.doc, u.loc, u.i, u.q::numeric, u.uom, u.qpu::numeric,
                    u.adj, u.src, u.usr, u.ts::timestamptz, u.lot, u.ser, NULLIF(u.exp, '')::date
                FROM unnest(\(it.entryNo)::bigint[], \(it.seq)::bigint[], \(it.entryType)::text[],
                    \(it.date)::text[], \(it.documentNo)::text[], \(it.location)::text[], \(it.item)::text[],
                    \(it.quantity)::text[], \(it.unit)::text[], \(it.perUnit)::text[], \(it.adjustment)::bool[],
                    \(it.source)::text[], \(it.user)::text[], \(it.timestamp)::text[], \(it.lot)::text[],
                    \(it.serial)::text[], \(it.expiration)::text[])
                    AS u(n, s, t, d, doc, loc, i, q, uom, qpu, adj, src, usr, ts, lot, ser, exp)
                ON CONFLICT (site_id, entry_no) DO NOTHING
                """, logger: logger)
        }
        let p = b.phys
        if !p.entryNo.isEmpty {
            try await c.query(
                """
                INSERT INTO phys_inventory_ledger_entry (site_id, entry_no, seq, entry_type, posting_date,
                    document_no, location, bin, item, quantity, quantity_calculated, quantity_phys_inventory,
                    unit_of_measure, last_item_ledger_entry_no, user_name, posted_at, lot, serial, counting_period)
                SELECT \(site), u.n, u.s, u.t, u.d::date, u.doc, u.loc, NULLIF(u.b, ''), u.i, u.q::numeric,
                    u.qc::numeric, u.qp::numeric, u.uom, u.last, u.usr, u.ts::timestamptz, u.lot, u.ser,
                    NULLIF(u.cp, '')
                FROM unnest(\(p.entryNo)::bigint[], \(p.seq)::bigint[], \(p.entryType)::text[], \(p.date)::text[],
                    \(p.documentNo)::text[], \(p.location)::text[], \(p.bin)::text[], \(p.item)::text[],
                    \(p.quantity)::text[], \(p.calculated)::text[], \(p.counted)::text[], \(p.unit)::text[],
                    \(p.lastItemEntry)::bigint[], \(p.user)::text[], \(p.timestamp)::text[], \(p.lot)::text[],
                    \(p.serial)::text[], \(p.countingPeriod)::text[])
                    AS u(n, s, t, d, doc, loc, b, i, q, qc, qp, uom, last, usr, ts, lot, ser, cp)
                ON CONFLICT (site_id, entry_no) DO NOTHING
                """, logger: logger)
        }
        if !b.availability.isEmpty {
            var loc: [String] = []
            var item: [String] = []
            var lot: [String] = []
            var pick: [String] = []
            var reserve: [String] = []
            var seq: [Int64] = []
            var asOf: [Int64] = []
            for (k, r) in b.availability {
                loc.append(k[0])
                item.append(k[1])
                lot.append(k[2])
                pick.append(r.pick)
                reserve.append(r.reserve)
                seq.append(r.seq)
                asOf.append(r.asOf)
            }
            try await c.query(
                """
                INSERT INTO availability AS a (site_id, location, item, lot, available_to_pick,
                    available_to_reserve, seq, as_of_seq)
                SELECT \(site), u.loc, u.i, u.lot, u.p::numeric, u.r::numeric, u.s, u.a
                FROM unnest(\(loc)::text[], \(item)::text[], \(lot)::text[], \(pick)::text[], \(reserve)::text[],
                    \(seq)::bigint[], \(asOf)::bigint[]) AS u(loc, i, lot, p, r, s, a)
                ON CONFLICT (site_id, location, item, lot) DO UPDATE
                SET available_to_pick = EXCLUDED.available_to_pick,
                    available_to_reserve = EXCLUDED.available_to_reserve, seq = EXCLUDED.seq,
                    as_of_seq = EXCLUDED.as_of_seq
                WHERE a.seq <= EXCLUDED.seq
                """, logger: logger)
        }
    }

    /// While nothing is written: how far whsed is, for lag queries (docs/pgsink.md).
    func noteDurable(_ durable: Int64) async throws {
        guard !connection.isClosed else { throw FeedError(description: "the PostgreSQL connection is closed") }
        guard durable != storedDurable else { return }
        try await connection.query(
            """
            UPDATE sink_cursor SET durable_seq = \(durable), durable_at = now()
            WHERE site_id = \(site) AND last_seq = \(cursor)
            """, logger: logger)
        storedDurable = durable
    }
}
