import Warehouse

/// Typed access to a request's `params` object; every mistake becomes an invalid-params error naming the parameter.
public struct Params: Sendable {
    public let object: [String: JSON]
    /// A prefix for messages about nested objects, e.g. "lines[3]."
    public let path: String
    /// True for a request being accepted, false for a logged record being replayed. Admission rules (the limits on
    /// element counts, the characters allowed in codes) apply only to the first: a record acknowledged under one
    /// set of limits replays under any other (protocol.md §9).
    public let admission: Bool
    /// True for values read from a CSV file, where every cell is text: an integer or a boolean may then be given as a
    /// string ("10000", "true"). Never set for a request.
    public let textCells: Bool

    public init(_ json: JSON?, path: String = "", admission: Bool = true, textCells: Bool = false) throws(RPCError) {
        switch json {
        case nil, .null?: object = [:]
        case .object(let o)?: object = o
        case .array?:
            throw RPCError.invalidParams(
                "params must be an object with named parameters (by-position params are not supported)")
        default: throw RPCError.invalidParams("\(path.isEmpty ? "params" : path) must be an object")
        }
        self.path = path
        self.admission = admission
        self.textCells = textCells
    }

    func name(_ key: String) -> String { path + key }

    /// Refuses parameters the method does not know, so a typo is an error rather than silently ignored.
    public func allowOnly(_ keys: Set<String>) throws(RPCError) {
        // The common case (no unknown key) sorts nothing; an error names the first unknown key in sorted order.
        guard object.keys.contains(where: { !keys.contains($0) }) else { return }
        for k in object.keys.sorted() where !keys.contains(k) {
            throw RPCError.invalidParams(
                "unknown parameter \(name(k)) (known: \(keys.sorted().joined(separator: ", ")))", param: name(k))
        }
    }

    /// A code (item no., location, bin, lot no., document no., journal name, …) in its one spelling: Unicode NFC,
    /// so codes that differ only in how they are spelled in Unicode are the same code, stored and compared by their
    /// bytes (protocol.md §5.2). At admission, codes with control, format, separator, private-use or unassigned
    /// characters are refused.
    public func optionalString(_ key: String) throws(RPCError) -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let s)?:
            // Printable ASCII (nearly every code) is already in its one spelling and holds no forbidden character.
            if CodeText.isPrintableASCII(s) { return s }
            let code = CodeText.normalized(s)
            if admission, let bad = CodeText.forbiddenScalar(in: code) {
                throw RPCError.invalidParams(
                    "\(name(key)) must not contain \(CodeText.describe(bad)): codes hold no control, format or separator characters",
                    param: name(key))
            }
            return code
        default: throw RPCError.invalidParams("\(name(key)) must be a string", param: name(key))
        }
    }

    /// A free text (a description, a name): kept byte for byte as sent, never normalized.
    public func optionalText(_ key: String) throws(RPCError) -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let s)?: return s
        default: throw RPCError.invalidParams("\(name(key)) must be a string", param: name(key))
        }
    }

    public func string(_ key: String) throws(RPCError) -> String {
        guard let s = try optionalString(key) else {
            throw RPCError.invalidParams("\(name(key)) is required", param: name(key))
        }
        return s
    }

    public func optionalBool(_ key: String) throws(RPCError) -> Bool? {
        switch object[key] {
        case nil, .null?: return nil
        case .bool(let b)?: return b
        case .string("true")? where textCells: return true
        case .string("false")? where textCells: return false
        default: throw RPCError.invalidParams("\(name(key)) must be true or false", param: name(key))
        }
    }

    public func optionalInt(_ key: String, range: ClosedRange<Int> = 0...Int(Int32.max)) throws(RPCError) -> Int? {
        switch object[key] {
        case nil, .null?: return nil
        case let v?:
            let int = textCells ? v.intValue ?? v.stringValue.flatMap { Int($0) } : v.intValue
            guard let i = int, range.contains(i) else {
                throw RPCError.invalidParams(
                    "\(name(key)) must be an integer in \(range.lowerBound)...\(range.upperBound)", param: name(key))
            }
            return i
        }
    }

    /// A quantity given as a JSON number or a decimal string; never rounded.
    public func optionalQuantity(_ key: String) throws(RPCError) -> Quantity? {
        let text: String
        switch object[key] {
        case nil, .null?: return nil
        case .number(let t)?: text = t
        case .string(let t)?: text = t
        default: throw RPCError.invalidParams("\(name(key)) must be a decimal number", param: name(key))
        }
        do {
            return try Quantity(parsing: text)
        } catch {
            throw RPCError.invalidParams("\(name(key)): \(error.description)", param: name(key))
        }
    }

    public func quantity(_ key: String) throws(RPCError) -> Quantity {
        guard let q = try optionalQuantity(key) else {
            throw RPCError.invalidParams("\(name(key)) is required", param: name(key))
        }
        return q
    }

    public func optionalEnum<E: RawRepresentable>(_ key: String, _ type: E.Type) throws(RPCError) -> E?
    where E.RawValue == String, E: CaseIterable {
        guard let s = try optionalString(key) else { return nil }
        guard let v = E(rawValue: s) else {
            let known = E.allCases.map(\.rawValue).joined(separator: ", ")
            throw RPCError.invalidParams("\(name(key)) must be one of \(known), not \"\(s)\"", param: name(key))
        }
        return v
    }

    /// An array of objects, each decoded by `body`; at most `max` elements.
    public func objects<T>(
        _ key: String, max: Int, limit: String = "maxJournalLines", required: Bool = true,
        _ body: (Params) throws(RPCError) -> T
    )
        throws(RPCError) -> [T]
    {
        switch object[key] {
        case nil, .null?:
            if required { throw RPCError.invalidParams("\(name(key)) is required", param: name(key)) }
            return []
        case .array(let a)?:
            guard !admission || a.count <= max else {
                throw RPCError.limitExceeded(
                    "\(name(key)) has \(a.count) elements; at most \(max) are allowed",
                    limit: limit, value: max)
            }
            var out: [T] = []
            out.reserveCapacity(a.count)
            for (i, element) in a.enumerated() {
                out.append(
                    try body(
                        try Params(
                            element, path: "\(name(key))[\(i)].", admission: admission,
                            textCells: textCells)))
            }
            return out
        default:
            throw RPCError.invalidParams("\(name(key)) must be an array", param: name(key))
        }
    }

    /// The `fields` parameter of a read: the members to return, each a member of `defaults`' type; `.lean` when absent.
    public func memberSelection(_ key: String = "fields", of defaults: MemberDefaults)
        throws(RPCError) -> MemberSelection
    {
        switch object[key] {
        case nil, .null?: return .lean
        case .array(let a)?:
            guard !a.isEmpty else {
                throw RPCError.invalidParams("\(name(key)) must name at least one member", param: name(key))
            }
            var names: [String] = []
            names.reserveCapacity(min(a.count, defaults.members.count))
            for (i, v) in a.enumerated() {
                guard case .string(let s) = v else {
                    throw RPCError.invalidParams("\(name(key))[\(i)] must be a string", param: "\(name(key))[\(i)]")
                }
                guard defaults.has(s) else {
                    // Quoted as JSON, and only when short: the message is no echo chamber for a long string.
                    let shown = s.utf8.count <= 64 ? " " + JSON.string(s).serializedString : ""
                    throw RPCError.invalidParams(
                        "\(name(key))[\(i)]\(shown) is not a member of \(defaults.type) "
                            + "(known: \(defaults.members.joined(separator: ", ")))",
                        param: "\(name(key))[\(i)]")
                }
                if !names.contains(s) { names.append(s) }
            }
            return .only(names)
        default: throw RPCError.invalidParams("\(name(key)) must be an array of member names", param: name(key))
        }
    }

    /// An array of integers.
    public func optionalInts(_ key: String, max: Int) throws(RPCError) -> [Int]? {
        switch object[key] {
        case nil, .null?: return nil
        case .array(let a)?:
            guard !admission || a.count <= max else {
                throw RPCError.invalidParams("\(name(key)) has more than \(max) elements", param: name(key))
            }
            var out: [Int] = []
            for v in a {
                guard let i = v.intValue else {
                    throw RPCError.invalidParams("\(name(key)) must hold integers", param: name(key))
                }
                out.append(i)
            }
            return out
        default: throw RPCError.invalidParams("\(name(key)) must be an array of integers", param: name(key))
        }
    }
}
