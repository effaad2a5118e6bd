import WhseProtocol

/// Pages of a count journal's lines for `whsePhysInventory.get` and `physInventory.get` (protocol.md 13.4): a
/// journal of 100,000 lines would otherwise be one reply of tens of megabytes, over `maxReplyBytes`.
extension Handlers {
    /// The lines whose lineNo is above `after`, at most `limit` (`LinePage.defaultLimit` when only `after` is given),
    /// and the `nextAfter` to ask for the next page (nil after the last one). nil when the request names neither
    /// `after` nor `limit`: then every line is returned. The params decoder checked both ranges.
    static func linePage<L>(
        _ lines: [L], lineNo: (L) -> Int, after: Int?, limit: Int?
    ) -> (lines: [L], nextAfter: Int?)? {
        guard after != nil || limit != nil else { return nil }
        let floor = after ?? 0
        let most = limit ?? LinePage.defaultLimit
        var page: [L] = []
        var more = false
        for line in lines where lineNo(line) > floor {
            if page.count == most {
                more = true
                break
            }
            page.append(line)
        }
        return (page, more ? page.last.map(lineNo) : nil)
    }
}
