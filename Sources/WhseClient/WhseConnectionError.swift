/// No usable answer from whsed: it could not be reached, the connection broke or timed out, or the answer made no
/// sense. Whether a posting was done is then unknown when `requestSent` is true: send it again with the same
/// idempotency key to find out (protocol.md §2.4, §8).
public struct WhseConnectionError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The socket path cannot name a Unix socket (too long, or holds a NUL byte).
        case badSocketPath
        /// `socket` or `connect` failed: nothing was sent.
        case cannotConnect
        /// Writing, or reading the answer, failed; or whsed closed the connection before answering.
        case connectionLost
        /// No answer within the client's timeout.
        case timedOut
        /// whsed's answer is not a JSON-RPC response to the request (not JSON, another id, neither result nor
        /// error), or its result does not fit the method's result type.
        case badAnswer
    }

    public var kind: Kind
    public var message: String
    /// Whether any byte of the request left: whsed may have received it.
    public var requestSent: Bool

    public init(_ kind: Kind, _ message: String, requestSent: Bool) {
        self.kind = kind
        self.message = message
        self.requestSent = requestSent
    }

    public var description: String { message }
}
