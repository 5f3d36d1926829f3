import Codecs

/// `application/x-www-form-urlencoded` fields (a query string or a form body).
/// Invalid percent escapes stay as they are and invalid UTF-8 becomes U+FFFD, as Python's
/// `parse_qsl` does, so hostile input decodes to harmless text instead of failing the request.
public struct FormFields: Sendable {
    public let pairs: [(name: String, value: String)]

    public init(_ bytes: [UInt8]) {
        var pairs: [(String, String)] = []
        for field in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = field.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            pairs.append((name, value))
        }
        self.pairs = pairs
    }

    /// The last value given for `name`.
    public subscript(name: String) -> String? {
        pairs.last { $0.name == name }?.value
    }

    static func decode(_ encoded: ArraySlice<UInt8>) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(encoded.count)
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let byte = encoded[index]
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), index + 2 < encoded.endIndex,
                let high = ASCII.hexValue(encoded[index + 1]), let low = ASCII.hexValue(encoded[index + 2])
            {
                bytes.append(high << 4 | low)
                index += 2
            } else {
                bytes.append(byte)
            }
            index += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
