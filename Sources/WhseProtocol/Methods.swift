/// Which role a method needs, and whether it changes the books (and so is written to the log).
public enum Access: String, Sendable, Comparable, CaseIterable {
    case read, post, admin
    var rank: Int { self == .read ? 0 : self == .post ? 1 : 2 }
    public static func < (a: Access, b: Access) -> Bool { a.rank < b.rank }
}

/// The catalogue of methods: the contract of DESIGN.md §4 plus a few additions (see protocol.md).
public enum MethodCatalogue {
    public struct Entry: Sendable {
        public var name: String
        public var access: Access
        /// Changes state: validated, logged, fsynced before the reply.
        public var mutates: Bool
    }

    public static let all: [Entry] = [
        // master data
        .init(name: "location.create", access: .admin, mutates: true),
        .init(name: "location.convertToDirected", access: .admin, mutates: true),
        .init(name: "location.update", access: .admin, mutates: true),
        .init(name: "location.get", access: .read, mutates: false),
        .init(name: "location.list", access: .read, mutates: false),
        .init(name: "zone.create", access: .admin, mutates: true),
        .init(name: "zone.list", access: .read, mutates: false),
        .init(name: "bin.create", access: .admin, mutates: true),
        .init(name: "bin.update", access: .admin, mutates: true),
        .init(name: "bin.list", access: .read, mutates: false),
        .init(name: "binContent.setup", access: .admin, mutates: true),
        .init(name: "item.create", access: .admin, mutates: true),
        .init(name: "item.get", access: .read, mutates: false),
        .init(name: "item.list", access: .read, mutates: false),
        .init(name: "item.setCountingPeriod", access: .admin, mutates: true),
        .init(name: "itemTracking.setBlocked", access: .admin, mutates: true),
        .init(name: "countingPeriod.create", access: .admin, mutates: true),
        .init(name: "countingPeriod.list", access: .read, mutates: false),
        .init(name: "countingPeriod.due", access: .read, mutates: false),
        // warehouse journals
        .init(name: "whseItemJournal.register", access: .post, mutates: true),
        .init(name: "whseReclassJournal.register", access: .post, mutates: true),
        // item journal
        .init(name: "itemJournal.calculateWhseAdjustment", access: .post, mutates: true),
        .init(name: "itemJournal.get", access: .read, mutates: false),
        .init(name: "itemJournal.delete", access: .post, mutates: true),
        .init(name: "itemJournal.post", access: .post, mutates: true),
        .init(name: "itemReclassJournal.post", access: .post, mutates: true),
        // reservations
        .init(name: "reservation.create", access: .post, mutates: true),
        .init(name: "reservation.cancel", access: .post, mutates: true),
        .init(name: "reservation.list", access: .read, mutates: false),
        // counting
        .init(name: "whsePhysInventory.calculate", access: .post, mutates: true),
        .init(name: "whsePhysInventory.get", access: .read, mutates: false),
        .init(name: "whsePhysInventory.list", access: .read, mutates: false),
        .init(name: "whsePhysInventory.recordCounts", access: .post, mutates: true),
        .init(name: "whsePhysInventory.recalculate", access: .post, mutates: true),
        .init(name: "whsePhysInventory.delete", access: .post, mutates: true),
        .init(name: "whsePhysInventory.register", access: .post, mutates: true),
        .init(name: "physInventory.calculate", access: .post, mutates: true),
        .init(name: "physInventory.get", access: .read, mutates: false),
        .init(name: "physInventory.list", access: .read, mutates: false),
        .init(name: "physInventory.recordCounts", access: .post, mutates: true),
        .init(name: "physInventory.recalculate", access: .post, mutates: true),
        .init(name: "physInventory.delete", access: .post, mutates: true),
        .init(name: "physInventory.post", access: .post, mutates: true),
        // queries
        .init(name: "bin.contents", access: .read, mutates: false),
        .init(name: "item.bins", access: .read, mutates: false),
        .init(name: "item.availability", access: .read, mutates: false),
        .init(name: "entries.warehouse", access: .read, mutates: false),
        .init(name: "entries.item", access: .read, mutates: false),
        .init(name: "entries.physInventory", access: .read, mutates: false),
        // the change feed (protocol.md 13.9): the connection becomes a stream of notifications
        .init(name: "entries.follow", access: .read, mutates: false),
        // server
        .init(name: "server.status", access: .read, mutates: false),
        .init(name: "server.metrics", access: .read, mutates: false),
        // admin: it recomputes the whole books on the committed view, seconds of CPU at millions of entries.
        .init(name: "server.verify", access: .admin, mutates: false),
        .init(name: "server.checkpoint", access: .admin, mutates: false),
        .init(name: "server.backup", access: .admin, mutates: false)
    ]

    public static let byName: [String: Entry] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })
}
