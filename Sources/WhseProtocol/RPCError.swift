import Warehouse

/// A JSON-RPC error object. Every error whsed sends carries `data.reason`, a stable snake_case word.
public struct RPCError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: Int
    public var message: String
    public var data: [String: JSON]

    public init(code: Int, message: String, reason: String, details: [String: JSON] = [:]) {
        self.code = code
        self.message = message
        var d = details
        d["reason"] = .string(reason)
        self.data = d
    }

    public var reason: String { data["reason"]?.stringValue ?? "" }
    public var description: String { "\(message) (\(reason), code \(code))" }

    public var json: JSON {
        .object(["code": JSON(code), "message": .string(message), "data": .object(data)])
    }

    // MARK: The protocol faults of JSON-RPC 2.0.
    public static let parseErrorCode = -32700
    public static let invalidRequestCode = -32600
    public static let methodNotFoundCode = -32601
    public static let invalidParamsCode = -32602
    public static let internalErrorCode = -32603

    public static func parseError(_ message: String) -> RPCError {
        RPCError(code: parseErrorCode, message: "parse error: \(message)", reason: "parse_error")
    }
    public static func invalidRequest(_ message: String) -> RPCError {
        RPCError(code: invalidRequestCode, message: "invalid request: \(message)", reason: "invalid_request")
    }
    public static func methodNotFound(_ method: String) -> RPCError {
        RPCError(
            code: methodNotFoundCode, message: "method not found: \(method)", reason: "method_not_found",
            details: ["method": .string(method)])
    }
    public static func invalidParams(_ message: String, param: String? = nil) -> RPCError {
        RPCError(
            code: invalidParamsCode, message: "invalid params: \(message)", reason: "invalid_params",
            details: param.map { ["param": .string($0)] } ?? [:])
    }
    public static func internalError(_ message: String) -> RPCError {
        RPCError(code: internalErrorCode, message: "internal error: \(message)", reason: "internal_error")
    }

    // MARK: Application errors (outside the reserved range).
    /// Code per ledger refusal reason.
    public static let domainCodes: [DomainError.Reason: Int] = [
        .notFound: 1001, .alreadyExists: 1002, .insufficientQuantity: 1003, .binBlocked: 1004,
        .validationFailed: 1005, .wrongLocationKind: 1006, .adjustmentBin: 1007, .unitOfMeasure: 1008,
        .countStale: 1009, .overflow: 1010, .limitExceeded: 1011, .notEmpty: 1012, .itemTracking: 1013, .reserved: 1014,
        .capacityExceeded: 1015,
        .warehouseClass: 1016, .adjustmentStale: 1017
    ]
    public static let limitExceededCode = 1011
    public static let permissionDeniedCode = 2001
    public static let idempotencyConflictCode = 2002
    public static let storageFullCode = 3001
    public static let shuttingDownCode = 3002

    public init(_ e: DomainError) {
        var details: [String: JSON] = [:]
        for (k, v) in e.details {
            switch v {
            case .text(let s): details[k] = .string(s)
            case .quantity(let q): details[k] = q.json
            case .int(let i): details[k] = JSON(i)
            case .ints(let a): details[k] = .array(a.map { JSON($0) })
            }
        }
        self.init(
            code: RPCError.domainCodes[e.reason] ?? 1000, message: e.message, reason: e.reason.rawValue,
            details: details)
    }

    public static func limitExceeded(_ message: String, limit: String, value: Int) -> RPCError {
        RPCError(
            code: limitExceededCode, message: message, reason: "limit_exceeded",
            details: ["limit": .string(limit), "max": JSON(value)])
    }
    public static func permissionDenied(_ message: String) -> RPCError {
        RPCError(code: permissionDeniedCode, message: message, reason: "permission_denied")
    }
    public static func idempotencyConflict(_ key: String) -> RPCError {
        RPCError(
            code: idempotencyConflictCode,
            message: "idempotency key \(key) was already used with other params or another method",
            reason: "idempotency_conflict", details: ["idempotencyKey": .string(key)])
    }
    public static func storageFull(_ message: String) -> RPCError {
        RPCError(code: storageFullCode, message: "the posting was not stored: \(message)", reason: "storage_full")
    }
    public static func shuttingDown() -> RPCError {
        RPCError(
            code: shuttingDownCode, message: "whsed is shutting down; retry after it restarts", reason: "shutting_down")
    }
}

extension Quantity {
    /// Quantities go on the wire as JSON numbers with their exact decimal text.
    public var json: JSON { .number(description) }
}
