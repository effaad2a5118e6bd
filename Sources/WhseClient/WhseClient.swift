import Foundation
import WhseProtocol

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A client of whsed over its Unix socket (protocol.md): typed params and results from WhseProtocol, whsed's
/// refusals as `WhseError`, idempotency keys on postings, and retries that never post twice.
///
/// The client keeps one connection and opens it again when it broke or whsed closed it (idle timeout, restart).
/// Calls are blocking and take turns on the connection; the `async` variants run them on a thread of the client's
/// own, never on the cooperative pool. For requests in parallel, use one client per task or thread.
public final class WhseClient: @unchecked Sendable {
    /// How a client connects and retries.
    public struct Configuration: Sendable {
        /// whsed's socket, e.g. `/run/whsed/whsed.sock`.
        public var socketPath: String
        /// Seconds to wait for each send and each answer; 0 waits forever.
        public var timeoutSeconds: Double
        public var retry: RetryPolicy
        /// Called before each retry with its number (1, 2, …) and the error that led to it.
        public var onRetry: (@Sendable (_ attempt: Int, _ error: WhseClientError) -> Void)?

        public init(
            socketPath: String, timeoutSeconds: Double = 30, retry: RetryPolicy = RetryPolicy(),
            onRetry: (@Sendable (Int, WhseClientError) -> Void)? = nil
        ) {
            self.socketPath = socketPath
            self.timeoutSeconds = timeoutSeconds
            self.retry = retry
            self.onRetry = onRetry
        }
    }

    public let configuration: Configuration
    private let lock = NSLock()
    private var connection: Connection?  // guarded by `lock`
    private let worker = BlockingWorker(name: "WhseClient")

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    public convenience init(socketPath: String, timeoutSeconds: Double = 30, retry: RetryPolicy = RetryPolicy()) {
        self.init(configuration: Configuration(socketPath: socketPath, timeoutSeconds: timeoutSeconds, retry: retry))
    }

    deinit { worker.stop() }

    /// Closes the connection; the next call opens a new one.
    public func close() {
        lock.withLock { connection = nil }
    }

    // MARK: Typed calls

    /// Calls the method of `params` and returns its raw `result`. A posting carries `idempotencyKey`, or a fresh
    /// key when none is given; either way the same key goes with every retry of this call. Pass your own key to
    /// retry a posting later, after this process restarted, say.
    public func call<P: RPCParams>(_ params: P, idempotencyKey: String? = nil) throws(WhseClientError) -> JSON {
        let key = idempotencyKey ?? (P.posts ? IdempotencyKey.random() : nil)
        return try call(P.method, params: params.encoded(idempotencyKey: key))
    }

    /// Calls the method of `params` and decodes its result as `R`, e.g. `PostingResult` for a journal.
    public func call<P: RPCParams, R: RPCResult>(
        _ params: P, as _: R.Type, idempotencyKey: String? = nil
    ) throws(WhseClientError) -> R {
        try WhseClient.decode(try call(params, idempotencyKey: idempotencyKey), as: R.self)
    }

    // MARK: Raw calls

    /// Calls any method with params as given. The call is retried after a lost answer only when it is idempotent:
    /// a method that changes nothing, or a posting whose params hold `idempotencyKey`.
    public func call(_ method: String, params: [String: JSON] = [:]) throws(WhseClientError) -> JSON {
        try call(method, params: .object(params))
    }

    func call(_ method: String, params: JSON) throws(WhseClientError) -> JSON {
        let idempotent = WhseClient.isIdempotent(method, params: params)
        let policy = configuration.retry
        var attempt = 0
        while true {
            do {
                return try exchange(method, params)
            } catch {
                guard attempt < policy.maxRetries, policy.mayRetry(error, idempotent: idempotent) else { throw error }
                attempt += 1
                configuration.onRetry?(attempt, error)
                WhseClient.pause(seconds: policy.delay(beforeRetry: attempt))
            }
        }
    }

    /// Whether whsed does `method` at most once however often it arrives: it changes nothing, or it posts with an
    /// idempotency key. An unknown method counts as a posting.
    public static func isIdempotent(_ method: String, params: JSON) -> Bool {
        guard let entry = MethodCatalogue.byName[method] else { return false }
        return !entry.mutates || params[Params.idempotencyKey] != nil
    }

    /// A result in its type; one that does not fit is whsed's protocol error.
    static func decode<R: RPCResult>(_ json: JSON, as _: R.Type) throws(WhseClientError) -> R {
        do { return try R(result: json) } catch {
            throw .connection(
                WhseConnectionError(
                    .badAnswer, "whsed's answer does not fit \(R.self): \(error.message)", requestSent: true))
        }
    }

    /// One attempt on the open connection, or on a new one.
    private func exchange(_ method: String, _ params: JSON) throws(WhseClientError) -> JSON {
        lock.lock()
        defer { lock.unlock() }
        if let c = connection, c.isStale { connection = nil }
        let c: Connection
        if let open = connection {
            c = open
        } else {
            do {
                c = try Connection(path: configuration.socketPath, timeoutSeconds: configuration.timeoutSeconds)
            } catch { throw .connection(error) }
            connection = c
        }
        do {
            return try c.call(method, params)
        } catch {
            // After a refusal the connection still serves, unless whsed closes it (no slot): `isStale` sees that.
            if case .connection = error { connection = nil }
            throw error
        }
    }

    private static func pause(seconds: Double) {
        guard seconds > 0 else { return }
        var left = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - seconds.rounded(.down)) * 1e9))
        while true {
            var asked = left
            if nanosleep(&asked, &left) == 0 || errno != EINTR { return }
        }
    }

    // MARK: Async calls

    /// `call(_:idempotencyKey:)` without blocking the caller's thread.
    public func call<P: RPCParams>(
        _ params: P, idempotencyKey: String? = nil
    ) async throws(WhseClientError) -> JSON {
        try await offload { () throws(WhseClientError) in try self.call(params, idempotencyKey: idempotencyKey) }
    }

    /// `call(_:as:idempotencyKey:)` without blocking the caller's thread.
    public func call<P: RPCParams, R: RPCResult>(
        _ params: P, as type: R.Type, idempotencyKey: String? = nil
    ) async throws(WhseClientError) -> R {
        try await offload { () throws(WhseClientError) in
            try self.call(params, as: type, idempotencyKey: idempotencyKey)
        }
    }

    /// `call(_:params:)` without blocking the caller's thread.
    public func call(_ method: String, params: [String: JSON] = [:]) async throws(WhseClientError) -> JSON {
        try await offload { () throws(WhseClientError) in try self.call(method, params: params) }
    }

    /// Runs a blocking call on the client's worker thread and resumes the caller with its outcome. A cancelled task
    /// still waits for the call, which the timeout bounds: a posting half sent cannot be taken back.
    private func offload<T: Sendable>(
        _ body: @escaping @Sendable () throws(WhseClientError) -> T
    ) async throws(WhseClientError) -> T {
        let outcome: Result<T, WhseClientError> = await withCheckedContinuation { continuation in
            worker.submit {
                continuation.resume(returning: Result { () throws(WhseClientError) in try body() })
            }
        }
        return try outcome.get()
    }
}
