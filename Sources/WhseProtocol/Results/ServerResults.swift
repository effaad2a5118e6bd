import Warehouse

/// The answer of `server.verify`.
public struct ServerVerifyResult: RPCResult {
    public enum Key: String, MemberKey { case ok, violations }
    /// True when no invariant is violated.
    public var ok: Bool
    public var violations: [String]

    public init(violations: [String]) {
        self.ok = violations.isEmpty
        self.violations = violations
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = p.resultMembers(Key.self)
        ok = try m.bool(.ok)
        violations = try m.optionalTexts(.violations) ?? []
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.ok, ok)
        w.set(.violations, violations)
        return w.json
    }
}

/// The answer of `server.metrics`: the metrics as Prometheus text.
public struct ServerMetricsResult: RPCResult {
    public enum Key: String, MemberKey { case format, text }
    /// The exposition format of `text`, as an HTTP Content-Type: "text/plain; version=0.0.4; charset=utf-8".
    public var format: String
    /// Prometheus text exposition format 0.0.4, lines ending in "\n".
    public var text: String

    public static let prometheusFormat = "text/plain; version=0.0.4; charset=utf-8"

    public init(format: String = ServerMetricsResult.prometheusFormat, text: String) {
        self.format = format
        self.text = text
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = p.resultMembers(Key.self)
        format = try m.text(.format)
        text = try m.text(.text)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.format, format)
        w.set(.text, text)
        return w.json
    }
}

/// The answer of `server.backup`: a snapshot of the books at a log sequence, base64-encoded.
public struct ServerBackupResult: RPCResult {
    public enum Key: String, MemberKey { case sequence, format, bytes, snapshot }
    /// On the wire as a decimal string (it may not fit a JSON number's exact range).
    public var sequence: UInt64
    public var format: String
    public var bytes: Int
    public var snapshot: String

    public init(sequence: UInt64, format: String, bytes: Int, snapshot: String) {
        self.sequence = sequence
        self.format = format
        self.bytes = bytes
        self.snapshot = snapshot
    }

    public init(decoding p: Params) throws(RPCError) {
        let m = p.resultMembers(Key.self)
        guard let s = UInt64(try m.text(.sequence)) else {
            throw RPCError.invalidParams("sequence must be a decimal string", param: Key.sequence.rawValue)
        }
        sequence = s
        format = try m.text(.format)
        bytes = try m.int(.bytes, range: 0...Int.max)
        snapshot = try m.text(.snapshot)
    }

    public func encoded() -> JSON {
        var w = MemberWriter<Key>()
        w.set(.sequence, String(sequence))
        w.set(.format, format)
        w.set(.bytes, bytes)
        w.set(.snapshot, snapshot)
        return w.json
    }
}
