import Testing

@testable import Warehouse

@Suite struct ContentValuesTests {
    /// Random writes, removals and copies against a dictionary: every copy keeps the contents it had when it was
    /// taken (the committed view), across leaves, middle arrays and the top array.
    @Test func behavesLikeADictionaryWithValueSemantics() {
        var rng = SystemRandomNumberGenerator()
        var values = ContentValues()
        var model: [Int: BinContent] = [:]
        var copies: [(ContentValues, [Int: BinContent])] = []
        var next = 0
        for step in 0..<60_000 {
            if step % 1_500 == 0 { copies.append((values, model)) }
            let roll = Int.random(in: 0..<100, using: &rng)
            if roll < 30 || next == 0 {
                // A new number, the next one (as ContentTable gives them).
                let c = BinContent(
                    quantity: Quantity(step), quantityBase: Quantity(step * 2), lastEntryNo: step)
                values[next] = c
                model[next] = c
                next += 1
            } else if roll < 90 {
                let id = Int.random(in: 0..<next, using: &rng)
                let c = BinContent(quantity: Quantity(-step), quantityBase: Quantity(step), lastEntryNo: id)
                values[id] = c
                model[id] = c
            } else if roll < 95 {
                let id = Int.random(in: 0..<next, using: &rng)
                values[id] = nil
                model[id] = nil
            } else {
                // An id never written reads as nothing, and removing it changes nothing.
                #expect(values[next + 5000] == nil)
                values[next + 5000] = nil
            }
        }
        #expect(next > 4096 * 2, "the run must span several middle arrays")
        for id in 0..<next { #expect(values[id] == model[id]) }
        for (copy, snapshot) in copies {
            for id in stride(from: 0, to: next, by: 13) { #expect(copy[id] == snapshot[id]) }
        }
        #expect(values[-1] == nil)
    }
}
