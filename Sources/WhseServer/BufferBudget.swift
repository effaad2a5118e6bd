import NIOConcurrencyHelpers

/// The bytes all connections hold together (`maxTotalBufferBytes`, protocol.md 9): request text read but not yet
/// answered, and reply bytes the kernel has not taken yet. Each connection adds and removes its own share. A
/// connection that must wait for the total to fall registers a wake-up; all of them are woken once the total is
/// under seven eighths of the budget, so they do not wake one by one at the edge.
final class BufferBudget: @unchecked Sendable {
    let max: Int
    private struct State {
        var total = 0
        var waiters: [ObjectIdentifier: @Sendable () -> Void] = [:]
    }
    private let state = NIOLockedValueBox(State())

    init(max: Int) { self.max = max }

    /// Bytes held now by all connections.
    var total: Int { state.withLockedValue { $0.total } }

    /// Whether the total has reached the budget.
    var exhausted: Bool { state.withLockedValue { $0.total >= max } }

    /// Adds `delta` (negative: frees). Wakes every waiter when the total falls under seven eighths of the budget.
    func add(_ delta: Int) {
        if delta == 0 { return }
        let wake: [@Sendable () -> Void] = state.withLockedValue { s in
            s.total += delta
            guard delta < 0, !s.waiters.isEmpty, s.total < max - max / 8 else { return [] }
            let w = Array(s.waiters.values)
            s.waiters.removeAll()
            return w
        }
        for w in wake { w() }
    }

    /// Registers `wake` for `owner` unless the total is already under seven eighths (then returns false: go on).
    func wait(_ owner: ObjectIdentifier, wake: @escaping @Sendable () -> Void) -> Bool {
        state.withLockedValue { s in
            guard s.total >= max - max / 8 else { return false }
            s.waiters[owner] = wake
            return true
        }
    }

    /// Forgets the wake-up of `owner` (its connection closed).
    func cancel(_ owner: ObjectIdentifier) {
        _ = state.withLockedValue { $0.waiters.removeValue(forKey: owner) }
    }
}
