import Testing

@testable import WriteAheadLog

struct CRC32CTests {
    /// Bit-at-a-time reference, to check the slicing-by-8 tables.
    func reference(_ bytes: [UInt8], seed: UInt32 = 0) -> UInt32 {
        var crc = ~seed
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        return ~crc
    }

    @Test func knownVectors() {
        // The CRC-32C check value, and the iSCSI vectors of RFC 3720 B.4.
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum([]) == 0)
    }

    @Test func matchesReferenceAndChains() {
        var r = TestRandom(7)
        for length in 0..<300 {
            let bytes = r.bytes(length)
            let whole = CRC32C.checksum(bytes)
            #expect(whole == reference(bytes), "length \(length)")
            let cut = length == 0 ? 0 : r.int(0...length)
            let chained = CRC32C.checksum(Array(bytes[cut...]), seed: CRC32C.checksum(Array(bytes[..<cut])))
            #expect(chained == whole, "length \(length) cut \(cut)")
        }
        // Unaligned start.
        let bytes = r.bytes(1000)
        bytes.withUnsafeBytes { raw in
            for start in 0..<9 {
                #expect(
                    CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[start...]))
                        == reference(Array(bytes[start...])))
            }
        }
    }
}
