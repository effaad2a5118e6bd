import Warehouse

/// The members of one wire object, named once: an enum whose cases are the members' wire names. A type's decoder
/// refuses members outside its `Key` and its encoder writes only members of it, so the two cannot drift apart, and a
/// misspelt member is a compile error on both sides of the socket.
public protocol MemberKey: RawRepresentable, CaseIterable, Hashable, Sendable where RawValue == String {}

/// A value that goes on the wire as one JSON value.
public protocol WireValue {
    var wire: JSON { get }
}

/// An object of the wire decoded and encoded through its own `Key`s: a method's params, or a line inside them.
/// `decode(encode(x)) == x` for every value a decoder returns, so a decoded value can be logged by re-encoding it.
public protocol WireObject: WireValue, Sendable, Equatable {
    associatedtype Key: MemberKey
    /// Checks every member (unknown ones, types, required ones, ranges, rules between members) and normalizes codes.
    init(decoding p: Params) throws(RPCError)
    /// The members set, as a JSON object the decoder accepts; absent optional members are left out.
    func encoded() -> JSON
}

extension WireObject {
    public var wire: JSON { encoded() }
}

/// The typed params of one method of `MethodCatalogue`. whsed decodes a request's params into it before it touches the
/// books; whsectl builds its requests from it.
public protocol RPCParams: WireObject {
    static var method: String { get }
    /// The params as a log record holds them: `encoded(idempotencyKey:)` serialized. A type on the posting path may
    /// write the same bytes directly.
    func serializedParams(idempotencyKey: String?) -> [UInt8]
}

extension RPCParams {
    public func serializedParams(idempotencyKey: String?) -> [UInt8] {
        encoded(idempotencyKey: idempotencyKey).serialized()
    }

    /// Whether the method changes the books, and so takes the common member `idempotencyKey` (protocol.md §8).
    public static var posts: Bool { MethodCatalogue.byName[method]?.mutates ?? false }

    /// The members of `p`, refusing unknown ones; `idempotencyKey` is known to every posting method.
    public static func members(_ p: Params) throws(RPCError) -> Members<Key> {
        try p.members(Key.self, idempotencyKey: posts)
    }

    /// The params as a request's `params`, with the idempotency key of a posting when one is given.
    public func encoded(idempotencyKey: String?) -> JSON {
        guard let idempotencyKey, case .object(var o) = encoded() else { return encoded() }
        o[Params.idempotencyKey] = .string(idempotencyKey)
        return .object(o)
    }
}

extension Params {
    /// The member every posting method takes besides its own (protocol.md §8).
    public static let idempotencyKey = "idempotencyKey"

    /// The members of this object, all of them `K`'s (or `idempotencyKey` when `idempotencyKey` is true), except the
    /// ones in `except`.
    public func members<K: MemberKey>(
        _: K.Type, idempotencyKey: Bool = false, except: Set<K> = []
    )
        throws(RPCError) -> Members<K>
    {
        func known(_ name: String) -> Bool {
            if idempotencyKey && name == Params.idempotencyKey { return true }
            guard let k = K(rawValue: name) else { return false }
            return !except.contains(k)
        }
        // The common case (no unknown member) builds nothing; an error names the first unknown one in sorted order.
        if object.keys.contains(where: { !known($0) }) {
            var names = K.allCases.filter { !except.contains($0) }.map(\.rawValue)
            if idempotencyKey { names.append(Params.idempotencyKey) }
            try allowOnly(Set(names))
        }
        return Members(params: self)
    }
}

/// The members of one params object, read by key. Every accessor throws the invalid-params error naming the member
/// with its path (e.g. `lines[3].quantity`).
public struct Members<K: MemberKey>: Sendable {
    public let params: Params

    public var admission: Bool { params.admission }
    /// Whether the member is there at all, `null` included.
    public func has(_ k: K) -> Bool { params.object[k.rawValue] != nil }
    public func name(_ k: K) -> String { params.name(k.rawValue) }

    public func string(_ k: K) throws(RPCError) -> String { try params.string(k.rawValue) }
    public func optionalString(_ k: K) throws(RPCError) -> String? { try params.optionalString(k.rawValue) }
    public func optionalText(_ k: K) throws(RPCError) -> String? { try params.optionalText(k.rawValue) }
    /// A YYYY-MM-DD date given as a filter: any other string is `invalid_params` (a date a posting carries is
    /// checked by the domain instead, `validation_failed`).
    public func optionalDate(_ k: K) throws(RPCError) -> String? {
        guard let s = try params.optionalText(k.rawValue) else { return nil }
        guard EntryFilter.isDate(s) else {
            throw RPCError.invalidParams("\(name(k)) must be a date (YYYY-MM-DD)", param: name(k))
        }
        return s
    }
    public func optionalBool(_ k: K) throws(RPCError) -> Bool? { try params.optionalBool(k.rawValue) }
    public func quantity(_ k: K) throws(RPCError) -> Quantity { try params.quantity(k.rawValue) }
    public func optionalQuantity(_ k: K) throws(RPCError) -> Quantity? { try params.optionalQuantity(k.rawValue) }
    public func optionalInts(_ k: K, max: Int) throws(RPCError) -> [Int]? {
        try params.optionalInts(k.rawValue, max: max)
    }

    public func optionalInt(_ k: K, range: ClosedRange<Int> = 0...Int(Int32.max)) throws(RPCError) -> Int? {
        try params.optionalInt(k.rawValue, range: range)
    }

    public func bool(_ k: K) throws(RPCError) -> Bool {
        guard let b = try optionalBool(k) else { throw required(k) }
        return b
    }

    public func int(_ k: K, range: ClosedRange<Int>) throws(RPCError) -> Int {
        guard let i = try optionalInt(k, range: range) else { throw required(k) }
        return i
    }

    public func optionalEnum<E: RawRepresentable & CaseIterable>(_ k: K, _ type: E.Type) throws(RPCError) -> E?
    where E.RawValue == String {
        try params.optionalEnum(k.rawValue, type)
    }

    public func requiredEnum<E: RawRepresentable & CaseIterable>(_ k: K, _ type: E.Type) throws(RPCError) -> E
    where E.RawValue == String {
        guard let e = try optionalEnum(k, type) else { throw required(k) }
        return e
    }

    /// The `fields` of a read: the members of `defaults`' type to return; `.lean` when absent.
    public func memberSelection(_ k: K, of defaults: MemberDefaults) throws(RPCError) -> MemberSelection {
        try params.memberSelection(k.rawValue, of: defaults)
    }

    /// A code that `null` clears: nil when absent, `.some(nil)` when null, the code when a string.
    public func clearableString(_ k: K) throws(RPCError) -> String?? {
        has(k) ? .some(try optionalString(k)) : nil
    }

    /// An array of objects each decoded by `body`; at most `max` elements at admission.
    public func objects<T>(
        _ k: K, max: Int, limit: String = "maxJournalLines", required: Bool = true,
        _ body: (Params) throws(RPCError) -> T
    ) throws(RPCError) -> [T] {
        try params.objects(k.rawValue, max: max, limit: limit, required: required, body)
    }

    /// An array of wire objects of one type.
    public func list<T: WireObject>(
        _ k: K, of _: T.Type, max: Int, limit: String = "maxJournalLines",
        required: Bool = true
    ) throws(RPCError) -> [T] {
        try params.objects(k.rawValue, max: max, limit: limit, required: required) {
            (x: Params) throws(RPCError) -> T in
            try T(decoding: x)
        }
    }

    /// A nested object (absent or null: an empty one), its members named with this one's path.
    public func object(_ k: K) throws(RPCError) -> Params {
        try Params(params.object[k.rawValue], path: name(k) + ".", admission: admission, textCells: params.textCells)
    }

    func required(_ k: K) -> RPCError { RPCError.invalidParams("\(name(k)) is required", param: name(k)) }
}

/// Builds a wire object from `K`'s members; members given as nil are left out.
public struct MemberWriter<K: MemberKey> {
    public private(set) var object: [String: JSON]
    /// Room for a typical object's members up front: growing from empty rehashes at 1, 2, 4 and 8 members.
    public init() { object = Dictionary(minimumCapacity: 10) }
    public mutating func set<V: WireValue>(_ k: K, _ value: V?) {
        if let value { object[k.rawValue] = value.wire }
    }
    /// Writes `null`: for the members where null means something (a code cleared).
    public mutating func setNull(_ k: K) { object[k.rawValue] = .null }
    /// Writes the value, or `null` when there is none: for result members that are always there.
    public mutating func setOrNull<V: WireValue>(_ k: K, _ value: V?) {
        object[k.rawValue] = value?.wire ?? .null
    }
    public mutating func set(_ k: K, clearable value: String??) {
        switch value {
        case nil: break
        case .some(nil): setNull(k)
        case .some(let v?): set(k, v)
        }
    }
    /// A `fields` selection: written only when it names members.
    public mutating func set(_ k: K, selection: MemberSelection) {
        if case .only(let names) = selection { set(k, names) }
    }
    public var json: JSON { .object(object) }
}

/// The limits a request is admitted under that the params decoders check (protocol.md §9); whsed sets them at
/// start-up.
public enum AdmissionLimits {
    /// Most lines in one journal request (`maxJournalLines`).
    nonisolated(unsafe) public static var maxJournalLines = 10_000
}

/// The params type of every method: one table for the daemon, whsectl and the tests.
public enum ParamsCatalogue {
    public static let all: [any RPCParams.Type] =
        masterData + journals + reservations + counting + queries + follow + server

    public static let byMethod: [String: any RPCParams.Type] = Dictionary(
        uniqueKeysWithValues: all.map { ($0.method, $0) })

    /// Decodes the params of a request (or, with `admission` false, of a logged record) into its method's type.
    public static func decode(method: String, params: JSON?, admission: Bool = true) throws(RPCError) -> any RPCParams {
        guard let type = byMethod[method] else { throw RPCError.methodNotFound(method) }
        return try type.init(decoding: try Params(params, admission: admission))
    }
}

extension String: WireValue {
    public var wire: JSON { .string(self) }
}

extension Bool: WireValue {
    public var wire: JSON { .bool(self) }
}

extension Int: WireValue {
    public var wire: JSON { JSON(self) }
}

extension Quantity: WireValue {
    public var wire: JSON { json }
}

extension Array: WireValue where Element: WireValue {
    public var wire: JSON { .array(map(\.wire)) }
}

extension WireValue where Self: RawRepresentable, RawValue == String {
    public var wire: JSON { .string(rawValue) }
}

extension JSON: WireValue {
    public var wire: JSON { self }
}

extension LocationKind: WireValue {}
extension CapacityPolicy: WireValue {}
extension BlockMovement: WireValue {}
extension EntryType: WireValue {}

/// The `Key` of an object without members.
public struct NoMembers: MemberKey {
    public let rawValue: String
    public init?(rawValue: String) { return nil }
    public static var allCases: [NoMembers] { [] }
}

/// The params of a method that takes none: any member is refused.
public protocol NoParams: RPCParams where Key == NoMembers {
    init()
}

extension NoParams {
    public init(decoding p: Params) throws(RPCError) {
        _ = try Self.members(p)
        self.init()
    }

    public func encoded() -> JSON { .object([:]) }
}
