/// An append-only-friendly array stored in fixed-size chunks: appending never copies earlier elements (a plain
/// array doubling at a million entries would copy them all while the state lock is held), and a copy-on-write copy
/// of the state (a snapshot) costs one chunk plus the chunk table when the original is appended to again.
public struct ChunkedArray<Element>: RandomAccessCollection, MutableCollection {
    static var chunkSize: Int { 4096 }
    var chunks: [[Element]] = []
    public private(set) var count: Int = 0

    public init() {}

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> Element {
        get {
            precondition(position >= 0 && position < count, "index out of range")
            return chunks[position / Self.chunkSize][position % Self.chunkSize]
        }
        set {
            precondition(position >= 0 && position < count, "index out of range")
            chunks[position / Self.chunkSize][position % Self.chunkSize] = newValue
        }
    }

    public mutating func append(_ element: Element) {
        if count % Self.chunkSize == 0 {
            var chunk: [Element] = []
            chunk.reserveCapacity(Self.chunkSize)
            chunks.append(chunk)
        }
        chunks[chunks.count - 1].append(element)
        count += 1
    }

    public mutating func reserveCapacity(_ n: Int) {
        chunks.reserveCapacity((n + Self.chunkSize - 1) / Self.chunkSize)
    }

    /// Drops every element from `start` on (rollback).
    public mutating func removeSubrange(_ range: PartialRangeFrom<Int>) {
        let start = range.lowerBound
        precondition(start >= 0 && start <= count, "index out of range")
        while count > start {
            let last = chunks.count - 1
            let inLast = chunks[last].count
            let drop = Swift.min(inLast, count - start)
            if drop == inLast {
                chunks.removeLast()
            } else {
                chunks[last].removeLast(drop)
            }
            count -= drop
        }
    }

    public var last: Element? { count == 0 ? nil : self[count - 1] }
}

extension ChunkedArray: Equatable where Element: Equatable {
    public static func == (a: ChunkedArray, b: ChunkedArray) -> Bool {
        a.count == b.count && a.elementsEqual(b)
    }
}

extension ChunkedArray: Sendable where Element: Sendable {}
