import Warehouse
import WhseProtocol

/// The replayable state: the ledger plus the remembered idempotency keys. Every logged record is applied through
/// `execute`, live and at replay alike.
public final class StateMachine: @unchecked Sendable {
    public let ledger = Ledger()

    /// Most idempotency keys remembered; the oldest are forgotten first (`maxIdempotencyKeys` in protocol.md).
    public static let maxIdempotencyKeys = 100_000
    /// Longest idempotency key.
    public static let maxIdempotencyKeyBytes = 128

    struct Remembered: Sendable {
        var method: String
        var params: [UInt8]
        var result: JSON
    }
    /// Keyed by the key's bytes: idempotency keys are opaque, and two keys that are canonically equivalent
    /// Strings but differ in their bytes are two keys.
    var remembered: [ExactText: Remembered] = [:]
    var rememberedOrder: [ExactText] = []
    var rememberedHead = 0

    public init() {}

    /// A logged record: method, params and the context stamped at acceptance.
    public static func record(method: String, params: JSON?, context: PostingContext) -> [UInt8] {
        var c: [String: JSON] = ["u": .string(context.user), "t": .string(context.timestamp), "d": .string(context.today)]
        if context.rules != 1 { c["r"] = JSON(context.rules) }
        var o: [String: JSON] = ["m": .string(method), "c": .object(c)]
        if let params { o["p"] = params }
        return JSON.object(o).serialized()
    }

    /// Decodes a record written by `record`.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws -> (String, JSON?, PostingContext) {
        let v = try JSONParser.parse(bytes, maxDepth: 64)
        guard case .string(let m)? = v["m"], case .object(let c)? = v["c"],
              case .string(let u)? = c["u"], case .string(let t)? = c["t"], case .string(let d)? = c["d"]
        else { throw RPCError.internalError("log record has an unexpected shape") }
        // A record without "r" was written before rule versions existed: rules 1.
        let rules = c["r"]?.intValue ?? 1
        guard rules >= 1 && rules <= PostingContext.currentRules else {
            throw RPCError.internalError("log record needs ledger rules \(rules); this build knows 1...\(PostingContext.currentRules)")
        }
        return (m, v["p"], PostingContext(user: u, timestamp: t, today: d, rules: rules))
    }

    /// The idempotency key of a request, validated.
    /// At replay (`admission` false) the length limit is not checked: it is an admission rule.
    public static func idempotencyKey(_ params: JSON?, admission: Bool = true) throws(RPCError) -> String? {
        guard let v = params?["idempotencyKey"] else { return nil }
        guard case .string(let k) = v, !k.isEmpty, !admission || k.utf8.count <= maxIdempotencyKeyBytes else {
            throw RPCError.invalidParams("idempotencyKey must be a non-empty string of at most \(maxIdempotencyKeyBytes) bytes",
                                         param: "idempotencyKey")
        }
        return k
    }

    /// When the key was seen: the original result (to replay), or a conflict.
    func lookup(key: String, method: String, params: [UInt8]) throws(RPCError) -> JSON? {
        guard let r = remembered[ExactText(key)] else { return nil }
        guard r.method == method, r.params == params else { throw RPCError.idempotencyConflict(key) }
        return r.result
    }

    func remember(key text: String, method: String, params: [UInt8], result: JSON) {
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
        remembered[key] = Remembered(method: method, params: params, result: result)
    }

    /// Runs a mutating method. Atomic: on error nothing changed.
    /// `admission` is false at replay: a logged record was admitted under the limits of its day (protocol.md §9).
    public func execute(method: String, params: JSON?, context: PostingContext, admission: Bool = true) throws(RPCError) -> JSON {
        guard let handler = Handlers.table[method] else { throw RPCError.methodNotFound(method) }
        let p = try Params(params, admission: admission)
        return try handler(ledger, p, context)
    }

    /// The whole state as snapshot bytes: the ledger and the remembered idempotency keys.
    public func snapshot() -> [UInt8] {
        snapshot(of: ledger.state, keys: rememberedList())
    }

    func rememberedList() -> [(String, Remembered)] {
        rememberedOrder[rememberedHead...].compactMap { k in remembered[k].map { (k.string, $0) } }
    }

    func snapshot(of state: LedgerState, keys: [(String, Remembered)]) -> [UInt8] {
        var w = SnapshotWriter()
        state.encode(into: &w)
        w.uint(UInt64(keys.count))
        for (k, r) in keys {
            w.string(k); w.string(r.method); w.bytes(r.params); w.bytes(r.result.serialized())
        }
        return w.finish()
    }

    /// Loads snapshot bytes written by `snapshot()`.
    public func restore(_ bytes: [UInt8]) throws {
        var r = try SnapshotReader(bytes)
        let state = try LedgerState.decode(from: &r)
        var order: [ExactText] = []
        var table: [ExactText: Remembered] = [:]
        for _ in 0..<(try r.count()) {
            let k = ExactText(try r.string()), m = try r.string(), p = try r.bytes(), result = try r.bytes()
            table[k] = Remembered(method: m, params: p, result: try JSONParser.parse(result, maxDepth: 512))
            order.append(k)
        }
        guard r.atEnd else { throw SnapshotError("trailing bytes after the state") }
        ledger.restore(state)
        remembered = table
        rememberedOrder = order
        rememberedHead = 0
    }

    /// Applies one record during replay; a failure means the log does not match the code that wrote it.
    public func replay(_ bytes: UnsafeRawBufferPointer) throws {
        let (method, params, context) = try StateMachine.decode(bytes)
        let point = ledger.savepoint()
        do {
            let result = try execute(method: method, params: params, context: context, admission: false)
            ledger.release(point)
            if let key = try StateMachine.idempotencyKey(params, admission: false) {
                remember(key: key, method: method, params: params.map { $0.serialized() } ?? [], result: result)
            }
        } catch {
            ledger.rollback(to: point)
            throw error
        }
    }
}
