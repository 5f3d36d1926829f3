import COpenSSL

public enum Digest {
    public static func sha256(_ data: some Collection<UInt8>) -> [UInt8] {
        let data = Array(data)
        var out = [UInt8](repeating: 0, count: 32)
        data.withUnsafeBufferPointer { d in
            out.withUnsafeMutableBufferPointer { o in
                _ = SHA256(d.baseAddress, d.count, o.baseAddress)
            }
        }
        return out
    }
}
