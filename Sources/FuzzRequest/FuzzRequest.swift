import Warehouse
import WhseProtocol
import WhseServer

/// libFuzzer entry: parse a line as a request and run it against a small ledger through the same path as whsed
/// (envelope validation, params decoding, the handler, the domain). Nothing may trap; a refused request changes nothing.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let raw = UnsafeRawBufferPointer(start: data, count: size)
    guard let value = try? JSONParser.parse(raw, maxDepth: 64) else { return 0 }
    let requests: [JSON]
    if case .array(let a) = value { requests = a } else { requests = [value] }
    let machine = StateMachine()
    let ctx = PostingContext(user: "fuzz", timestamp: "2026-01-01T00:00:00Z", today: "2026-01-01")
    for seed in [
        #"{"m":"location.create","p":{"code":"WH1"},"c":{"u":"f","t":"t","d":"2026-01-01"}}"#,
        #"{"m":"zone.create","p":{"location":"WH1","code":"PICK","binType":"PICK"},"c":{"u":"f","t":"t","d":"2026-01-01"}}"#,
        #"{"m":"bin.create","p":{"location":"WH1","code":"A-01","zone":"PICK"},"c":{"u":"f","t":"t","d":"2026-01-01"}}"#,
        #"{"m":"item.create","p":{"no":"ITEM1","unitsOfMeasure":[{"code":"BOX","quantityPerUnitOfMeasure":12}]},"c":{"u":"f","t":"t","d":"2026-01-01"}}"#
    ] {
        let bytes = Array(seed.utf8)
        bytes.withUnsafeBytes { try! machine.replay($0) }
    }
    for r in requests.prefix(16) {
        guard case .success(let req) = RPCRequest.validate(r), let entry = MethodCatalogue.byName[req.method],
            Handlers.table[req.method] != nil
        else { continue }
        let before = machine.ledger.state
        let point = machine.ledger.savepoint()
        do {
            _ = try machine.execute(method: req.method, params: req.params, context: ctx)
            machine.ledger.release(point)
        } catch {
            machine.ledger.rollback(to: point)
            precondition(machine.ledger.state == before, "a refused \(req.method) changed the state")
        }
        _ = entry
        precondition(machine.ledger.verify().isEmpty, "invariants broken after \(req.method)")
    }
    return 0
}
