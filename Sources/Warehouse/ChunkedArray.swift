/// An append-only-friendly array stored in fixed-size chunks, with value semantics, built so that a copy (the
/// committed view readers share, a snapshot being encoded) costs the writer almost nothing when it appends again:
/// - appending never copies earlier elements (a plain array doubling at a million entries would copy them all);
/// - a chunk is a fixed-capacity buffer that only grows at its end. Copies share it, and each copy reads only
///   below its own `count`, so the copy that appended last may append past every other copy's end in place: the
///   slots it writes are ones no other copy can see. A copy that finds the buffer grown past its own end by
///   another copy (two diverging writers) copies the chunk first;
/// - overwriting or removing elements of a shared chunk copies that chunk (rare: rollback, tests).
/// Only the chunk table (one reference per 4,096 elements) is copied when a shared array gets a new chunk.
///
/// The oldest chunks can leave memory (`dropChunks(below:)`) once their elements are on disk (the history files,
/// docs/on-disk-format.md 11): indices stay absolute, `count` still counts every element, and `element(_:)`,
/// `elements(_:)` and `scan(from:_:)` read a dropped range through `load`. The subscript and the collection's
/// iteration see only what is in memory: they trap below `firstInMemory`.
public struct ChunkedArray<Element>: RandomAccessCollection, MutableCollection {
    public static var chunkSize: Int { 4096 }
    /// The chunks in memory; `chunks[0]` is chunk number `firstChunk`.
    var chunks: [ChunkBuffer<Element>] = []
    var firstChunk = 0
    public private(set) var count: Int = 0
    /// Reads elements below `firstInMemory` (from the history files); nil while nothing was dropped.
    public var load: (@Sendable (Range<Int>) throws -> [Element])? = nil

    public init() {}

    /// An array whose first `count` elements are not in memory (a snapshot of state version 5 loaded); `count` is a
    /// multiple of `chunkSize`.
    public init(dropped count: Int, load: (@Sendable (Range<Int>) throws -> [Element])? = nil) {
        precondition(count >= 0 && count % Self.chunkSize == 0, "dropped elements come in whole chunks")
        firstChunk = count / Self.chunkSize
        self.count = count
        self.load = load
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }
    /// The first index held in memory (a multiple of `chunkSize`).
    public var firstInMemory: Int { firstChunk * Self.chunkSize }

    public subscript(position: Int) -> Element {
        get {
            precondition(position >= firstInMemory && position < count, "index out of range or not in memory")
            return chunks[position / Self.chunkSize - firstChunk].base[position % Self.chunkSize]
        }
        set {
            precondition(position >= firstInMemory && position < count, "index out of range or not in memory")
            let c = position / Self.chunkSize - firstChunk
            makeUnique(c)
            chunks[c].base[position % Self.chunkSize] = newValue
        }
    }

    /// Element `i`, from memory or, below `firstInMemory`, through `load`.
    public func element(_ i: Int) throws -> Element {
        precondition(i >= 0 && i < count, "index out of range")
        if i >= firstInMemory { return self[i] }
        guard let load else { throw ChunkedArrayError.notLoaded(i) }
        let got = try load(i..<(i + 1))
        guard got.count == 1 else { throw ChunkedArrayError.shortLoad(i..<(i + 1), got.count) }
        return got[0]
    }

    /// The elements in `range`, in order (what is not in memory through `load`).
    public func elements(_ range: Range<Int>) throws -> [Element] {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "range out of bounds")
        var out: [Element] = []
        out.reserveCapacity(range.count)
        let split = Swift.min(Swift.max(range.lowerBound, firstInMemory), range.upperBound)
        if range.lowerBound < split {
            guard let load else { throw ChunkedArrayError.notLoaded(range.lowerBound) }
            let got = try load(range.lowerBound..<split)
            guard got.count == split - range.lowerBound else {
                throw ChunkedArrayError.shortLoad(range.lowerBound..<split, got.count)
            }
            out.append(contentsOf: got)
        }
        for i in split..<range.upperBound { out.append(self[i]) }
        return out
    }

    /// Calls `body` with each element from `start` on, in order, until it returns false; a dropped range is read
    /// through `load` `step` elements at a time.
    public func scan(from start: Int, step: Int = 1024, _ body: (Element) throws -> Bool) throws {
        var i = Swift.max(0, start)
        while i < Swift.min(firstInMemory, count) {
            let upTo = Swift.min(firstInMemory, i + step)
            for e in try elements(i..<upTo) where !(try body(e)) { return }
            i = upTo
        }
        while i < count {
            if !(try body(self[i])) { return }
            i += 1
        }
    }

    /// Lets every whole chunk below `index` leave memory (its elements must be readable through `load`). Copies
    /// that share the chunks keep them.
    public mutating func dropChunks(below index: Int) {
        let upTo = Swift.min(index, count) / Self.chunkSize
        guard upTo > firstChunk else { return }
        precondition(load != nil, "dropping chunks that cannot be loaded again")
        chunks.removeFirst(upTo - firstChunk)
        firstChunk = upTo
    }

    /// How many elements of chunk `c` (an index into `chunks`) this copy sees.
    private func visible(_ c: Int) -> Int { Swift.min(Self.chunkSize, count - (c + firstChunk) * Self.chunkSize) }

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
        chunks.reserveCapacity((n + Self.chunkSize - 1) / Self.chunkSize - firstChunk)
    }

    /// Drops every element from `start` on (rollback); `start` is in memory.
    public mutating func removeSubrange(_ range: PartialRangeFrom<Int>) {
        let start = range.lowerBound
        precondition(start >= firstInMemory && start <= count, "index out of range or not in memory")
        let keepChunks = (start + Self.chunkSize - 1) / Self.chunkSize - firstChunk
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

    public var last: Element? {
        count == 0 ? nil : count > firstInMemory ? self[count - 1] : try? element(count - 1)
    }
}

/// Why `ChunkedArray` could not read a dropped element.
public enum ChunkedArrayError: Error, CustomStringConvertible {
    case notLoaded(Int)
    case shortLoad(Range<Int>, Int)
    public var description: String {
        switch self {
        case .notLoaded(let i): "element \(i) is not in memory and nothing can load it"
        case .shortLoad(let r, let n): "loading elements \(r) gave \(n)"
        }
    }
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
    /// Equal counts and equal elements in memory; a dropped prefix is compared by its length only.
    public static func == (a: ChunkedArray, b: ChunkedArray) -> Bool {
        a.count == b.count && a.firstInMemory == b.firstInMemory
            && (a.firstInMemory..<a.count).allSatisfy { a[$0] == b[$0] }
    }
}

extension ChunkedArray: @unchecked Sendable where Element: Sendable {}
