import Foundation
import WhseServer
import WriteAheadLog

#if canImport(Glibc)
    import Glibc
#endif

/// `whsed --verify DIR`: replays the log read-only and checks the ledger invariants.
///
/// Exit status: 0 ok; 1 ledger invariants violated; 2 the log cannot be read (damage, a newer format, locked);
/// 3 the books are consistent, but bytes were cut from a torn tail at an earlier start (`.cut-` files are kept) or
/// will be at the next start: a `warning:` line names each (protocol.md 16.4).
enum Verify {
    static func run(directory: String) -> Int32 {
        let outcome: OfflineCheck.Outcome
        do {
            outcome = try OfflineCheck.run(directory: directory)
        } catch {
            print("log check failed: \(error)")
            return 2
        }
        let warnings = warningLines(outcome.report, directory: directory)
        for w in warnings { print("warning: \(w)") }
        guard outcome.problems.isEmpty else {
            print("ledger invariants violated:")
            for p in outcome.problems { print("  \(p)") }
            return 1
        }
        if warnings.isEmpty {
            print("ok: \(outcome.records) records, ledger invariants hold")
            return 0
        }
        print("checked with \(warnings.count) warning(s): \(outcome.records) records, ledger invariants hold")
        return 3
    }

    static func warningLines(_ report: WALRecoveryReport, directory: String) -> [String] {
        var lines: [String] = []
        if report.tornTailBytesDropped > 0, let file = report.tornTailFile {
            let offset = report.tornTailOffset ?? 0
            let name = file.split(separator: "/").last.map(String.init) ?? file
            lines.append(
                "torn tail: \(file) has \(report.tornTailBytesDropped) bytes from offset \(offset) on that no "
                    + "commit marker follows (a write cut short, never acknowledged); the next start cuts them "
                    + "and keeps them in \(name).cut-\(offset)")
        }
        let dir = directory.hasSuffix("/") ? directory : directory + "/"
        for name in report.cutFiles {
            let size = (try? FileManager.default.attributesOfItem(atPath: dir + name)[.size] as? Int) ?? nil
            lines.append(
                "kept: \(dir + name)\(size.map { " (\($0) bytes)" } ?? "") holds bytes cut from a torn tail "
                    + "at an earlier start; inspect it, then remove it")
        }
        return lines
    }
}
