import WhseClient
import WhseProtocol

/// whsectl's exit codes (documented in README and --help).
enum Exit {
    static let refused: Int32 = 1  // the server refused the request (domain error, invalid params…)
    static let usage: Int32 = 64  // bad command line or input file
    static let unavailable: Int32 = 69  // cannot connect, or the connection broke / timed out
    static let protocolError: Int32 = 76  // the server's answer made no sense
    static let permission: Int32 = 77  // permission_denied
}

/// A failure whsectl reports on stderr before exiting with `code`.
struct CLIError: Error {
    var code: Int32
    var message: String
}

extension WhseError {
    var exitCode: Int32 { reason == "permission_denied" ? Exit.permission : Exit.refused }
}

extension WhseConnectionError {
    /// The exit code and the line for stderr, with what the user can do about it.
    var cliError: CLIError {
        switch kind {
        case .badSocketPath:
            return CLIError(code: Exit.usage, message: message)
        case .badAnswer:
            return CLIError(code: Exit.protocolError, message: message)
        case .cannotConnect:
            return CLIError(
                code: Exit.unavailable,
                message: message + " (is whsed running? set --socket or WHSED_SOCKET)")
        case .connectionLost, .timedOut:
            let unknown = "; the request may or may not have been posted (retry with the same --idempotency-key)"
            return CLIError(code: Exit.unavailable, message: requestSent ? message + unknown : message)
        }
    }
}

extension WhseClientError {
    /// whsed's refusal as it is (`perform` prints it), a connection error as whsectl's own.
    var forCLI: any Error {
        switch self {
        case .server(let e): return e
        case .connection(let e): return e.cliError
        }
    }

    /// The message whsectl prints before a retry.
    var retryMessage: String {
        switch self {
        case .server(let e): return "\(e.message) [\(e.reason)]"
        case .connection(let e): return e.cliError.message
        }
    }
}
