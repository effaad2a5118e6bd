import Warehouse

/// The result of a method where it is a fixed object: whsed encodes it, whsectl decodes it, through one `Key`.
/// Decoding skips members the type does not know (a newer whsed may add some) and takes strings byte for byte.
public protocol RPCResult: WireObject {}

extension RPCResult {
    /// Decodes a `result` as whsed sent it.
    public init(result json: JSON) throws(RPCError) {
        try self.init(decoding: try Params(json, admission: false))
    }
}

extension Params {
    /// The members of a result object: unknown ones are skipped, not refused.
    public func resultMembers<K: MemberKey>(_: K.Type) -> Members<K> { Members(params: self) }
}

extension Members {
    /// A string kept as sent (results hold codes as stored).
    public func text(_ k: K) throws(RPCError) -> String {
        guard let s = try optionalText(k) else { throw required(k) }
        return s
    }

    /// An array of strings, each kept as sent.
    public func optionalTexts(_ k: K) throws(RPCError) -> [String]? {
        guard let a = try optionalArray(k) else { return nil }
        var out: [String] = []
        out.reserveCapacity(a.count)
        for v in a {
            guard case .string(let s) = v else {
                throw RPCError.invalidParams("\(name(k)) must hold strings", param: name(k))
            }
            out.append(s)
        }
        return out
    }

    /// An array of any JSON values (objects whose type is not fixed here).
    public func optionalArray(_ k: K) throws(RPCError) -> [JSON]? {
        switch params.object[k.rawValue] {
        case nil, .null?: return nil
        case .array(let a)?: return a
        default: throw RPCError.invalidParams("\(name(k)) must be an array", param: name(k))
        }
    }

    /// An array of objects of one type that the result always holds.
    public func objects<T: WireObject>(_ k: K, of _: T.Type) throws(RPCError) -> [T] {
        try list(k, of: T.self, max: Int.max)
    }

    /// A nested object of one type that the result always holds.
    public func object<T: WireObject>(_ k: K, _: T.Type) throws(RPCError) -> T {
        guard let v = try optionalObject(k, T.self) else { throw required(k) }
        return v
    }

    /// A nested object of one type; nil when absent or null.
    public func optionalObject<T: WireObject>(_ k: K, _: T.Type) throws(RPCError) -> T? {
        switch params.object[k.rawValue] {
        case nil, .null?: return nil
        case let v?: return try T(decoding: try Params(v, path: name(k) + ".", admission: admission))
        }
    }
}
