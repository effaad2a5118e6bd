import Warehouse
import WriteAheadLog

/// The offline check behind `whsed --verify`: checksums of every record, replay, ledger invariants. Read-only.
public enum OfflineCheck {
    public struct Outcome {
        /// Log records replayed after the snapshot.
        public var records: Int
        /// Ledger invariant violations.
        public var problems: [String]
        /// What the log scan found: a torn tail the next start would cut, and the `.cut-` files of earlier starts.
        public var report: WALRecoveryReport
        /// The state the log replays to (`whsed --rebuild-index` builds the entry index from it).
        public var state: LedgerState
    }

    /// Throws `NewerFormatError` for a file written by a newer whsed, the log's own errors otherwise.
    public static func run(directory: String, verifyLedger: Bool = true) throws -> Outcome {
        let machine = StateMachine()
        var n = 0
        let report: WALRecoveryReport
        do {
            report = try WriteAheadLog.verify(
                directory: directory,
                onSnapshot: { sequence, payload in
                    let file =
                        (directory.hasSuffix("/") ? directory : directory + "/")
                        + WriteAheadLog.snapshotFileName(sequence: sequence)
                    try NewerFormatError.checkStateVersion(of: payload, file: file)
                    try machine.restore(payload)
                },
                onRecord: { _, bytes in
                    try machine.replay(bytes)
                    n += 1
                })
        } catch {
            throw NewerFormatError.from(error) ?? error
        }
        // The history files the snapshot leaves its oldest entries to: every block read and checked.
        let history = try HistoryStore.open(stateDirectory: directory, machine: machine, readOnly: true)
        if verifyLedger { _ = try history.verifyAll() }
        return Outcome(
            records: n, problems: verifyLedger ? machine.ledger.verify() : [], report: report,
            state: machine.ledger.state)
    }
}
