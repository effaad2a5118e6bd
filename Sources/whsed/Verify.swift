import Foundation
import WhseServer
import WriteAheadLog

/// `whsed --verify DIR`: replays the log read-only and checks the ledger invariants.
enum Verify {
    static func run(directory: String) -> Int32 {
        do {
            let (records, problems) = try OfflineCheck.run(directory: directory)
            if problems.isEmpty {
                print("ok: \(records) records, ledger invariants hold")
                return 0
            }
            print("ledger invariants violated:")
            for p in problems { print("  \(p)") }
            return 1
        } catch {
            print("log check failed: \(error)")
            return 2
        }
    }
}
