/// What a call of `WhseClient` throws: whsed's refusal, or no usable answer.
public enum WhseClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// whsed answered with an error object.
    case server(WhseError)
    /// No usable answer.
    case connection(WhseConnectionError)

    /// `data.reason` of whsed's refusal; nil for a connection error.
    public var reason: String? {
        if case .server(let e) = self { return e.reason }
        return nil
    }

    /// The JSON-RPC code of whsed's refusal; nil for a connection error.
    public var code: Int? {
        if case .server(let e) = self { return e.code }
        return nil
    }

    public var description: String {
        switch self {
        case .server(let e): return e.description
        case .connection(let e): return e.description
        }
    }
}
