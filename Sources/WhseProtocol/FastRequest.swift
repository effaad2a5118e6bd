import Warehouse

/// A posting request read straight from its line's bytes into its typed command, with `JSONReader`: no JSON tree, no
/// dictionary per object, no hashing of keys (the general path, `JSONParser` then `RPCRequest.validate` then
/// `ParamsCatalogue.decode`, cost a 1-line `whseItemJournal.register` about 35,000 instructions, a fifth of whsed's
/// CPU per posting; BENCHMARKS.md, fifth session).
///
/// It reads only `whseItemJournal.register`, the method that carries most postings, and only when everything is
/// ordinary: each envelope member once, an integer or string `id`, codes in printable ASCII, quantities in their plain
/// spelling, no member it does not know, no more lines than `maxJournalLines`. For anything else it returns nil and
/// the caller takes the general path, which reads the rest and words every error. Where both read a request they
/// agree on its id, method, command, idempotency key and line count: `FastRequestTests` compares them on thousands
/// of generated requests.
public enum FastRequest {
    public struct Decoded: Sendable {
        public var id: JSON
        public var method: String
        public var command: WhseItemJournalRegisterParams
        public var idempotencyKey: String?
        public var lines: Int { command.lines.count }
    }

    /// `maxIdempotencyKeyBytes` is the daemon's limit on a key's length (`StateMachine.maxIdempotencyKeyBytes`).
    public static func decode(
        _ raw: UnsafeRawBufferPointer, maxJournalLines: Int, maxIdempotencyKeyBytes: Int, maxDepth: Int = 64
    ) -> Decoded? {
        guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self), raw.count > 0 else { return nil }
        var r = JSONReader(base, count: raw.count, maxDepth: maxDepth)
        do {
            guard try r.peek() == .object else { return nil }
            try r.beginObject()
            var id: JSON? = nil
            var sawVersion = false
            var method = false
            var sawParams = false
            // The params are read in place when the method came first (as clients write it), else kept to read after.
            var params: UnsafeBufferPointer<UInt8>? = nil
            var read: (WhseItemJournalRegisterParams, String?)? = nil
            let most = min(maxJournalLines, AdmissionLimits.maxJournalLines)
            while try r.nextKey() {
                if r.key(is: "jsonrpc") {
                    guard !sawVersion, try r.peek() == .string, try r.string() == "2.0" else { return nil }
                    sawVersion = true
                } else if r.key(is: "id") {
                    guard id == nil else { return nil }
                    switch try r.peek() {
                    case .string:
                        id = .string(try r.string())
                    case .number:
                        let text = try r.text()
                        guard !text.utf8.contains(where: { $0 == 0x2E || $0 == 0x65 || $0 == 0x45 }) else { return nil }
                        id = .number(text)
                    default: return nil
                    }
                } else if r.key(is: "method") {
                    guard !method, try r.peek() == .string,
                        try r.string() == WhseItemJournalRegisterParams.method
                    else { return nil }
                    method = true
                } else if r.key(is: "params") {
                    guard !sawParams, try r.peek() == .object else { return nil }
                    sawParams = true
                    if method {
                        guard let p = try whseItemJournal(&r, maxLines: most, maxKeyBytes: maxIdempotencyKeyBytes)
                        else { return nil }
                        read = p
                    } else {
                        params = try r.rawValue()
                    }
                } else {
                    return nil
                }
            }
            try r.end()
            guard sawVersion, method, sawParams, let id else { return nil }
            if read == nil, let params, let p = params.baseAddress {
                var pr = JSONReader(p, count: params.count, maxDepth: maxDepth)
                read = try whseItemJournal(&pr, maxLines: most, maxKeyBytes: maxIdempotencyKeyBytes)
            }
            guard let (command, key) = read else { return nil }
            return Decoded(
                id: id, method: WhseItemJournalRegisterParams.method, command: command, idempotencyKey: key)
        } catch {
            return nil
        }
    }

    /// `whseItemJournal.register`'s params object; nil when anything needs the general path.
    static func whseItemJournal(_ r: inout JSONReader, maxLines: Int, maxKeyBytes: Int) throws(JSONParseError)
        -> (WhseItemJournalRegisterParams, String?)?
    {
        try r.beginObject()
        var location: String? = nil
        var documentNo: String? = nil
        var registeringDate: String? = nil
        var key: String? = nil
        var lines: [WhseItemJournalLine]? = nil
        var seen = SeenMembers()
        while try r.nextKey() {
            if r.key(is: "location") {
                guard seen.first(1), let c = try code(&r), let s = c else { return nil }
                location = s
            } else if r.key(is: "lines") {
                guard seen.first(2), try r.peek() == .array else { return nil }
                try r.beginArray()
                var list: [WhseItemJournalLine] = []
                while try r.nextElement() {
                    guard list.count < maxLines, let line = try whseItemJournalLine(&r) else { return nil }
                    list.append(line)
                }
                lines = list
            } else if r.key(is: "documentNo") {
                guard seen.first(4), let s = try code(&r) else { return nil }
                documentNo = s
            } else if r.key(is: "registeringDate") {
                guard seen.first(8), let s = try code(&r) else { return nil }
                registeringDate = s
            } else if r.key(is: "idempotencyKey") {
                guard seen.first(16), try r.peek() == .string else { return nil }
                let k = try r.string()
                guard !k.isEmpty, k.utf8.count <= maxKeyBytes else { return nil }
                key = k
            } else {
                return nil
            }
        }
        guard let location, let lines else { return nil }
        return (
            WhseItemJournalRegisterParams(
                location: location, documentNo: documentNo, registeringDate: registeringDate, lines: lines), key
        )
    }

    static func whseItemJournalLine(_ r: inout JSONReader) throws(JSONParseError) -> WhseItemJournalLine? {
        guard try r.peek() == .object else { return nil }
        try r.beginObject()
        var item: String? = nil
        var bin: String? = nil
        var quantity: Quantity? = nil
        var zone: String? = nil
        var unit: String? = nil
        var lot: String? = nil
        var serial: String? = nil
        var expiration: String? = nil
        var seen = SeenMembers()
        while try r.nextKey() {
            if r.key(is: "item") {
                guard seen.first(1), let c = try code(&r), let s = c else { return nil }
                item = s
            } else if r.key(is: "bin") {
                guard seen.first(2), let c = try code(&r), let s = c else { return nil }
                bin = s
            } else if r.key(is: "quantity") {
                let kind = try r.peek()
                guard seen.first(4), kind == .number || kind == .string else { return nil }
                guard let q = Quantity.plain(try r.text()) else { return nil }
                quantity = q
            } else if r.key(is: "zone") {
                guard seen.first(8), let s = try code(&r) else { return nil }
                zone = s
            } else if r.key(is: "unitOfMeasure") {
                guard seen.first(16), let s = try code(&r) else { return nil }
                unit = s
            } else if r.key(is: "lot") {
                guard seen.first(32), let s = try code(&r) else { return nil }
                lot = s
            } else if r.key(is: "serial") {
                guard seen.first(64), let s = try code(&r) else { return nil }
                serial = s
            } else if r.key(is: "expirationDate") {
                guard seen.first(128), let s = try code(&r) else { return nil }
                expiration = s
            } else {
                return nil
            }
        }
        guard let item, let bin, let quantity else { return nil }
        return WhseItemJournalLine(
            item: item, zone: zone, bin: bin, quantity: quantity, unitOfMeasure: unit, lot: lot, serial: serial,
            expirationDate: expiration)
    }

    /// The members of one object read so far, a bit each: a member given twice sends the request the general way.
    struct SeenMembers {
        var bits: UInt8 = 0
        /// True the first time `bit` is asked for.
        mutating func first(_ bit: UInt8) -> Bool {
            defer { bits |= bit }
            return bits & bit == 0
        }
    }

    /// A code member as `Params.optionalString` reads it: `.some(nil)` for null, `.some(code)` for a string in
    /// printable ASCII (already in its one spelling, nothing forbidden); nil (take the general path) for anything
    /// else.
    static func code(_ r: inout JSONReader) throws(JSONParseError) -> String?? {
        switch try r.peek() {
        case .null:
            try r.skipValue()
            return .some(nil)
        case .string:
            let s = try r.string()
            return CodeText.isPrintableASCII(s) ? .some(s) : nil
        default:
            return nil
        }
    }
}

extension WhseItemJournalRegisterParams {
    /// The params of its log record (`encoded(idempotencyKey:)` serialized), written member by member in the order
    /// of the keys' bytes instead of through a dictionary per line: what the event loop computes for every posting
    /// of this method. `FastRequestTests` compares the two on generated commands.
    public func serializedParams(idempotencyKey: String?) -> [UInt8] {
        var w = JSONObjectWriter(capacity: 96 + lines.count * 72)
        if let documentNo { w.member("documentNo", string: documentNo) }
        if let idempotencyKey { w.member("idempotencyKey", string: idempotencyKey) }
        w.beginArray("lines")
        for line in lines {
            w.beginElement()
            w.member("bin", string: line.bin)
            if let e = line.expirationDate { w.member("expirationDate", string: e) }
            w.member("item", string: line.item)
            if let lot = line.lot { w.member("lot", string: lot) }
            w.member("quantity", line.quantity.json)
            if let serial = line.serial { w.member("serial", string: serial) }
            if let unit = line.unitOfMeasure { w.member("unitOfMeasure", string: unit) }
            if let zone = line.zone { w.member("zone", string: zone) }
            w.endObject()
        }
        w.endArray()
        w.member("location", string: location)
        if let registeringDate { w.member("registeringDate", string: registeringDate) }
        return w.finish()
    }
}
