import Foundation
import Testing
import Warehouse
import WhseProtocol

/// protocol.md is the contract a client is written from: every method the daemon knows has its section there, and every
/// error reason has its row.
@Suite struct ProtocolDoc {
    static func text() throws -> String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../protocol.md")
        return try String(contentsOf: url, encoding: .utf8)
    }

    @Test func everyMethodHasItsSection() throws {
        let headings = try ProtocolDoc.text().split(separator: "\n").filter { $0.hasPrefix("#### ") }
        for m in MethodCatalogue.all {
            #expect(headings.contains { $0.contains("`\(m.name)`") }, "protocol.md has no section for \(m.name)")
        }
    }

    @Test func everyDomainReasonIsDocumented() throws {
        let doc = try ProtocolDoc.text()
        for (reason, code) in RPCError.domainCodes {
            #expect(
                doc.contains("`\(reason.rawValue)`") && doc.contains("\(code)"),
                "protocol.md lacks \(reason.rawValue) (\(code))")
        }
    }
}
