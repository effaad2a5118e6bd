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
    var seqs: [Int64] = [], methods = TextColumn(), masterData = TextColumn()

    /// Quantities, dates and timestamps go in their binary forms (Columns.swift), the other texts as text[].
    struct WarehouseColumns: Sendable {
        var entryNo: [Int64] = [], seq: [Int64] = [], entryType = TextColumn(), date = DateColumn()
        var location = TextColumn(), zone = TextColumn(), bin = TextColumn(), item = TextColumn()
        var quantity = NumericColumn(), quantityBase = NumericColumn(), unit = TextColumn()
        var perUnit = NumericColumn(), documentNo = TextColumn(), source = TextColumn(), registerNo: [Int64] = []
        var user = TextColumn(), timestamp = TimestampColumn(), lot = TextColumn(), serial = TextColumn()
        var expiration = TextColumn()
    }
    struct ItemColumns: Sendable {
        var entryNo: [Int64] = [], seq: [Int64] = [], entryType = TextColumn(), date = DateColumn()
        var documentNo = TextColumn(), location = TextColumn(), item = TextColumn(), quantity = NumericColumn()
        var unit = TextColumn(), perUnit = NumericColumn(), adjustment: [Bool] = [], source = TextColumn()
        var user = TextColumn(), timestamp = TimestampColumn(), lot = TextColumn(), serial = TextColumn()
        var expiration = TextColumn()
    }
    struct PhysColumns: Sendable {
        var entryNo: [Int64] = [], seq: [Int64] = [], entryType = TextColumn(), date = DateColumn()
        var documentNo = TextColumn(), location = TextColumn(), bin = TextColumn(), item = TextColumn()
        var quantity = NumericColumn(), calculated = NumericColumn(), counted = NumericColumn()
        var unit = TextColumn(), lastItemEntry: [Int64] = [], user = TextColumn(), timestamp = TimestampColumn()
        var lot = TextColumn(), serial = TextColumn(), countingPeriod = TextColumn()
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
    /// The bin content movements of the record being read, summed once its seq is known.
    var pendingBinContent: [(key: BinContentKey, quantity: Quantity, quantityBase: Quantity)] = []
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

    /// An entry's quantity as an exact decimal (whsed's quantities have at most 5 decimal places).
    static func quantity(_ text: String) throws -> Quantity {
        do {
            return try Quantity(parsing: text)
        } catch {
            throw FeedError(description: "whsed sent a quantity that is not a decimal of 5 places at most: \(text)")
        }
    }
}

/// A `text[]` parameter built as the rows are read: PostgreSQL's binary array format (each element its length and
/// its UTF-8 bytes), so binding it copies one buffer instead of encoding a [String] element by element.
struct TextColumn: PostgresNonThrowingEncodable, Sendable {
    private(set) var count = 0
    private var elements = ByteBuffer()

    mutating func append(_ s: String) {
        var s = s
        s.withUTF8 { append(bytes: UnsafeRawBufferPointer($0)) }
    }

    mutating func append(bytes: UnsafeRawBufferPointer) {
        elements.writeInteger(Int32(bytes.count))
        elements.writeBytes(bytes)
        count += 1
    }

    static var psqlType: PostgresDataType { .textArray }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(
        into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>
    ) {
        // Dimensions, a null bitmap flag (none), the element type; then the one dimension's length and lower bound.
        buffer.writeInteger(count == 0 ? 0 : 1, as: Int32.self)
        buffer.writeInteger(0, as: Int32.self)
        buffer.writeInteger(PostgresDataType.text.rawValue)
        guard count > 0 else { return }
        buffer.writeInteger(Int32(count))
        buffer.writeInteger(1, as: Int32.self)
        buffer.writeImmutableBuffer(elements)
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

    /// The batch's rows, inside the caller's transaction. Each column array is unnested in the select list (the
    /// arrays have one length, so the unnests run in step, one row each), not in FROM: `FROM unnest(a, b, …)` makes
    /// PostgreSQL copy every row into a tuplestore first, a quarter of its CPU per row (BENCHMARKS.md).
    static func insertRows(_ b: Batch, _ c: PostgresConnection, site: String, epoch: Int64, logger: Logger)
        async throws
    {
        if !b.seqs.isEmpty {
            try await c.query(
                """
                INSERT INTO log_record (site_id, seq, log_epoch, method, master_data)
                SELECT \(site), u.seq, \(epoch), u.method, NULLIF(u.md, '')::jsonb
                FROM (SELECT unnest(\(b.seqs)::bigint[]) AS seq, unnest(\(b.methods)::text[]) AS method,
                    unnest(\(b.masterData)::text[]) AS md) AS u
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
                SELECT \(site), u.n, u.s, u.t, u.d, u.loc, NULLIF(u.z, ''), u.b, u.i, u.q, u.qb, u.uom, u.qpu, u.doc,
                    u.src, u.reg, u.usr, u.ts, u.lot, u.ser, NULLIF(u.exp, '')::date
                FROM (SELECT unnest(\(w.entryNo)::bigint[]) AS n, unnest(\(w.seq)::bigint[]) AS s,
                    unnest(\(w.entryType)::text[]) AS t, unnest(\(w.date)::date[]) AS d,
                    unnest(\(w.location)::text[]) AS loc, unnest(\(w.zone)::text[]) AS z, unnest(\(w.bin)::text[]) AS b,
                    unnest(\(w.item)::text[]) AS i, unnest(\(w.quantity)::numeric[]) AS q,
                    unnest(\(w.quantityBase)::numeric[]) AS qb, unnest(\(w.unit)::text[]) AS uom,
                    unnest(\(w.perUnit)::numeric[]) AS qpu, unnest(\(w.documentNo)::text[]) AS doc,
                    unnest(\(w.source)::text[]) AS src, unnest(\(w.registerNo)::bigint[]) AS reg,
                    unnest(\(w.user)::text[]) AS usr, unnest(\(w.timestamp)::timestamptz[]) AS ts,
                    unnest(\(w.lot)::text[]) AS lot, unnest(\(w.serial)::text[]) AS ser,
                    unnest(\(w.expiration)::text[]) AS exp) AS u
                ON CONFLICT (site_id, entry_no) DO NOTHING
                """, logger: logger)
        }
        if !b.binContent.isEmpty {
            // Bin contents move by the batch's entries, summed per content in Swift (Batch.add): exactly once, since
            // the cursor moved in this same transaction. Texts and quantities in binary arrays, as the entries'.
            var loc = TextColumn()
            var bin = TextColumn()
            var item = TextColumn()
            var uom = TextColumn()
            var lot = TextColumn()
            var serial = TextColumn()
            var q = NumericColumn()
            var qb = NumericColumn()
            var last: [Int64] = []
            last.reserveCapacity(b.binContent.count)
            for (k, v) in b.binContent {
                loc.append(k.location)
                bin.append(k.bin)
                item.append(k.item)
                uom.append(k.unit)
                lot.append(k.lot)
                serial.append(k.serial)
                try q.append(v.quantity.description)
                try qb.append(v.quantityBase.description)
                last.append(v.lastSeq)
            }
            try await c.query(
                """
                INSERT INTO bin_content AS bc (site_id, location, bin, item, unit_of_measure, lot, serial,
                    quantity, quantity_base, last_seq)
                SELECT \(site), u.loc, u.b, u.i, u.uom, u.lot, u.ser, u.q, u.qb, u.s
                FROM (SELECT unnest(\(loc)::text[]) AS loc, unnest(\(bin)::text[]) AS b, unnest(\(item)::text[]) AS i,
                    unnest(\(uom)::text[]) AS uom, unnest(\(lot)::text[]) AS lot, unnest(\(serial)::text[]) AS ser,
                    unnest(\(q)::numeric[]) AS q, unnest(\(qb)::numeric[]) AS qb, unnest(\(last)::bigint[]) AS s) AS u
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
                SELECT \(site), u.n, u.s, u.t, u.d, u.doc, u.loc, u.i, u.q, u.uom, u.qpu, u.adj, u.src, u.usr, u.ts,
                    u.lot, u.ser, NULLIF(u.exp, '')::date
                FROM (SELECT unnest(\(it.entryNo)::bigint[]) AS n, unnest(\(it.seq)::bigint[]) AS s,
                    unnest(\(it.entryType)::text[]) AS t, unnest(\(it.date)::date[]) AS d,
                    unnest(\(it.documentNo)::text[]) AS doc, unnest(\(it.location)::text[]) AS loc,
                    unnest(\(it.item)::text[]) AS i, unnest(\(it.quantity)::numeric[]) AS q,
                    unnest(\(it.unit)::text[]) AS uom, unnest(\(it.perUnit)::numeric[]) AS qpu,
                    unnest(\(it.adjustment)::bool[]) AS adj, unnest(\(it.source)::text[]) AS src,
                    unnest(\(it.user)::text[]) AS usr, unnest(\(it.timestamp)::timestamptz[]) AS ts,
                    unnest(\(it.lot)::text[]) AS lot, unnest(\(it.serial)::text[]) AS ser,
                    unnest(\(it.expiration)::text[]) AS exp) AS u
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
                SELECT \(site), u.n, u.s, u.t, u.d, u.doc, u.loc, NULLIF(u.b, ''), u.i, u.q, u.qc, u.qp, u.uom, u.last,
                    u.usr, u.ts, u.lot, u.ser, NULLIF(u.cp, '')
                FROM (SELECT unnest(\(p.entryNo)::bigint[]) AS n, unnest(\(p.seq)::bigint[]) AS s,
                    unnest(\(p.entryType)::text[]) AS t, unnest(\(p.date)::date[]) AS d,
                    unnest(\(p.documentNo)::text[]) AS doc, unnest(\(p.location)::text[]) AS loc,
                    unnest(\(p.bin)::text[]) AS b, unnest(\(p.item)::text[]) AS i,
                    unnest(\(p.quantity)::numeric[]) AS q,
                    unnest(\(p.calculated)::numeric[]) AS qc, unnest(\(p.counted)::numeric[]) AS qp,
                    unnest(\(p.unit)::text[]) AS uom, unnest(\(p.lastItemEntry)::bigint[]) AS last,
                    unnest(\(p.user)::text[]) AS usr, unnest(\(p.timestamp)::timestamptz[]) AS ts,
                    unnest(\(p.lot)::text[]) AS lot, unnest(\(p.serial)::text[]) AS ser,
                    unnest(\(p.countingPeriod)::text[]) AS cp) AS u
                ON CONFLICT (site_id, entry_no) DO NOTHING
                """, logger: logger)
        }
        if !b.availability.isEmpty {
            var loc = TextColumn()
            var item = TextColumn()
            var lot = TextColumn()
            var pick = NumericColumn()
            var reserve = NumericColumn()
            var seq: [Int64] = []
            var asOf: [Int64] = []
            for (k, r) in b.availability {
                loc.append(k[0])
                item.append(k[1])
                lot.append(k[2])
                try pick.append(r.pick)
                try reserve.append(r.reserve)
                seq.append(r.seq)
                asOf.append(r.asOf)
            }
            try await c.query(
                """
                INSERT INTO availability AS a (site_id, location, item, lot, available_to_pick,
                    available_to_reserve, seq, as_of_seq)
                SELECT \(site), u.loc, u.i, u.lot, u.p, u.r, u.s, u.a
                FROM (SELECT unnest(\(loc)::text[]) AS loc, unnest(\(item)::text[]) AS i, unnest(\(lot)::text[]) AS lot,
                    unnest(\(pick)::numeric[]) AS p, unnest(\(reserve)::numeric[]) AS r, unnest(\(seq)::bigint[]) AS s,
                    unnest(\(asOf)::bigint[]) AS a) AS u
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
