/// The JSON-RPC 2.0 envelope: one request or response (or batch) per line.
public struct RPCRequest: Sendable {
    public var id: JSON?  // nil: a notification (no response)
    public var method: String
    public var params: JSON?
    public var isNotification: Bool { id == nil }

    /// Validates one request object per JSON-RPC 2.0 §4.
    public static func validate(_ value: JSON) -> Result<RPCRequest, RPCError> {
        guard case .object(let o) = value else { return .failure(.invalidRequest("a request must be an object")) }
        guard o["jsonrpc"] == .string("2.0") else { return .failure(.invalidRequest("\"jsonrpc\" must be \"2.0\"")) }
        var id: JSON? = nil
        if let raw = o["id"] {
            switch raw {
            case .string, .null: id = raw
            case .number(let t):
                guard !t.contains("."), !t.contains("e"), !t.contains("E") else {
                    return .failure(.invalidRequest("\"id\" must be a string, an integer or null"))
                }
                id = raw
            default: return .failure(.invalidRequest("\"id\" must be a string, an integer or null"))
            }
        }
        guard case .string(let method)? = o["method"] else {
            return .failure(.invalidRequest("\"method\" must be a string"))
        }
        if let p = o["params"] {
            switch p {
            case .object, .array: break
            default: return .failure(.invalidRequest("\"params\" must be an object or an array"))
            }
        }
        for k in o.keys where !["jsonrpc", "id", "method", "params"].contains(k) {
            return .failure(.invalidRequest("unknown member \"\(k)\""))
        }
        return .success(RPCRequest(id: id, method: method, params: o["params"]))
    }

    public init(id: JSON?, method: String, params: JSON?) {
        self.id = id
        self.method = method
        self.params = params
    }

    public var json: JSON {
        var o: [String: JSON] = ["jsonrpc": .string("2.0"), "method": .string(method)]
        if let id { o["id"] = id }
        if let params { o["params"] = params }
        return .object(o)
    }
}

/// Builds response objects.
public enum RPCResponse {
    public static func success(id: JSON, result: JSON) -> JSON {
        .object(["jsonrpc": .string("2.0"), "id": id, "result": result])
    }
    /// `success(id:result:).serialized()`, written member by member (no dictionary for the envelope).
    public static func serializedSuccess(id: JSON, result: JSON) -> [UInt8] {
        var w = JSONObjectWriter(capacity: 192)
        w.member("id", id)
        w.member("jsonrpc", string: "2.0")
        w.member("result", result)
        return w.finish()
    }
    /// `success(id:result:).serialized()` for a posting's result, written member by member.
    public static func serializedSuccess(id: JSON, posting result: PostingResult) -> [UInt8] {
        var w = JSONObjectWriter(capacity: 192)
        w.member("id", id)
        w.member("jsonrpc", string: "2.0")
        w.beginObject("result")
        result.writeMembers(into: &w)
        w.endObject()
        return w.finish()
    }
    /// `success(id:result:).serialized()` for a result already serialized (`result` must be one JSON value).
    public static func success(id: JSON, serializedResult result: [UInt8]) -> [UInt8] {
        var w = JSONObjectWriter(capacity: result.count + 48)
        w.member("id", id)
        w.member("jsonrpc", string: "2.0")
        w.member("result", serialized: result)
        return w.finish()
    }
    public static func failure(id: JSON?, error: RPCError) -> JSON {
        .object(["jsonrpc": .string("2.0"), "id": id ?? .null, "error": error.json])
    }
}
