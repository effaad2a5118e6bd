import Warehouse

extension EntryIndex {
    /// Whether a filter is for `datedCandidates`: a posting-date range, perhaps an entry type, and no code (a code
    /// column's posting list is more selective and drives the page as before).
    static func isDated(_ f: EntryFilter, columns: [IndexColumn]) -> Bool {
        (f.fromDate != nil || f.toDate != nil) && columns.allSatisfy { $0 == .entryType }
    }

    /// The candidates of a page filtered by posting date (and perhaps entry type) alone: the entry numbers above
    /// `after` and up to `bound` in the posting lists of every date in `fromDate...toDate` (one list per date,
    /// merged), and, with an entry type, also in its list (the two intersected). Calls `body` with each in ascending
    /// order until it returns false. Throws `PostingCursor.Damaged` for a posting list that does not decode.
    ///
    /// The statements run in one read transaction: each statement outside one takes and drops SQLite's shared lock
    /// (`fcntl` calls), which was a fifth of a page over 1,000 dates.
    static func datedCandidates(
        _ conn: SQLiteConnection, _ ledger: IndexedLedger, _ f: EntryFilter, after: Int, through bound: Int,
        _ body: (Int) -> Bool
    ) throws {
        try conn.exec("BEGIN")
        do {
            try candidates(conn, ledger, f, after: after, through: bound, body)
        } catch {
            try? conn.exec("ROLLBACK")
            throw error
        }
        try conn.exec("COMMIT")
    }

    private static func candidates(
        _ conn: SQLiteConnection, _ ledger: IndexedLedger, _ f: EntryFilter, after: Int, through bound: Int,
        _ body: (Int) -> Bool
    ) throws {
        let dateTable = postingTable(ledger, .postingDate)
        let dateSQL = PostingCursor.fetchSQL(dateTable)
        var dates = MergedCursor(
            cursors: try dateKeys(conn, dateTable, from: f.fromDate, to: f.toDate).map {
                PostingCursor(table: dateTable, sql: dateSQL, key: $0)
            })
        var type = f.entryType.map {
            let table = postingTable(ledger, .entryType)
            return PostingCursor(table: table, sql: PostingCursor.fetchSQL(table), key: $0.rawValue)
        }
        var target = after + 1
        while target <= bound {
            guard let no = try dates.seek(target, conn), no <= bound else { return }
            if type != nil {
                guard let t = try type!.seek(no, conn) else { return }
                if t != no {
                    target = t
                    continue
                }
            }
            if !body(no) { return }
            target = no + 1
        }
    }

    /// The distinct dates of a posting-date table in `from...to` (either open), one seek each: a table holds one
    /// row per date and transaction, so reading its rows would cost as many steps as transactions.
    private static func dateKeys(_ conn: SQLiteConnection, _ table: String, from: String?, to: String?) throws
        -> [String]
    {
        // Posting dates are YYYY-MM-DD: every one sorts below U+007F (SQLite compares keys as bytes).
        let upper = to ?? "\u{7F}"
        var keys: [String] = []
        var first = true
        let sql = (
            first: "SELECT key FROM \(table) WHERE key >= ?1 AND key <= ?2 ORDER BY key LIMIT 1",
            next: "SELECT key FROM \(table) WHERE key > ?1 AND key <= ?2 ORDER BY key LIMIT 1"
        )
        while true {
            let s = try conn.statement(first ? sql.first : sql.next)
            s.bind(1, first ? (from ?? "") : keys[keys.count - 1])
            s.bind(2, upper)
            let found = try s.step() ? s.text(0) : nil
            s.reset()
            guard let found else { return keys }
            keys.append(found)
            first = false
        }
    }
}

/// The entry numbers of one key of a posting-list table (docs/on-disk-format.md 10), read forward from a given
/// number on: the rows whose `last` is at least that number, a few at a time, each decoded only as far as needed.
struct PostingCursor {
    struct Damaged: Error, CustomStringConvertible {
        var table: String
        var description: String { "a posting list of \(table) does not decode" }
    }

    let table: String
    /// `fetchSQL(table)`, built once per page.
    let sql: String
    let key: String
    /// Rows fetched and not passed yet: their `last` and their numbers (LEB128 differences, the first to 0).
    private var rows: [(last: Int, nos: [UInt8])] = []
    private var row = 0
    /// Where the next number of `rows[row]` starts, and the number decoded before it (0 at the row's start).
    private var position = 0
    private var decoded = 0
    /// The number the last `seek` returned (not passed yet), and whether the table has no more.
    private var current: Int?
    private var exhausted = false
    /// The `last` of the last row fetched: the next fetch starts above it.
    private var fetchedThrough = 0

    init(table: String, sql: String, key: String) {
        self.table = table
        self.sql = sql
        self.key = key
    }

    static func fetchSQL(_ table: String) -> String {
        "SELECT last, nos FROM \(table) WHERE key = ?1 AND last >= ?2 ORDER BY last LIMIT 16"
    }

    /// The smallest number of this key's lists that is at least `n`, or nil when there is none.
    mutating func seek(_ n: Int, _ conn: SQLiteConnection) throws -> Int? {
        if let current, current >= n { return current }
        while !exhausted {
            while row < rows.count && rows[row].last < n { nextRow() }
            if row == rows.count {
                try fetch(atLeast: n, conn)
                continue
            }
            if let no = try decode(atLeast: n) {
                current = no
                return no
            }
            nextRow()
        }
        current = nil
        return nil
    }

    private mutating func nextRow() {
        row += 1
        position = 0
        decoded = 0
    }

    /// Decodes `rows[row]` on until a number of at least `n`; nil when the row ends first (then its last number
    /// must be its `last`, or the row is damaged).
    private mutating func decode(atLeast n: Int) throws -> Int? {
        let (last, nos) = rows[row]
        var v: UInt64 = 0
        var shift: UInt64 = 0
        while position < nos.count {
            let b = nos[position]
            position += 1
            guard shift < 63 else { throw Damaged(table: table) }
            v |= UInt64(b & 0x7f) << shift
            if b & 0x80 != 0 {
                shift += 7
                continue
            }
            decoded += Int(truncatingIfNeeded: v)
            v = 0
            shift = 0
            guard decoded <= last else { throw Damaged(table: table) }
            if decoded >= n { return decoded }
        }
        guard shift == 0, decoded == last else { throw Damaged(table: table) }
        return nil
    }

    /// The next rows of the key whose `last` is at least `n` (and above those fetched before): up to 16, or fewer
    /// once they hold 4 KiB (a row written by a large transaction holds up to 65,536 numbers: one is a page's worth);
    /// the first time one row (a range of many dates reads little of each).
    private mutating func fetch(atLeast n: Int, _ conn: SQLiteConnection) throws {
        let most = fetchedThrough == 0 ? 1 : 16
        let s = try conn.statement(sql)
        defer { s.reset() }
        s.bind(1, key)
        s.bind(2, max(n, fetchedThrough + 1))
        rows.removeAll(keepingCapacity: true)
        row = 0
        position = 0
        decoded = 0
        var bytes = 0
        while rows.count < most, bytes < 4096, try s.step() {
            let last = s.int(0)
            let nos = s.blob(1)
            rows.append((last, Array(nos)))
            bytes += nos.count
            fetchedThrough = last
        }
        if rows.isEmpty { exhausted = true }
    }
}

/// Several keys' posting lists as one ascending sequence (a key's entries are in no other key's list): a binary heap
/// of the keys' cursors by the number each stands at, so that a page over a range of many dates costs a seek per
/// date and a heap step per entry. `seek` must be asked for numbers that never decrease.
struct MergedCursor {
    private var heap: [(no: Int, cursor: PostingCursor)] = []
    /// The cursors before the first `seek` positions them.
    private var unplaced: [PostingCursor]

    init(cursors: [PostingCursor]) {
        unplaced = cursors
    }

    /// The smallest number of any list that is at least `n`, or nil when there is none.
    mutating func seek(_ n: Int, _ conn: SQLiteConnection) throws -> Int? {
        if !unplaced.isEmpty {
            for var c in unplaced {
                if let no = try c.seek(n, conn) { heap.append((no, c)) }
            }
            unplaced = []
            for i in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(i) }
        }
        while !heap.isEmpty && heap[0].no < n {
            if let no = try heap[0].cursor.seek(n, conn) {
                heap[0].no = no
            } else {
                heap.swapAt(0, heap.count - 1)
                heap.removeLast()
            }
            siftDown(0)
        }
        return heap.first?.no
    }

    private mutating func siftDown(_ start: Int) {
        var i = start
        while true {
            let l = 2 * i + 1
            let r = l + 1
            var least = i
            if l < heap.count && heap[l].no < heap[least].no { least = l }
            if r < heap.count && heap[r].no < heap[least].no { least = r }
            if least == i { return }
            heap.swapAt(i, least)
            i = least
        }
    }
}
