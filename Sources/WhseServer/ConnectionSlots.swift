import NIOConcurrencyHelpers
import WhseProtocol

/// Connection slots by Unix user (protocol.md 2.4 and 9): a peer that is not admin may hold at most
/// `maxConnectionsPerUser` connections, and never the last `adminReservedConnections` slots of `maxConnections`,
/// so that one user cannot lock everyone out, and an administrator can always get in. Admin peers (root, whsed's
/// own user, an `admin` rule) count only against `maxConnections`.
final class ConnectionSlots: @unchecked Sendable {
    private let byUser = NIOLockedValueBox([UInt32: Int]())

    /// Takes a slot for a peer that is not admin, or says which limit refuses it. `open` counts every open
    /// connection, this one included.
    func take(uid: UInt32, open: Int, limits: Limits) -> RPCError? {
        let shared = max(0, limits.maxConnections - limits.adminReservedConnections)
        if open > shared {
            return .limitExceeded(
                "too many connections: the last \(limits.adminReservedConnections) of "
                    + "\(limits.maxConnections) are kept for admin; try again later",
                limit: "maxConnections", value: shared)
        }
        return byUser.withLockedValue { users -> RPCError? in
            let n = users[uid, default: 0]
            if n >= limits.maxConnectionsPerUser {
                return .limitExceeded(
                    "uid \(uid) has \(n) connections open, the most one user may hold; "
                        + "close one, or try again later",
                    limit: "maxConnectionsPerUser", value: limits.maxConnectionsPerUser)
            }
            users[uid] = n + 1
            return nil
        }
    }

    /// Gives back a slot taken by `take`.
    func give(uid: UInt32) {
        byUser.withLockedValue { users in
            let n = users[uid, default: 0] - 1
            users[uid] = n > 0 ? n : nil
        }
    }

    /// Connections held now by users that are not admin.
    var usersOpen: Int { byUser.withLockedValue { $0.values.reduce(0, +) } }
}
