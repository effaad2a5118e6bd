import Warehouse

// Params of the server methods (protocol.md 13.6): none of them takes any.

/// `server.status`.
public struct ServerStatusParams: NoParams {
    public static let method = "server.status"
    public init() {}
}

/// `server.metrics`.
public struct ServerMetricsParams: NoParams {
    public static let method = "server.metrics"
    public init() {}
}

/// `server.verify`.
public struct ServerVerifyParams: NoParams {
    public static let method = "server.verify"
    public init() {}
}

/// A method the writer answers between postings; it refuses any member with "takes no params".
public protocol WriterTaskParams: NoParams {}

extension WriterTaskParams {
    public init(decoding p: Params) throws(RPCError) {
        guard p.object.isEmpty else { throw RPCError.invalidParams("\(Self.method) takes no params") }
        self.init()
    }
}

/// `server.checkpoint`.
public struct ServerCheckpointParams: WriterTaskParams {
    public static let method = "server.checkpoint"
    public init() {}
}

/// `server.backup`.
public struct ServerBackupParams: WriterTaskParams {
    public static let method = "server.backup"
    public init() {}
}

extension ParamsCatalogue {
    static let server: [any RPCParams.Type] = [
        ServerStatusParams.self, ServerMetricsParams.self, ServerVerifyParams.self, ServerCheckpointParams.self,
        ServerBackupParams.self
    ]
}
