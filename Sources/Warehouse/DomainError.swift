/// A refusal by the ledger. `reason` is the stable machine-readable word; `message` is for people.
public struct DomainError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: String, Sendable, CaseIterable {
        case notFound = "not_found"
        case alreadyExists = "already_exists"
        case insufficientQuantity = "insufficient_quantity"
        case binBlocked = "bin_blocked"
        case validationFailed = "validation_failed"
        case wrongLocationKind = "wrong_location_kind"
        case adjustmentBin = "adjustment_bin"
        case unitOfMeasure = "unit_of_measure"
        case countStale = "count_stale"
        case overflow = "overflow"
        case limitExceeded = "limit_exceeded"
        case notEmpty = "not_empty"
        case itemTracking = "item_tracking"
        case reserved = "reserved"
        case capacityExceeded = "capacity_exceeded"
        case warehouseClass = "warehouse_class"
        case adjustmentStale = "adjustment_stale"
    }
    public var reason: Reason
    public var message: String
    /// Facts a script can act on, e.g. "line", "bin", "available", "staleLines".
    public var details: [String: DetailValue]

    public init(_ reason: Reason, _ message: String, details: [String: DetailValue] = [:]) {
        self.reason = reason
        self.message = message
        self.details = details
    }
    public var description: String { "\(reason.rawValue): \(message)" }

    /// A detail value: text, a quantity, a number, or a list of numbers.
    public enum DetailValue: Sendable, Equatable {
        case text(String), quantity(Quantity), int(Int), ints([Int])
    }

    /// Adds the journal line number to a line's error so the caller can find it.
    func atLine(_ line: Int) -> DomainError {
        var e = self
        e.details["line"] = .int(line)
        e.message = "line \(line): " + message
        return e
    }
}
