import WhseProtocol

/// An error object whsed answered with (protocol.md §6): the request was refused, or (`shutting_down`,
/// `storage_full`) not done. Branch on `reason`, never on `message`.
public struct WhseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The JSON-RPC code: −32768…−32000 for protocol faults, 1001… for the ledger's and whsed's refusals.
    public var code: Int
    /// `data.reason`, a stable snake_case word such as `insufficient_quantity`.
    public var reason: String
    /// A sentence for people; it may change between versions.
    public var message: String
    /// `data`: the reason and the facts a client can act on (`bin`, `available`, `limit`, `staleLines`…, §6.3).
    public var data: [String: JSON]

    public init(code: Int, reason: String, message: String, data: [String: JSON] = [:]) {
        self.code = code
        self.reason = reason
        self.message = message
        self.data = data
    }

    /// Reads the `error` member of a response; nil when it is not an error object.
    init?(error e: JSON) {
        guard case .object(let o) = e, let code = o["code"]?.intValue else { return nil }
        let data = o["data"]?.objectValue ?? [:]
        self.init(
            code: code, reason: data["reason"]?.stringValue ?? "", message: o["message"]?.stringValue ?? "",
            data: data)
    }

    /// One member of `data`.
    public subscript(_ member: String) -> JSON? { data[member] }

    /// The error object as whsed sent it.
    public var json: JSON {
        var d = data
        d["reason"] = .string(reason)
        return .object(["code": JSON(code), "message": .string(message), "data": .object(d)])
    }

    public var description: String { "\(message) [\(reason), code \(code)]" }

    /// Refusals that say nothing was done, only not now: the same request may be sent again as it is, even a
    /// posting without an idempotency key (protocol.md §2.4, §6.4).
    var nothingDone: Bool {
        switch reason {
        case "shutting_down", "storage_full": return true
        case "limit_exceeded":
            // A connection over the slots gets this line before it is read from; it is then closed.
            let limit = data["limit"]?.stringValue
            return limit == "maxConnections" || limit == "maxConnectionsPerUser"
        default: return false
        }
    }
}
