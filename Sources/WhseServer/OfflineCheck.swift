import WriteAheadLog

/// The offline check behind `whsed --verify`: checksums of every record, replay, ledger invariants. Read-only.
public enum OfflineCheck {
    /// Returns the number of records replayed and the invariant violations.
    public static func run(directory: String) throws -> (Int, [String]) {
        let machine = StateMachine()
        var n = 0
        _ = try WriteAheadLog.verify(directory: directory, onSnapshot: { _, payload in
            try machine.restore(payload)
        }, onRecord: { _, bytes in
            try machine.replay(bytes)
            n += 1
        })
        return (n, machine.ledger.verify())
    }
}
