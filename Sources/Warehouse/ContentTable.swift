import HashTreeCollections

/// Bin contents by key: the map the writer changes on every warehouse entry, shaped for the committed view.
///
/// Both halves are persistent trees, so publishing the state to readers is O(1) and the writer's next change copies
/// only the tree nodes on its path. The key (six strings) is numbered once, when it gets its first content (rare once
/// a site runs); the quantities live in a second tree keyed by that number. Its keys and values are plain data, so a
/// copied node is a block copy and a node freed with an old view needs no work per element: the cost of keeping the
/// view (a tenth of a 100-line journal with the strings in every copied node) stays off the posting path.
public struct ContentTable: Sendable, Sequence {
    /// Each key's number.
    var ids: TreeDictionary<ContentKey, Int> = [:]
    /// Contents by number.
    var values: TreeDictionary<Int, BinContent> = [:]
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
        let values: TreeDictionary<Int, BinContent>
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
