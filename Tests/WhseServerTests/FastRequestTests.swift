import Testing
import Warehouse
import WhseCore
import WhseProtocol

/// `FastRequest` reads a posting straight from its bytes; the general path (`JSONParser`, `RPCRequest.validate`,
/// `StateMachine.idempotencyKey`, `ParamsCatalogue.decode`) reads every request and words every error. Wherever the
/// fast path reads a request, the general path must read it too, to the same id, method, command, key and line
/// count; wherever it declines, the general path decides alone. Thousands of generated requests, ordinary and odd.
@Suite struct FastRequestTests {
    struct Gen {
        var rng = SystemRandomNumberGenerator()
        mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &rng) < percent }
        mutating func pick<T>(_ xs: [T]) -> T { xs.randomElement(using: &rng)! }

        /// A string literal: mostly plain codes, sometimes escapes, non-ASCII, controls or spaces.
        mutating func stringLiteral() -> String {
            let plain = pick(["I00042", "B00017", "WHITE", "PCS", "LOT-1", "D7", "2026-12-07", "A B", "x"])
            switch Int.random(in: 0..<100, using: &rng) {
            case 0..<80: return "\"" + plain + "\""
            case 80..<84: return "\"I\\u0030042\""  // an escape that unescapes to printable ASCII
            case 84..<88: return "\"caf\u{e9}\""
            case 88..<91: return "\"cafe\u{301}\""  // not NFC: the general path normalizes it
            case 91..<94: return "\"tab\\there\""
            case 94..<97: return "\"\""
            default: return "\"zero\u{200B}width\""
            }
        }

        mutating func value(string: Bool) -> String {
            if chance(90) { return string ? stringLiteral() : quantity() }
            return pick(["null", "1", "true", "{}", "[]", "\"1\"", "2.5"])
        }

        mutating func quantity() -> String {
            pick([
                "1", "-1", "3", "12.5", "-0.00001", "0", "007", "1e2", "0.000001", "1.", "\"4\"", "\"-2.75\"",
                "10000000000000", "999999999999.99999", "1.123456", "\"1e3\""
            ])
        }

        /// A member list, shuffled, sometimes with a duplicate, an unknown member or a null optional.
        mutating func object(_ members: [(String, String)]) -> String {
            var m = members.shuffled(using: &rng)
            if chance(3), let first = m.first { m.append(first) }
            if chance(3) { m.append(("extra", "1")) }
            return "{" + m.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
        }

        mutating func line() -> String {
            var m: [(String, String)] = []
            if !chance(3) { m.append(("item", value(string: true))) }
            if !chance(3) { m.append(("bin", value(string: true))) }
            if !chance(3) { m.append(("quantity", chance(90) ? quantity() : value(string: false))) }
            for k in ["zone", "unitOfMeasure", "lot", "serial", "expirationDate"] where chance(15) {
                m.append((k, chance(30) ? "null" : value(string: true)))
            }
            return object(m)
        }

        mutating func request() -> String {
            var params: [(String, String)] = []
            if !chance(3) { params.append(("location", chance(95) ? "\"WHITE\"" : value(string: true))) }
            for k in ["documentNo", "registeringDate"] where chance(30) {
                params.append((k, chance(20) ? "null" : value(string: true)))
            }
            if chance(20) {
                let tooLong = "\"" + String(repeating: "k", count: 129) + "\""
                params.append(("idempotencyKey", pick(["\"k-1\"", "\"\"", "null", "7", "\"é-key\"", tooLong])))
            }
            if !chance(3) {
                let n = pick([0, 1, 1, 1, 2, 5])
                params.append(
                    ("lines", chance(97) ? "[" + (0..<n).map { _ in line() }.joined(separator: ",") + "]" : "{}"))
            }
            var envelope: [(String, String)] = [
                ("jsonrpc", chance(97) ? "\"2.0\"" : pick(["\"1.0\"", "2"])),
                ("method", chance(93) ? "\"whseItemJournal.register\"" : pick(["\"bin.contents\"", "1"])),
                ("params", chance(97) ? object(params) : pick(["[]", "null", "3"]))
            ]
            if !chance(5) { envelope.append(("id", pick(["1", "-7", "\"abc\"", "null", "1.5", "2e3", "{}", "42"]))) }
            var text = object(envelope)
            if chance(2) { text = " \t" + text + " \r" }
            if chance(2) { text += "x" }
            return text
        }
    }

    @Test func agreesWithTheGeneralPath() throws {
        var gen = Gen()
        var fastCount = 0
        let total = 20_000
        for _ in 0..<total {
            let text = gen.request()
            let bytes = Array(text.utf8)
            let fast = bytes.withUnsafeBytes {
                FastRequest.decode(
                    $0, maxJournalLines: 3, maxIdempotencyKeyBytes: StateMachine.maxIdempotencyKeyBytes)
            }
            guard let fast else { continue }
            fastCount += 1
            // The general path must read it, to the same request.
            let json = try JSONParser.parse(bytes, maxDepth: 64)
            guard case .success(let req) = RPCRequest.validate(json) else {
                Issue.record("the general path refused what the fast path read: \(text)")
                continue
            }
            #expect(req.id == fast.id, "\(text)")
            #expect(req.method == fast.method, "\(text)")
            let key = try StateMachine.idempotencyKey(req.params)
            #expect(key == fast.idempotencyKey, "\(text)")
            let command = try ParamsCatalogue.decode(method: req.method, params: req.params)
            let general = try #require(command as? WhseItemJournalRegisterParams)
            let mine = fast.command
            #expect(general == mine, "\(text)")
            #expect(general.lines.count == fast.lines, "\(text)")
            #expect(general.lines.count <= 3, "maxJournalLines is the fast path's limit too: \(text)")
            #expect(
                StateMachine.recordParams(general, idempotencyKey: key)
                    == StateMachine.recordParams(mine, idempotencyKey: fast.idempotencyKey), "\(text)")
        }
        // The generator must reach the fast path often, or the comparison shows nothing.
        #expect(fastCount > total / 25, "only \(fastCount) of \(total) generated requests took the fast path")
    }

    /// The record's params written straight are the command's tree serialized, for every member set and unset.
    @Test func serializedParamsAreTheTreeSerialized() {
        var gen = Gen()
        func maybe(_ s: String) -> String? { Bool.random() ? s : nil }
        for n in 0..<400 {
            let lines = (0..<(n % 4)).map { k in
                WhseItemJournalLine(
                    item: "I\(k)", zone: maybe("PICK"), bin: "B-\"\(k)\"",
                    quantity: Quantity(units: Int64(n * 7 - 900)),
                    unitOfMeasure: maybe("BOX"), lot: maybe("L\u{e9}"), serial: maybe("S1"),
                    expirationDate: maybe("2027-01-31"))
            }
            let command = WhseItemJournalRegisterParams(
                location: gen.pick(["WHITE", "W\\H"]), documentNo: maybe("D1"), registeringDate: maybe("2026-12-07"),
                lines: lines)
            for key in [nil, "k-\(n)"] {
                #expect(
                    command.serializedParams(idempotencyKey: key)
                        == command.encoded(idempotencyKey: key).serialized())
            }
        }
    }

    /// What whsed-bench and ordinary clients send takes the fast path; a notification, a batch, another method or
    /// an odd spelling does not.
    @Test func ordinaryPostingsTakeIt() {
        func decode(_ text: String) -> FastRequest.Decoded? {
            Array(text.utf8).withUnsafeBytes {
                FastRequest.decode($0, maxJournalLines: 10_000, maxIdempotencyKeyBytes: 128)
            }
        }
        func request(method: String = "whseItemJournal.register", quantity: String = "1", item: String = "I00001")
            -> String
        {
            #"{"jsonrpc":"2.0","id":17,"method":""# + method + #"","params":{"location":"WHITE","#
                + #""idempotencyKey":"k1","lines":[{"item":""# + item + #"","bin":"B00002","quantity":"# + quantity
                + #"},{"item":"I00003","bin":"B00004","quantity":"-2.5","unitOfMeasure":"PCS","lot":null}]}}"#
        }
        let ordinary = request()
        let d = decode(ordinary)
        #expect(d?.id == JSON(17))
        #expect(d?.idempotencyKey == "k1")
        #expect(d?.lines == 2)
        let command = d?.command
        #expect(command?.lines[1].quantity == Quantity(units: -250_000))
        #expect(command?.lines[1].unitOfMeasure == "PCS")
        #expect(command?.lines[1].lot == nil)
        #expect(
            decode(#"{"jsonrpc":"2.0","method":"whseItemJournal.register","params":{"location":"W","lines":[]}}"#)
                == nil)
        #expect(decode("[" + ordinary + "]") == nil)
        #expect(decode(request(method: "whseReclassJournal.register")) == nil)
        #expect(decode(request(quantity: "1e0")) == nil)
        #expect(decode(request(item: "I\u{e9}")) == nil)
    }
}
