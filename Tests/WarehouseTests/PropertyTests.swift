import Testing
@testable import Warehouse

/// A small deterministic generator (SplitMix64), so a failing seed can be replayed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random operation sequences over all journals, all location kinds and mixed units: after every step the
/// invariants hold, and every refused request left the state exactly as it was.
@Suite struct LedgerProperties {
    static func world() throws -> Ledger {
        let l = Ledger()
        try l.createLocation(code: "DIR", kind: .directed)
        try l.createZone(location: "DIR", code: "PICK", binType: "PICK")
        try l.createZone(location: "DIR", code: "RCV", binType: "RECEIVE")
        for b in ["A1", "A2", "A3"] { try l.createBin(location: "DIR", code: b, zone: "PICK") }
        try l.createBin(location: "DIR", code: "R1", zone: "RCV")
        try l.createLocation(code: "BAS", kind: .basic)
        for b in ["S1", "S2"] { try l.createBin(location: "BAS", code: b) }
        try l.createLocation(code: "PLN", kind: .plain)
        try l.createItem(no: "I1", unitsOfMeasure: [("BOX", Quantity(12)), ("PACK", q("2.5"))])
        try l.createItem(no: "I2", baseUnitOfMeasure: "KG", unitsOfMeasure: [("G", q("0.001"))])
        return l
    }

    static func step(_ l: Ledger, _ r: inout SplitMix) throws(DomainError) {
        func pick<T>(_ a: [T]) -> T { a[Int.random(in: 0..<a.count, using: &r)] }
        func qty(signed: Bool) -> Quantity {
            var v = Quantity(units: Int64.random(in: 1...2_000_000, using: &r) / 1000 * 1000)   // up to 20, 2 decimals
            if Int.random(in: 0..<10, using: &r) == 0 { v = Quantity(Int.random(in: 50...500, using: &r)) }
            if signed && Bool.random(using: &r) { v = v.negated }
            return v
        }
        let items = ["I1", "I2"]
        func unit(_ item: String) -> String { item == "I1" ? pick(["PCS", "BOX", "PACK"]) : pick(["KG", "G"]) }
        switch Int.random(in: 0..<12, using: &r) {
        case 0, 1:
            let lines = (0..<Int.random(in: 1...3, using: &r)).map { _ in
                let it = pick(items)
                return WhseItemJournalLine(item: it, bin: pick(["A1", "A2", "A3", "R1"]), quantity: qty(signed: true), unitOfMeasure: unit(it))
            }
            try l.registerWhseItemJournal(location: "DIR", lines: lines, context: ctx)
        case 2:
            let it = pick(items)
            try l.registerWhseReclassJournal(location: "DIR", lines: [WhseReclassJournalLine(
                item: it, fromBin: pick(["A1", "A2", "A3"]), toBin: pick(["A1", "A2", "A3"]), quantity: qty(signed: false),
                unitOfMeasure: unit(it))], context: ctx)
        case 3:
            let loc = pick(["DIR", "BAS", "PLN"])
            let it = pick(items)
            try l.postItemJournal(lines: [ItemJournalLine(
                entryType: pick([.purchase, .sale, .positiveAdjmt, .negativeAdjmt]), location: loc,
                bin: loc == "BAS" ? pick(["S1", "S2"]) : nil, item: it, quantity: qty(signed: Int.random(in: 0..<5, using: &r) == 0),
                unitOfMeasure: unit(it))], context: ctx)
        case 4:
            if Bool.random(using: &r) {
                try l.calculateWhseAdjustment(location: "DIR", item: Bool.random(using: &r) ? nil : pick(items), context: ctx)
            } else {
                try l.postItemJournalBatch("DEFAULT", context: ctx)
            }
        case 5:
            if l.state.whseCountJournals["C"] == nil {
                try l.calculateWhseCount(location: "DIR", journal: "C", includeZero: Bool.random(using: &r), context: ctx)
            } else {
                try l.registerWhseCount(journal: "C", context: ctx)
            }
        case 6:
            guard let j = l.state.whseCountJournals["C"], !j.lines.isEmpty else { return }
            let line = pick(j.lines)
            try l.recordWhseCounts(journal: "C", counts: [CountInput(lineNo: line.lineNo, quantity: qty(signed: false))], context: ctx)
        case 7:
            if l.state.whseCountJournals["C"] != nil {
                if Bool.random(using: &r) { try l.recalculateWhseCount(journal: "C") } else { try l.deleteWhseCount(journal: "C") }
            }
        case 8:
            let loc = pick(["DIR", "BAS", "PLN"])
            let name = "P" + loc
            if l.state.physInventoryJournals[name] == nil {
                try l.calculatePhysInventory(location: loc, journal: name, context: ctx)
            } else {
                try l.postPhysInventory(journal: name, context: ctx)
            }
        case 9:
            let loc = pick(["BAS", "PLN"])
            guard let j = l.state.physInventoryJournals["P" + loc], !j.lines.isEmpty else { return }
            try l.recordPhysInventoryCounts(journal: j.name, counts: [CountInput(lineNo: pick(j.lines).lineNo, quantity: qty(signed: false))])
        case 10:
            for name in ["PDIR", "PBAS", "PPLN"] where l.state.physInventoryJournals[name] != nil {
                try l.recalculatePhysInventory(journal: name)
            }
        default:
            let (loc, bin) = pick([("DIR", "A1"), ("DIR", "A2"), ("BAS", "S1"), ("DIR", "ADJ")])
            try l.updateBin(location: loc, code: bin, blockMovement: pick(BlockMovement.allCases))
        }
    }

    @Test(arguments: 0..<8)
    func randomSequencesKeepInvariants(chunk: Int) throws {
        var refused = 0, accepted = 0
        for seed in (chunk * 250)..<((chunk + 1) * 250) {
            var r = SplitMix(state: UInt64(seed))
            let l = try LedgerProperties.world()
            for stepNo in 0..<40 {
                let before = l.state
                do {
                    try LedgerProperties.step(l, &r)
                    accepted += 1
                } catch {
                    refused += 1
                    if l.state != before { Issue.record("seed \(seed) step \(stepNo): refused (\(error)) but the state changed"); return }
                }
                let problems = l.verify()
                #expect(problems.isEmpty, "seed \(seed) step \(stepNo): \(problems)")
                if !problems.isEmpty { return }
            }
            // The snapshot codec gives back exactly the state it was given.
            var w = SnapshotWriter()
            l.state.encode(into: &w)
            var reader = try SnapshotReader(w.finish())
            let decoded = try LedgerState.decode(from: &reader)
            let same = decoded == l.state
            #expect(same && reader.atEnd, "seed \(seed): snapshot round trip differs")
            if !same { return }
        }
        #expect(accepted > 1000 && refused > 100, "the generator exercises both paths (accepted \(accepted), refused \(refused))")
    }
}
