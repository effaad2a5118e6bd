import Testing
@testable import Warehouse

@Suite struct ChunkedArrayTests {
    @Test func appendRollbackAcrossChunkBoundaries() {
        var a = ChunkedArray<Int>()
        for i in 0..<10_000 { a.append(i) }
        #expect(a.count == 10_000 && a[4095] == 4095 && a[4096] == 4096 && a.last == 9999)
        let copy = a   // a snapshot: later appends to `a` must not show in it
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
