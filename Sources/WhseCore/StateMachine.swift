import Warehouse
import WhseProtocol
import WriteAheadLog

/// The replayable state: the ledger plus the remembered idempotency keys. Every logged record is applied through
/// `execute`, live (by `apply`, which the writer calls for every posting) and at replay (by `replay`) alike.
public final class StateMachine: @unchecked Sendable {
    public let ledger = Ledger()

    /// Most idempotency keys remembered; the oldest are forgotten first (`maxIdempotencyKeys` in protocol.md).
    public static let maxIdempotencyKeys = 100_000
    /// Longest idempotency key.
    public static let maxIdempotencyKeyBytes = 128

    /// What a key keeps of its posting (protocol.md 8): the method, the SHA-256 digest of the request's canonical
    /// bytes (`canonical`), and the compact result a retry is answered with (`compactResult`).
    package struct Remembered: Sendable {
        package var method: String
        package var digest: [UInt8]
        package var result: JSON
    }
    /// Keyed by the key's bytes: idempotency keys are opaque, and two keys that are canonically equivalent
    /// Strings but differ in their bytes are two keys.
    var remembered: [ExactText: Remembered] = [:]
    var rememberedOrder: [ExactText] = []
    var rememberedHead = 0

    public init() {}

    /// The record format this build writes (docs/on-disk-format.md 4.4): 2, the typed command re-encoded. Format 1
    /// (no `v`) held the params as received; both replay.
    public static let recordFormat = 2

    /// A logged record: the method, the typed command as its params (with the idempotency key), the context stamped
    /// at acceptance, and the format.
    public static func record(
        method: String, command: any RPCParams, idempotencyKey: String?,
        context: PostingContext
    ) -> [UInt8] {
        record(
            method: method, serializedParams: recordParams(command, idempotencyKey: idempotencyKey),
            context: context)
    }

    /// A record of format 1 (params as received), as releases before format 2 wrote them; for tests of old logs.
    public static func record(method: String, params: JSON?, context: PostingContext) -> [UInt8] {
        record(method: method, serializedParams: params?.serialized(), context: context, format: nil)
    }

    /// A record whose params are already serialized (absent: a format-1 record without params), written member by
    /// member with the keys in byte order (c, m, p, v; in c: d, r, t, u), so the bytes are those `JSON.serialized()`
    /// gives for the same object. `format` nil writes no `v` (format 1).
    static func record(
        method: String, serializedParams: [UInt8]?, context: PostingContext, format: Int? = recordFormat
    ) -> [UInt8] {
        var w = JSONObjectWriter(capacity: (serializedParams?.count ?? 0) + 160)
        w.beginObject("c")
        w.member("d", string: context.today)
        if context.rules != 1 { w.member("r", JSON(context.rules)) }
        w.member("t", string: context.timestamp)
        w.member("u", string: context.user)
        w.endObject()
        w.member("m", string: method)
        if let serializedParams { w.member("p", serialized: serializedParams) }
        if let format { w.member("v", JSON(format)) }
        return w.finish()
    }

    /// Decodes a record written by `record` (format 1 or 2).
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws -> (String, JSON?, PostingContext) {
        let v = try JSONParser.parse(bytes, maxDepth: 64)
        guard case .string(let m)? = v["m"], case .object(let c)? = v["c"],
            case .string(let u)? = c["u"], case .string(let t)? = c["t"], case .string(let d)? = c["d"]
        else { throw RPCError.internalError("log record has an unexpected shape") }
        let format = v["v"]?.intValue ?? 1
        guard format >= 1 && format <= recordFormat else {
            throw RPCError.internalError("log record of format \(format); this build reads formats 1...\(recordFormat)")
        }
        // A record without "r" was written before rule versions existed: rules 1.
        let rules = c["r"]?.intValue ?? 1
        guard rules >= 1 && rules <= PostingContext.currentRules else {
            throw RPCError.internalError(
                "log record needs ledger rules \(rules); this build knows 1...\(PostingContext.currentRules)")
        }
        return (m, v["p"], PostingContext(user: u, timestamp: t, today: d, rules: rules))
    }

    /// A command's params as its record holds them: re-encoded with its idempotency key, serialized. The event loop
    /// that decoded a request computes them (`apply`'s `encoded`), so the writer only wraps them in the record; the
    /// same bytes are what two requests under one key are compared by.
    public static func recordParams(_ command: any RPCParams, idempotencyKey: String?) -> [UInt8] {
        command.serializedParams(idempotencyKey: idempotencyKey)
    }

    /// The bytes two requests under one idempotency key are compared by: the typed command re-encoded, so a request
    /// and its logged record (of either format) compare equal however its params were spelled.
    static func canonical(_ command: any RPCParams, idempotencyKey: String) -> [UInt8] {
        recordParams(command, idempotencyKey: idempotencyKey)
    }

    /// The idempotency key of a request, validated.
    /// At replay (`admission` false) the length limit is not checked: it is an admission rule.
    public static func idempotencyKey(_ params: JSON?, admission: Bool = true) throws(RPCError) -> String? {
        guard let v = params?["idempotencyKey"] else { return nil }
        guard case .string(let k) = v, !k.isEmpty, !admission || k.utf8.count <= maxIdempotencyKeyBytes else {
            throw RPCError.invalidParams(
                "idempotencyKey must be a non-empty string of at most \(maxIdempotencyKeyBytes) bytes",
                param: "idempotencyKey")
        }
        return k
    }

    /// When the key was seen: the remembered result (to replay), or a conflict.
    func lookup(key: String, method: String, digest: [UInt8]) throws(RPCError) -> JSON? {
        guard let r = remembered[ExactText(key)] else { return nil }
        guard r.method == method, r.digest == digest else { throw RPCError.idempotencyConflict(key) }
        return r.result
    }

    /// The result a key keeps and a retry gets (protocol.md 8): the result itself, except that a `lines` array (the
    /// whole journal that the count and adjustment methods answer with, up to 100,000 lines) is replaced by
    /// `lineCount`. A posting's result (register no. and entry ranges) is already compact and kept as it is.
    static func compactResult(_ result: JSON) -> JSON {
        guard case .object(var o) = result, case .array(let lines)? = o["lines"] else { return result }
        o["lines"] = nil
        o["lineCount"] = JSON(lines.count)
        return .object(o)
    }

    func remember(key text: String, method: String, digest: [UInt8], result: JSON) {
        let key = ExactText(text)
        if remembered[key] == nil {
            rememberedOrder.append(key)
            if rememberedOrder.count - rememberedHead > StateMachine.maxIdempotencyKeys {
                remembered[rememberedOrder[rememberedHead]] = nil
                rememberedHead += 1
                if rememberedHead > 65_536 {
                    rememberedOrder.removeFirst(rememberedHead)
                    rememberedHead = 0
                }
            }
        }
        remembered[key] = Remembered(method: method, digest: digest, result: result)
    }

    /// The idempotency keys of postings applied in a batch whose records are not yet committed: a repeat within the
    /// batch is answered from here, and `remember(_:)` keeps them once the batch is durable (a batch that fails to
    /// commit leaves none behind). Keyed by the key's bytes, like `remembered`.
    public struct PendingKeys: Sendable {
        var list: [(key: String, entry: Remembered)] = []
        var index: [ExactText: Int] = [:]
        /// Repeats answered from this batch's own postings: they stand or fall with the batch's sync.
        public internal(set) var repeatsInBatch = 0
        public init() {}
        public var count: Int { list.count }
    }

    /// Applies one request as the live writer does, in a batch whose savepoint the caller holds: validates the
    /// idempotency key and answers a repeat (remembered, or earlier in `pending`) with the original result marked
    /// `replayed`, logging nothing; refuses a count calculation when `maxOpenCountJournals` are open (an admission
    /// rule, never checked at replay); otherwise executes the method under a savepoint and hands its record to
    /// `append`, adding the key to `pending`. A refusal (an error, or a record too large for the log) changes nothing.
    /// Returns the outcome and the record appended (nil when nothing was). Any other error from `append` is a storage
    /// fault: the posting is rolled back and the error rethrown, and the caller must stop.
    /// `command` is `params` already decoded (on the event loop, outside any lock); nil decodes them here. `encoded`
    /// is `recordParams(command, idempotencyKey:)` computed there too; nil computes it here. `idempotencyKey` is the
    /// key read and checked there with `command` (`.some(nil)`: none; nil reads it from `params`).
    public func apply(
        method: String, params: JSON?, command: (any RPCParams)? = nil, encoded preEncoded: [UInt8]? = nil,
        idempotencyKey givenKey: String?? = nil, context: PostingContext,
        maxOpenCountJournals: Int,
        pending: inout PendingKeys, append: ([UInt8]) throws -> Void
    )
        throws -> (result: Result<MethodResult, RPCError>, record: [UInt8]?)
    {
        var key: String? = nil
        // The command encoded with its key and serialized: compared under the key, then logged (one encoding and
        // one serialization for both).
        var encoded: [UInt8]? = nil
        var digest: [UInt8] = []
        let typed: any RPCParams
        do throws(RPCError) {
            if let given = givenKey, command != nil {
                key = given
            } else {
                key = try StateMachine.idempotencyKey(params)
            }
            if let command {
                typed = command
            } else {
                typed = try ParamsCatalogue.decode(method: method, params: params)
            }
            if let k = key {
                let e = preEncoded ?? StateMachine.recordParams(typed, idempotencyKey: k)
                encoded = e
                digest = SHA256.digest(e)
                if let i = pending.index[ExactText(k)] {
                    let earlier = pending.list[i].entry
                    guard earlier.method == method, earlier.digest == digest else {
                        throw RPCError.idempotencyConflict(k)
                    }
                    pending.repeatsInBatch += 1
                    return (.success(.tree(StateMachine.markReplayed(earlier.result))), nil)
                }
                if let result = try lookup(key: k, method: method, digest: digest) {
                    return (.success(.tree(StateMachine.markReplayed(result))), nil)
                }
            }
        } catch {
            return (.failure(error), nil)
        }
        if method == "whsePhysInventory.calculate" || method == "physInventory.calculate" {
            let open = ledger.state.whseCountJournals.count + ledger.state.physInventoryJournals.count
            if open >= maxOpenCountJournals {
                return (
                    .failure(
                        .limitExceeded(
                            "at most \(maxOpenCountJournals) count journals may be open; register, post or delete one first",
                            limit: "maxOpenCountJournals", value: maxOpenCountJournals)), nil
                )
            }
        }
        let point = ledger.savepoint()
        let result: MethodResult
        do throws(RPCError) {
            result = try run(method, typed, context: context)
        } catch {
            ledger.rollback(to: point)
            return (.failure(error), nil)
        }
        let record = StateMachine.record(
            method: method,
            serializedParams: encoded ?? preEncoded ?? StateMachine.recordParams(typed, idempotencyKey: nil),
            context: context)
        do {
            try append(record)
        } catch WALError.recordTooLarge(let bytes, let max) {
            ledger.rollback(to: point)
            return (
                .failure(
                    .limitExceeded(
                        "the posting's record would be \(bytes) bytes; at most \(max)",
                        limit: "maxRecordBytes", value: max)), nil
            )
        } catch {
            ledger.rollback(to: point)
            throw error
        }
        ledger.release(point)
        if let k = key {
            pending.index[ExactText(k)] = pending.list.count
            pending.list.append(
                (
                    k,
                    Remembered(
                        method: method, digest: digest,
                        result: StateMachine.compactResult(result.json))
                ))
        }
        return (.success(result), record)
    }

    /// Runs a decoded command's handler on the ledger: the one call the live writer (`apply`) and replay share.
    func run(_ method: String, _ typed: any RPCParams, context: PostingContext) throws(RPCError) -> MethodResult {
        guard let handler = Handlers.typed[method] else { throw RPCError.methodNotFound(method) }
        return try handler(ledger, typed, context)
    }

    /// Keeps the keys of a batch whose records are committed, in the order they were applied.
    public func remember(_ pending: PendingKeys) {
        for (k, r) in pending.list { remember(key: k, method: r.method, digest: r.digest, result: r.result) }
    }

    /// A replayed result says so, so a retrying script can tell.
    static func markReplayed(_ v: JSON) -> JSON {
        if case .object(var o) = v {
            o["replayed"] = .bool(true)
            return .object(o)
        }
        return v
    }

    /// Runs a mutating method. Atomic: on error nothing changed.
    /// `admission` is false at replay: a logged record was admitted under the limits of its day (protocol.md §9).
    public func execute(method: String, params: JSON?, context: PostingContext, admission: Bool = true) throws(RPCError)
        -> JSON
    {
        guard let handler = Handlers.table[method] else { throw RPCError.methodNotFound(method) }
        let p = try Params(params, admission: admission)
        return try handler(ledger, p, context)
    }

    /// The whole state as snapshot bytes: the ledger and the remembered idempotency keys.
    public func snapshot() -> [UInt8] {
        snapshot(of: ledger.state, keys: rememberedList())
    }

    package func rememberedList() -> [(String, Remembered)] {
        rememberedOrder[rememberedHead...].compactMap { k in remembered[k].map { (k.string, $0) } }
    }

    package func snapshot(of state: LedgerState, keys: [(String, Remembered)]) -> [UInt8] {
        try! snapshot(of: state, keys: keys, history: HistoryCounts(), manifest: [])
    }

    /// A snapshot that leaves the entries `history` counts to the history files, whose layout (`manifest`,
    /// docs/on-disk-format.md 11.4) it carries after the idempotency keys. Throws when an entry above `history`
    /// that is not in memory cannot be read.
    package func snapshot(
        of state: LedgerState, keys: [(String, Remembered)], history: HistoryCounts, manifest: [UInt8]
    )
        throws -> [UInt8]
    {
        var w = SnapshotWriter()
        try state.encode(into: &w, history: history)
        w.uint(UInt64(keys.count))
        for (k, r) in keys {
            w.string(k)
            w.string(r.method)
            w.bytes(r.digest)
            w.bytes(r.result.serialized())
        }
        w.bytes(manifest)
        return w.finish()
    }

    /// What the last snapshot loaded (`restore`) left to the history files: the entries per ledger and the files'
    /// layout (empty before state version 5).
    public private(set) var restoredHistory = (counts: HistoryCounts(), manifest: [UInt8]())

    /// Loads snapshot bytes written by `snapshot()`.
    public func restore(_ bytes: [UInt8]) throws {
        var r = try SnapshotReader(bytes)
        var history = HistoryCounts()
        let state = try LedgerState.decode(from: &r, history: &history)
        var order: [ExactText] = []
        var table: [ExactText: Remembered] = [:]
        for _ in 0..<(try r.count()) {
            let k = ExactText(try r.string())
            let m = try r.string()
            let p = try r.bytes()
            let result = try r.bytes()
            let parsed = try JSONParser.parse(result, maxDepth: 512)
            if r.version >= 4 {
                guard p.count == 32 else { throw SnapshotError("idempotency key digest of \(p.count) bytes") }
                table[k] = Remembered(method: m, digest: p, result: parsed)
            } else {
                // Before state version 4 a key kept its request and whole result: keep their digest and compact form.
                let canonical = StateMachine.recanonical(method: m, params: p, key: k.string)
                table[k] = Remembered(
                    method: m, digest: SHA256.digest(canonical),
                    result: StateMachine.compactResult(parsed))
            }
            order.append(k)
        }
        let manifest = r.version >= 5 ? try r.bytes() : []
        guard r.atEnd else { throw SnapshotError("trailing bytes after the state") }
        restoredHistory = (history, manifest)
        ledger.restore(state)
        remembered = table
        rememberedOrder = order
        rememberedHead = 0
    }

    /// A remembered request's bytes in today's canonical form: a snapshot written before format 2 kept the params
    /// as received. Bytes that no longer decode are returned as they are (a repeat of them is then a conflict).
    static func recanonical(method: String, params: [UInt8], key: String) -> [UInt8] {
        guard let json = try? JSONParser.parse(params, maxDepth: 64),
            let typed = try? ParamsCatalogue.decode(method: method, params: json, admission: false)
        else { return params }
        return canonical(typed, idempotencyKey: key)
    }

    /// Applies one record during replay; a failure means the log does not match the code that wrote it.
    /// Returns the record's method, params and context.
    @discardableResult
    public func replay(_ bytes: UnsafeRawBufferPointer) throws
        -> (method: String, params: JSON?, context: PostingContext)
    {
        let (method, params, context) = try StateMachine.decode(bytes)
        let point = ledger.savepoint()
        do {
            let typed = try ParamsCatalogue.decode(method: method, params: params, admission: false)
            let result = try run(method, typed, context: context)
            ledger.release(point)
            if let key = try StateMachine.idempotencyKey(params, admission: false) {
                remember(
                    key: key, method: method,
                    digest: SHA256.digest(StateMachine.canonical(typed, idempotencyKey: key)),
                    result: StateMachine.compactResult(result.json))
            }
        } catch {
            ledger.rollback(to: point)
            throw error
        }
        return (method, params, context)
    }
}
