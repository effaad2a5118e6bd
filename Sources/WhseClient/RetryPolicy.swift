/// When and how often `WhseClient` sends a request again after it got no answer, or a refusal that says nothing was
/// done (protocol.md §6.4).
///
/// A request is sent again only when that is safe: when nothing of it left (connect failed), when whsed said nothing
/// was done (`shutting_down`, `storage_full`, no connection slot), or when it is idempotent: a read, or a posting
/// with an idempotency key, which whsed posts at most once. A posting without a key whose answer was lost is never
/// sent again; its error says the outcome is unknown.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts after the first; 0 never retries.
    public var maxRetries: Int
    /// The pause before retry n is `min(maxDelaySeconds, delaySeconds × n)`.
    public var delaySeconds: Double
    public var maxDelaySeconds: Double
    /// Whether the refusals that say nothing was done (`shutting_down`, `storage_full`, `limit_exceeded` for the
    /// connection slots) are retried too; otherwise only lost and failed connections are.
    public var retryRefusals: Bool

    public init(
        maxRetries: Int = 10, delaySeconds: Double = 0.2, maxDelaySeconds: Double = 5,
        retryRefusals: Bool = true
    ) {
        self.maxRetries = max(0, maxRetries)
        self.delaySeconds = max(0, delaySeconds)
        self.maxDelaySeconds = max(0, maxDelaySeconds)
        self.retryRefusals = retryRefusals
    }

    /// Never retry.
    public static let none = RetryPolicy(maxRetries: 0)

    /// The pause before retry `attempt` (1, 2, …), in seconds.
    public func delay(beforeRetry attempt: Int) -> Double {
        min(maxDelaySeconds, delaySeconds * Double(attempt))
    }

    /// Whether a request that failed with `error` may be sent again: `idempotent` when whsed does it at most once
    /// however often it arrives.
    public func mayRetry(_ error: WhseClientError, idempotent: Bool) -> Bool {
        switch error {
        case .server(let e):
            return retryRefusals && e.nothingDone
        case .connection(let e):
            switch e.kind {
            case .badSocketPath, .badAnswer: return false
            case .cannotConnect, .connectionLost, .timedOut: return idempotent || !e.requestSent
            }
        }
    }
}
