/// An append-only-friendly array stored in fixed-size chunks, with value semantics, built so that a copy (the
/// committed view readers share, a snapshot being encoded) costs the writer almost nothing when it appends again:
/// - appending never copies earlier elements (a plain array doubling at a million entries would copy them all);
/// - a chunk is a fixed-capacity buffer that only grows at its end. Copies share it, and each copy reads only
///   below its own `count`, so the copy that appended last may append past every other copy's end in place: the
///   slots it writes are ones no other copy can see. A copy that finds the buffer grown past its own end by
///   another copy (two diverging writers) copies the chunk first;
/// - overwriting or removing elements of a shared chunk copies that chunk (rare: rollback, tests).
/// Only the chunk table (one reference per 4,096 elements) is copied when a shared array gets a new chunk.
public struct ChunkedArray<Element>: RandomAccessCollection, MutableCollection {
    static var chunkSize: Int { 4096 }
    var chunks: [ChunkBuffer<Element>] = []
    public private(set) var count: Int = 0

    public init() {}

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> Element {
        get {
            precondition(position >= 0 && position < count, "index out of range")
            return chunks[position / Self.chunkSize].base[position % Self.chunkSize]
        }
        set {
            precondition(position >= 0 && position < count, "index out of range")
            let c = position / Self.chunkSize
            makeUnique(c)
            chunks[c].base[position % Self.chunkSize] = newValue
        }
    }

    /// How many elements of chunk `c` this copy sees.
    private func visible(_ c: Int) -> Int { Swift.min(Self.chunkSize, count - c * Self.chunkSize) }

    /// Gives chunk `c` a buffer of its own holding the elements this copy sees.
    private mutating func makeUnique(_ c: Int) {
        if isKnownUniquelyReferenced(&chunks[c]) && chunks[c].initialized == visible(c) { return }
        chunks[c] = chunks[c].copy(prefix: visible(c), capacity: Self.chunkSize)
    }

    public mutating func append(_ element: Element) {
        let inChunk = count % Self.chunkSize
        if inChunk == 0 {
            chunks.append(ChunkBuffer(capacity: Self.chunkSize))
        } else if chunks[chunks.count - 1].initialized != inChunk {
            // Another copy appended past our end: the slot we would write is one it sees.
            chunks[chunks.count - 1] = chunks[chunks.count - 1].copy(prefix: inChunk, capacity: Self.chunkSize)
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
        let keepChunks = (start + Self.chunkSize - 1) / Self.chunkSize
        chunks.removeSubrange(keepChunks...)
        count = start
        if start % Self.chunkSize != 0 {
            // The last kept chunk: truncate it in place when no other copy can see what goes, else copy it.
            let c = chunks.count - 1
            if isKnownUniquelyReferenced(&chunks[c]) {
                chunks[c].truncate(to: visible(c))
            } else {
                chunks[c] = chunks[c].copy(prefix: visible(c), capacity: Self.chunkSize)
            }
        }
    }

    public var last: Element? { count == 0 ? nil : self[count - 1] }
}

/// One chunk's storage: `capacity` slots, the first `initialized` of them holding elements. Written only by the
/// copy that appends to it (the writer); other copies read slots below their own count, which are never written
/// again, so readers on other threads need no lock (the reference count orders the deinit).
final class ChunkBuffer<Element>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Element>
    let capacity: Int
    private(set) var initialized = 0

    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    deinit {
        base.deinitialize(count: initialized)
        base.deallocate()
    }

    func append(_ element: Element) {
        precondition(initialized < capacity, "chunk full")
        (base + initialized).initialize(to: element)
        initialized += 1
    }

    func truncate(to n: Int) {
        precondition(n >= 0 && n <= initialized)
        (base + n).deinitialize(count: initialized - n)
        initialized = n
    }

    func copy(prefix n: Int, capacity: Int) -> ChunkBuffer {
        let c = ChunkBuffer(capacity: capacity)
        c.base.initialize(from: base, count: n)
        c.initialized = n
        return c
    }
}

extension ChunkedArray: Equatable where Element: Equatable {
    public static func == (a: ChunkedArray, b: ChunkedArray) -> Bool {
        a.count == b.count && a.elementsEqual(b)
    }
}

extension ChunkedArray: @unchecked Sendable where Element: Sendable {}
