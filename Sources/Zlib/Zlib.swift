internal import CZlib

/// zlib-format decompression (RFC 1950), as Python's `zlib.decompress` reads it.
public enum Zlib {
    /// The inflated bytes, or nil when `compressed` is not one complete, valid zlib stream or
    /// would inflate to more than `limit` bytes (so a small bomb costs nothing).
    public static func decompress(_ compressed: [UInt8], limit: Int) -> [UInt8]? {
        var stream = z_stream()
        guard zlib_inflate_init(&stream) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: min(max(compressed.count * 4, 256), limit + 1))
        var produced = 0
        var input = compressed
        return input.withUnsafeMutableBufferPointer { source -> [UInt8]? in
            stream.next_in = source.baseAddress
            stream.avail_in = UInt32(source.count)
            while true {
                if produced == output.count {
                    guard output.count <= limit else { return nil }
                    output += [UInt8](repeating: 0, count: min(output.count, limit + 1 - output.count))
                }
                let status = output.withUnsafeMutableBufferPointer { target -> Int32 in
                    stream.next_out = target.baseAddress! + produced
                    stream.avail_out = UInt32(target.count - produced)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    produced = target.count - Int(stream.avail_out)
                    return status
                }
                switch status {
                case Z_STREAM_END:
                    guard produced <= limit, stream.avail_in == 0 else { return nil }
                    return Array(output[0..<produced])
                case Z_OK:
                    continue
                case Z_BUF_ERROR where stream.avail_out == 0:
                    continue
                default:
                    return nil
                }
            }
        }
    }
}
