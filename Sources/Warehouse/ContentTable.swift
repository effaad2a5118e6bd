import HashTreeCollections

/// Bin contents by key: the map the writer changes on every warehouse entry, shaped for the committed view.
///
/// Both halves are persistent, so publishing the state to readers is O(1) and the writer's next change copies only
/// what is on its path. The key (six strings) is numbered once, when it gets its first content (rare once a site
/// runs), in a persistent tree; the quantities live in `ContentValues`, a vector indexed by that number.
public struct ContentTable: Sendable, Sequence {
    /// Each key's number.
    var ids: TreeDictionary<ContentKey, Int> = [:]
    /// Contents by number.
    var values = ContentValues()
    /// The next number; a rolled-back key's number is not reused (equality looks at keys and contents only).
    var nextID = 0

    public init() {}

    public var count: Int { ids.count }
    public var isEmpty: Bool { ids.isEmpty }
    public var keys: TreeDictionary<ContentKey, Int>.Keys { ids.keys }

    /// The number of `key`, for a read and a write of the same content with one lookup of its six strings.
    public func id(of key: ContentKey) -> Int? { ids[key] }
    public subscript(id id: Int) -> BinContent? { values[id] }
    /// Replaces the content numbered `id` (a number `id(of:)` returned).
    public mutating func replace(id: Int, with content: BinContent) { values[id] = content }

    public subscript(key: ContentKey) -> BinContent? {
        get {
            guard let id = ids[key] else { return nil }
            return values[id]
        }
        set {
            if let content = newValue {
                if let id = ids[key] {
                    values[id] = content
                } else {
                    let id = nextID
                    nextID += 1
                    ids[key] = id
                    values[id] = content
                }
            } else if let id = ids.removeValue(forKey: key) {
                values[id] = nil
            }
        }
    }

    public struct Iterator: IteratorProtocol {
        var base: TreeDictionary<ContentKey, Int>.Iterator
        let values: ContentValues
        public mutating func next() -> (key: ContentKey, value: BinContent)? {
            guard let (key, id) = base.next(), let content = values[id] else { return nil }
            return (key, content)
        }
    }

    public func makeIterator() -> Iterator { Iterator(base: ids.makeIterator(), values: values) }
}

extension ContentTable: Equatable {
    /// The same keys with the same contents; the numbers given to keys do not count.
    public static func == (a: ContentTable, b: ContentTable) -> Bool {
        a.count == b.count && a.allSatisfy { b[$0.key] == $0.value }
    }
}

extension ContentTable: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (ContentKey, BinContent)...) {
        self.init()
        for (k, v) in elements { self[k] = v }
    }
}

/// The contents by their dense numbers: a persistent vector of three levels of plain arrays, 64 contents to a leaf and
/// 64 leaves to a middle array (4,096 contents), the top array growing by one middle array per 4,096 contents.
///
/// A copy (the committed view) shares every array; the writer's next change to a content copies the arrays on its
/// path that are still shared (a leaf of at most 2 KiB, a middle array of 64 references, and the top array once per
/// published view), in place through Swift's copy-on-write. It replaced a `TreeDictionary<Int, BinContent>`, whose
/// nodes the writer copied on each path after each publish and whose release, generic code going through the
/// element type's metadata for every node, cost about 3,400 instructions per node: about a fifth of a 100-line
/// journal's CPU (BENCHMARKS.md, fifth session). A leaf holds plain data, so freeing one is one deallocation.
struct ContentValues: Sendable {
    static let leafBits = 6
    static let middleBits = 6
    static let leafMask = (1 << leafBits) - 1
    static let middleMask = (1 << middleBits) - 1

    var top: [[[BinContent?]]] = []

    subscript(id: Int) -> BinContent? {
        get {
            guard id >= 0 else { return nil }
            let t = id >> (Self.leafBits + Self.middleBits)
            let m = (id >> Self.leafBits) & Self.middleMask
            let l = id & Self.leafMask
            guard t < top.count, m < top[t].count, l < top[t][m].count else { return nil }
            return top[t][m][l]
        }
        set {
            precondition(id >= 0, "content numbers are never negative")
            let t = id >> (Self.leafBits + Self.middleBits)
            let m = (id >> Self.leafBits) & Self.middleMask
            let l = id & Self.leafMask
            if t >= top.count || m >= top[t].count || l >= top[t][m].count {
                // Nothing there: nil leaves it so, and a content grows the arrays up to its slot.
                guard newValue != nil else { return }
                while top.count <= t {
                    var middle: [[BinContent?]] = []
                    middle.reserveCapacity(1 << Self.middleBits)
                    top.append(middle)
                }
                while top[t].count <= m {
                    var leaf: [BinContent?] = []
                    leaf.reserveCapacity(1 << Self.leafBits)
                    top[t].append(leaf)
                }
                while top[t][m].count <= l { top[t][m].append(nil) }
            }
            top[t][m][l] = newValue
        }
    }
}
