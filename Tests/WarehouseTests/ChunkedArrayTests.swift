import Testing

@testable import Warehouse

@Suite struct ChunkedArrayTests {
    @Test func appendRollbackAcrossChunkBoundaries() {
        var a = ChunkedArray<Int>()
        for i in 0..<10_000 { a.append(i) }
        #expect(a.count == 10_000 && a[4095] == 4095 && a[4096] == 4096 && a.last == 9999)
        let copy = a  // a snapshot: later appends to `a` must not show in it
        a.removeSubrange(4096...)
        #expect(a.count == 4096 && a.last == 4095)
        a.removeSubrange(100...)
        #expect(Array(a) == Array(0..<100))
        for i in 100..<5000 { a.append(i) }
        #expect(Array(a) == Array(0..<5000))
        #expect(copy.count == 10_000 && Array(copy) == Array(0..<10_000))
        a[10] = -1
        #expect(a[10] == -1 && copy[10] == 10)
        a.removeSubrange(0...)
        #expect(a.isEmpty && a.last == nil)
        #expect(a == ChunkedArray<Int>())
    }
}

@Suite struct ChunkedArrayDroppedPrefix {
    /// Whole chunks leave memory; indices stay absolute, the dropped range reads through `load`, copies taken before
    /// keep their chunks, and appending and rolling back go on at the end.
    @Test func droppedChunksReadThroughLoad() throws {
        var a = ChunkedArray<Int>()
        for i in 0..<10_000 { a.append(i) }
        let before = a
        a.load = { r in Array(r).map { $0 } }
        a.dropChunks(below: 9000)
        #expect(a.firstInMemory == 8192 && a.count == 10_000 && a[8192] == 8192)
        #expect(try a.element(5) == 5 && a.last == 9999)
        #expect(try a.elements(8000..<8300) == Array(8000..<8300))
        var seen: [Int] = []
        try a.scan(from: 100, step: 1000) { e in
            seen.append(e)
            return e < 9500
        }
        #expect(seen == Array(100...9500))
        #expect(before[5] == 5 && before.firstInMemory == 0)
        a.append(10_000)
        a.removeSubrange(9990...)
        #expect(a.count == 9990 && a.last == 9989)
        a.dropChunks(below: 100)  // below what is already dropped: nothing changes
        #expect(a.firstInMemory == 8192)
        var b = ChunkedArray<Int>(dropped: 4096, load: { r in Array(r) })
        b.append(4096)
        #expect(try b.count == 4097 && b[4096] == 4096 && b.element(7) == 7)
        let none = ChunkedArray<Int>(dropped: 4096)
        #expect(throws: ChunkedArrayError.self) { try none.element(0) }
    }
}

@Suite struct ChunkedArraySharing {
    final class Counted {
        nonisolated(unsafe) static var live = 0
        let v: Int
        init(_ v: Int) {
            self.v = v
            Counted.live += 1
        }
        deinit { Counted.live -= 1 }
    }

    /// A copy keeps what it saw while the original appends in place, diverges, rolls back and overwrites.
    @Test func copiesNeverSeeLaterChangesAndElementsAreFreed() {
        do {
            var a = ChunkedArray<Counted>()
            for i in 0..<5000 { a.append(Counted(i)) }
            let reader = a  // shares both chunks
            for i in 5000..<5100 { a.append(Counted(i)) }  // in place, past the reader's end
            #expect(reader.count == 5000 && a.count == 5100)
            var other = reader  // a second writer from the same point diverges
            other.append(Counted(-1))
            #expect(other[5000].v == -1 && a[5000].v == 5000 && reader.count == 5000)
            a.removeSubrange(4500...)  // shared chunk: copied, not truncated under the reader
            #expect(reader[4999].v == 4999 && other[4999].v == 4999 && a.count == 4500)
            a.append(Counted(-2))
            #expect(a[4500].v == -2 && reader[4500].v == 4500)
            a[0] = Counted(-3)
            #expect(a[0].v == -3 && reader[0].v == 0 && other[0].v == 0)
            #expect(Array(reader.map(\.v)) == Array(0..<5000))
        }
        #expect(Counted.live == 0, "every element is freed once no copy holds it")
    }

    /// Appending to an unshared array never copies: the buffer of the last chunk stays the same object.
    @Test func unsharedAppendsStayInPlace() {
        var a = ChunkedArray<Int>()
        for i in 0..<10 { a.append(i) }
        let before = ObjectIdentifier(a.chunks[0])
        let view = a
        for i in 10..<100 { a.append(i) }
        #expect(ObjectIdentifier(a.chunks[0]) == before, "appending past a copy's end is done in place")
        #expect(view.count == 10 && Array(a) == Array(0..<100))
    }
}
