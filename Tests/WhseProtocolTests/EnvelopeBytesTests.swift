import Testing
import WhseProtocol

/// The reply envelope written member by member is byte for byte the serialized tree.
@Suite struct EnvelopeBytesTests {
    @Test func serializedSuccessIsTheTreeSerialized() {
        let results: [JSON] = [
            .null, .bool(true), JSON(0), .string("a\"b\n"), .array([JSON(1), .null]),
            .object([
                "registerNo": JSON(12), "lines": JSON(1), "itemLedgerEntries": .null,
                "warehouseEntries": .object(["from": JSON(7), "to": JSON(8)]), "é": .string("ü")
            ])
        ]
        for id in [JSON(1), JSON(-42), .string("id-\u{1}"), .null] {
            for result in results {
                #expect(
                    RPCResponse.serializedSuccess(id: id, result: result)
                        == RPCResponse.success(id: id, result: result).serialized())
            }
        }
    }
}
