import WhseProtocol

#if canImport(Glibc)
    import Glibc
#endif

/// Maps a connection's peer credentials to a role (read, post, admin): protocol.md section 7.
public struct AccessRules: Sendable {
    public enum Subject: Sendable, Hashable { case uid(UInt32), gid(UInt32) }
    public var rules: [(Subject, Access)] = []
    public var defaultAccess: Access = .read
    /// The daemon's own user and root are always admin.
    public var ownerUID: UInt32 = getuid()

    public init() {}

    /// The role of a peer: the highest role any rule grants it, else the default.
    public func role(uid: UInt32, gid: UInt32, groups: [UInt32]) -> Access {
        if uid == 0 || uid == ownerUID { return .admin }
        var best: Access? = nil
        for (s, a) in rules {
            let hit: Bool
            switch s {
            case .uid(let u): hit = u == uid
            case .gid(let g): hit = g == gid || groups.contains(g)
            }
            if hit { best = max(best ?? a, a) }
        }
        return best ?? defaultAccess
    }
}
